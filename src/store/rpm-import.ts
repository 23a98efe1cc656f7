/**
 * @module
 * Rows written when an RPM file is imported into a build (importRPM):
 * the rpminfo row and the build's `rpm` type.
 */
import type { Store } from './db.ts';
import { insertRpm, type NewRpmRow } from './rpms.ts';

/** What importRPM knows of an RPM file: a build's row without draft or extra. */
export type ImportedRpmRow = Omit<NewRpmRow, 'draft' | 'extra'>;

/** The id of an rpm with this NVRA (non-draft, internal), or null. */
export function findRpmId(store: Store, r: Pick<ImportedRpmRow, 'name' | 'version' | 'release' | 'arch'>): number | null {
  return (
    store.get<{ id: number }>(
      'SELECT id FROM rpminfo WHERE name = ? AND version = ? AND release = ? AND arch = ? AND external_repo_id = 0 AND draft = 0',
      [r.name, r.version, r.release, r.arch],
    )?.id ?? null
  );
}

/** The rpminfo row of an imported RPM file (never a draft, no extra). */
export function insertImportedRpm(store: Store, r: ImportedRpmRow): number {
  return insertRpm(store, { ...r, draft: false, extra: null });
}

/** Give a build a type (Koji's new_typed_build); a no-op when it has it. */
export function addBuildType(store: Store, buildId: number, btypeId: number): void {
  store.run('INSERT INTO build_types (build_id, btype_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [buildId, btypeId]);
}
