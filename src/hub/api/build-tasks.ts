/**
 * @module
 * RPM builds through tasks. `build` makes the top `build` task (after the
 * checks that can be made at once, so a bad target, a locked destination
 * or an upload that is not a source RPM is refused before any task or
 * build exists); the builder then calls the host side: host.initBuild
 * (a BUILDING build), host.completeBuild (import, COMPLETE),
 * host.failBuild (FAILED) and host.moveBuildToScratch (scratch output
 * kept with the task).
 */
import { existsSync } from 'node:fs';
import { ActionNotAllowed, BuildError, GenericError, ParameterError } from '../../core/faults.ts';
import { BUILD_STATES, PRIO_DEFAULT } from '../../core/states.ts';
import { now } from '../../core/time.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, asInt, isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import { addBuildType } from '../../store/rpm-import.ts';
import { btypeId, setBuildState } from '../../store/builds.ts';
import { findUser } from '../../store/users.ts';
import { assertHostOwns, cancelFull, createTask, requireTask, setBuildCanceller } from '../tasks/index.ts';
import { taskId } from './tasks.ts';
import { getBuildInfo, getTagInfo } from './lookups.ts';
import { getBuildTargetInfo } from './targets.ts';
import { newBuildInTx } from './builds.ts';
import { pyRepr } from './common.ts';
import { isScmUrl } from '../../core/scm-url.ts';
import { importBuildInTx, moveScratchBuild, readRpm, workFile } from './build-import.ts';

type Dict = Record<string, unknown>;

/**
 * What the hub can check of a build request at once. The builder checks
 * again (as Koji's does), but a mistake found here leaves no task, build
 * or tag change behind.
 */
function precheckBuild(ctx: CallContext, src: string, target: unknown, opts: Dict): void {
  if (opts.scratch && opts.draft) throw GenericError('--scratch and --draft cannot be both specified');
  if (opts.arch_override && !opts.scratch) throw BuildError('arch_override is only allowed for scratch builds');
  const repoId = opts.repo_id;
  if (target !== null && target !== undefined) {
    const t = getBuildTargetInfo(ctx, target);
    if (t) {
      const dest = getTagInfo(ctx, t.dest_tag);
      if (!dest) throw GenericError(`Unknown destination tag: ${t.dest_tag_name}`);
      if (dest.locked && !opts.scratch && !opts.skip_tag) throw ActionNotAllowed(`Destination tag ${dest.name} is locked`);
    } else if (repoId === null || repoId === undefined) {
      throw GenericError(`unknown build target: ${String(target)}`);
    } else if (!getTagInfo(ctx, target)) {
      throw GenericError(`neither tag nor target: ${String(target)}`);
    }
  } else if (repoId === null || repoId === undefined) {
    throw GenericError('unknown build target: None');
  }
  if (isScmUrl(src)) return;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src)) throw GenericError(`Invalid source specification: ${src}`);
  const path = workFile(ctx, src);
  if (!existsSync(path)) throw GenericError(`No such file: ${src} (upload it first)`);
  const info = readRpm(path);
  if (!info.sourcepackage) throw BuildError(`${src} is not a source package`);
}

/** Koji's host.initBuild data: name, version, release, epoch, task_id (+ source, extra, draft). */
function initBuildInTx(ctx: CallContext, data: unknown): number {
  const hostId = ctx.requireHost();
  if (!isStruct(data)) throw ParameterError(`Invalid build data: ${pyRepr(data)}`);
  const tid = taskId(data.task_id);
  assertHostOwns(ctx, tid, hostId);
  const owner = requireTask(ctx, tid).owner;
  for (const f of ['name', 'version', 'release']) {
    if (typeof data[f] !== 'string' || !data[f]) throw GenericError(`No ${f} value for build`);
  }
  const id = newBuildInTx(ctx, {
    name: data.name as string,
    version: data.version as string,
    release: data.release as string,
    epoch: data.epoch === null || data.epoch === undefined ? null : asInt(data.epoch, 'epoch'),
    owner,
    state: BUILD_STATES.BUILDING,
    completion_time: null,
    task_id: tid,
    source: typeof data.source === 'string' ? data.source : null,
    extra: data.extra ?? undefined,
    draft: Boolean(data.draft),
  });
  addBuildType(ctx.store, id, btypeId(ctx.store, 'rpm')!);
  return id;
}

/** Koji's host.failBuild: a BUILDING build without completion time becomes FAILED. */
function failBuildInTx(ctx: CallContext, buildRef: unknown): void {
  const build = getBuildInfo(ctx, buildRef, true)!;
  const failed = BUILD_STATES.FAILED;
  ctx.callback('preBuildStateChange', { attribute: 'state', old: build.state, new: failed, info: build });
  if (build.state !== BUILD_STATES.BUILDING) {
    throw GenericError(`cannot update build ${build.id}, state: ${BUILD_STATES.nameOf(build.state)}`);
  }
  if (build.completion_time !== null && build.completion_time !== undefined) {
    throw GenericError(`cannot update build ${build.id}, completed at ${String(build.completion_time)}`);
  }
  setBuildState(ctx.store, build.id, failed, now());
  ctx.callback('postBuildStateChange', { attribute: 'state', old: build.state, new: failed, info: getBuildInfo(ctx, build.id, true) });
}

/**
 * Koji's cancel_build: a BUILDING build becomes CANCELED (false if it was
 * not BUILDING); with cancelTask its whole task tree is cancelled too.
 */
