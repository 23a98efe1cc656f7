/**
 * @module
 * RPM records (rpminfo) and build archives (archiveinfo): lookups by id or
 * NVRA, the listRPMs/listArchives queries, and inserting an imported RPM.
 * Rows come back raw (0/1 flags, JSON text).
 */
import type { Params, Store } from './db.ts';

export interface RpmRow {
  id: number;
  build_id: number | null;
  buildroot_id: number | null;
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  arch: string;
  draft: number;
  external_repo_id: number;
  external_repo_name: string;
  payloadhash: string;
  size: number;
  buildtime: number;
  metadata_only: number;
  extra: string | null;
}

// kojibox has no external repos yet; Koji's id 0 is the INTERNAL pseudo-repo
const RPM_SELECT = `SELECT r.id, r.build_id, r.buildroot_id, r.name, r.version, r.release, r.epoch, r.arch, r.draft,
    r.external_repo_id, 'INTERNAL' AS external_repo_name, r.payloadhash, r.size, r.buildtime, r.metadata_only, r.extra
  FROM rpminfo r`;

export function rpmById(store: Store, id: number): RpmRow | null {
  return store.get<RpmRow>(`${RPM_SELECT} WHERE r.id = ?`, [id]);
}

/** Every rpm with this name, version, release and arch (drafts and external ones can share an NVRA). */
export function rpmsByNvra(store: Store, n: { name: string; version: string; release: string; arch: string }, externalRepoId?: number): RpmRow[] {
  const params: Params = [n.name, n.version, n.release, n.arch];
  let extra = '';
  if (externalRepoId !== undefined) {
    extra = ' AND r.external_repo_id = ?';
    params.push(externalRepoId);
  }
  return store.all<RpmRow>(`${RPM_SELECT} WHERE r.name = ? AND r.version = ? AND r.release = ? AND r.arch = ?${extra} ORDER BY r.id`, params);
}

export interface RpmFilter {
  buildId?: number;
  buildrootId?: number;
  /** Rpms in this buildroot's listing (adds component_buildroot_id, is_update). */
  componentBuildrootId?: number;
  /** Rpms in this image archive. */
  imageId?: number;
  hostId?: number;
  arches?: string[];
  draft?: boolean;
}

export type ListedRpmRow = RpmRow & { nvr: string; component_buildroot_id?: number; is_update?: number };

export function listRpms(store: Store, f: RpmFilter): ListedRpmRow[] {
  const cols = [`r.id, r.name, r.version, r.release, r.name || '-' || r.version || '-' || r.release AS nvr, r.arch, r.epoch,
    r.draft, r.payloadhash, r.size, r.buildtime, r.build_id, r.buildroot_id, r.external_repo_id,
    'INTERNAL' AS external_repo_name, r.metadata_only, r.extra`];
  const joins: string[] = [];
  const where: string[] = [];
  const params: Params = [];
  const eq = (col: string, v: number) => {
    where.push(`${col} = ?`);
    params.push(v);
  };
  if (f.buildId !== undefined) eq('r.build_id', f.buildId);
  if (f.buildrootId !== undefined) eq('r.buildroot_id', f.buildrootId);
  if (f.componentBuildrootId !== undefined) {
    cols.push('bl.buildroot_id AS component_buildroot_id, bl.is_update');
    joins.push('JOIN buildroot_listing bl ON bl.rpm_id = r.id');
    eq('bl.buildroot_id', f.componentBuildrootId);
  }
  if (f.imageId !== undefined) {
    joins.push('JOIN archive_rpm_components arc ON arc.rpm_id = r.id');
    eq('arc.archive_id', f.imageId);
  }
  if (f.hostId !== undefined) {
    joins.push('JOIN standard_buildroot sb ON sb.buildroot_id = r.buildroot_id');
    eq('sb.host_id', f.hostId);
  }
  if (f.arches !== undefined) {
    where.push(f.arches.length ? `r.arch IN (${f.arches.map(() => '?').join(', ')})` : '0 = 1');
    params.push(...f.arches);
  }
  if (f.draft !== undefined) where.push(f.draft ? 'r.draft = 1' : 'r.draft = 0');
  return store.all<ListedRpmRow>(
    `SELECT ${cols.join(', ')} FROM rpminfo r ${joins.join(' ')}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id`,
    params,
  );
}

