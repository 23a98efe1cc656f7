/**
 * @module
 * What the RPM build handlers share: named task arguments, fetching an
 * uploaded file from the hub's work directory, reading a source RPM's
 * header, Koji's arch choices (which arches a package builds for, which
 * arch a noarch subtask runs on), and collecting rpmbuild's output.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BuildError } from '../../core/faults.ts';
import { canonArch } from '../../core/arch.ts';
import { fnmatchAny } from '../../core/fnmatch.ts';
import { encodeArgs, parseTaskParams } from '../../core/task-params.ts';
import { readRpmInfo, RpmFormatError, type RpmInfo } from '../../core/rpm-header.ts';
import type { TaskContext } from '../handler.ts';
import { topUrl } from '../buildroot/task-buildroot.ts';

export type Dict = Record<string, unknown>;

/** A task's arguments by name (Koji's signature of the method). */
export function namedArgs(method: string, params: unknown[], kwargs: Record<string, unknown>): Dict {
  return parseTaskParams(method, encodeArgs(params, kwargs));
}

export function optsOf(v: unknown): Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Dict) : {};
}

/**
 * Copy `work/<relpath>` from the hub into `destDir` (kojid's localPath):
 * straight from the topdir when the builder shares it, else over topurl.
 * Returns the local path, or null when the hub has no such file.
 */
export async function fetchWorkFile(task: TaskContext, relpath: string, destDir: string): Promise<string | null> {
  mkdirSync(destDir, { recursive: true });
  const dest = join(destDir, basename(relpath));
  const topdir = task.config.topdir;
  if (topdir) {
    const src = join(topdir, 'work', relpath);
    if (!existsSync(src)) return null;
    copyFileSync(src, dest);
    return dest;
  }
  const url = `${topUrl(task.config)}/work/${relpath.split('/').map(encodeURIComponent).join('/')}`;
  const res = await fetch(url, { signal: task.signal });
  if (res.status === 404) return null;
  if (!res.ok) throw BuildError(`Error downloading ${url}: HTTP ${res.status}`);
  await Bun.write(dest, res);
  return dest;
}

/** A source RPM's header; BuildError when the file is no RPM or not a source package. */
export function readSrpm(path: string, shown: string): RpmInfo {
  let info: RpmInfo;
  try {
    info = readRpmInfo(path);
  } catch (err) {
    if (err instanceof RpmFormatError) throw BuildError(`${shown} is not an RPM file: ${err.message}`);
    throw err;
  }
  if (!info.sourcepackage) throw BuildError(`${shown} is not a source package`);
  return info;
}

/**
 * Koji's getArchList: the tag's arches (plus a package's extra_arches),
 * narrowed by the SRPM's BuildArch/ExclusiveArch/ExcludeArch, with noarch
 * added when the package says so; arch_override replaces it for scratch
 * builds. Only arches whose canonical arch the tag has survive.
 */
export function archList(tagArches: string | null, tagName: string, h: Pick<RpmInfo, 'buildarchs' | 'exclusivearch' | 'excludearch'>, extra: string | null, opts: Dict): string[] {
  if (!tagArches) throw BuildError(`No arches for tag ${tagName}`);
  const tagList = tagArches.split(/\s+/).filter(Boolean).map(canonArch);
  let list = `${tagArches} ${extra ?? ''}`.split(/\s+/).filter(Boolean);
  if (h.buildarchs.length) list = [...h.buildarchs];
  if (h.exclusivearch.length) list = list.filter((a) => h.exclusivearch.includes(a));
  if (h.excludearch.length) list = list.filter((a) => !h.excludearch.includes(a));
  if (!h.excludearch.includes('noarch') && (h.buildarchs.includes('noarch') || h.exclusivearch.includes('noarch'))) list.push('noarch');
  const override = opts.arch_override;
  if (opts.scratch && typeof override === 'string' && override.trim()) list = override.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (const a of list) {
    if ((a === 'noarch' || tagList.includes(canonArch(a))) && !out.includes(a)) out.push(a);
  }
  if (!out.length) throw BuildError('No matching arches were found');
  return out;
}

/**
 * Koji's choose_taskarch: the arch a buildArch subtask is created with.
 * A noarch package runs as a noarch task unless arch limits (ExclusiveArch,
 * ExcludeArch, the tag's noarch_arches) rule some tag arches out; then one
 * allowed arch is picked.
 */
export function chooseTaskArch(arch: string, h: Pick<RpmInfo, 'exclusivearch' | 'excludearch'> | null, tagArches: string | null, extra: Dict, literal: string): string {
  const literalPatterns = literal.split(/[\s,]+/).filter(Boolean);
  if (literalPatterns.length && fnmatchAny(arch, literalPatterns)) return arch;
  if (arch !== 'noarch') return canonArch(arch);
  const exclusive = h?.exclusivearch ?? [];
  const exclude = h?.excludearch ?? [];
  const noarchArches = typeof extra.noarch_arches === 'string' ? extra.noarch_arches : '';
  if (!exclusive.length && !exclude.length && !noarchArches) return 'noarch';
  const tag = (tagArches ?? '').split(/\s+/).filter(Boolean).map(canonArch);
  let list = noarchArches ? noarchArches.split(/\s+/).filter(Boolean).map(canonArch).filter((a) => tag.includes(a)) : [...tag];
  if (exclusive.length) list = list.filter((a) => exclusive.map(canonArch).includes(a));
  if (exclude.length) list = list.filter((a) => !exclude.map(canonArch).includes(a));
  if (!list.length) {
    throw BuildError(`No valid arches were found. tag ${JSON.stringify(tag)}, extra ${JSON.stringify(noarchArches)}, exclusive ${JSON.stringify(exclusive)}, exclude ${JSON.stringify(exclude)}`);
  }
  const same = new Set(list).size === new Set(tag).size && list.every((a) => tag.includes(a));
  return same ? 'noarch' : list[0]!;
}

/**
 * Files rpmbuild left: binary RPMs in RPMS/ (kojid's _rpmfilename puts them
 * there directly; rpm's default uses RPMS/<arch>/), source RPMs in SRPMS/.
 */
export function rpmbuildOutput(topdir: string): { rpms: string[]; srpms: string[] } {
  const rpms: string[] = [];
  const srpms: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.isFile() && e.name.endsWith('.rpm')) rpms.push(join(d, e.name));
    }
  };
  if (existsSync(join(topdir, 'RPMS'))) walk(join(topdir, 'RPMS'));
  const srpmsDir = join(topdir, 'SRPMS');
  if (existsSync(srpmsDir)) for (const f of readdirSync(srpmsDir).sort()) if (f.endsWith('.src.rpm')) srpms.push(join(srpmsDir, f));
  return { rpms, srpms };
}

/** An exit status as kojid words it: "rpmbuild exited with status N; see build.log for more information". */
export function exitText(what: string, code: number, logfile: string): string {
  const how = code > 128 ? `was killed by signal ${code - 128}` : `exited with status ${code}`;
  return `${what} ${how}; see ${logfile} for more information`;
}
