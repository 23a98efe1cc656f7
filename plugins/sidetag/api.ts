/**
 * @module
 * createSideTag, removeSideTag, listSideTags with Koji's arguments, checks,
 * results and error texts, plus kojibox's listSideTagDetails (owner, age,
 * builds, repo, lifetime) for `list-sidetags --verbose`.
 *
 * Koji guesses the new tag's id as the next sequence value before creating
 * it, so concurrent creations can get a name that does not match their id;
 * here the id is taken first and the name set in the same transaction.
 */
import { GenericError } from '../../src/core/faults.ts';
import { RpcDouble } from '../../src/core/xmlrpc.ts';
import { api, type ApiMethod } from '../../src/hub/rpc/method.ts';
import { asBool } from '../../src/hub/rpc/args.ts';
import type { CallContext } from '../../src/hub/context.ts';
import { applyQueryOpts } from '../../src/hub/api/common.ts';
import { getTagInfo, requireTag } from '../../src/hub/api/lookups.ts';
import { lookupUser } from '../../src/hub/api/users.ts';
import { createTagInTx } from '../../src/hub/api/tags.ts';
import { createBuildTargetInTx } from '../../src/hub/api/targets.ts';
import { findTagName, renameTag } from '../../src/store/tags.ts';
import { sidetagConfig } from './state.ts';
import { assertSidetag, assertSidetagOwner, removeSidetagInTx } from './rules.ts';
import { requestFirstRepo } from './repos.ts';
import { expiryOf, isKept } from './lifetime.ts';
import { countUserSidetags, listSidetags, parentIds, reserveTagId, sidetagFacts, type SidetagRow } from './store.ts';

function createSideTag(ctx: CallContext, basetagRef: unknown, debuginfo: boolean, suffix: unknown): Record<string, unknown> {
  const cfg = sidetagConfig(ctx.hub);
  // Koji checks the suffix before the login, so anonymous callers see this first
  if (suffix && !cfg.allowedSuffixes.includes(String(suffix))) throw GenericError(`${String(suffix)} suffix is not allowed for sidetag`);
  const session = ctx.requireLogin();
  const user = lookupUser(ctx, session.userId, true)!;
  const basetag = requireTag(ctx, basetagRef);
  ctx.assertPolicy('sidetag', { tag: basetag.id, number_of_tags: countUserSidetags(ctx.store, user.id) });

  const tagId = reserveTagId(ctx.store);
  let name = cfg.nameTemplate.render(basetag.name, tagId);
  if (suffix) name += `-${String(suffix)}`;
  if (findTagName(ctx.store, name)) throw GenericError(`A tag with the name '${name}' already exists`);
  renameTag(ctx.store, tagId, name);
  const extra: Record<string, unknown> = { sidetag: true, sidetag_user: user.name, sidetag_user_id: user.id };
  if (debuginfo) extra.with_debuginfo = true;
  const id = createTagInTx(ctx, name, { parent: basetag.id, arches: basetag.arches, extra });
  if (id !== tagId) throw new Error(`sidetag ${name} was created with id ${id}, not the reserved ${tagId}`);
  createBuildTargetInTx(ctx, name, id, id);

  let request: Record<string, unknown> | null = null;
  let taskId: number | null = null;
  if (cfg.triggerNewRepo) ({ request, taskId } = requestFirstRepo(ctx, id));
  return { name, id, task_id: taskId, request };
}

function removeSideTag(ctx: CallContext, ref: unknown): void {
  const session = ctx.requireLogin();
  lookupUser(ctx, session.userId, true);
  const tag = requireTag(ctx, ref);
  assertSidetag(tag);
  assertSidetagOwner(tag, session.userId, ctx.hasPerm('admin'));
  removeSidetagInTx(ctx, tag);
}

function filteredRows(ctx: CallContext, basetag: unknown, user: unknown): SidetagRow[] {
  const userId = user === null || user === undefined ? null : lookupUser(ctx, user, true)!.id;
  const basetagId = basetag === null || basetag === undefined ? null : requireTag(ctx, basetag).id;
  return listSidetags(ctx.store, { basetagId, userId });
}

const ts = (t: number | null) => (t === null ? null : new RpcDouble(t));

/** One sidetag with what its owner wants to know before it goes. */
function detailsOf(ctx: CallContext, row: SidetagRow): Record<string, unknown> {
  const cfg = sidetagConfig(ctx.hub);
  const tag = getTagInfo(ctx, row.id)!;
  const facts = sidetagFacts(ctx.store, row.id);
  const base = parentIds(ctx.store, row.id)[0];
  const baseTag = base === undefined ? null : getTagInfo(ctx, base);
  const kept = isKept(tag.extra);
  const expiry = expiryOf(facts, kept, cfg);
  return {
    ...row,
    basetag_id: baseTag?.id ?? null,
    basetag_name: baseTag?.name ?? null,
    create_ts: ts(facts.createdTs),
    last_activity_ts: ts(facts.lastActivityTs),
    builds: facts.builds,
    repo_id: facts.repoId,
    repo_state: facts.repoState,
    in_use: facts.inUse,
    keep: kept,
    expire_ts: ts(expiry?.at ?? null),
    expire_reason: expiry?.reason ?? null,
  };
}

/** The plugin's API: Koji's three calls and kojibox's listing with details. */
export const sidetagMethods: ApiMethod[] = [
  api(
    'createSideTag(basetag, debuginfo=False, suffix=None)',
    'Create a sidetag of basetag for the caller, as the sidetag policy allows: a tag inheriting from it and a target of the same name. ' +
      'suffix must be one of sidetag.conf allowed_suffixes. Returns {name, id, task_id, request}.',
    { access: 'anon' },
    (ctx, a) => createSideTag(ctx, a.basetag, asBool(a.debuginfo), a.suffix),
  ),
  api('removeSideTag(sidetag)', 'Remove a sidetag (its owner or an admin), with its target and repos.', { access: 'anon' }, (ctx, a) =>
    removeSideTag(ctx, a.sidetag),
  ),
  api(
    'listSideTags(basetag=None, user=None, queryOpts=None)',
    'Sidetags, optionally only those of a base tag and/or owner: [{id, name, user_id, user_name}].',
    { access: 'anon' },
    (ctx, a) => applyQueryOpts(filteredRows(ctx, a.basetag, a.user), a.queryOpts),
  ),
  api(
    'listSideTagDetails(basetag=None, user=None, queryOpts=None)',
    'kojibox: listSideTags plus basetag_id/_name, create_ts, last_activity_ts, builds, repo_id, repo_state, in_use, keep, ' +
      'and when the lifetime rules of sidetag.conf remove it (expire_ts, expire_reason; nil when they never do).',
    { access: 'anon' },
    (ctx, a) => applyQueryOpts(filteredRows(ctx, a.basetag, a.user).map((r) => detailsOf(ctx, r)), a.queryOpts),
  ),
];
