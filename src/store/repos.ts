/**
 * @module
 * Repos and repo requests (tables repo and repo_queue): rows, state
 * changes, buildroot references, the content a new repo is made of (the
 * latest tagged RPMs of a tag and its inheritance at an event), and the
 * first-change query that tells when a repo stopped being current.
 * Queries in Koji's field vocabulary go through ./query-view.ts.
 */
import type { Params, Row, Store } from './db.ts';
import { canonicalJson, queryView, type QueryViewOpts, type ViewSpec } from './query-view.ts';

/** Koji's repo query fields (repo.query) over the repo table and its joins. */
export const REPO_VIEW: ViewSpec = {
  table: 'repo',
  joins: {
    tag: 'JOIN tag ON repo.tag_id = tag.id',
    create_ev: 'JOIN events AS create_ev ON repo.create_event = create_ev.id',
    begin_ev: 'LEFT JOIN events AS begin_ev ON repo.begin_event = begin_ev.id',
    end_ev: 'LEFT JOIN events AS end_ev ON repo.end_event = end_ev.id',
    task: 'LEFT JOIN task ON repo.task_id = task.id',
  },
  fields: {
    id: { sql: 'repo.id', join: null },
    tag_id: { sql: 'repo.tag_id', join: null },
    creation_time: { sql: 'repo.creation_time', join: null },
    creation_ts: { sql: 'repo.creation_time', join: null },
    state_time: { sql: 'repo.state_time', join: null },
    state_ts: { sql: 'repo.state_time', join: null },
    create_event: { sql: 'repo.create_event', join: null },
    create_ts: { sql: 'create_ev.time', join: 'create_ev' },
    begin_event: { sql: 'repo.begin_event', join: null },
    begin_ts: { sql: 'begin_ev.time', join: 'begin_ev' },
    end_event: { sql: 'repo.end_event', join: null },
    end_ts: { sql: 'end_ev.time', join: 'end_ev' },
    state: { sql: 'repo.state', join: null },
    dist: { sql: 'repo.dist', join: null },
    opts: { sql: 'repo.opts', join: null, json: true },
    custom_opts: { sql: 'repo.custom_opts', join: null, json: true },
    task_id: { sql: 'repo.task_id', join: null },
    task_state: { sql: 'task.state', join: 'task' },
    tag_name: { sql: 'tag.name', join: 'tag' },
  },
  defaultFields: ['id', 'tag_id', 'create_event', 'state', 'dist', 'task_id', 'opts', 'custom_opts'],
};

/** Koji's repo request fields (repo.queryQueue). */
export const REPO_QUEUE_VIEW: ViewSpec = {
  table: 'repo_queue',
  joins: {
    tag: 'JOIN tag ON repo_queue.tag_id = tag.id',
    task: 'LEFT JOIN task ON repo_queue.task_id = task.id',
    users: 'LEFT JOIN users ON repo_queue.owner = users.id',
  },
  fields: {
    id: { sql: 'repo_queue.id', join: null },
    create_time: { sql: 'repo_queue.create_time', join: null },
    create_ts: { sql: 'repo_queue.create_time', join: null },
    owner: { sql: 'repo_queue.owner', join: null },
    owner_name: { sql: 'users.name', join: 'users' },
    priority: { sql: 'repo_queue.priority', join: null },
    tag_id: { sql: 'repo_queue.tag_id', join: null },
    tag_name: { sql: 'tag.name', join: 'tag' },
    at_event: { sql: 'repo_queue.at_event', join: null },
    min_event: { sql: 'repo_queue.min_event', join: null },
    opts: { sql: 'repo_queue.opts', join: null, json: true },
    update_time: { sql: 'repo_queue.update_time', join: null },
    update_ts: { sql: 'repo_queue.update_time', join: null },
    active: { sql: 'repo_queue.active', join: null },
    task_id: { sql: 'repo_queue.task_id', join: null },
    task_state: { sql: 'task.state', join: 'task' },
    tries: { sql: 'repo_queue.tries', join: null },
    repo_id: { sql: 'repo_queue.repo_id', join: null },
  },
  defaultFields: ['id', 'tag_id', 'at_event', 'min_event', 'create_ts', 'task_id', 'tries', 'repo_id', 'opts', 'active', 'update_ts'],
};

export type QueryOpts = QueryViewOpts;

