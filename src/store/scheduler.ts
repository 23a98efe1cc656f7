/**
 * @module
 * The scheduler's queries. A pass reads hosts, their load and the FREE
 * tasks in a handful of statements and writes its assignments per host in
 * one UPDATE each, so throughput does not depend on the number of tasks.
 */
import type { Store } from './db.ts';
import { inChunks } from './in-list.ts';

export interface SchedHost {
  id: number;
  name: string;
  ready: number;
  update_time: number | null;
  arches: string | null;
  capacity: number;
  data: string | null;
}

/** Enabled hosts with their configuration and reported data. */
export function enabledHosts(store: Store): SchedHost[] {
  return store.all<SchedHost>(
    `SELECT h.id, h.name, h.ready, h.update_time, hc.arches, hc.capacity, d.data
     FROM host h JOIN host_config hc ON hc.host_id = h.id AND hc.active = 1
     LEFT JOIN scheduler_host_data d ON d.host_id = h.id
     WHERE hc.enabled = 1 ORDER BY h.id`,
  );
}

/** host id -> ids of its enabled channels. */
export function hostChannelMap(store: Store): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const r of store.all<{ host_id: number; channel_id: number }>(
    'SELECT hc.host_id, hc.channel_id FROM host_channels hc JOIN channels c ON c.id = hc.channel_id WHERE hc.active = 1 AND c.enabled = 1',
  )) {
    const list = out.get(r.host_id) ?? [];
    list.push(r.channel_id);
    out.set(r.host_id, list);
  }
  return out;
}

/** Load (weights of non-waiting tasks) and task count of every host with OPEN or ASSIGNED tasks. */
export function hostLoads(store: Store): Map<number, { load: number; count: number }> {
  const out = new Map<number, { load: number; count: number }>();
  for (const r of store.all<{ host_id: number; load: number; count: number }>(
    `SELECT host_id, SUM(CASE WHEN waiting = 1 THEN 0 ELSE weight END) AS load, COUNT(*) AS count
     FROM task WHERE state IN (1, 4) AND host_id IS NOT NULL GROUP BY host_id`,
  )) {
    out.set(r.host_id, { load: r.load ?? 0, count: r.count });
  }
  return out;
}

export interface FreeTask {
  id: number;
  channel_id: number;
  arch: string;
  method: string;
  weight: number;
  priority: number;
}

/** FREE tasks in scheduling order: lower priority number first, then oldest. */
export function freeTasks(store: Store, limit: number): FreeTask[] {
  return store.all<FreeTask>(
    'SELECT id, channel_id, arch, method, weight, priority FROM task WHERE state = 0 ORDER BY priority, create_time, id LIMIT ?',
    [limit],
  );
}

/** task id -> host ids that refused it; expired soft refusals and those of finished tasks are dropped first. */
export function currentRefusals(store: Store, softCutoff: number): Map<number, Set<number>> {
  store.run(
    `DELETE FROM scheduler_task_refusals WHERE (soft = 1 AND time < ?)
       OR task_id IN (SELECT id FROM task WHERE state IN (2, 3, 5))`,
    [softCutoff],
  );
  const out = new Map<number, Set<number>>();
  for (const r of store.all<{ task_id: number; host_id: number }>('SELECT task_id, host_id FROM scheduler_task_refusals')) {
    const set = out.get(r.task_id) ?? new Set<number>();
    set.add(r.host_id);
    out.set(r.task_id, set);
  }
  return out;
}

export function refusalsOf(store: Store, taskId: number): Array<{ host_id: number; host_name: string; msg: string; soft: number }> {
  return store.all(
    'SELECT r.host_id, h.name AS host_name, r.msg, r.soft FROM scheduler_task_refusals r JOIN host h ON h.id = r.host_id WHERE r.task_id = ? ORDER BY r.id',
    [taskId],
  );
}

export function addRefusal(store: Store, r: { taskId: number; hostId: number; soft: boolean; byHost: boolean; msg: string; time: number }): void {
  store.run(
    `INSERT INTO scheduler_task_refusals (task_id, host_id, soft, by_host, msg, time) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (task_id, host_id) DO UPDATE SET soft = excluded.soft, by_host = excluded.by_host, msg = excluded.msg, time = excluded.time`,
    [r.taskId, r.hostId, r.soft ? 1 : 0, r.byHost ? 1 : 0, r.msg, r.time],
  );
}

/**
 * Assign FREE tasks to one host in one statement (tasks that stopped being
 * FREE meanwhile are skipped) and record the runs. Returns the ids assigned.
 */
export function assignTasks(store: Store, hostId: number, taskIds: number[], time: number): number[] {
  const done: number[] = [];
  for (const c of inChunks(taskIds)) {
    // `+state` keeps the planner on the primary key instead of scanning every FREE task
    const ids = store.all<{ id: number }>(`UPDATE task SET state = 4, host_id = ? WHERE id IN ${c.sql} AND +state = 0 RETURNING id`, [hostId, ...c.params]).map((r) => r.id);
    done.push(...ids);
  }
  for (const c of inChunks(done)) {
    store.run(`UPDATE scheduler_task_runs SET active = NULL WHERE active = 1 AND task_id IN ${c.sql}`, c.params);
    store.run(`INSERT INTO scheduler_task_runs (task_id, host_id, active, create_time) SELECT id, ?, 1, ? FROM task WHERE id IN ${c.sql}`, [hostId, time, ...c.params]);
    // Koji's scheduler log has a line per assignment (`koji scheduler-logs`)
    store.run(`INSERT INTO scheduler_log_messages (task_id, host_id, msg_time, msg) SELECT id, ?, ?, 'Assigning task' FROM task WHERE id IN ${c.sql}`, [hostId, time, ...c.params]);
  }
  return done;
}

/** End the active run of a task (it was opened, freed or finished). */
export function endRuns(store: Store, taskId: number): void {
  store.run('UPDATE scheduler_task_runs SET active = NULL WHERE task_id = ? AND active = 1', [taskId]);
}

/** ASSIGNED tasks whose assignment is older than `cutoff`, with the host's last check-in. */
export function staleAssignments(store: Store, cutoff: number): Array<{ task_id: number; host_id: number; assigned: number; update_time: number | null }> {
  return store.all(
    `SELECT t.id AS task_id, t.host_id, r.create_time AS assigned, h.update_time
     FROM task t JOIN scheduler_task_runs r ON r.task_id = t.id AND r.active = 1 JOIN host h ON h.id = t.host_id
     WHERE t.state = 4 AND r.create_time < ?`,
    [cutoff],
  );
}

/** OPEN tasks of hosts silent since `cutoff`. */
export function tasksOfSilentHosts(store: Store, cutoff: number): Array<{ task_id: number; host_id: number }> {
  return store.all(
    `SELECT t.id AS task_id, t.host_id FROM task t JOIN host h ON h.id = t.host_id
     WHERE t.state IN (1, 4) AND (h.update_time IS NULL OR h.update_time < ?)`,
    [cutoff],
  );
}

/** Drop log messages older than `cutoff` (what Koji's koji-sweep-db --logs-age does). */
export function pruneLogMessages(store: Store, cutoff: number): number {
  return store.run('DELETE FROM scheduler_log_messages WHERE msg_time < ?', [cutoff]).changes;
}

export function logMessage(store: Store, msg: string, taskId: number | null, hostId: number | null, time: number): void {
  store.run('INSERT INTO scheduler_log_messages (task_id, host_id, msg_time, msg) VALUES (?, ?, ?, ?)', [taskId, hostId, time, msg]);
}
