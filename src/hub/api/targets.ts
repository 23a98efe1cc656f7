/**
 * @module
 * Build targets: where a build's buildroot comes from (build tag) and where
 * the result is tagged (destination tag). Changes need the `target`
 * permission; the *InTx helpers skip that check for plugins (sidetag).
 */
import { GenericError } from '../../core/faults.ts';
import { verifyNameInternal } from '../../core/names.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import * as targets from '../../store/targets.ts';
import { applyQueryOpts, asEvent, nameOrId } from './common.ts';
import { getTagInfo, tagIdOf } from './lookups.ts';

export type TargetInfo = targets.TargetRow;

/** Koji's get_build_targets. */
export function buildTargets(ctx: CallContext, info: unknown, event: number | null, buildTag: unknown = null, destTag: unknown = null): TargetInfo[] {
  const q: targets.TargetQuery = { event };
  if (info !== null && info !== undefined && info !== '' && info !== 0) {
    const ref = nameOrId(info);
    if (typeof ref === 'number') q.id = ref;
    else q.name = ref;
  }
  // a tag given by name that does not exist matches no target, as in Koji
  const tagRef = (t: unknown) => (typeof t === 'string' || isStruct(t) ? tagIdOf(ctx, t, false) : Number(t));
  if (buildTag !== null && buildTag !== undefined) q.buildTagId = tagRef(buildTag);
  if (destTag !== null && destTag !== undefined) q.destTagId = tagRef(destTag);
  return targets.queryTargets(ctx.store, q);
}

/** Koji's get_build_target: one target or null (GenericError when strict). */
export function getBuildTargetInfo(ctx: CallContext, info: unknown, event: number | null = null, strict = false): TargetInfo | null {
  const found = buildTargets(ctx, info, event);
  if (found.length === 1) return found[0]!;
  if (strict) throw GenericError(`No such build target: ${String(info)}`);
  return null;
}

function tagIdFor(ctx: CallContext, tag: unknown, what: 'build tag' | 'destination tag'): number {
  const info = getTagInfo(ctx, tag);
  if (!info) throw GenericError(`${what} '${String(tag)}' does not exist`);
  return info.id;
}

/** Koji's _create_build_target (no permission check). Returns the target id. */
export function createBuildTargetInTx(ctx: CallContext, name: unknown, buildTag: unknown, destTag: unknown): number {
  const targetName = verifyNameInternal(name);
  if (buildTargets(ctx, targetName, null).length) throw GenericError(`A build target with the name '${targetName}' already exists`);
  const buildTagId = tagIdFor(ctx, buildTag, 'build tag');
  const destTagId = tagIdFor(ctx, destTag, 'destination tag');
  // a deleted target's name keeps its id
  const id = targets.ensureTargetName(ctx.store, targetName);
  targets.putTargetConfig(ctx.store, id, buildTagId, destTagId, ctx.event(), ctx.userId);
  return id;
}

/** Koji's _edit_build_target (no permission check). */
export function editBuildTargetInTx(ctx: CallContext, info: unknown, name: unknown, buildTag: unknown, destTag: unknown): void {
  const newName = verifyNameInternal(name);
  const target = targets.findTargetName(ctx.store, nameOrId(info));
  if (!target) throw GenericError(`No such build target: ${String(info)}`);
  const buildTagId = tagIdFor(ctx, buildTag, 'build tag');
  const destTagId = tagIdFor(ctx, destTag, 'destination tag');
  if (target.name !== newName) {
    const taken = targets.findTargetName(ctx.store, newName);
    if (taken) throw GenericError(`name "${newName}" is already taken by build target ${taken.id}`);
    targets.renameTarget(ctx.store, target.id, newName);
  }
  targets.putTargetConfig(ctx.store, target.id, buildTagId, destTagId, ctx.event(), ctx.userId);
}

/** Koji's _delete_build_target (no permission check): revokes the config, keeps the name. */
export function deleteBuildTargetInTx(ctx: CallContext, info: unknown): void {
  const target = targets.findTargetName(ctx.store, nameOrId(info));
  if (!target) throw GenericError(`No such build target: ${String(info)}`);
  targets.revokeTargetConfig(ctx.store, target.id, ctx.event(), ctx.userId);
}

export const targetMethods: ApiMethod[] = [
  api('createBuildTarget(name, build_tag, dest_tag)', 'Create a build target (target permission).', { access: 'target' }, (ctx, a) => {
    createBuildTargetInTx(ctx, a.name, a.build_tag, a.dest_tag);
  }),
  api('editBuildTarget(buildTargetInfo, name, build_tag, dest_tag)', 'Rename a target or point it at other tags (target permission).', { access: 'target' }, (ctx, a) =>
    editBuildTargetInTx(ctx, a.buildTargetInfo, a.name, a.build_tag, a.dest_tag),
  ),
  api('deleteBuildTarget(buildTargetInfo)', 'Delete a build target (target permission).', { access: 'target' }, (ctx, a) => deleteBuildTargetInTx(ctx, a.buildTargetInfo)),
  api(
    'getBuildTargets(info=None, event=None, buildTagID=None, destTagID=None, queryOpts=None)',
    'Build targets: [{id, name, build_tag, build_tag_name, dest_tag, dest_tag_name}], filtered by name/id or tags.',
    { access: 'anon' },
    (ctx, a) => applyQueryOpts(buildTargets(ctx, a.info, asEvent(a.event), a.buildTagID, a.destTagID), a.queryOpts),
  ),
  api('getBuildTarget(info, event=None, strict=False)', 'One build target by name or id, or None.', { access: 'anon' }, (ctx, a) =>
    getBuildTargetInfo(ctx, a.info, asEvent(a.event), asBool(a.strict)),
  ),
];
