/**
 * @module
 * Path rules of runroot mounts, kept free of I/O so they can be tested
 * exhaustively: which `[pathN]` section backs a mountpoint, whether a
 * requested read-write mount is safe, and the mount plan a run gets.
 *
 * Koji compares paths as strings (`/mnt/workdir/tmpX` passes for the safe
 * root `/mnt/workdir/tmp`) and replaces substitutions anywhere in a path;
 * here every comparison and substitution works on whole path components.
 */
import { GenericError } from '../../src/core/faults.ts';
import type { RunrootConfig, RunrootPathConfig } from './config.ts';

/** One mount of a run, in the order it is applied (later ones on top). */
export interface MountSpec {
  /** Bind source directory on the builder, or the device/export for other fstypes. */
  source: string;
  /** Path inside the buildroot. */
  target: string;
  /** The section's fstype; `none` for binds, as Koji passes to mount(8). */
  fstype: string;
  /** mount(8) options; `ro` turned into `rw` for requested (extra) mounts. */
  options: string[];
  /** Whether this is a bind of a builder directory (options `bind` or `rbind`). */
  bind: boolean;
  readOnly: boolean;
  /** The `[pathN]` section that backs it and that section's `path`. */
  section: string;
  sectionPath: string;
}

/**
 * POSIX normpath: collapse `//` and `.`, resolve `..` lexically (never above
 * `/` for absolute paths), drop a trailing slash. Like Python's
 * os.path.normpath, except that a leading `//` is not kept.
 */
export function normalizePath(path: string): string {
  if (path === '') return '.';
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (absolute) return `/${joined}`;
  return joined || '.';
}