export interface NewRpmRow {
  build_id: number;
  buildroot_id: number | null;
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  arch: string;
  draft: boolean;
  payloadhash: string;
  size: number;
  buildtime: number;
  extra: string | null;
}

/** Insert an rpm made by a build task (draft and extra included, unlike importRPM's rows). */
export function insertRpm(store: Store, r: NewRpmRow): number {
  return store.run(
    `INSERT INTO rpminfo (build_id, buildroot_id, name, version, release, epoch, arch, draft, external_repo_id, payloadhash,
       size, buildtime, metadata_only, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 0, ?)`,
    [r.build_id, r.buildroot_id, r.name, r.version, r.release, r.epoch, r.arch, r.draft ? 1 : 0, r.payloadhash, r.size,
      r.buildtime, r.extra],
  ).lastId;
}

// ---- archives ----

export interface ArchiveRow {
  id: number;
  type_id: number;
  btype_id: number | null;
  btype: string | null;
  build_id: number;
  buildroot_id: number | null;
  filename: string;
  size: number;
  checksum: string;
  checksum_type: number;
  metadata_only: number;
  extra: string | null;
  type_name: string;
  type_description: string;
  type_extensions: string;
  compression_type: string | null;
  arch?: string | null;
  host_id?: number;
  component_buildroot_id?: number;
}

export interface ArchiveFilter {
  buildId?: number;
  buildrootId?: number;
  hostId?: number;
  filename?: string;
  size?: number;
  checksum?: string;
  checksumType?: number;
  archiveId?: number;
  /** 'image' joins image_archives (adds arch); another btype id filters by it. */
  image?: { arch?: string | null };
  btypeId?: number;
}

export function listArchives(store: Store, f: ArchiveFilter): ArchiveRow[] {
  const cols = [`a.id, a.type_id, a.btype_id, bt.name AS btype, a.build_id, a.buildroot_id, a.filename, a.size, a.checksum,
    a.checksum_type, a.metadata_only, a.extra, t.name AS type_name, t.description AS type_description,
    t.extensions AS type_extensions, t.compression_type`];
  const joins = ['JOIN archivetypes t ON t.id = a.type_id', 'LEFT JOIN btype bt ON bt.id = a.btype_id'];
  const where: string[] = [];
  const params: Params = [];
  const eq = (col: string, v: string | number) => {
    where.push(`${col} = ?`);
    params.push(v);
  };
  if (f.buildId !== undefined) eq('a.build_id', f.buildId);
  if (f.buildrootId !== undefined) eq('a.buildroot_id', f.buildrootId);
  if (f.hostId !== undefined) {
    joins.push('JOIN standard_buildroot sb ON sb.buildroot_id = a.buildroot_id');
    cols.push('sb.host_id');
    eq('sb.host_id', f.hostId);
  }
  if (f.filename !== undefined) eq('a.filename', f.filename);
  if (f.size !== undefined) eq('a.size', f.size);
  if (f.checksum !== undefined) eq('a.checksum', f.checksum);
  if (f.checksumType !== undefined) eq('a.checksum_type', f.checksumType);
  if (f.archiveId !== undefined) eq('a.id', f.archiveId);
  if (f.image) {
    joins.push('JOIN image_archives ia ON ia.archive_id = a.id');
    cols.push('ia.arch');
    if (f.image.arch) eq('ia.arch', f.image.arch);
  }
  if (f.btypeId !== undefined) eq('a.btype_id', f.btypeId);
  return store.all<ArchiveRow>(
    `SELECT ${cols.join(', ')} FROM archiveinfo a ${joins.join(' ')}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id`,
    params,
  );
}

// ---- build bits an import touches ----

export function setBuildVolume(store: Store, buildId: number, volumeId: number): void {
  store.run('UPDATE build SET volume_id = ? WHERE id = ?', [volumeId, buildId]);
}

export function volumeByName(store: Store, name: string): { id: number; name: string } | null {
  return store.get<{ id: number; name: string }>('SELECT id, name FROM volume WHERE name = ?', [name]);
}
