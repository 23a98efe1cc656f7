/**
 * @module
 * The kiwi plugin's SQL: archive types by file name, and the rows an
 * imported image adds (archiveinfo, image_archives, archive_rpm_components).
 */
import type { Store } from '../../src/store/db.ts';

export interface ArchiveTypeRow {
  id: number;
  name: string;
  description: string;
  extensions: string;
  compression_type: string | null;
}

/**
 * Koji's get_archive_type by file name: the type one of whose extensions
 * is the longest dotted suffix of the name (so `.tar.xz` is a tar, not an
 * xz file); null when none matches.
 */
export function archiveTypeFor(store: Store, filename: string): ArchiveTypeRow | null {
  const types = store.all<ArchiveTypeRow>('SELECT id, name, description, extensions, compression_type FROM archivetypes ORDER BY id');
  const byExt = new Map<string, ArchiveTypeRow[]>();
  for (const t of types) {
    for (const ext of t.extensions.toLowerCase().split(/\s+/).filter(Boolean)) {
      byExt.set(ext, [...(byExt.get(ext) ?? []), t]);
    }
  }
  const parts = filename.toLowerCase().split('.');
  for (let start = 1; start < parts.length; start++) {
    const found = byExt.get(parts.slice(start).join('.'));
    if (found?.length) return found[0]!;
  }
  return null;
}

export interface NewArchive {
  type_id: number;
  btype_id: number;
  build_id: number;
  buildroot_id: number | null;
  filename: string;
  size: number;
  checksum: string;
  /** Koji's CHECKSUM_TYPES (sha256 = 2). */
  checksum_type: number;
  extra: string | null;
}

export function insertArchive(store: Store, a: NewArchive): number {
  return store.run(
    `INSERT INTO archiveinfo (type_id, btype_id, build_id, buildroot_id, filename, size, checksum, checksum_type, metadata_only, extra)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
    [a.type_id, a.btype_id, a.build_id, a.buildroot_id, a.filename, a.size, a.checksum, a.checksum_type, a.extra],
  ).lastId;
}

export function insertImageArchive(store: Store, archiveId: number, arch: string): void {
  store.run('INSERT INTO image_archives (archive_id, arch) VALUES (?, ?)', [archiveId, arch]);
}

/** Record the rpms installed in an image archive (ids sorted, duplicates ignored). */
export function addRpmComponents(store: Store, archiveId: number, rpmIds: number[]): void {
  for (const id of [...new Set(rpmIds)].sort((a, b) => a - b)) {
    store.run('INSERT INTO archive_rpm_components (archive_id, rpm_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [archiveId, id]);
  }
}

/** Whether a task is a direct subtask of another. */
export function isSubtaskOf(store: Store, child: number, parent: number): boolean {
  return store.get<{ id: number }>('SELECT id FROM task WHERE id = ? AND parent = ?', [child, parent]) !== null;
}
