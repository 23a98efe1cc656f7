/**
 * @module
 * The file-system side of runroot's mounts: turn a checked mount plan into
 * bubblewrap binds (bind sources must exist and, after resolving symlinks,
 * stay inside their `[pathN]` directory), and find a file the command left
 * behind as the command saw it, for upload. Nothing here mounts anything on
 * the builder: binds (and file systems such as nfs, mounted by the backend
 * in a private mount namespace) exist only in the sandbox's own mount
 * namespace and end with it, even if the builder crashes.
 */
import { closeSync, fstatSync, lstatSync, openSync, readlinkSync, realpathSync, statSync, constants } from 'node:fs';
import { GenericError } from '../../src/core/faults.ts';
import type { Bind } from '../../src/builder/buildroot/backend.ts';
import { isUnder, resolveInside, type Layer, type MountSpec, type TreeReader } from './mounts.ts';

/** The binds of a run and the layers that describe the sandbox's view for uploads. */
export interface PreparedMounts {
  binds: Bind[];
  layers: Layer[];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Check a plan against the file system and turn it into binds.
 *
 * @throws GenericError `No such directory or mount: <source>` (Koji's text)
 *   for a bind source that is not a directory; `read-write mount point is
 *   not safe: <target>` when a symlink leads a source out of its section's
 *   directory. Other fstypes become binds with `fstype` set, which the
 *   backend mounts in the command's private mount namespace.
 */
export function prepareMounts(rootDir: string, plan: MountSpec[]): PreparedMounts {
  const binds: Bind[] = [];
  const layers: Layer[] = [{ target: '/', hostDir: rootDir }];
  for (const m of plan) {
    if (!m.bind) {
      // mounted by the backend in the command's own mount namespace; gone
      // when it ends, so it is no layer for finding files afterwards
      binds.push({ src: m.source, dest: m.target, readOnly: m.readOnly, fstype: m.fstype, options: m.options });
      continue;
    }
    if (!isDirectory(m.source)) throw GenericError(`No such directory or mount: ${m.source}`);
    const real = realpathSync(m.source);
    const base = isDirectory(m.sectionPath) ? realpathSync(m.sectionPath) : m.sectionPath;
    if (!isUnder(real, base)) throw GenericError(`read-write mount point is not safe: ${m.target}`);
    binds.push({ src: real, dest: m.target, readOnly: m.readOnly });
    layers.push({ target: m.target, hostDir: real });
  }
  return { binds, layers };
}

/** The real file system, read without following symlinks. */
export const realTree: TreeReader = {
  lstat(hostPath) {
    let st;
    try {
      st = lstatSync(hostPath);
    } catch {
      return null;
    }
    if (st.isSymbolicLink()) return { kind: 'link', target: readlinkSync(hostPath) };
    if (st.isDirectory()) return { kind: 'dir' };
    return { kind: st.isFile() ? 'file' : 'other' };
  },
};

/**
 * The builder path of a regular file the command saw at `inside`, or null.
 * The final open uses O_NOFOLLOW so that a symlink swapped in after the
 * resolution is not followed.
 */
export function findInside(inside: string, layers: Layer[]): string | null {
  const host = resolveInside(inside, layers, realTree);
  if (host === null) return null;
  let fd: number;
  try {
    fd = openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    return fstatSync(fd).isFile() ? host : null;
  } finally {
    closeSync(fd);
  }
}
