/**
 * @module
 * Importing a finished RPM build, as Koji's import_build/import_rpm do:
 * the uploaded files are checked (real RPMs, names matching their headers,
 * binary RPMs from this SRPM), the build turns COMPLETE, each RPM gets an
 * rpminfo row, and the files move from the work directory to
 * `<topdir>/packages/<name>/<version>/<release>/<arch>/` (logs to
 * `data/logs/<arch>/`) leaving symlinks in the task output. Every check
 * runs before anything moves, and moved files go back if a later move
 * fails, so a refused import leaves neither rows nor files behind.
 */
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, copyFileSync } from 'node:fs';
import { basename, dirname, join, relative, posix } from 'node:path';
import { GenericError } from '../../core/faults.ts';
import { BUILD_STATES } from '../../core/states.ts';
import { now } from '../../core/time.ts';
import { readRpmInfo, rpmFileName, RpmFormatError, type RpmInfo } from '../../core/rpm-header.ts';
import type { CallContext } from '../context.ts';
import * as rpms from '../../store/rpms.ts';
import { addBuildType, findRpmId } from '../../store/rpm-import.ts';
import * as brs from '../../store/buildroots.ts';
import { btypeId, setBuildState } from '../../store/builds.ts';
import { getBuildInfo, type BuildInfo } from './lookups.ts';
import { buildRelDir } from '../repos/paths.ts';
import { pyRepr } from './common.ts';

type Dict = Record<string, unknown>;

/** The hub's work directory of a volume, where uploads and task output live. */
export function workDir(ctx: CallContext, volume: string | null = null): string {
  return join(ctx.hub.volumeDir(volume), 'work');
}

/** An uploaded file by its path relative to the work directory; never outside it. */
export function workFile(ctx: CallContext, relpath: unknown): string {
  if (typeof relpath !== 'string' || !relpath || relpath.includes('\0')) throw GenericError(`Invalid file path: ${pyRepr(relpath)}`);
  const norm = posix.normalize(relpath);
  if (norm.startsWith('/') || norm === '..' || norm.startsWith('../')) throw GenericError(`Invalid file path: ${relpath}`);
  return join(workDir(ctx), norm);
}

/** Read an RPM's header, turning format errors into Koji-style faults. */
export function readRpm(path: string): RpmInfo {
  try {
    return readRpmInfo(path);
  } catch (err) {
    if (err instanceof RpmFormatError) throw GenericError(`Error reading RPM header of ${basename(path)}: ${err.message}`);
    throw GenericError(`Error reading ${basename(path)}: ${(err as Error).message}`);
  }
}

/** A file move that can be undone, with a relative symlink left at the source (koji.util.move_and_symlink). */
interface Move {
  from: string;
  to: string;
  symlink: boolean;
}

/** Perform moves in order; if one fails, undo the ones done and rethrow. */
export function performMoves(moves: Move[]): void {
  const done: Move[] = [];
  try {
    for (const m of moves) {
      if (existsSync(m.to)) throw GenericError(`Error importing ${basename(m.from)}: ${m.to} already exists`);
      mkdirSync(dirname(m.to), { recursive: true });
      moveFile(m.from, m.to);
      done.push(m);
      if (m.symlink) symlinkSync(relative(dirname(m.from), m.to), m.from);
    }
  } catch (err) {
    for (const m of done.reverse()) {
      try {
        if (m.symlink && isSymlink(m.from)) unlinkSync(m.from);
        moveFile(m.to, m.from);
      } catch {
        // best effort: the original error is what the caller needs to see
      }
    }
    throw err;
  }
}

function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    copyFileSync(from, to);
    rmSync(from);
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The volume policy's choice for new content (DEFAULT when it names none or an unknown volume). */
function chooseVolume(ctx: CallContext, data: Dict): { id: number; name: string } {
  let name = 'DEFAULT';
  try {
    const r = ctx.hub.policies.evaluate('volume', data, ctx.hub.policyLookups);
    if (r.text) name = r.text.trim().split(/\s+/)[0] ?? 'DEFAULT';
  } catch {
    name = 'DEFAULT';
  }
  return rpms.volumeByName(ctx.store, name) ?? { id: 0, name: 'DEFAULT' };
}

/** The build's directory on disk (volume aware). */
export function buildDir(ctx: CallContext, b: BuildInfo): string {
  return join(ctx.hub.topdir, buildRelDir({ package_name: b.name, version: b.version, release: b.release, volume_name: b.volume_name }));
}

interface CheckedRpm {
  relpath: string;
  path: string;
  info: RpmInfo;
  brootId: number | null;
}

