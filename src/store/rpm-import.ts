/**
 * @module
 * Rows written when an RPM file is imported into a build (importRPM):
 * the rpminfo row and the build's `rpm` type.
 */
import type { Store } from './db.ts';

export interface NewRpmRow {
  build_id: number;
  buildroot_id: number | null;
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  arch: string;
  payloadhash: string;
  size: number;
  buildtime: number;
}

/** The id of an rpm with this NVRA (non-draft, internal), or null. */
export function findRpmId(store: Store, r: Pick<NewRpmRow, 'name' | 'version' | 'release' | 'arch'>): number | null {
  return (
    store.get<{ id: number }>(
      'SELECT id FROM rpminfo WHERE name = ? AND version = ? AND release = ? AND arch = ? AND external_repo_id = 0 AND draft = 0',
      [r.name, r.version, r.release, r.arch],
    )?.id ?? null
  );
}

export function insertRpm(store: Store, r: NewRpmRow): number {
  return store.run(
    `INSERT INTO rpminfo (build_id, buildroot_id, name, version, release, epoch, arch, draft, external_repo_id, payloadhash, size, buildtime, metadata_only)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, 0)`,
    [r.build_id, r.buildroot_id, r.name, r.version, r.release, r.epoch, r.arch, r.payloadhash, r.size, r.buildtime],
  ).lastId;
}

/** Give a build a type (Koji's new_typed_build); a no-op when it has it. */
export function addBuildType(store: Store, buildId: number, btypeId: number): void {
  store.run('INSERT INTO build_types (build_id, btype_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [buildId, btypeId]);
}
