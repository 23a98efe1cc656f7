/**
 * @module
 * Builds and their tagging (tag_listing). Rows come back raw (epoch
 * seconds, 0/1 flags, JSON text); the API layer shapes them for the wire.
 */
import type { Params, Store } from './db.ts';
import { eventClause, insertVersioned, revokeVersioned } from './versioned.ts';

export interface BuildRow {
  id: number;
  version: string;
  release: string;
  epoch: number | null;
  draft: number;
  state: number;
  completion_time: number | null;
  promotion_time: number | null;
  start_time: number | null;
  task_id: number | null;
  creation_event_id: number;
  creation_time: number;
  package_id: number;
  package_name: string;
  volume_id: number;
  volume_name: string;
  owner_id: number;
  owner_name: string;
  promoter_id: number | null;
  promoter_name: string | null;
  cg_id: number | null;
  cg_name: string | null;
  source: string | null;
  extra: string | null;
}

const BUILD_SELECT = `SELECT b.id, b.version, b.release, b.epoch, b.draft, b.state, b.completion_time, b.promotion_time,
    b.start_time, b.task_id, e.id AS creation_event_id, e.time AS creation_time, p.id AS package_id, p.name AS package_name,
    v.id AS volume_id, v.name AS volume_name, u.id AS owner_id, u.name AS owner_name, pr.id AS promoter_id,
    pr.name AS promoter_name, b.cg_id, cg.name AS cg_name, b.source, b.extra`;

const BUILD_JOINS = `JOIN events e ON e.id = b.create_event JOIN package p ON p.id = b.pkg_id JOIN volume v ON v.id = b.volume_id
  JOIN users u ON u.id = b.owner LEFT JOIN users pr ON pr.id = b.promoter LEFT JOIN content_generator cg ON cg.id = b.cg_id`;

export function buildById(store: Store, id: number): BuildRow | null {
  return store.get<BuildRow>(`${BUILD_SELECT} FROM build b ${BUILD_JOINS} WHERE b.id = ?`, [id]);
}

/** Id of the build with this name, version and release (draft or not), or null. */
export function findBuildId(store: Store, nvr: { name: string; version: string; release: string }): number | null {
  const r = store.get<{ id: number }>(
    'SELECT b.id FROM build b JOIN package p ON p.id = b.pkg_id WHERE p.name = ? AND b.version = ? AND b.release = ? ORDER BY b.id LIMIT 1',
    [nvr.name, nvr.version, nvr.release],
  );
  return r?.id ?? null;
}

export function btypeId(store: Store, name: string): number | null {
  return store.get<{ id: number }>('SELECT id FROM btype WHERE name = ?', [name])?.id ?? null;
}

export function buildTypeNames(store: Store, buildId: number): string[] {
  return store
    .all<{ name: string }>('SELECT t.name FROM build_types bt JOIN btype t ON t.id = bt.btype_id WHERE bt.build_id = ? ORDER BY t.id', [buildId])
    .map((r) => r.name);
}

export function contentGeneratorId(store: Store, ref: number | string): number | null {
  const r =
    typeof ref === 'number'
      ? store.get<{ id: number }>('SELECT id FROM content_generator WHERE id = ?', [ref])
      : store.get<{ id: number }>('SELECT id FROM content_generator WHERE name = ?', [ref]);
  return r?.id ?? null;
}

export interface BuildFilter {
  packageId?: number;
  userId?: number;
  promoterId?: number;
  volumeId?: number;
  /** -1: any build made by a task. */
  taskId?: number;
  sourceLike?: string;
  prefixLike?: string;
  nvrLike?: string;
  state?: number;
  createdBefore?: number;
  createdAfter?: number;
  completeBefore?: number;
  completeAfter?: number;
  promotedBefore?: number;
  promotedAfter?: number;
  cgId?: number;
  btypeId?: number;
  draft?: boolean;
}

