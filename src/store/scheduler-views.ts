/**
 * @module
 * The scheduler's records as Koji 1.34+ lets clients read them
 * (`scheduler.getTaskRuns`, `getTaskRefusals`, `getLogMessages`,
 * `getHostData`): Koji's field names over kojibox's scheduler tables, for
 * ./query-view.ts. Times are stored as epoch seconds, so the `*_ts`
 * fields are the columns themselves.
 */
import type { Row, Store } from './db.ts';
import { queryView, type QueryViewOpts, type ViewSpec } from './query-view.ts';

/** The task and host columns each of Koji's scheduler views offers. */
const TASK_AND_HOST = {
  method: { sql: 'task.method', join: 'task' },
  state: { sql: 'task.state', join: 'task' },
  owner: { sql: 'task.owner', join: 'task' },
  arch: { sql: 'task.arch', join: 'task' },
  channel_id: { sql: 'task.channel_id', join: 'task' },
  host_name: { sql: 'host.name', join: 'host' },
  host_ready: { sql: 'host.ready', join: 'host' },
};

export const TASK_RUNS_VIEW: ViewSpec = {
  table: 'scheduler_task_runs',
  joins: {
    task: 'JOIN task ON scheduler_task_runs.task_id = task.id',
    host: 'JOIN host ON scheduler_task_runs.host_id = host.id',
  },
  fields: {
    id: { sql: 'scheduler_task_runs.id', join: null },
    task_id: { sql: 'scheduler_task_runs.task_id', join: null },
    host_id: { sql: 'scheduler_task_runs.host_id', join: null },
    // stored NULL once a run ends (so an index can keep one active run per
    // task); Koji's column is a plain boolean, and clauses compare with 0/1
    active: { sql: 'COALESCE(scheduler_task_runs.active, 0)', join: null },
    create_ts: { sql: 'scheduler_task_runs.create_time', join: null },
    start_ts: { sql: 'task.start_time', join: 'task' },
    completion_ts: { sql: 'task.completion_time', join: 'task' },
    ...TASK_AND_HOST,
  },
  defaultFields: ['id', 'task_id', 'host_id', 'active', 'create_ts'],
};

export const TASK_REFUSALS_VIEW: ViewSpec = {
  table: 'scheduler_task_refusals',
  joins: {
    task: 'JOIN task ON scheduler_task_refusals.task_id = task.id',
    host: 'JOIN host ON scheduler_task_refusals.host_id = host.id',
  },
  fields: {
    id: { sql: 'scheduler_task_refusals.id', join: null },
    task_id: { sql: 'scheduler_task_refusals.task_id', join: null },
    host_id: { sql: 'scheduler_task_refusals.host_id', join: null },
    by_host: { sql: 'scheduler_task_refusals.by_host', join: null },
    soft: { sql: 'scheduler_task_refusals.soft', join: null },
    msg: { sql: 'scheduler_task_refusals.msg', join: null },
    ts: { sql: 'scheduler_task_refusals.time', join: null },
    ...TASK_AND_HOST,
  },
  defaultFields: ['id', 'task_id', 'host_id', 'by_host', 'soft', 'msg', 'ts'],
};

export const LOG_MESSAGES_VIEW: ViewSpec = {
  table: 'scheduler_log_messages',
  joins: {
    // outer joins: a message may name no task or no host
    task: 'LEFT JOIN task ON scheduler_log_messages.task_id = task.id',
    host: 'LEFT JOIN host ON scheduler_log_messages.host_id = host.id',
  },
  fields: {
    id: { sql: 'scheduler_log_messages.id', join: null },
    task_id: { sql: 'scheduler_log_messages.task_id', join: null },
    host_id: { sql: 'scheduler_log_messages.host_id', join: null },
    msg_ts: { sql: 'scheduler_log_messages.msg_time', join: null },
    msg: { sql: 'scheduler_log_messages.msg', join: null },
    ...TASK_AND_HOST,
  },
  defaultFields: ['id', 'task_id', 'host_id', 'msg', 'msg_ts'],
};

/** Query one of the views above (Koji orders by id unless told otherwise). */
export function queryScheduler(store: Store, view: ViewSpec, clauses: unknown, fields: unknown, opts: QueryViewOpts | null): Row[] | number {
  return queryView(store, view, clauses, fields, { order: 'id', ...opts });
}

/** The data hosts reported (host.setHostData), for one host or all, by host id. */
export function hostDataRows(store: Store, hostId: number | null): Array<{ host_id: number; data: string }> {
  if (hostId === null) return store.all('SELECT host_id, data FROM scheduler_host_data ORDER BY host_id');
  return store.all('SELECT host_id, data FROM scheduler_host_data WHERE host_id = ? ORDER BY host_id', [hostId]);
}
