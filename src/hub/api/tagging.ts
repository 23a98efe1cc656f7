/**
 * @module
 * Putting builds into tags and taking them out, shared by the API calls
 * here (tagBuildBypass, untagBuild...), the tagBuild task of the tasks
 * module and plugins (sidetag). Each helper runs inside the caller's
 * transaction and fires Koji's preTag/postTag/preUntag/postUntag callbacks
 * with Koji's arguments {tag, build, user, force[, strict]}.
 */
import { ActionNotAllowed, GenericError, TagError } from '../../core/faults.ts';
import { BUILD_STATES } from '../../core/states.ts';
import type { CallContext } from '../context.ts';
import * as builds from '../../store/builds.ts';
import { findUser } from '../../store/users.ts';
import { getBuildInfo, getTagInfo, type BuildInfo, type TagInfo } from './lookups.ts';
import { checkTagAccess } from './tags.ts';
import { userShape } from './users.ts';

/** The user dict callbacks receive (Koji's get_user(strict=True)). */
export function userInfoOf(ctx: CallContext, userId?: number | null): Record<string, unknown> {
  const uid = userId ?? ctx.userId;
  if (uid === null || uid === undefined) throw GenericError('No user provided');
  const u = findUser(ctx.store, uid);
  if (!u) throw GenericError(`No such user: ${uid}`);
  return userShape(ctx, u);
}

/** Koji's assert_tag_access: locked tags and tag permissions, overridable by admins with force. */
export function assertTagAccess(ctx: CallContext, tagId: number, userId?: number | null, force = false): void {
  const [access, override, reason] = checkTagAccess(ctx, tagId, userId);
  if (!access && !(override && force)) throw ActionNotAllowed(reason);
}

export interface TagPolicyCheck {
  /** Destination tag id, or null for an untag. */
  tag: number | null;
  build: number;
  /** Source tag id for untag and move, else null. */
  fromtag: number | null;
  operation: 'tag' | 'untag' | 'move';
  force?: boolean;
  /** Whose action it is; defaults to the caller (host.tagBuild passes the task owner). */
  userId?: number | null;
}

/** Assert the `tag` policy with Koji's data {tag, build, fromtag, operation[, user_id]}. */
export function checkTagPolicy(ctx: CallContext, c: TagPolicyCheck): void {
  const data: Record<string, unknown> = { tag: c.tag, build: c.build, fromtag: c.fromtag, operation: c.operation };
  if (c.userId !== undefined && c.userId !== null) data.user_id = c.userId;
  ctx.assertPolicy('tag', data, { force: Boolean(c.force) });
}

export interface TagBuildOptions {
  /** Acting user (default: the caller). */
  userId?: number | null;
  /** Retag an already tagged build; lets admins pass a locked tag. */
  force?: boolean;
  /** Check locked/permission access first (Koji's _tag_build); false is _direct_tag_build. */
  checkAccess?: boolean;
}

/**
 * Tag a build (Koji's _tag_build / _direct_tag_build). The build must be
 * COMPLETE; an already tagged build is a TagError unless force retags it.
 */
export function tagBuildInTx(ctx: CallContext, tagRef: unknown, buildRef: unknown, o: TagBuildOptions = {}): void {
  const tag = asTag(ctx, tagRef);
  const build = asBuild(ctx, buildRef);
  const user = userInfoOf(ctx, o.userId);
  const force = Boolean(o.force);
  if (o.checkAccess !== false) assertTagAccess(ctx, tag.id, o.userId ?? null, force);
  ctx.callback('preTag', { tag, build, user, force });
  const nvr = `${build.name}-${build.version}-${build.release}`;
  if (build.state !== BUILD_STATES.COMPLETE) {
    throw TagError(`build ${nvr} not complete: state ${BUILD_STATES.nameOf(build.state)}`);
  }
  const ev = ctx.event();
  const uid = user.id as number;
  if (builds.isTagged(ctx.store, tag.id, build.id)) {
    if (!force) throw TagError(`build ${nvr} already tagged (${tag.name})`);
    builds.revokeTagListing(ctx.store, tag.id, build.id, ev, uid);
  }
  builds.insertTagListing(ctx.store, tag.id, build.id, ev, uid);
  ctx.callback('postTag', { tag, build, user, force });
}

export interface UntagBuildOptions extends TagBuildOptions {
  /** A build not in the tag is a TagError (default) rather than a no-op. */
  strict?: boolean;
}

/** Untag a build (Koji's _untag_build / _direct_untag_build). */
export function untagBuildInTx(ctx: CallContext, tagRef: unknown, buildRef: unknown, o: UntagBuildOptions = {}): void {
  const tag = asTag(ctx, tagRef);
  const build = asBuild(ctx, buildRef);
  const user = userInfoOf(ctx, o.userId);
  const force = Boolean(o.force);
  const strict = o.strict ?? true;
  if (o.checkAccess !== false) assertTagAccess(ctx, tag.id, o.userId ?? null, force);
  ctx.callback('preUntag', { tag, build, user, force, strict });
  const count = builds.revokeTagListing(ctx.store, tag.id, build.id, ctx.event(), user.id as number);
  if (count === 0 && strict) throw TagError(`build ${build.name}-${build.version}-${build.release} not in tag ${tag.name}`);
  ctx.callback('postUntag', { tag, build, user, force, strict });
}

/** Accept an already looked-up tag dict or any tag reference. */
function asTag(ctx: CallContext, ref: unknown): TagInfo {
  if (isTagInfo(ref)) return ref;
  return getTagInfo(ctx, ref, { strict: true })!;
}

function asBuild(ctx: CallContext, ref: unknown): BuildInfo {
  if (isBuildInfo(ref)) return ref;
  return getBuildInfo(ctx, ref, true)!;
}

function isTagInfo(v: unknown): v is TagInfo {
  return typeof v === 'object' && v !== null && 'id' in v && 'locked' in v && 'extra' in v;
}

function isBuildInfo(v: unknown): v is BuildInfo {
  return typeof v === 'object' && v !== null && 'id' in v && 'nvr' in v && 'state' in v && 'package_id' in v;
}