export interface NewRepo {
  create_event: number;
  creation_time: number;
  tag_id: number;
  state: number;
  dist: boolean;
  opts: Record<string, boolean>;
  custom_opts: Record<string, boolean>;
  task_id: number | null;
  begin_event: number | null;
  end_event: number | null;
}

/** Insert a repo row; returns its id. */
export function insertRepo(store: Store, r: NewRepo): number {
  return store.run(
    `INSERT INTO repo (create_event, creation_time, state_time, tag_id, state, dist, opts, custom_opts, task_id, begin_event, end_event)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [r.create_event, r.creation_time, r.creation_time, r.tag_id, r.state, r.dist ? 1 : 0, canonicalJson(r.opts), canonicalJson(r.custom_opts),
      r.task_id, r.begin_event, r.end_event],
  ).lastId;
}

/** Whether a repo id was ever used (ids of rolled-back inserts can come back). */
export function repoExists(store: Store, id: number): boolean {
  return !!store.get('SELECT 1 FROM repo WHERE id = ?', [id]);
}

export function repoState(store: Store, id: number): number | null {
  return store.get<{ state: number }>('SELECT state FROM repo WHERE id = ?', [id])?.state ?? null;
}

export function setRepoState(store: Store, id: number, state: number, time: number): void {
  store.run('UPDATE repo SET state = ?, state_time = ? WHERE id = ?', [state, time, id]);
}

/** Query repos in Koji's field vocabulary (RepoQuery). */
export function queryRepos(store: Store, clauses: unknown, fields: unknown = '**', opts: QueryViewOpts | null = null): Row[] | number {
  return queryView(store, REPO_VIEW, clauses, fields, opts);
}

/** Query repo requests in Koji's field vocabulary (RepoQueueQuery). */
export function queryRequests(store: Store, clauses: unknown, fields: unknown = '**', opts: QueryViewOpts | null = null): Row[] | number {
  return queryView(store, REPO_QUEUE_VIEW, clauses, fields, opts);
}

export interface ReferenceRow {
  id: number;
  host_id: number;
  task_id: number;
  create_event: number;
  state: number;
}

/** Buildroots still using a repo (not retired). */
export function repoReferences(store: Store, repoId: number): ReferenceRow[] {
  return store.all<ReferenceRow>(
    `SELECT buildroot_id AS id, host_id, task_id, create_event, state FROM standard_buildroot
     WHERE repo_id = ? AND retire_event IS NULL ORDER BY buildroot_id`,
    [repoId],
  );
}

/** READY repos with no end event yet (still current as far as we know). */
export function readyReposWithoutEnd(store: Store, readyState: number): Array<{ id: number; tag_id: number; create_event: number }> {
  return store.all('SELECT id, tag_id, create_event FROM repo WHERE end_event IS NULL AND state = ? ORDER BY id', [readyState]);
}

export function setRepoEndEvent(store: Store, id: number, endEvent: number): void {
  store.run('UPDATE repo SET end_event = ? WHERE id = ?', [endEvent, id]);
}

// ---- repo requests ----

export interface NewRequest {
  owner: number | null;
  priority: number;
  tag_id: number;
  at_event: number | null;
  min_event: number | null;
  opts: Record<string, boolean>;
  create_time: number;
}

export function insertRequest(store: Store, r: NewRequest): number {
  return store.run(
    `INSERT INTO repo_queue (create_time, update_time, owner, priority, tag_id, at_event, min_event, opts, active, tries)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0)`,
    [r.create_time, r.create_time, r.owner, r.priority, r.tag_id, r.at_event, r.min_event, canonicalJson(r.opts)],
  ).lastId;
}

export interface RequestUpdate {
  task_id?: number | null;
  tries?: number;
  repo_id?: number | null;
  active?: boolean;
  priority?: number;
}

export function updateRequest(store: Store, id: number, u: RequestUpdate, time: number): void {
  const sets: string[] = ['update_time = ?'];
  const params: Array<number | null> = [time];
  for (const [k, v] of Object.entries(u)) {
    sets.push(`${k} = ?`);
    params.push(typeof v === 'boolean' ? (v ? 1 : 0) : (v as number | null));
  }
  store.run(`UPDATE repo_queue SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
}