/** Path components of a path, ignoring empty and `.` parts. */
export function components(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

/**
 * Whether `path` is `root` or lies below it, comparing whole components of
 * both normalized paths: `/mnt/workdir/tmp/x` is under `/mnt/workdir/tmp`,
 * `/mnt/workdir/tmpX` is not.
 */
export function isUnder(path: string, root: string): boolean {
  if (!path.startsWith('/') || !root.startsWith('/')) return false;
  const p = components(normalizePath(path));
  const r = components(normalizePath(root));
  if (r.length > p.length) return false;
  return r.every((part, i) => p[i] === part);
}

/** The part of `path` below `root` (no leading slash; '' when equal). Assumes isUnder. */
export function relativeTo(path: string, root: string): string {
  const p = components(normalizePath(path));
  const r = components(normalizePath(root));
  return p.slice(r.length).join('/');
}

/** Join a base and a relative part with one slash, normalized. */
export function joinPath(base: string, rel: string): string {
  if (!rel) return normalizePath(base);
  return normalizePath(`${base}/${rel}`);
}

/** Replace a leading `from` (by whole components) with `to`; null when `path` is not under `from`. */
export function substitutePrefix(path: string, from: string, to: string): string | null {
  if (!isUnder(path, from)) return null;
  return joinPath(to, relativeTo(path, from));
}

/**
 * Koji's `_get_path_params`: the mount for a mountpoint, from the first
 * `[pathN]` section whose mountpoint covers it. The source is the section's
 * path plus the part of `path` below its mountpoint; `rw` turns an `ro`
 * option into `rw`.
 *
 * @throws GenericError `bad config: missing corresponding mountpoint`
 */
export function pathParams(paths: RunrootPathConfig[], path: string, rw = false): MountSpec {
  const section = paths.find((p) => isUnder(path, p.mountpoint));
  if (!section) throw GenericError('bad config: missing corresponding mountpoint');
  const options = section.options
    .split(',')
    .map((o) => o.trim())
    .map((o) => (rw && o === 'ro' ? 'rw' : o));
  const rel = relativeTo(path, section.mountpoint);
  // A bind's source is a builder path and is normalized; other sources
  // (`server:/export`, `tmpfs`) are passed through as written.
  const bind = options.includes('bind') || options.includes('rbind');
  const source = bind ? joinPath(section.path, rel) : rel ? `${section.path.replace(/\/+$/, '')}/${rel}` : section.path;
  return {
    source,
    target: normalizePath(path),
    fstype: bind ? 'none' : section.fstype,
    options: options.filter((o) => o !== ''),
    bind,
    readOnly: options.includes('ro'),
    section: section.section,
    sectionPath: section.path,
  };
}

/**
 * Check one `--mount` request as Koji's `do_extra_mounts` does, by whole
 * components: it must be absolute, contain no `..` component, and lie under
 * a safe root; then the path substitutions apply (first matching one) and
 * the `[pathN]` section is found. The mount is read-write.
 *
 * @throws GenericError `read-write mount point is not safe: <path>` or
 *   `bad config: missing corresponding mountpoint`
 */
export function extraMount(cfg: RunrootConfig, request: string): MountSpec {
  if (typeof request !== 'string' || request === '') {
    throw GenericError(`read-write mount point is not safe: ${String(request)}`);
  }
  // `..` is refused outright instead of normalized away: the kernel would
  // resolve it after symlinks, not lexically, so the two can disagree.
  if (request.split('/').includes('..')) throw GenericError(`read-write mount point is not safe: ${request}`);
  const mount = normalizePath(request);
  if (!mount.startsWith('/') || !cfg.safe_roots.some((root) => isUnder(mount, root))) {
    throw GenericError(`read-write mount point is not safe: ${mount}`);
  }
  let path = mount;
  for (const [from, to] of cfg.path_subs) {
    const replaced = substitutePrefix(path, from, to);
    if (replaced !== null) {
      path = replaced;
      break;
    }
  }
  return pathParams(cfg.paths, path, true);
}

/**
 * Koji's checks in `do_mounts` that need no file system: an absolute
 * mountpoint and no background mount.
 *
 * @throws GenericError `invalid mount point: <path>` or
 *   `bad config: background mount not allowed`
 */
export function checkMountSpec(m: MountSpec): void {
  if (!m.target.startsWith('/')) throw GenericError(`invalid mount point: ${m.target}`);
  if (m.options.includes('bg')) throw GenericError('bad config: background mount not allowed');
}

/**
 * All mounts of a run: the configured default mounts (with their own
 * options, normally read-only) followed by the requested extra mounts
 * (read-write), each checked.
 */
export function planMounts(cfg: RunrootConfig, requested: readonly string[]): MountSpec[] {
  if (!Array.isArray(requested)) throw GenericError('mounts must be a list of paths');
  const plan = [
    ...cfg.default_mounts.map((m) => pathParams(cfg.paths, m, false)),
    ...requested.map((m) => extraMount(cfg, m)),
  ];
  for (const m of plan) checkMountSpec(m);
  return plan;
}

/** A directory tree seen at `target` inside the sandbox, coming from `hostDir` on the builder. */
export interface Layer {
  target: string;
  hostDir: string;
}

/** What resolveInside needs from the file system (injected so tests can fake it). */
export interface TreeReader {
  /** 'link' with its target, 'dir', 'file', 'other', or null when missing. */
  lstat(hostPath: string): { kind: 'link'; target: string } | { kind: 'dir' | 'file' | 'other' } | null;
}

const MAX_LINKS = 40;

/**
 * Resolve a path as the sandboxed command saw it, to a path on the builder,
 * never leaving the sandbox's view: symlinks are followed as if the root
 * were `/` (absolute targets restart at the sandbox root, `..` stops there),
 * and the layers (the root tree first, then each bind in mount order) decide
 * which builder directory backs each point. Koji joins the path to the root
 * directory as a string, so `/etc/shadow` or a planted symlink read a file
 * of the builder host itself.
 *
 * @param inside absolute or relative (to `/`) path inside the sandbox
 * @returns the builder path of a regular file, or null when it does not
 *   exist, is not a regular file, or loops
 */
export function resolveInside(inside: string, layers: Layer[], fs: TreeReader): string | null {
  let pending = components(inside);
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    done.push(part);
    const host = hostPathOf(`/${done.join('/')}`, layers);
    if (host === null) return null;
    const st = fs.lstat(host);
    if (!st) return null;
    if (st.kind === 'link') {
      if (++links > MAX_LINKS) return null;
      done.pop();
      const target = components(st.target);
      if (st.target.startsWith('/')) done.length = 0;
      pending = [...target, ...pending];
      continue;
    }
    if (pending.length && st.kind !== 'dir') return null;
    if (!pending.length && st.kind !== 'file') return null;
  }
  if (!done.length) return null;
  return hostPathOf(`/${done.join('/')}`, layers);
}

/** The builder path behind a sandbox path: the last layer (in mount order) covering it wins. */
export function hostPathOf(inside: string, layers: Layer[]): string | null {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    if (isUnder(inside, layer.target)) return joinPath(layer.hostDir, relativeTo(inside, layer.target));
  }
  return null;
}