export function listBuilds(store: Store, f: BuildFilter): BuildRow[] {
  const where: string[] = [];
  const params: Params = [];
  const add = (cond: string, ...vals: Array<string | number>) => {
    where.push(cond);
    params.push(...vals);
  };
  let joins = BUILD_JOINS;
  if (f.packageId !== undefined) add('p.id = ?', f.packageId);
  if (f.userId !== undefined) add('u.id = ?', f.userId);
  if (f.promoterId !== undefined) add('b.promoter = ?', f.promoterId);
  if (f.volumeId !== undefined) add('v.id = ?', f.volumeId);
  if (f.taskId !== undefined) {
    if (f.taskId === -1) add('b.task_id IS NOT NULL');
    else add('b.task_id = ?', f.taskId);
  }
  if (f.sourceLike !== undefined) add("b.source LIKE ? ESCAPE '\\'", f.sourceLike);
  if (f.prefixLike !== undefined) add("p.name LIKE ? ESCAPE '\\'", f.prefixLike);
  if (f.nvrLike !== undefined) add("(p.name || '-' || b.version || '-' || b.release) LIKE ? ESCAPE '\\'", f.nvrLike);
  if (f.state !== undefined) add('b.state = ?', f.state);
  if (f.createdBefore !== undefined) add('e.time < ?', f.createdBefore);
  if (f.createdAfter !== undefined) add('e.time > ?', f.createdAfter);
  if (f.completeBefore !== undefined) add('b.completion_time < ?', f.completeBefore);
  if (f.completeAfter !== undefined) add('b.completion_time > ?', f.completeAfter);
  if (f.promotedBefore !== undefined) add('b.promotion_time < ?', f.promotedBefore);
  if (f.promotedAfter !== undefined) add('b.promotion_time > ?', f.promotedAfter);
  if (f.cgId !== undefined) add('b.cg_id = ?', f.cgId);
  if (f.btypeId !== undefined) {
    joins += ' JOIN build_types bty ON bty.build_id = b.id AND bty.btype_id = ?';
    params.unshift(f.btypeId);
  }
  if (f.draft !== undefined) add(f.draft ? 'b.draft = 1' : 'b.draft = 0');
  return store.all<BuildRow>(`${BUILD_SELECT} FROM build b ${joins}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY b.id`, params);
}

export interface NewBuildRow {
  pkg_id: number;
  version: string;
  release: string;
  epoch: number | null;
  draft: boolean;
  state: number;
  task_id: number | null;
  owner: number;
  start_time: number | null;
  completion_time: number | null;
  volume_id: number;
  source: string | null;
  extra: string | null;
  cg_id?: number | null;
}

