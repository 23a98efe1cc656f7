/**
 * @module
 * Tasks: rows, the task tree, the waiting/awaited flags of parents and
 * children, and the listTasks query. Scheduler-only queries live in
 * ./scheduler.ts.
 */
import type { Params, Store } from './db.ts';
import { inChunks } from './in-list.ts';

export interface TaskRow {
  id: number;
  state: number;
  create_time: number;
  start_time: number | null;
  completion_time: number | null;
  channel_id: number;
  host_id: number | null;
  parent: number | null;
  label: string | null;
  waiting: number | null;
  awaited: number | null;
  owner: number;
  method: string;
  arch: string;
  priority: number;
  weight: number;
  request?: string;
  result?: string | null;
}

const INFO_COLUMNS =
  'id, state, create_time, start_time, completion_time, channel_id, host_id, parent, label, waiting, awaited, owner, method, arch, priority, weight';

function columns(withRequest: boolean, withResult = false): string {
  return INFO_COLUMNS + (withRequest ? ', request' : '') + (withResult ? ', result' : '');
}

export interface NewTask {
  state: number;
  owner: number;
  method: string;
  request: string;
  priority: number;
  parent: number | null;
  label: string | null;
  channel_id: number;
  arch: string;
  weight: number;
  host_id: number | null;
  create_time: number;
}

export function insertTask(store: Store, t: NewTask): number {
  return store.run(
    `INSERT INTO task (state, owner, method, request, priority, parent, label, channel_id, arch, weight, host_id, create_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [t.state, t.owner, t.method, t.request, t.priority, t.parent, t.label, t.channel_id, t.arch, t.weight, t.host_id, t.create_time],
  ).lastId;
}

export function getTaskRow(store: Store, id: number, withRequest = false, withResult = false): TaskRow | null {
  return store.get<TaskRow>(`SELECT ${columns(withRequest, withResult)} FROM task WHERE id = ?`, [id]);
}

export function getChildRows(store: Store, parent: number, withRequest = false): TaskRow[] {
  return store.all<TaskRow>(`SELECT ${columns(withRequest)} FROM task WHERE parent = ? ORDER BY id`, [parent]);
}

export function childIds(store: Store, parent: number): number[] {
  return store.all<{ id: number }>('SELECT id FROM task WHERE parent = ? ORDER BY id', [parent]).map((r) => r.id);
}

export function childWithLabel(store: Store, parent: number, label: string): number | null {
  return store.get<{ id: number }>('SELECT id FROM task WHERE parent = ? AND label = ? ORDER BY id LIMIT 1', [parent, label])?.id ?? null;
}

type TaskFields = Partial<Pick<TaskRow, 'state' | 'host_id' | 'start_time' | 'completion_time' | 'weight' | 'priority' | 'result' | 'waiting' | 'awaited'>>;

export function updateTask(store: Store, id: number, fields: TaskFields): void {
  const keys = Object.keys(fields) as Array<keyof TaskFields>;
  if (!keys.length) return;
  store.run(`UPDATE task SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => fields[k] ?? null), id] as Params);
}

/** Mark a parent waiting and the given children (all when null) awaited, un-awaiting the others. */
export function setWaiting(store: Store, parent: number, children: number[] | null): void {
  store.run('UPDATE task SET waiting = 1 WHERE id = ?', [parent]);
  if (children === null) {
    store.run('UPDATE task SET awaited = 1 WHERE parent = ?', [parent]);
    return;
  }
  if (!children.length) return;
  const wanted = new Set(children);
  for (const c of inChunks(children)) store.run(`UPDATE task SET awaited = 1 WHERE parent = ? AND id IN ${c.sql}`, [parent, ...c.params]);
  // children no longer awaited: every other awaited child of this parent
  for (const id of childIds(store, parent)) if (!wanted.has(id)) store.run('UPDATE task SET awaited = 0 WHERE id = ? AND awaited = 1', [id]);
}

