/**
 * @module
 * What makes a tag a sidetag and who owns it, and removing one with its
 * build target. Shared by the API, the policy tests, the postUntag handler
 * and the lifetime sweep.
 */
import { ActionNotAllowed, GenericError } from '../../src/core/faults.ts';
import type { CallContext } from '../../src/hub/context.ts';
import type { TagInfo } from '../../src/hub/api/lookups.ts';
import { deleteTagInTx } from '../../src/hub/api/tags.ts';
import { deleteBuildTargetInTx, getBuildTargetInfo } from '../../src/hub/api/targets.ts';
import { retireSidetagRepos } from './repos.ts';

type Extra = Pick<TagInfo, 'extra' | 'name'>;

/** Koji's is_sidetag: the tag's own extra says `sidetag`. */
export function isSidetag(tag: Extra): boolean {
  return Boolean(tag.extra.sidetag);
}

/** GenericError `Not a sidetag: NAME` unless it is one. */
export function assertSidetag(tag: Extra): void {
  if (!isSidetag(tag)) throw GenericError(`Not a sidetag: ${tag.name}`);
}

/** Koji's is_sidetag_owner: a sidetag whose `sidetag_user_id` is the user, or any sidetag for an admin. */
export function isSidetagOwner(tag: Extra, userId: number | null, isAdmin: boolean): boolean {
  return isSidetag(tag) && ((userId !== null && tag.extra.sidetag_user_id === userId) || isAdmin);
}

/** ActionNotAllowed `This is not your sidetag` unless the user owns it (or is an admin). */
export function assertSidetagOwner(tag: Extra, userId: number | null, isAdmin: boolean): void {
  if (!isSidetagOwner(tag, userId, isAdmin)) throw ActionNotAllowed('This is not your sidetag');
}

/**
 * Remove a sidetag: its build target (which must be the one createSideTag
 * made, pointing at the sidetag both ways), then the tag, which fires
 * preDeleteTag/postDeleteTag, then its repos.
 */
export function removeSidetagInTx(ctx: CallContext, tag: TagInfo): void {
  const target = getBuildTargetInfo(ctx, tag.name);
  if (!target) throw GenericError('Target is missing for sidetag');
  if (target.build_tag !== tag.id || target.dest_tag !== tag.id) throw GenericError('Target does not match sidetag');
  deleteBuildTargetInTx(ctx, target.id);
  deleteTagInTx(ctx, tag.id);
  retireSidetagRepos(ctx, tag);
}