export function insertBuild(store: Store, b: NewBuildRow, event: number): number {
  return store.run(
    `INSERT INTO build (pkg_id, version, release, epoch, draft, state, task_id, owner, create_event, start_time,
       completion_time, volume_id, source, extra, cg_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [b.pkg_id, b.version, b.release, b.epoch, b.draft ? 1 : 0, b.state, b.task_id, b.owner, event, b.start_time,
      b.completion_time, b.volume_id, b.source, b.extra, b.cg_id ?? null],
  ).lastId;
}

export function setBuildRelease(store: Store, id: number, release: string): void {
  store.run('UPDATE build SET release = ? WHERE id = ?', [release, id]);
}

/** Reuse a failed/canceled build row for a new attempt (Koji's recycle_build). */
export function recycleBuildRow(store: Store, id: number, b: NewBuildRow, event: number): void {
  store.run('DELETE FROM build_types WHERE build_id = ?', [id]);
  store.run(
    `UPDATE build SET state = ?, task_id = ?, owner = ?, start_time = ?, completion_time = ?, epoch = ?, source = ?, extra = ?,
       volume_id = ?, create_event = ?${b.cg_id !== undefined ? ', cg_id = ?' : ''} WHERE id = ?`,
    [b.state, b.task_id, b.owner, b.start_time, b.completion_time, b.epoch, b.source, b.extra, b.volume_id, event,
      ...(b.cg_id !== undefined ? [b.cg_id] : []), id],
  );
}

/** Whether a build has ever been tagged, or has rpms or archives (recycling is refused then). */
export function buildHistoryFacts(store: Store, id: number): { tagged: boolean; rpms: boolean; archives: boolean } {
  return {
    tagged: !!store.get('SELECT 1 FROM tag_listing WHERE build_id = ? LIMIT 1', [id]),
    rpms: !!store.get('SELECT 1 FROM rpminfo WHERE build_id = ? LIMIT 1', [id]),
    archives: !!store.get('SELECT 1 FROM archiveinfo WHERE build_id = ? LIMIT 1', [id]),
  };
}

export function setBuildOwner(store: Store, id: number, owner: number): void {
  store.run('UPDATE build SET owner = ? WHERE id = ?', [owner, id]);
}

export function setBuildState(store: Store, id: number, state: number, completionTime?: number | null): void {
  if (completionTime === undefined) store.run('UPDATE build SET state = ? WHERE id = ?', [state, id]);
  else store.run('UPDATE build SET state = ?, completion_time = ? WHERE id = ?', [state, completionTime, id]);
}

/** Release of the newest non-draft build of name+version that is building, complete or deleted. */
export function latestReleaseOf(store: Store, name: string, version: string, states: number[]): string | null {
  const r = store.get<{ release: string }>(
    `SELECT b.release FROM build b JOIN package p ON p.id = b.pkg_id
     WHERE p.name = ? AND b.version = ? AND b.state IN (${states.map(() => '?').join(', ')}) AND b.draft = 0
     ORDER BY b.id DESC LIMIT 1`,
    [name, version, ...states],
  );
  return r?.release ?? null;
}

// ---- tag_listing ----

export function isTagged(store: Store, tagId: number, buildId: number): boolean {
  return !!store.get('SELECT 1 FROM tag_listing WHERE tag_id = ? AND build_id = ? AND active = 1', [tagId, buildId]);
}

export function insertTagListing(store: Store, tagId: number, buildId: number, event: number, user: number | null): void {
  insertVersioned(store, 'tag_listing', { tag_id: tagId, build_id: buildId }, event, user);
}

export function revokeTagListing(store: Store, tagId: number, buildId: number, event: number, user: number | null): number {
  return revokeVersioned(store, 'tag_listing', { tag_id: tagId, build_id: buildId }, event, user);
}

export type TaggedBuildRow = BuildRow & { tag_id: number; tag_name: string; create_event: number };

export interface TaggedFilter {
  packageName?: string | null;
  ownerName?: string | null;
  btypeId?: number | null;
  draft?: boolean | null;
  /** Only this state (Koji lists COMPLETE builds only). */
  state: number;
}

/** Builds tagged into one tag at an event, most recently tagged first, newest build first on ties. */
export function taggedBuildRows(store: Store, tagId: number, event: number | null, f: TaggedFilter): TaggedBuildRow[] {
  const where = [eventClause('tl', event), 'tl.tag_id = ?', 'b.state = ?'];
  const params: Params = [];
  let joins = `JOIN build b ON b.id = tl.build_id JOIN tag t ON t.id = tl.tag_id ${BUILD_JOINS}`;
  if (f.btypeId !== undefined && f.btypeId !== null) {
    joins += ' JOIN build_types bty ON bty.build_id = b.id AND bty.btype_id = ?';
    params.push(f.btypeId);
  }
  params.push(tagId, f.state);
  if (f.packageName) {
    where.push('p.name = ?');
    params.push(f.packageName);
  }
  if (f.ownerName) {
    where.push('u.name = ?');
    params.push(f.ownerName);
  }
  if (f.draft !== undefined && f.draft !== null) where.push(f.draft ? 'b.draft = 1' : 'b.draft = 0');
  return store.all<TaggedBuildRow>(
    `${BUILD_SELECT}, t.id AS tag_id, t.name AS tag_name, tl.create_event FROM tag_listing tl ${joins}
     WHERE ${where.join(' AND ')} ORDER BY tl.create_event DESC, b.id DESC`,
    params,
  );
}

// ---- references and rpms ----

export interface BuildReferences {
  tags: Array<{ tag_id: number; name: string }>;
  rpms: Array<{ id: number; name: string; version: string; release: string; arch: string; build_id: number }>;
  component_of: number[];
  /** Time of the newest buildroot that used one of the build's rpms. */
  last_used: number | null;
}

/** What still refers to a build (Koji's build_references, for deleteBuild). */
export function buildReferences(store: Store, buildId: number, completeState: number, limit = 10): BuildReferences {
  const tags = store.all<{ tag_id: number; name: string }>(
    'SELECT tl.tag_id, t.name FROM tag_listing tl JOIN tag t ON t.id = tl.tag_id WHERE tl.build_id = ? AND tl.active = 1 ORDER BY t.id',
    [buildId],
  );
  const rpms = store.all<BuildReferences['rpms'][number]>(
    `SELECT DISTINCT r.id, r.name, r.version, r.release, r.arch, r.build_id FROM rpminfo r JOIN build b ON b.id = r.build_id
     WHERE b.state = ? AND r.buildroot_id IN (SELECT bl.buildroot_id FROM buildroot_listing bl JOIN rpminfo mine ON mine.id = bl.rpm_id
       WHERE mine.build_id = ?) ORDER BY r.id LIMIT ?`,
    [completeState, buildId, limit],
  );
  const componentOf = store
    .all<{ archive_id: number }>(
      `SELECT c.archive_id FROM archive_rpm_components c JOIN rpminfo r ON r.id = c.rpm_id JOIN archiveinfo a ON a.id = c.archive_id
       JOIN build b ON b.id = a.build_id WHERE r.build_id = ? AND b.state = ? ORDER BY c.archive_id LIMIT ?`,
      [buildId, completeState, limit],
    )
    .map((r) => r.archive_id);
  const last = store.get<{ t: number | null }>(
    `SELECT MAX(e.time) AS t FROM standard_buildroot sb JOIN events e ON e.id = sb.create_event
     WHERE sb.buildroot_id IN (SELECT bl.buildroot_id FROM buildroot_listing bl JOIN rpminfo r ON r.id = bl.rpm_id WHERE r.build_id = ?)`,
    [buildId],
  );
  return { tags, rpms, component_of: componentOf, last_used: last?.t ?? null };
}

/** Revoke every active tagging of a build (deleteBuild). */
export function revokeAllTagListings(store: Store, buildId: number, event: number, user: number | null): number {
  return revokeVersioned(store, 'tag_listing', { build_id: buildId }, event, user);
}

export interface RpmRow {
  name: string;
  version: string;
  release: string;
  arch: string;
  id: number;
  epoch: number | null;
  draft: number;
  payloadhash: string;
  size: number;
  buildtime: number;
  buildroot_id: number | null;
  build_id: number;
  metadata_only: number;
  extra: string | null;
}

/** The rpms of some builds, optionally of some arches (listTaggedRPMS). */
export function rpmsOfBuilds(store: Store, buildIds: number[], arches: string[] | null, draft: boolean | null): RpmRow[] {
  if (!buildIds.length) return [];
  const where = [`build_id IN (${buildIds.map(() => '?').join(', ')})`];
  const params: Params = [...buildIds];
  if (arches) {
    where.push(`arch IN (${arches.map(() => '?').join(', ') || 'NULL'})`);
    params.push(...arches);
  }
  if (draft !== null) where.push(draft ? 'draft = 1' : 'draft = 0');
  return store.all<RpmRow>(
    `SELECT name, version, release, arch, id, epoch, draft, payloadhash, size, buildtime, buildroot_id, build_id, metadata_only, extra
     FROM rpminfo WHERE ${where.join(' AND ')} ORDER BY build_id, id`,
    params,
  );
}

/**
 * COMPLETE builds with no active tagging (Koji's untagged_builds), by id;
 * optionally of one package name, and draft or regular only.
 */
export function untaggedBuilds(
  store: Store,
  completeState: number,
  f: { name?: string | null; draft?: boolean | null },
): Array<{ id: number; name: string; version: string; release: string }> {
  const where = ['b.state = ?', 'NOT EXISTS (SELECT 1 FROM tag_listing tl WHERE tl.build_id = b.id AND tl.active = 1)'];
  const params: Params = [completeState];
  if (f.name !== null && f.name !== undefined) {
    where.push('p.name = ?');
    params.push(f.name);
  }
  if (f.draft !== null && f.draft !== undefined) where.push(f.draft ? 'b.draft = 1' : 'b.draft = 0');
  return store.all(`SELECT b.id, p.name, b.version, b.release FROM build b JOIN package p ON p.id = b.pkg_id WHERE ${where.join(' AND ')} ORDER BY b.id`, params);
}
