/**
 * @module
 * Tagging through a task, as Koji does it: `tagBuild` checks what it can
 * at once (build complete, tag access, package list, `tag` policy) and
 * makes a `tagBuild` task; the builder running it calls `host.tagBuild`,
 * which checks again as the task's owner and tags (or moves) the build.
 */
import { TagError } from '../../core/faults.ts';
import { BUILD_STATES } from '../../core/states.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import { getBuildInfo, getTagInfo, type BuildInfo, type TagInfo } from './lookups.ts';
import { assertTagAccess, checkTagPolicy, tagBuildInTx, untagBuildInTx } from './tagging.ts';
import { packageListAddInTx } from './packages.ts';
import { readPackageList } from '../../store/packages.ts';
import { assertHostOwns, createTask, requireTask } from '../tasks/index.ts';
import { taskId } from './tasks.ts';

/** The package must be listed (and not blocked) in the tag; admins with force get it added. */
function checkPackageListed(ctx: CallContext, tag: TagInfo, build: BuildInfo, force: boolean): void {
  const pkgId = build.package_id as number;
  const entry = readPackageList(ctx.store, { tagId: tag.id, pkgId, inherit: true, withOwners: false }).get(pkgId);
  let problem: string | null = null;
  if (!entry) problem = `Package ${build.name} not in list for ${tag.name}`;
  else if (entry.blocked) problem = `Package ${build.name} blocked in ${tag.name}`;
  if (!problem) return;
  if (force && ctx.hasPerm('admin')) {
    packageListAddInTx(ctx, tag.id, pkgId, { force: true, block: false });
    ctx.hub.log.info(`Package add policy ${tag.name}/${build.nvr} overriden by ${ctx.session?.userName}`);
    return;
  }
  throw TagError(problem);
}

export const tagBuildMethods: ApiMethod[] = [
  api('tagBuild(tag, build, force=False, fromtag=None)', 'Tag a build (a move with fromtag) through a tagBuild task; force lets admins pass locks, policy and the package list. Returns the task id.', { access: 'login' }, (ctx, a) => {
    const force = asBool(a.force);
    const build = getBuildInfo(ctx, a.build, true)!;
    const tag = getTagInfo(ctx, a.tag, { strict: true })!;
    const fromtag = a.fromtag !== null && a.fromtag !== undefined && a.fromtag !== '' ? getTagInfo(ctx, a.fromtag, { strict: true })! : null;
    if (build.state !== BUILD_STATES.COMPLETE) {
      throw TagError(`build ${build.nvr} not complete: state ${BUILD_STATES.nameOf(build.state as number)}`);
    }
    assertTagAccess(ctx, tag.id, null, force);
    if (fromtag) assertTagAccess(ctx, fromtag.id, null, force);
    checkPackageListed(ctx, tag, build, force);
    checkTagPolicy(ctx, { tag: tag.id, build: build.id as number, fromtag: fromtag?.id ?? null, operation: fromtag ? 'move' : 'tag', force });
    return createTask(ctx, { method: 'tagBuild', params: [tag.id, build.id, force, fromtag?.id ?? null], opts: { priority: 10 } });
  }),
  api('host.tagBuild(task_id, tag, build, force=False, fromtag=None)', 'The tagBuild task\'s own call: tag (or move) the build as the task\'s owner, checking the tag policy and package list again.', { access: 'host' }, (ctx, a) => {
    const id = taskId(a.task_id);
    assertHostOwns(ctx, id, ctx.requireHost());
    const owner = requireTask(ctx, id).owner;
    const force = asBool(a.force);
    const build = getBuildInfo(ctx, a.build, true)!;
    const tag = getTagInfo(ctx, a.tag, { strict: true })!;
    const fromtag = a.fromtag !== null && a.fromtag !== undefined ? getTagInfo(ctx, a.fromtag, { strict: true })! : null;
    checkTagPolicy(ctx, { tag: tag.id, build: build.id as number, fromtag: fromtag?.id ?? null, operation: fromtag ? 'move' : 'tag', force, userId: owner });
    checkPackageListed(ctx, tag, build, force);
    if (fromtag) untagBuildInTx(ctx, fromtag, build, { userId: owner, force, strict: true });
    tagBuildInTx(ctx, tag, build, { userId: owner, force });
  }),
];