/** Requests for a tag that a new repo fulfils: active, without a repo, opts matching as Koji's repo_done_hook. */
export function requestsFulfilledBy(
  store: Store,
  repo: { tag_id: number; create_event: number; opts: Record<string, unknown>; custom_opts: Record<string, unknown> },
): number[] {
  const base = [
    ['tag_id', '=', repo.tag_id],
    ['active', 'IS', true],
    ['repo_id', 'IS', null],
    ['opts', '<@', repo.opts],
    ['opts', '@>', repo.custom_opts],
  ];
  const byMin = queryRequests(store, [...base, ['min_event', '<=', repo.create_event]], ['id'], { order: 'id' }) as Array<{ id: number }>;
  const byAt = queryRequests(store, [...base, ['at_event', '=', repo.create_event]], ['id'], { order: 'id' }) as Array<{ id: number }>;
  return [...new Set([...byMin, ...byAt].map((r) => r.id))];
}

export function setRequestsDone(store: Store, ids: number[], repoId: number, time: number): void {
  if (!ids.length) return;
  store.run(`UPDATE repo_queue SET repo_id = ?, active = 0, update_time = ? WHERE id IN (${ids.map(Number).join(',')})`, [repoId, time]);
}

/** Forget finished requests older than a time (RequestCleanTime). */
export function deleteOldRequests(store: Store, before: number): number {
  return store.run('DELETE FROM repo_queue WHERE active = 0 AND update_time < ?', [before]).changes;
}

/** Tags with an active request (the service checks these on every pass). */
export function tagsWithActiveRequests(store: Store): number[] {
  return store.all<{ tag_id: number }>('SELECT DISTINCT tag_id FROM repo_queue WHERE active = 1').map((r) => r.tag_id);
}

// ---- change events and automatic tags ----

/** Versioned tables whose changes alter what a tag's repo would contain (as Koji's tag_first_change_event). */
const CONTENT_TABLES = [
  'tag_listing', 'tag_inheritance', 'tag_config', 'tag_packages', 'tag_extra',
  'group_package_listing', 'group_req_listing', 'group_config',
];

/** The tag's first config event (when `after` is null), else the first change to any of the tags after it. */
export function firstChangeEvent(store: Store, tagId: number, tagIds: number[], after: number | null): number | null {
  if (after === null) {
    return store.get<{ ev: number | null }>('SELECT MIN(create_event) AS ev FROM tag_config WHERE tag_id = ?', [tagId])?.ev ?? null;
  }
  const marks = tagIds.map(() => '?').join(', ');
  let best: number | null = null;
  for (const table of CONTENT_TABLES) {
    for (const col of ['create_event', 'revoke_event']) {
      const r = store.get<{ ev: number | null }>(`SELECT MIN(${col}) AS ev FROM ${table} WHERE tag_id IN (${marks}) AND ${col} > ?`, [...tagIds, after] as Params);
      if (r?.ev !== null && r?.ev !== undefined && (best === null || r.ev < best)) best = r.ev;
    }
  }
  return best;
}

/** Tags that are the build tag of a current target. */
export function targetBuildTagIds(store: Store): number[] {
  return store.all<{ id: number }>('SELECT DISTINCT build_tag AS id FROM build_target_config WHERE active = 1').map((r) => r.id);
}

/** Current tag_extra values of one key for all tags (JSON text; NULL when blocked). */
export function extraValuesOfKey(store: Store, key: string): Array<{ tag_id: number; value: string | null }> {
  return store.all('SELECT tag_id, value FROM tag_extra WHERE key = ? AND active = 1', [key]);
}

/** Ids of tags that exist now (have an active config). */
export function liveTagIds(store: Store, ids: number[]): Set<number> {
  if (!ids.length) return new Set();
  return new Set(
    store.all<{ tag_id: number }>(`SELECT tag_id FROM tag_config WHERE active = 1 AND tag_id IN (${ids.map(Number).join(',')})`).map((r) => r.tag_id),
  );
}

/** Whether a tag lists builds, packages or groups of its own now (else its content is all inherited). */
export function tagHasOwnContent(store: Store, tagId: number): boolean {
  for (const table of ['tag_listing', 'tag_packages', 'group_config', 'group_package_listing', 'group_req_listing']) {
    if (store.get(`SELECT 1 FROM ${table} WHERE tag_id = ? AND active = 1 LIMIT 1`, [tagId])) return true;
  }
  return false;
}

/** The newest event id (cheap "did anything change" probe). */
export function maxEventId(store: Store): number {
  return store.get<{ id: number | null }>('SELECT MAX(id) AS id FROM events')?.id ?? 0;
}
