/**
 * @module
 * Image build records on the hub, as Koji's host calls make them:
 * initImageBuild (a BUILDING build of type image), completeImageBuild (the
 * files each createKiwiImage subtask uploaded become image archives under
 * the build's `images/` directory, its logs go to `data/logs/image/<arch>/`,
 * the package list becomes archive components; then COMPLETE) and
 * moveImageBuildToScratch (the files go to `scratch/<owner>/task_<id>/`).
 * Every file is checked before any row is written or anything moves, and
 * moved files go back if a later move fails.
 */
import { closeSync, existsSync, lstatSync, openSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BuildError, GenericError, ParameterError } from '../../src/core/faults.ts';
import { BUILD_STATES, CHECKSUM_TYPES } from '../../src/core/states.ts';
import { now } from '../../src/core/time.ts';
import type { CallContext } from '../../src/hub/context.ts';
import { isStruct } from '../../src/hub/rpc/args.ts';
import { pyRepr } from '../../src/hub/api/common.ts';
import { getBuildInfo, type BuildInfo } from '../../src/hub/api/lookups.ts';
import { newBuildInTx, nextRelease } from '../../src/hub/api/builds.ts';
import { buildDir, performMoves, workDir } from '../../src/hub/api/build-import.ts';
import { assertHostOwns, decodeRequest, policyDataFromTaskArgs, requireTask, taskRelPath } from '../../src/hub/tasks/index.ts';
import { addBuildType, findRpmId } from '../../src/store/rpm-import.ts';
import { btypeId, setBuildState } from '../../src/store/builds.ts';
import { setBuildVolume, volumeByName } from '../../src/store/rpms.ts';
import { standardBuildroot } from '../../src/store/buildroots.ts';
import { findUser } from '../../src/store/users.ts';
import * as store from './store.ts';

type Dict = Record<string, unknown>;

/** Archive types that describe an image rather than being one: they get no package components. */
const METADATA_TYPES = new Set(['packages', 'verified', 'changes', 'checksum', 'xml', 'json', 'txt', 'yaml']);

/** A host call about task `task_id`: the calling host must be running it. */
export function hostTask(ctx: CallContext, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw ParameterError(`Invalid task id: ${pyRepr(v)}`);
  assertHostOwns(ctx, v, ctx.requireHost());
  return v;
}

function imageBtype(ctx: CallContext): number {
  const id = btypeId(ctx.store, 'image');
  if (id === null) throw GenericError('unsupported build type: image');
  return id;
}

/**
 * Koji's host.initImageBuild: a BUILDING build owned by the task's owner
 * (release from getNextRelease when none is given), typed `image`.
 * Returns the build data with its id.
 */
export function initImageBuild(ctx: CallContext, taskIdArg: unknown, info: unknown): Dict {
  const taskId = hostTask(ctx, taskIdArg);
  if (!isStruct(info)) throw ParameterError(`Invalid build info: ${pyRepr(info)}`);
  for (const f of ['name', 'version']) {
    if (typeof info[f] !== 'string' || !info[f]) throw GenericError(`No ${f} value for build`);
  }
  const data: Dict = { ...info, task_id: taskId, owner: requireTask(ctx, taskId).owner, state: BUILD_STATES.BUILDING, completion_time: null };
  let release = info.release;
  if (release === null || release === undefined) release = nextRelease(ctx, { name: info.name, version: info.version });
  if (typeof release !== 'string' || !release) throw GenericError('No release value for build');
  data.release = release;
  const id = newBuildInTx(ctx, {
    name: info.name as string,
    version: info.version as string,
    release,
    epoch: info.epoch === null || info.epoch === undefined ? null : Number(info.epoch),
    owner: data.owner,
    state: BUILD_STATES.BUILDING,
    completion_time: null,
    task_id: taskId,
  });
  addBuildType(ctx.store, id, imageBtype(ctx));
  data.id = id;
  return data;
}

/** One subtask's image data, as createKiwiImage returns it. */
interface ImageData {
  arch: string;
  task_id: number;
  files: string[];
  logs: string[];
  rpmlist: Dict[];
  buildroot_id: number | null;
}

