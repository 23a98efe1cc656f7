/**
 * @module
 * Tagging through a task, as Koji does it: `tagBuild` checks what it can
 * at once (build complete, tag access, package list, `tag` policy) and
 * makes a `tagBuild` task; the builder running it calls `host.tagBuild`,
 * which checks again as the task's owner and tags (or moves) the build.
 * moveBuild is tagBuild with a fromtag; moveAllBuilds chains one such task
 * per build of a package.
 */
import { TagError } from '../../core/faults.ts';
import { BUILD_STATES } from '../../core/states.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import { getBuildInfo, getTagInfo, lookupPackage, tagIdOf, type BuildInfo, type TagInfo } from './lookups.ts';
import { readTaggedBuilds } from './builds.ts';
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

/** Koji's tagBuild checks, then the tagBuild task (moveBuild is the same with fromtag). */
function requestTagBuild(ctx: CallContext, tagRef: unknown, buildRef: unknown, force: boolean, fromtagRef: unknown): number {
  const build = getBuildInfo(ctx, buildRef, true)!;
  const tag = getTagInfo(ctx, tagRef, { strict: true })!;
  const fromtag = fromtagRef !== null && fromtagRef !== undefined && fromtagRef !== '' ? getTagInfo(ctx, fromtagRef, { strict: true })! : null;
  if (build.state !== BUILD_STATES.COMPLETE) {
    throw TagError(`build ${build.nvr} not complete: state ${BUILD_STATES.nameOf(build.state as number)}`);
  }
  assertTagAccess(ctx, tag.id, null, force);
  if (fromtag) assertTagAccess(ctx, fromtag.id, null, force);
  checkPackageListed(ctx, tag, build, force);
  checkTagPolicy(ctx, { tag: tag.id, build: build.id as number, fromtag: fromtag?.id ?? null, operation: fromtag ? 'move' : 'tag', force });
  return createTask(ctx, { method: 'tagBuild', params: [tag.id, build.id, force, fromtag?.id ?? null], opts: { priority: 10 } });
}

/**
 * Koji's moveAllBuilds: the package must be listed in tag2 (admins with
 * force get it added), both tags accessible, and the tag policy must allow
 * every move (force does not pass it here). Each build's tagBuild runs in
 * a dependantTask that waits for the previous one, so the oldest tagging is
 * moved first and tag2 ends up with the same order.
 */
function moveAllBuilds(ctx: CallContext, tag1Ref: unknown, tag2Ref: unknown, pkgRef: unknown, force: boolean): number[] {
  const pkg = lookupPackage(ctx, pkgRef, true)!;
  const tag1 = tagIdOf(ctx, tag1Ref, true)!;
  const tag2 = tagIdOf(ctx, tag2Ref, true)!;
  const entry = readPackageList(ctx.store, { tagId: tag2, pkgId: pkg.id, inherit: true, withOwners: false }).get(pkg.id);
  let problem: string | null = null;
  if (!entry) problem = `Package ${String(pkgRef)} not in list for tag ${String(tag2Ref)}`;
  else if (entry.blocked) problem = `Package ${String(pkgRef)} blocked in tag ${String(tag2Ref)}`;
  if (problem) {
    if (!(force && ctx.hasPerm('admin'))) throw TagError(problem);
    packageListAddInTx(ctx, tag2, pkg.id, { force: true, block: false });
    ctx.hub.log.info(`Package list policy ${String(tag2Ref)}/${String(pkgRef)} overriden by ${ctx.session?.userName}`);
  }
  assertTagAccess(ctx, tag1, null, force);
  assertTagAccess(ctx, tag2, null, force);
  // readTaggedBuilds lists the newest tagging first
  const tagged = readTaggedBuilds(ctx, tag1, { package: pkg.name }).reverse();
  for (const b of tagged) checkTagPolicy(ctx, { tag: tag2, build: b.id as number, fromtag: tag1, operation: 'move' });
  const tasks: number[] = [];
  for (const b of tagged) {
    const waitOn = tasks.length ? [tasks[tasks.length - 1]] : [];
    tasks.push(createTask(ctx, { method: 'dependantTask', params: [waitOn, [['tagBuild', [tag2, b.id, force, tag1], { priority: 15 }]]] }));
  }
  return tasks;
}

export const tagBuildMethods: ApiMethod[] = [
  api('tagBuild(tag, build, force=False, fromtag=None)', 'Tag a build (a move with fromtag) through a tagBuild task; force lets admins pass locks, policy and the package list. Returns the task id.', { access: 'login' }, (ctx, a) =>
    requestTagBuild(ctx, a.tag, a.build, asBool(a.force), a.fromtag),
  ),
  api('moveBuild(tag1, tag2, build, force=False)', 'Move a build from tag1 to tag2: tagBuild(tag2, build, force, fromtag=tag1). Returns the task id.', { access: 'login' }, (ctx, a) =>
    requestTagBuild(ctx, a.tag2, a.build, asBool(a.force), a.tag1),
  ),
  api('moveAllBuilds(tag1, tag2, package, force=False)', 'Move every build of a package from tag1 to tag2, oldest tagging first, each tagBuild in a dependantTask waiting on the one before. Returns the task ids.', { access: 'login' }, (ctx, a) =>
    moveAllBuilds(ctx, a.tag1, a.tag2, a.package, asBool(a.force)),
  ),
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
