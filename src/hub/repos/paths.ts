/**
 * @module
 * Where repos live on disk, as Koji's PathInfo lays them out:
 * `<topdir>/repos/<tag>/<repo_id>/<arch>/` with `repodata/`, `pkglist`,
 * `blocklist`, `rpmlist.jsonl` and a `toplink` symlink back to the topdir,
 * so package locations in the metadata (`toplink/packages/...`) resolve
 * both on a shared filesystem and over the hub's /kojifiles URL.
 */
import { join } from 'node:path';

/** `<topdir>/repos/<tag>/<id>`. */
export function repoDir(topdir: string, tagName: string, repoId: number | string): string {
  return join(topdir, 'repos', tagName, String(repoId));
}

export { canonArch } from '../../core/arch.ts';

/** Koji's is_debuginfo. */
export function isDebuginfo(name: string): boolean {
  return name.endsWith('-debuginfo') || name.endsWith('-debugsource') || name.includes('-debuginfo-');
}

/** A build's directory relative to the topdir (volume aware), as PathInfo.build with topdir "". */
export function buildRelDir(b: { package_name: string; version: string; release: string; volume_name: string }): string {
  const vol = !b.volume_name || b.volume_name === 'DEFAULT' ? '' : `vol/${b.volume_name}/`;
  return `${vol}packages/${b.package_name}/${b.version}/${b.release}`;
}

/** An RPM's path inside its build directory (PathInfo.rpm). */
export function rpmRelPath(r: { name: string; version: string; release: string; arch: string }): string {
  return `${r.arch}/${r.name}-${r.version}-${r.release}.${r.arch}.rpm`;
}