/** The subtask results that are image data (failed can-fail subtasks are fault structs and are skipped). */
function imageResults(ctx: CallContext, taskId: number, results: unknown): ImageData[] {
  if (!isStruct(results)) throw ParameterError(`Invalid type for results: ${pyRepr(results)}, expected a dict`);
  const out: ImageData[] = [];
  for (const r of Object.values(results)) {
    if (!isStruct(r) || r.task_id === undefined) {
      ctx.hub.log.warn(`Task ${taskId} failed, no image available`);
      continue;
    }
    const sub = r.task_id;
    if (typeof sub !== 'number' || !store.isSubtaskOf(ctx.store, sub, taskId)) {
      throw GenericError(`Task ${pyRepr(sub)} is not a subtask of task ${taskId}`);
    }
    const strings = (v: unknown, what: string): string[] => {
      if (!Array.isArray(v) || v.some((f) => typeof f !== 'string' || !f || f.includes('/') || f.startsWith('.'))) {
        throw ParameterError(`Invalid ${what} of task ${sub}: ${pyRepr(v)}`);
      }
      return v as string[];
    };
    const rpmlist = r.rpmlist ?? [];
    if (!Array.isArray(rpmlist) || rpmlist.some((x) => !isStruct(x))) throw ParameterError(`Invalid rpmlist of task ${sub}`);
    const br = r.buildroot_id;
    out.push({
      arch: String(r.arch),
      task_id: sub,
      files: strings(r.files ?? [], 'files'),
      logs: strings(r.logs ?? [], 'logs'),
      rpmlist: rpmlist as Dict[],
      buildroot_id: typeof br === 'number' ? br : null,
    });
  }
  return out;
}

function subtaskDir(ctx: CallContext, sub: number): string {
  return join(workDir(ctx), taskRelPath(sub));
}

function regularFile(path: string, what: string): number {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    throw GenericError(`No such file: ${path}`);
  }
  if (!st.isFile()) throw GenericError(`Error importing ${what}. ${path} is not a regular file.`);
  return st.size;
}

