/**
 * @module
 * Buildroot records (buildroot + standard_buildroot) and their package
 * listings (buildroot_listing). Rows come back raw; the API layer shapes
 * them as Koji's getBuildroot/listBuildroots do.
 */
import type { Params, Store } from './db.ts';

/** Koji's BR_TYPES. */
export const BR_TYPES = { STANDARD: 0, EXTERNAL: 1 } as const;

export interface BuildrootRow {
  id: number;
  br_type: number;
  cg_id: number | null;
  cg_name: string | null;
  cg_version: string | null;
  container_arch: string | null;
  container_type: string | null;
  host_os: string | null;
  host_arch: string | null;
  extra: string | null;
  state: number | null;
  task_id: number | null;
  host_id: number | null;
  host_name: string | null;
  repo_id: number | null;
  repo_state: number | null;
  tag_id: number | null;
  tag_name: string | null;
  create_event_id: number | null;
  create_event_time: number | null;
  retire_event_id: number | null;
  retire_event_time: number | null;
  repo_create_event_id: number | null;
  repo_create_event_time: number | null;
}

const SELECT = `SELECT br.id, br.br_type, br.cg_id, cg.name AS cg_name, br.cg_version, br.container_arch, br.container_type,
    br.host_os, br.host_arch, br.extra, sb.state, sb.task_id, h.id AS host_id, h.name AS host_name,
    r.id AS repo_id, r.state AS repo_state, t.id AS tag_id, t.name AS tag_name,
    ce.id AS create_event_id, ce.time AS create_event_time, re.id AS retire_event_id, re.time AS retire_event_time,
    rc.id AS repo_create_event_id, rc.time AS repo_create_event_time
  FROM buildroot br
  LEFT JOIN standard_buildroot sb ON sb.buildroot_id = br.id
  LEFT JOIN content_generator cg ON cg.id = br.cg_id
  LEFT JOIN host h ON h.id = sb.host_id
  LEFT JOIN repo r ON r.id = sb.repo_id
  LEFT JOIN tag t ON t.id = r.tag_id
  LEFT JOIN events ce ON ce.id = sb.create_event
  LEFT JOIN events re ON re.id = sb.retire_event
  LEFT JOIN events rc ON rc.id = r.create_event`;

export interface BuildrootFilter {
  buildrootIds?: number[];
  hostId?: number;
  tagId?: number;
  states?: number[];
  /** Buildroots whose listing holds this rpm. */
  rpmId?: number;
  taskId?: number;
  repoId?: number;
}

export function queryBuildroots(store: Store, f: BuildrootFilter): BuildrootRow[] {
  const where: string[] = [];
  const params: Params = [];
  const inList = (col: string, vals: number[]) => {
    where.push(vals.length ? `${col} IN (${vals.map(() => '?').join(', ')})` : '0 = 1');
    (params as unknown[]).push(...vals);
  };
  const eq = (col: string, v: number) => {
    where.push(`${col} = ?`);
    (params as unknown[]).push(v);
  };
  if (f.buildrootIds) inList('br.id', f.buildrootIds);
  if (f.hostId !== undefined) eq('h.id', f.hostId);
  if (f.tagId !== undefined) eq('t.id', f.tagId);
  if (f.states) inList('sb.state', f.states);
  if (f.taskId !== undefined) eq('sb.task_id', f.taskId);
  if (f.repoId !== undefined) eq('sb.repo_id', f.repoId);
  if (f.rpmId !== undefined) {
    where.push('br.id IN (SELECT buildroot_id FROM buildroot_listing WHERE rpm_id = ?)');
    (params as unknown[]).push(f.rpmId);
  }
  return store.all<BuildrootRow>(`${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY br.id`, params);
}

export function buildrootById(store: Store, id: number): BuildrootRow | null {
  return queryBuildroots(store, { buildrootIds: [id] })[0] ?? null;
}

export interface NewStandardBuildroot {
  hostId: number;
  repoId: number;
  taskId: number;
  arch: string;
  state: number;
  event: number;
  containerType?: string;
  hostOs?: string | null;
  hostArch?: string | null;
}

/** Insert a standard buildroot (Koji's BuildRoot.new); returns its id. */
export function insertStandardBuildroot(store: Store, b: NewStandardBuildroot): number {
  const id = store.run(
    'INSERT INTO buildroot (br_type, container_arch, container_type, host_os, host_arch) VALUES (?, ?, ?, ?, ?)',
    [BR_TYPES.STANDARD, b.arch, b.containerType ?? 'chroot', b.hostOs ?? null, b.hostArch ?? null],
  ).lastId;
  store.run(
    'INSERT INTO standard_buildroot (buildroot_id, host_id, repo_id, task_id, create_event, state) VALUES (?, ?, ?, ?, ?, ?)',
    [id, b.hostId, b.repoId, b.taskId, b.event, b.state],
  );
  return id;
}

export interface StandardBuildroot {
  id: number;
  br_type: number;
  host_id: number;
  repo_id: number;
  task_id: number;
  state: number;
  retire_event: number | null;
}

/** The standard part of a buildroot, or null for an unknown or content-generator buildroot. */
export function standardBuildroot(store: Store, id: number): StandardBuildroot | null {
  return store.get<StandardBuildroot>(
    `SELECT br.id, br.br_type, sb.host_id, sb.repo_id, sb.task_id, sb.state, sb.retire_event
     FROM buildroot br JOIN standard_buildroot sb ON sb.buildroot_id = br.id WHERE br.id = ?`,
    [id],
  );
}

/** Whether a repo exists (a buildroot must name one). */
export function repoExists(store: Store, id: number): boolean {
  return !!store.get('SELECT 1 FROM repo WHERE id = ?', [id]);
}

export function buildrootExists(store: Store, id: number): boolean {
  return !!store.get('SELECT 1 FROM buildroot WHERE id = ?', [id]);
}

export function setBuildrootState(store: Store, id: number, state: number, retireEvent: number | null): void {
  if (retireEvent === null) store.run('UPDATE standard_buildroot SET state = ? WHERE buildroot_id = ?', [state, id]);
  else store.run('UPDATE standard_buildroot SET state = ?, retire_event = ? WHERE buildroot_id = ?', [state, retireEvent, id]);
}

export interface ListingRow {
  rpm_id: number;
  is_update: number;
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  arch: string;
  build_id: number | null;
  draft: number;
  external_repo_id: number;
}

export function buildrootListing(store: Store, id: number): ListingRow[] {
  return store.all<ListingRow>(
    `SELECT bl.rpm_id, bl.is_update, r.name, r.version, r.release, r.epoch, r.arch, r.build_id, r.draft, r.external_repo_id
     FROM buildroot_listing bl JOIN rpminfo r ON r.id = bl.rpm_id WHERE bl.buildroot_id = ? ORDER BY bl.rpm_id`,
    [id],
  );
}

/** Add rpms to a buildroot's listing (ids sorted, duplicates ignored). */
export function addBuildrootListing(store: Store, id: number, rpmIds: number[], isUpdate: boolean): void {
  for (const rpmId of [...new Set(rpmIds)].sort((a, b) => a - b)) {
    store.run('INSERT INTO buildroot_listing (buildroot_id, rpm_id, is_update) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [id, rpmId, isUpdate ? 1 : 0]);
  }
}