/**
 * Check one RPM against the build it joins (Koji's import_rpm checks):
 * its file name must be what its header says, and it must come from the
 * build's SRPM.
 */
function checkRpm(path: string, relpath: string, build: { name: string; version: string; release: string; state: number }, brootId: number | null): CheckedRpm {
  if (!existsSync(path)) throw GenericError(`No such file: ${path}`);
  const info = readRpm(path);
  const base = basename(path);
  const expected = rpmFileName(info);
  if (base !== expected) throw GenericError(`bad filename: ${base} (expected ${expected})`);
  const srpmName = `${build.name}-${build.version}-${build.release}.src.rpm`;
  if (!info.sourcepackage) {
    if (info.sourcerpm !== srpmName) throw GenericError(`srpm mismatch for ${path}: ${info.sourcerpm} (expected ${srpmName})`);
  } else if (base !== srpmName) {
    throw GenericError(`srpm mismatch for ${path}: ${base} (expected ${srpmName})`);
  }
  const st = BUILD_STATES.nameOf(build.state);
  if (st === 'FAILED' || st === 'CANCELED' || st === 'DELETED') {
    throw GenericError(`Build is ${st}: ${build.name}-${build.version}-${build.release}`);
  }
  return { relpath, path, info, brootId };
}

/**
 * Koji's check_noarch_rpms: several arches may each produce the same noarch
 * subpackage; the first is kept. (Koji also rpmdiffs the duplicates;
 * kojibox keeps the first without comparing.)
 */