/** sha256 of a file, read in pieces (an image can be larger than memory likes). */
function sha256File(path: string): string {
  const hasher = new Bun.CryptoHasher('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      hasher.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hasher.digest('hex');
}

/** A component of an image that is no rpm of this hub: kept in the archive's extra. */
interface OtherComponent {
  type: string;
  name: unknown;
  epoch: unknown;
  version: unknown;
  release: unknown;
  arch: unknown;
}

/** Split an image's package list into rpms this hub knows and everything else. */
function resolveComponents(ctx: CallContext, list: Dict[]): { rpmIds: number[]; others: OtherComponent[] } {
  const rpmIds: number[] = [];
  const others: OtherComponent[] = [];
  for (const p of list) {
    const type = typeof p.type === 'string' ? p.type : 'rpm';
    const nvra = { name: String(p.name ?? ''), version: String(p.version ?? ''), release: String(p.release ?? ''), arch: String(p.arch ?? '') };
    const id = type === 'rpm' && nvra.name && nvra.release ? findRpmId(ctx.store, nvra) : null;
    if (id !== null) rpmIds.push(id);
    else others.push({ type, name: p.name ?? null, epoch: p.epoch ?? null, version: p.version ?? null, release: p.release ?? null, arch: p.arch ?? null });
  }
  return { rpmIds, others };
}

/** The volume policy's choice for the build (DEFAULT when it names none or an unknown one). */
function chooseVolume(ctx: CallContext, build: BuildInfo, taskId: number): { id: number; name: string } {
  const row = requireTask(ctx, taskId, true);
  const data = {
    build: build.id, package: build.name, import: true, import_type: 'image', method: row.method,
    ...policyDataFromTaskArgs(ctx, row.method, row.request ? decodeRequest(row.request) : []),
  };
  let name = 'DEFAULT';
  try {
    const r = ctx.hub.policies.evaluate('volume', data, ctx.hub.policyLookups);
    if (r.text) name = r.text.trim().split(/\s+/)[0] ?? 'DEFAULT';
  } catch (err) {
    ctx.hub.log.warn(`volume policy: ${(err as Error).message}; using DEFAULT`);
  }
  return volumeByName(ctx.store, name) ?? { id: 0, name: 'DEFAULT' };
}

interface PlannedArchive {
  img: ImageData;
  file: string;
  path: string;
  size: number;
  type: store.ArchiveTypeRow;
}

/**
 * Koji's host.completeImageBuild: import every subtask's image files and
 * logs into the BUILDING build, record the package list, make it COMPLETE.
 */
export function completeImageBuild(ctx: CallContext, taskIdArg: unknown, buildIdArg: unknown, results: unknown): void {
  const taskId = hostTask(ctx, taskIdArg);
  const before = getBuildInfo(ctx, buildIdArg, true)!;
  if (before.task_id !== taskId) throw GenericError(`Build ${before.nvr} does not belong to task ${taskId}`);
  if (before.state !== BUILD_STATES.BUILDING) throw GenericError(`Unable to complete build: state is ${BUILD_STATES.nameOf(before.state)}`);
  const images = imageResults(ctx, taskId, results);
  if (!images.length) throw GenericError(`Task ${taskId} has no image to import`);
  const btype = imageBtype(ctx);

  // every check first: nothing is written or moved if one file is wrong
  const planned: PlannedArchive[] = [];
  const logs: Array<{ from: string; to: string }> = [];
  for (const img of images) {
    ctx.callback('preImport', { type: 'image', image: img });
    const dir = subtaskDir(ctx, img.task_id);
    if (img.buildroot_id !== null && standardBuildroot(ctx.store, img.buildroot_id)?.task_id !== img.task_id) {
      throw GenericError(`Buildroot ${img.buildroot_id} is not one of task ${img.task_id}`);
    }
    for (const file of img.files) {
      const path = join(dir, file);
      const size = regularFile(path, 'archive file');
      const type = store.archiveTypeFor(ctx.store, file);
      if (!type) throw BuildError(`Unsupported file type: ${file}`);
      planned.push({ img, file, path, size, type });
    }
    const logNames = new Set(img.logs);
    if (existsSync(dir)) {
      for (const f of new Bun.Glob('*.log').scanSync({ cwd: dir, onlyFiles: false })) logNames.add(f);
    }
    for (const f of [...logNames].sort()) {
      const path = join(dir, f);
      if (planned.some((p) => p.path === path)) continue;
      regularFile(path, 'build log');
      // Koji adds the arch for every task but the single-image ones: several arches share the directory
      logs.push({ from: path, to: join('data/logs/image', img.arch, f) });
    }
  }
  const names = new Set<string>();
  for (const p of planned) {
    if (names.has(p.file)) throw GenericError(`Error importing archive file, ${p.file} is given twice`);
    names.add(p.file);
  }

  const volume = chooseVolume(ctx, before, taskId);
  if (volume.id !== before.volume_id) setBuildVolume(ctx.store, before.id, volume.id);
  const build = getBuildInfo(ctx, before.id, true)!;
  const dest = buildDir(ctx, build);
  const moves: Array<{ from: string; to: string; symlink: boolean }> = [];
  for (const img of images) {
    const { rpmIds, others } = resolveComponents(ctx, img.rpmlist);
    for (const p of planned.filter((x) => x.img === img)) {
      const isImage = !METADATA_TYPES.has(p.type.name);
      const extra = isImage && others.length ? JSON.stringify({ components: others }) : null;
      const row = {
        type_id: p.type.id, btype_id: btype, build_id: build.id, buildroot_id: img.buildroot_id, filename: p.file,
        size: p.size, checksum: sha256File(p.path), checksum_type: CHECKSUM_TYPES.sha256, extra,
      };
      ctx.callback('preImport', { type: 'archive', archive: row, build, build_type: 'image', filepath: p.path, fileinfo: null });
      const archiveId = store.insertArchive(ctx.store, row);
      store.insertImageArchive(ctx.store, archiveId, img.arch);
      if (isImage) store.addRpmComponents(ctx.store, archiveId, rpmIds);
      moves.push({ from: p.path, to: join(dest, 'images', p.file), symlink: true });
      ctx.callback('postImport', { type: 'archive', archive: { ...row, id: archiveId }, build, build_type: 'image', filepath: p.path, fileinfo: null });
    }
  }
  for (const l of logs) moves.push({ from: l.from, to: join(dest, l.to), symlink: true });
  performMoves(moves);
  for (const img of images) ctx.callback('postImport', { type: 'image', image: img, build, fullpath: null });

  const complete = BUILD_STATES.COMPLETE;
  ctx.callback('preBuildStateChange', { attribute: 'state', old: before.state, new: complete, info: build });
  setBuildState(ctx.store, build.id, complete, now());
  ctx.callback('postBuildStateChange', { attribute: 'state', old: before.state, new: complete, info: getBuildInfo(ctx, build.id, true) });
}

/**
 * Koji's host.moveImageBuildToScratch: each subtask's files and logs move
 * to `scratch/<owner>/task_<subtask>/`, symlinks left in the task output.
 */
export function moveImageBuildToScratch(ctx: CallContext, taskIdArg: unknown, results: unknown): void {
  const taskId = hostTask(ctx, taskIdArg);
  const owner = requireTask(ctx, taskId).owner;
  const ownerName = findUser(ctx.store, owner)?.name ?? String(owner);
  const moves: Array<{ from: string; to: string; symlink: boolean }> = [];
  for (const img of imageResults(ctx, taskId, results)) {
    const dir = subtaskDir(ctx, img.task_id);
    const dest = join(ctx.hub.topdir, 'scratch', ownerName, `task_${img.task_id}`);
    for (const f of [...img.files, ...img.logs]) {
      const path = join(dir, f);
      regularFile(path, 'image file');
      moves.push({ from: path, to: join(dest, basename(f)), symlink: true });
    }
  }
  performMoves(moves);
}