export function clearWaiting(store: Store, parent: number): void {
  store.run('UPDATE task SET waiting = 0 WHERE id = ?', [parent]);
  store.run('UPDATE task SET awaited = 0 WHERE parent = ?', [parent]);
}

/** Awaited children of a parent split into finished and unfinished ids. */
export function awaitedChildren(store: Store, parent: number, finishedStates: number[]): { finished: number[]; unfinished: number[] } {
  const rows = store.all<{ id: number; state: number }>('SELECT id, state FROM task WHERE parent = ? AND awaited = 1 ORDER BY id', [parent]);
  const finished: number[] = [];
  const unfinished: number[] = [];
  for (const r of rows) (finishedStates.includes(r.state) ? finished : unfinished).push(r.id);
  return { finished, unfinished };
}

export function unawait(store: Store, ids: number[]): void {
  for (const c of inChunks(ids)) store.run(`UPDATE task SET awaited = 0 WHERE id IN ${c.sql}`, c.params);
}

export function childIdsInStates(store: Store, parent: number, states: number[]): number[] {
  const wanted = new Set(states);
  return store.all<{ id: number; state: number }>('SELECT id, state FROM task WHERE parent = ? ORDER BY id', [parent]).filter((r) => wanted.has(r.state)).map((r) => r.id);
}

/** Tasks of a host in one state (OPEN: running there; ASSIGNED: offered to it). */
export function hostTasks(store: Store, hostId: number, state: number): TaskRow[] {
  return store.all<TaskRow>(`SELECT ${INFO_COLUMNS} FROM task WHERE host_id = ? AND state = ? ORDER BY priority, create_time, id`, [hostId, state]);
}

/** Of the given waiting parents, those with an awaited child in a finished state. */
export function parentsWithFinishedChildren(store: Store, parents: number[], finishedStates: number[]): number[] {
  const finished = new Set(finishedStates);
  const out = new Set<number>();
  for (const c of inChunks(parents)) {
    for (const r of store.all<{ parent: number; state: number }>(`SELECT parent, state FROM task WHERE parent IN ${c.sql} AND awaited = 1`, c.params)) {
      if (finished.has(r.state)) out.add(r.parent);
    }
  }
  return [...out];
}

export interface ListTasksFilter {
  arch?: string[];
  not_arch?: string[];
  state?: number[];
  not_state?: number[];
  owner?: number | number[] | null;
  not_owner?: number | number[] | null;
  host_id?: number | number[] | null;
  not_host_id?: number | number[] | null;
  channel_id?: number | number[] | null;
  not_channel_id?: number | number[] | null;
  parent?: number | number[] | null;
  not_parent?: number | number[] | null;
  method?: string;
  /** [column, operator, epoch seconds] */
  times?: Array<[string, '<' | '>', number]>;
}

export interface QueryOpts {
  order?: string | null;
  offset?: number | null;
  limit?: number | null;
  countOnly?: boolean;
}

const ORDERABLE = new Set([
  'id', 'state', 'create_time', 'create_ts', 'start_time', 'start_ts', 'completion_time', 'completion_ts', 'channel_id',
  'host_id', 'parent', 'label', 'waiting', 'awaited', 'owner', 'method', 'arch', 'priority', 'weight', 'owner_name',
]);

const TS_ALIAS: Record<string, string> = { create_ts: 'create_time', start_ts: 'start_time', completion_ts: 'completion_time' };