export function dedupeNoarch(relpaths: string[]): string[] {
  const seen = new Set<string>();
  return relpaths.filter((p) => {
    if (!p.endsWith('.noarch.rpm')) return true;
    const name = basename(p);
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
}

/** Insert the rpminfo row of a checked RPM (with pre/postImport callbacks) and plan its move. */
function importRpmRow(ctx: CallContext, c: CheckedRpm, build: BuildInfo, moves: Move[], dest: string): Dict {
  const nvra = { name: c.info.name, version: c.info.version, release: c.info.release, arch: c.info.arch };
  if (!build.draft && findRpmId(ctx.store, nvra) !== null) {
    throw GenericError(`Error importing RPM file. ${rpmFileName(c.info)} is already in the database`);
  }
  addBuildType(ctx.store, build.id, btypeId(ctx.store, 'rpm')!);
  const row: Dict = {
    name: c.info.name, version: c.info.version, release: c.info.release, epoch: c.info.epoch, arch: c.info.arch,
    sourcepackage: c.info.sourcepackage ? 1 : null, buildtime: c.info.buildtime, sourcerpm: c.info.sourcerpm,
    draft: Boolean(build.draft), build_id: build.id, size: c.info.filesize, payloadhash: c.info.payloadhash,
    buildroot_id: c.brootId, external_repo_id: 0,
  };
  ctx.callback('preImport', { type: 'rpm', rpm: row, build, filepath: c.path, fileinfo: null });
  row.id = rpms.insertRpm(ctx.store, {
    build_id: build.id, buildroot_id: c.brootId, name: c.info.name, version: c.info.version, release: c.info.release,
    epoch: c.info.epoch, arch: c.info.arch, draft: Boolean(build.draft), payloadhash: c.info.payloadhash,
    size: c.info.filesize, buildtime: c.info.buildtime, extra: null,
  });
  ctx.callback('postImport', { type: 'rpm', rpm: row, build, filepath: c.path, fileinfo: null });
  moves.push({ from: c.path, to: join(dest, c.info.arch, basename(c.path)), symlink: true });
  return row;
}

export interface ImportBuildInput {
  srpm: string;
  rpms: string[];
  brmap: Record<string, unknown>;
  taskId: number | null;
  buildId: number;
  logs: Record<string, string[]> | null;
}

/**
 * Koji's import_build for a build made by a task (host.completeBuild):
 * the BUILDING build becomes COMPLETE with its SRPM, RPMs and logs.
 */
export function importBuildInTx(ctx: CallContext, input: ImportBuildInput): BuildInfo {
  ctx.callback('preImport', {
    type: 'build', srpm: input.srpm, rpms: input.rpms, brmap: input.brmap, task_id: input.taskId, build_id: input.buildId,
    build: null, logs: input.logs,
  });
  const all = [input.srpm, ...input.rpms];
  for (const rel of all) {
    const fn = workFile(ctx, rel);
    if (!existsSync(fn)) throw GenericError(`No such file: ${fn}`);
  }
  const rpmList = dedupeNoarch(input.rpms);
  for (const br of new Set(Object.values(input.brmap))) {
    const id = Number(br);
    if (!Number.isInteger(id) || !brs.buildrootExists(ctx.store, id)) throw GenericError(`no buildroot with ID: ${pyRepr(br)}`);
  }
  const srpmPath = workFile(ctx, input.srpm);
  const head = readRpm(srpmPath);
  if (!head.sourcepackage) throw GenericError(`not a source package: ${srpmPath}`);

  const before = getBuildInfo(ctx, input.buildId, true)!;
  const volume = chooseVolume(ctx, {
    package: head.name, version: head.version, release: head.release, buildroots: Object.values(input.brmap),
    import: true, import_type: 'rpm',
  });
  let release = head.release;
  if (before.draft) release = `${release},draft_${before.id}`;
  const fromRpm: Dict = { name: head.name, version: head.version, release, epoch: head.epoch, task_id: input.taskId };
  for (const key of ['name', 'version', 'release', 'epoch', 'task_id']) {
    if (fromRpm[key] !== before[key]) {
      throw GenericError(`Unable to complete build: ${key} mismatch (build: ${pyRepr(before[key])}, rpm: ${pyRepr(fromRpm[key])})`);
    }
  }
  if (before.state !== BUILD_STATES.BUILDING) {
    throw GenericError(`Unable to complete build: state is ${BUILD_STATES.nameOf(before.state)}`);
  }
  // check every file before any row or file changes
  const brootOf = (rel: string) => (input.brmap[rel] === undefined || input.brmap[rel] === null ? null : Number(input.brmap[rel]));
  const checked = [input.srpm, ...rpmList].map((rel) =>
    checkRpm(workFile(ctx, rel), rel, { name: before.name, version: before.version, release: head.release, state: BUILD_STATES.COMPLETE }, brootOf(rel)),
  );
  const logFiles: Array<{ rel: string; subdir: string | null }> = [];
  for (const [key, files] of Object.entries(input.logs ?? {})) {
    for (const rel of files) {
      const fn = workFile(ctx, rel);
      let st;
      try {
        st = lstatSync(fn);
      } catch {
        throw GenericError(`Error importing build log. ${fn} is not a regular file.`);
      }
      if (!st.isFile()) throw GenericError(`Error importing build log. ${fn} is not a regular file.`);
      logFiles.push({ rel, subdir: key || null });
    }
  }

  ctx.callback('preBuildStateChange', { attribute: 'state', old: before.state, new: BUILD_STATES.COMPLETE, info: before });
  setBuildState(ctx.store, before.id, BUILD_STATES.COMPLETE, now());
  rpms.setBuildVolume(ctx.store, before.id, volume.id);
  const build = getBuildInfo(ctx, before.id, true)!;
  ctx.callback('postBuildStateChange', { attribute: 'state', old: before.state, new: BUILD_STATES.COMPLETE, info: build });

  const dest = buildDir(ctx, build);
  const moves: Move[] = [];
  for (const c of checked) importRpmRow(ctx, c, build, moves, dest);
  for (const l of logFiles) {
    const fn = workFile(ctx, l.rel);
    const logdir = l.subdir ? join(dest, 'data/logs', l.subdir) : join(dest, 'data/logs');
    moves.push({ from: fn, to: join(logdir, basename(fn)), symlink: true });
  }
  performMoves(moves);
  ctx.callback('postImport', {
    type: 'build', srpm: input.srpm, rpms: input.rpms, brmap: input.brmap, task_id: input.taskId, build_id: input.buildId,
    build, logs: input.logs,
  });
  return build;
}

/**
 * Koji's host.moveBuildToScratch: a scratch build's files move to
 * `<topdir>/scratch/<owner>/task_<id>/` (logs under logs/<arch>/), with
 * symlinks left in the task output; nothing goes into the database.
 */
export function moveScratchBuild(ctx: CallContext, taskId: number, ownerName: string, srpm: string, rpmList: string[], logs: Record<string, string[]> | null): void {
  for (const rel of [srpm, ...rpmList]) {
    const fn = workFile(ctx, rel);
    if (!existsSync(fn)) throw GenericError(`No such file: ${fn}`);
  }
  const dir = join(ctx.hub.topdir, 'scratch', ownerName, `task_${taskId}`);
  const moves: Move[] = dedupeNoarch([srpm, ...rpmList]).map((rel) => {
    const fn = workFile(ctx, rel);
    return { from: fn, to: join(dir, basename(fn)), symlink: true };
  });
  for (const [key, files] of Object.entries(logs ?? {})) {
    const logdir = key ? join(dir, 'logs', key) : join(dir, 'logs');
    for (const rel of files) {
      const fn = workFile(ctx, rel);
      moves.push({ from: fn, to: join(logdir, basename(fn)), symlink: true });
    }
  }
  performMoves(moves);
}