export function cancelBuildInTx(ctx: CallContext, buildId: number, cancelTask = true): boolean {
  const build = getBuildInfo(ctx, buildId, true)!;
  if (build.state !== BUILD_STATES.BUILDING) return false;
  const canceled = BUILD_STATES.CANCELED;
  ctx.callback('preBuildStateChange', { attribute: 'state', old: build.state, new: canceled, info: build });
  setBuildState(ctx.store, build.id, canceled, now());
  if (cancelTask && build.task_id !== null) cancelFull(ctx, build.task_id, false);
  ctx.callback('postBuildStateChange', { attribute: 'state', old: build.state, new: canceled, info: getBuildInfo(ctx, build.id, true) });
  return true;
}

// a cancelled task cancels the builds it was making (not their task again: no loop)
setBuildCanceller((ctx, buildId) => {
  cancelBuildInTx(ctx, buildId, false);
});

function stringList(v: unknown, name: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw ParameterError(`Invalid type for ${name}: ${pyRepr(v)}, expected a list of paths`);
  return v as string[];
}

function logsMap(v: unknown): Record<string, string[]> | null {
  if (v === null || v === undefined) return null;
  if (!isStruct(v)) throw ParameterError(`Invalid type for logs: ${pyRepr(v)}, expected a dict`);
  return Object.fromEntries(Object.entries(v).map(([k, files]) => [k, stringList(files, 'logs')]));
}

/** A host call about task `task_id`: the calling host must be running it. */
function hostTask(ctx: CallContext, v: unknown): number {
  const tid = taskId(v);
  assertHostOwns(ctx, tid, ctx.requireHost());
  return tid;
}

export const buildTaskMethods: ApiMethod[] = [
  api('build(src, target, opts=None, priority=None, channel=None)', 'Build an RPM from an uploaded SRPM (path under the work dir) or an SCM URL for a target: makes a build task and returns its id. opts: scratch, skip_tag, arch_override, repo_id, wait_repo, wait_builds, fail_fast, draft, rebuild_srpm, custom_user_metadata. priority adds to the default (negative: admins only).', { access: 'login' }, (ctx, a) => {
    if (typeof a.src !== 'string') throw ParameterError(`Invalid type for value '${pyRepr(a.src)}': expected type <class 'str'>`);
    const opts = a.opts === null || a.opts === undefined ? {} : a.opts;
    if (!isStruct(opts)) throw ParameterError(`Invalid type for opts: ${pyRepr(opts)}, expected a dict`);
    let priority: number | undefined;
    if (a.priority) {
      const p = asInt(a.priority, 'priority');
      if (p < 0 && !ctx.hasPerm('admin')) throw ActionNotAllowed('only admins may create high-priority tasks');
      priority = PRIO_DEFAULT + p;
    }
    precheckBuild(ctx, a.src, a.target, opts);
    return createTask(ctx, {
      method: 'build',
      params: [a.src, a.target ?? null, opts],
      opts: { priority, channel: a.channel ? (a.channel as string | number) : undefined },
    });
  }),
  api('cancelBuild(buildID, strict=False)', 'Cancel a BUILDING build (its owner or an admin) and its task; False if it was not building or does not exist.', { access: 'login' }, (ctx, a) => {
    const build = getBuildInfo(ctx, a.buildID, asBool(a.strict));
    if (!build) return false;
    if (build.owner_id !== ctx.userId && !ctx.hasPerm('admin')) throw ActionNotAllowed('Cannot cancel build, not owner');
    return cancelBuildInTx(ctx, build.id);
  }),
  api('host.initBuild(data)', 'Create the BUILDING build of this host\'s build task (data: name, version, release, epoch, task_id, source, extra, draft); returns its id.', { access: 'host' }, (ctx, a) =>
    initBuildInTx(ctx, a.data),
  ),
  api('host.completeBuild(task_id, build_id, srpm, rpms, brmap=None, logs=None)', 'Import the uploaded SRPM, RPMs and logs (paths under the work dir) into the BUILDING build, which becomes COMPLETE; returns the build.', { access: 'host' }, (ctx, a) => {
    const tid = hostTask(ctx, a.task_id);
    if (typeof a.srpm !== 'string') throw ParameterError(`Invalid type for srpm: ${pyRepr(a.srpm)}`);
    const brmap = a.brmap === null || a.brmap === undefined ? {} : a.brmap;
    if (!isStruct(brmap)) throw ParameterError(`Invalid type for brmap: ${pyRepr(brmap)}, expected a dict`);
    return importBuildInTx(ctx, {
      srpm: a.srpm, rpms: stringList(a.rpms, 'rpms'), brmap, taskId: tid, buildId: asInt(a.build_id, 'build_id'), logs: logsMap(a.logs),
    });
  }),
  api('host.failBuild(task_id, build_id)', 'Mark this host\'s BUILDING build FAILED.', { access: 'host' }, (ctx, a) => {
    hostTask(ctx, a.task_id);
    failBuildInTx(ctx, a.build_id);
  }),
  api('host.moveBuildToScratch(task_id, srpm, rpms, logs=None)', 'Keep a scratch build\'s files under scratch/<owner>/task_<id> (not imported).', { access: 'host' }, (ctx, a) => {
    const tid = hostTask(ctx, a.task_id);
    if (typeof a.srpm !== 'string') throw ParameterError(`Invalid type for srpm: ${pyRepr(a.srpm)}`);
    const owner = findUser(ctx.store, requireTask(ctx, tid).owner);
    moveScratchBuild(ctx, tid, owner?.name ?? String(requireTask(ctx, tid).owner), a.srpm, stringList(a.rpms, 'rpms'), logsMap(a.logs));
  }),
];