/** listTasks: filters as in Koji, rows with request, result, owner_name, owner_type. */
export function listTasks(store: Store, f: ListTasksFilter, q: QueryOpts): Array<TaskRow & { owner_name: string; owner_type: number }> | number {
  const where: string[] = [];
  const params: Array<string | number> = [];
  const inList = (col: string, values: unknown[], negate: boolean) => {
    if (!values.length) where.push(negate ? '1 = 1' : '1 = 0');
    else {
      where.push(`t.${col} ${negate ? 'NOT IN' : 'IN'} (${values.map(() => '?').join(', ')})`);
      params.push(...(values as Array<string | number>));
    }
  };
  for (const col of ['arch', 'state'] as const) {
    if (f[col] !== undefined) inList(col, f[col]!, false);
    if (f[`not_${col}`] !== undefined) inList(col, f[`not_${col}`]!, true);
  }
  for (const col of ['owner', 'host_id', 'channel_id', 'parent'] as const) {
    for (const negate of [false, true]) {
      const key = (negate ? `not_${col}` : col) as keyof ListTasksFilter;
      if (!(key in f)) continue;
      const v = f[key] as number | number[] | null;
      if (v === null) where.push(`t.${col} IS ${negate ? 'NOT ' : ''}NULL`);
      else if (Array.isArray(v)) inList(col, v, negate);
      else {
        where.push(`t.${col} ${negate ? '!=' : '='} ?`);
        params.push(v);
      }
    }
  }
  if (f.method !== undefined) {
    where.push('t.method = ?');
    params.push(f.method);
  }
  for (const [col, op, value] of f.times ?? []) {
    where.push(`t.${col} ${op} ?`);
    params.push(value);
  }
  const cond = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  if (q.countOnly) return store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM task t${cond}`, params)!.n;
  let sql = `SELECT ${INFO_COLUMNS.split(', ').map((c) => `t.${c}`).join(', ')}, t.request, t.result, u.name AS owner_name, u.usertype AS owner_type
    FROM task t LEFT JOIN users u ON u.id = t.owner${cond}`;
  const order = orderClause(q.order);
  if (order) sql += ` ORDER BY ${order}`;
  const hasLimit = q.limit !== undefined && q.limit !== null;
  const hasOffset = q.offset !== undefined && q.offset !== null;
  if (hasLimit || hasOffset) {
    sql += ' LIMIT ? OFFSET ?';
    params.push(hasLimit ? Math.max(0, Math.trunc(q.limit!)) : -1, hasOffset ? Math.max(0, Math.trunc(q.offset!)) : 0);
  }
  return store.all(sql, params);
}

/** Koji's order option: comma-separated aliases, `-` for descending; unknown names are refused. */
export function orderClause(order: string | null | undefined): string | null {
  if (!order) return null;
  const parts: string[] = [];
  for (const raw of order.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const desc = item.startsWith('-');
    const name = desc ? item.slice(1) : item;
    if (!ORDERABLE.has(name)) throw new Error(`Invalid order: ${name}`);
    const col = name === 'owner_name' ? 'u.name' : `t.${TS_ALIAS[name] ?? name}`;
    parts.push(`${col}${desc ? ' DESC' : ''}`);
  }
  return parts.length ? parts.join(', ') : null;
}

export function userName(store: Store, id: number): string | null {
  return store.get<{ name: string }>('SELECT name FROM users WHERE id = ?', [id])?.name ?? null;
}

/** Name of a build target by id or name (policy data), or null. */
export function targetName(store: Store, ref: number | string): string | null {
  return (
    (typeof ref === 'number'
      ? store.get<{ name: string }>('SELECT name FROM build_target WHERE id = ?', [ref])
      : store.get<{ name: string }>('SELECT name FROM build_target WHERE name = ?', [ref]))?.name ?? null
  );
}

/** Build ids whose build task is this one and that are still BUILDING (cancelled with the task). */
export function buildingBuildsOfTask(store: Store, taskId: number, buildingState: number): number[] {
  return store.all<{ id: number }>('SELECT id FROM build WHERE task_id = ? AND state = ?', [taskId, buildingState]).map((r) => r.id);
}

export function volumeNames(store: Store): string[] {
  return store.all<{ name: string }>('SELECT name FROM volume ORDER BY id').map((r) => r.name);
}
