/**
 * @module
 * Comps groups of tags (the package sets buildroots install, e.g. `build`):
 * group lists, group package lists and group requirements with add,
 * block, unblock and remove, resolved through inheritance as Koji's
 * get_tag_groups does. All changes need the `tag` permission.
 */
import { GenericError, ParameterError } from '../../core/faults.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import * as groups from '../../store/groups.ts';
import { findTagName } from '../../store/tags.ts';
import { asEvent, bool, nameOrId, optBool, pyRepr } from './common.ts';
import { requireTag, tagIdOf } from './lookups.ts';
import { fullInheritance } from './tags.ts';

type Dict = Record<string, unknown>;

export interface TagGroup extends Dict {
  name: string;
  group_id: number;
  tag_id: number;
  blocked: boolean;
  packagelist?: Map<string, Dict> | Dict[];
  grouplist?: Map<number, Dict> | Dict[];
}

/** Koji's lookup_group: {id, name}, created on demand when `create`. */
function lookupGroup(ctx: CallContext, info: unknown, opts: { strict?: boolean; create?: boolean }): { id: number; name: string } | null {
  const ref = nameOrId(info);
  const row = groups.findGroup(ctx.store, ref);
  if (row) return row;
  if (opts.create) {
    if (typeof ref !== 'string') throw GenericError('Name must be a string');
    return { id: groups.insertGroup(ctx.store, ref), name: ref };
  }
  if (opts.strict) throw GenericError(`No such entry in table groups: ${String(ref)}`);
  return null;
}

/**
 * Koji's get_tag_groups: the groups of a tag (first entry per group along
 * the inheritance wins), each with its package list and requirements.
 * Blocked entries are included; callers filter.
 */
export function tagGroups(ctx: CallContext, tagInfo: unknown, event: number | null, inherit: boolean, inclPkgs: boolean, inclReqs: boolean): Map<number, TagGroup> {
  const tagId = tagIdOf(ctx, tagInfo, true)!;
  const taglist = [tagId, ...(inherit ? fullInheritance(ctx, tagId, event).map((l) => l.parent_id) : [])];
  const out = new Map<number, TagGroup>();
  for (const tid of taglist) {
    for (const g of groups.groupConfigRows(ctx.store, tid, event)) {
      if (out.has(g.group_id)) continue;
      out.set(g.group_id, {
        name: g.name,
        group_id: g.group_id,
        tag_id: g.tag_id,
        blocked: bool(g.blocked),
        exported: bool(g.exported),
        display_name: g.display_name,
        is_default: optBool(g.is_default),
        uservisible: optBool(g.uservisible),
        description: g.description,
        langonly: g.langonly,
        biarchonly: optBool(g.biarchonly),
      });
    }
  }
  if (inclPkgs) {
    for (const g of out.values()) g.packagelist = new Map();
    for (const tid of taglist) {
      for (const p of groups.groupPackageRows(ctx.store, tid, event)) {
        const g = out.get(p.group_id);
        if (!g || g.blocked) continue;
        const list = g.packagelist as Map<string, Dict>;
        if (!list.has(p.package)) {
          list.set(p.package, { group_id: p.group_id, tag_id: p.tag_id, package: p.package, blocked: bool(p.blocked), type: p.type, basearchonly: optBool(p.basearchonly), requires: p.requires });
        }
      }
    }
  }
  if (inclReqs) {
    for (const g of out.values()) g.grouplist = new Map();
    for (const tid of taglist) {
      for (const r of groups.groupReqRows(ctx.store, tid, event)) {
        const g = out.get(r.group_id);
        if (!g || g.blocked) continue;
        const req = out.get(r.req_id);
        if (!req || req.blocked) continue;
        const list = g.grouplist as Map<number, Dict>;
        if (!list.has(r.req_id)) {
          list.set(r.req_id, { group_id: r.group_id, tag_id: r.tag_id, req_id: r.req_id, blocked: bool(r.blocked), type: r.type, is_metapkg: bool(r.is_metapkg), name: r.name });
        }
      }
    }
  }
  return out;
}

/** Koji's readTagGroups: group data as lists, blocked entries dropped unless asked for. */
export function readTagGroups(ctx: CallContext, tag: unknown, event: number | null, inherit: boolean, inclPkgs: boolean, inclReqs: boolean, inclBlocked: boolean): TagGroup[] {
  const list = [...tagGroups(ctx, tag, event, inherit, inclPkgs, inclReqs).values()];
  for (const g of list) {
    if (g.packagelist instanceof Map) g.packagelist = [...g.packagelist.values()].filter((x) => inclBlocked || !x.blocked);
    if (g.grouplist instanceof Map) g.grouplist = [...g.grouplist.values()].filter((x) => inclBlocked || !x.blocked);
  }
  return inclBlocked ? list : list.filter((g) => !g.blocked);
}

function checkOpts(opts: unknown): Dict {
  if (!isStruct(opts)) throw ParameterError(`Invalid options: ${pyRepr(opts)}`);
  return opts;
}

/** Normalize a config value the way the database would store it, for change detection. */
function norm(field: string, v: unknown): unknown {
  if (['blocked', 'exported'].includes(field)) return asBool(v);
  if (['is_default', 'uservisible', 'biarchonly', 'basearchonly'].includes(field)) return v === null || v === undefined ? null : asBool(v);
  if (field === 'is_metapkg') return asBool(v);
  return v === undefined ? null : v;
}

function fillFields(fields: readonly string[], opts: Dict, previous: Dict | undefined): { opts: Dict; changed: boolean } {
  const out: Dict = {};
  for (const f of fields) if (f in opts) out[f] = norm(f, opts[f]);
  let changed = !previous;
  if (previous) {
    for (const f of fields) {
      if (f in out) {
        if (out[f] !== previous[f]) changed = true;
      } else out[f] = previous[f];
    }
  }
  return { opts: out, changed };
}

const GROUP_FIELDS = ['exported', 'display_name', 'is_default', 'uservisible', 'description', 'langonly', 'biarchonly', 'blocked'] as const;

function groupListAdd(ctx: CallContext, taginfo: unknown, grpinfo: unknown, block: boolean, force: boolean, rawOpts: Dict): void {
  const tag = requireTag(ctx, taginfo);
  const group = lookupGroup(ctx, grpinfo, { create: true })!;
  const previous = tagGroups(ctx, tag.id, null, true, false, false).get(group.id);
  if (previous?.blocked && !force) throw GenericError(`group ${group.name} is blocked in tag ${tag.name}`);
  const { opts, changed } = fillFields(GROUP_FIELDS, { ...checkOpts(rawOpts), blocked: block }, previous);
  if (!changed) return;
  groups.putGroupConfig(
    ctx.store,
    tag.id,
    group.id,
    {
      blocked: Boolean(opts.blocked),
      exported: (opts.exported ?? true) as boolean,
      display_name: String(opts.display_name ?? group.name),
      is_default: (opts.is_default ?? null) as boolean | null,
      uservisible: (opts.uservisible ?? true) as boolean | null,
      description: (opts.description ?? null) as string | null,
      langonly: (opts.langonly ?? null) as string | null,
      biarchonly: (opts.biarchonly ?? false) as boolean | null,
    },
    ctx.event(),
    ctx.userId,
  );
}

function groupInTag(ctx: CallContext, tag: { id: number; name: string }, group: { id: number; name: string }, inclPkgs: boolean, inclReqs: boolean): TagGroup {
  const cfg = tagGroups(ctx, tag.id, null, true, inclPkgs, inclReqs).get(group.id);
  if (!cfg) throw GenericError(`group ${group.name} not present in tag ${tag.name}`);
  if (cfg.blocked) throw GenericError(`group ${group.name} is blocked in tag ${tag.name}`);
  return cfg;
}

function tagNameRow(ctx: CallContext, info: unknown): { id: number; name: string } {
  return findTagName(ctx.store, tagIdOf(ctx, info, true)!)!;
}

function groupPackageAdd(ctx: CallContext, taginfo: unknown, grpinfo: unknown, pkgName: unknown, block: boolean, force: boolean, rawOpts: Dict): void {
  const tag = tagNameRow(ctx, taginfo);
  const group = lookupGroup(ctx, grpinfo, { strict: true })!;
  if (typeof pkgName !== 'string') throw ParameterError(`Invalid package name: ${pyRepr(pkgName)}`);
  const cfg = groupInTag(ctx, tag, group, true, false);
  const previous = (cfg.packagelist as Map<string, Dict>).get(pkgName);
  if (previous?.blocked && !force) throw GenericError(`package ${pkgName} blocked in group ${group.name}, tag ${tag.name}`);
  const { opts, changed } = fillFields(['type', 'basearchonly', 'requires'], checkOpts(rawOpts), previous);
  // a block always writes (the entry was unblocked or force is on)
  if (previous && !changed && !block && !force) return;
  groups.putGroupPackage(
    ctx.store,
    tag.id,
    group.id,
    pkgName,
    { blocked: block, type: String(opts.type ?? 'mandatory'), basearchonly: (opts.basearchonly ?? null) as boolean | null, requires: (opts.requires ?? null) as string | null },
    ctx.event(),
    ctx.userId,
  );
}

function groupReqAdd(ctx: CallContext, taginfo: unknown, grpinfo: unknown, reqinfo: unknown, block: boolean, force: boolean, rawOpts: Dict): void {
  const tag = tagNameRow(ctx, taginfo);
  const group = lookupGroup(ctx, grpinfo, { strict: true })!;
  const req = lookupGroup(ctx, reqinfo, { strict: true })!;
  const cfg = groupInTag(ctx, tag, group, false, true);
  const previous = (cfg.grouplist as Map<number, Dict>).get(req.id);
  if (previous?.blocked && !force) throw GenericError(`requirement on group ${req.name} blocked in group ${group.name}, tag ${tag.name}`);
  const { opts, changed } = fillFields(['type', 'is_metapkg'], checkOpts(rawOpts), previous);
  if (previous && !changed && !block) return;
  groups.putGroupReq(
    ctx.store,
    tag.id,
    group.id,
    req.id,
    { blocked: block, type: String(opts.type ?? 'mandatory'), is_metapkg: Boolean(opts.is_metapkg ?? false) },
    ctx.event(),
    ctx.userId,
  );
}

export const groupMethods: ApiMethod[] = [
  api('groupListAdd(taginfo, grpinfo, block=False, force=False, **opts)', 'Add a group to a tag (or change its settings).', { access: 'tag' }, (ctx, a) =>
    groupListAdd(ctx, a.taginfo, a.grpinfo, asBool(a.block), asBool(a.force), a.opts as Dict),
  ),
  api('groupListRemove(taginfo, grpinfo, force=False)', 'Remove a group from a tag (its own entry).', { access: 'tag' }, (ctx, a) => {
    const tag = requireTag(ctx, a.taginfo);
    const group = lookupGroup(ctx, a.grpinfo, { strict: true })!;
    if (!asBool(a.force) && !groups.directGroupConfig(ctx.store, tag.id, group.id)) {
      throw GenericError(`No group: ${group.name} found for tag: ${tag.name}`);
    }
    groups.revokeGroupConfig(ctx.store, tag.id, group.id, ctx.event(), ctx.userId);
  }),
  api('groupListBlock(taginfo, grpinfo)', 'Block a group in a tag.', { access: 'tag' }, (ctx, a) => groupListAdd(ctx, a.taginfo, a.grpinfo, true, false, {})),
  api('groupListUnblock(taginfo, grpinfo)', 'Remove a block of a group set in this tag.', { access: 'tag' }, (ctx, a) => {
    const tag = tagNameRow(ctx, a.taginfo);
    const group = lookupGroup(ctx, a.grpinfo, { strict: true })!;
    if (!groups.directGroupConfig(ctx.store, tag.id, group.id)?.blocked) throw GenericError(`group ${group.name} is NOT blocked in tag ${tag.name}`);
    groups.revokeGroupConfig(ctx.store, tag.id, group.id, ctx.event(), ctx.userId);
  }),
  api('groupPackageListAdd(taginfo, grpinfo, pkg_name, block=False, force=False, **opts)', 'Add a package to a group of a tag.', { access: 'tag' }, (ctx, a) =>
    groupPackageAdd(ctx, a.taginfo, a.grpinfo, a.pkg_name, asBool(a.block), asBool(a.force), a.opts as Dict),
  ),
  api('groupPackageListRemove(taginfo, grpinfo, pkg_name)', 'Remove a package entry from a group of a tag.', { access: 'tag' }, (ctx, a) => {
    const tagId = tagIdOf(ctx, a.taginfo, true)!;
    const group = lookupGroup(ctx, a.grpinfo, { strict: true })!;
    groups.revokeGroupPackage(ctx.store, tagId, group.id, String(a.pkg_name), ctx.event(), ctx.userId);
  }),
  api('groupPackageListBlock(taginfo, grpinfo, pkg_name)', 'Block a package in a group of a tag.', { access: 'tag' }, (ctx, a) =>
    groupPackageAdd(ctx, a.taginfo, a.grpinfo, a.pkg_name, true, false, {}),
  ),
  api('groupPackageListUnblock(taginfo, grpinfo, pkg_name)', 'Remove a package block set in this tag\'s group.', { access: 'tag' }, (ctx, a) => {
    const tagId = tagIdOf(ctx, a.taginfo, true)!;
    const group = lookupGroup(ctx, a.grpinfo, { strict: true })!;
    const pkg = String(a.pkg_name);
    if (!groups.directGroupPackage(ctx.store, tagId, group.id, pkg)?.blocked) {
      throw GenericError(`package ${pkg} is NOT blocked in group ${group.id}, tag ${tagId}`);
    }
    groups.revokeGroupPackage(ctx.store, tagId, group.id, pkg, ctx.event(), ctx.userId);
  }),
  api('groupReqListAdd(taginfo, grpinfo, reqinfo, block=False, force=False, **opts)', 'Make a group of a tag require another group.', { access: 'tag' }, (ctx, a) =>
    groupReqAdd(ctx, a.taginfo, a.grpinfo, a.reqinfo, asBool(a.block), asBool(a.force), a.opts as Dict),
  ),
  api('groupReqListRemove(taginfo, grpinfo, reqinfo, force=None)', 'Remove a group requirement entry.', { access: 'tag' }, (ctx, a) => {
    if (a.force !== null) ctx.hub.log.warn('force option in groupReqListRemove call is deprecated');
    const tagId = tagIdOf(ctx, a.taginfo, true)!;
    const group = lookupGroup(ctx, a.grpinfo, { strict: true })!;
    const req = lookupGroup(ctx, a.reqinfo, { strict: true })!;
    groups.revokeGroupReq(ctx.store, tagId, group.id, req.id, ctx.event(), ctx.userId);
  }),
  api('groupReqListBlock(taginfo, grpinfo, reqinfo)', 'Block a group requirement.', { access: 'tag' }, (ctx, a) =>
    groupReqAdd(ctx, a.taginfo, a.grpinfo, a.reqinfo, true, false, {}),
  ),
  api('groupReqListUnblock(taginfo, grpinfo, reqinfo)', 'Remove a group requirement block set in this tag.', { access: 'tag' }, (ctx, a) => {
    const tagId = tagIdOf(ctx, a.taginfo, true)!;
    const group = lookupGroup(ctx, a.grpinfo, { strict: true })!;
    const req = lookupGroup(ctx, a.reqinfo, { strict: true })!;
    if (!groups.directGroupReq(ctx.store, tagId, group.id, req.id)?.blocked) {
      throw GenericError(`group req ${req.id} is NOT blocked in group ${group.id}, tag ${tagId}`);
    }
    groups.revokeGroupReq(ctx.store, tagId, group.id, req.id, ctx.event(), ctx.userId);
  }),
  api(
    'getTagGroups(tag, event=None, inherit=True, incl_pkgs=True, incl_reqs=True, incl_blocked=False)',
    'Groups of a tag with their packagelist and grouplist, through inheritance; blocked entries only with incl_blocked.',
    { access: 'anon' },
    (ctx, a) => readTagGroups(ctx, a.tag, asEvent(a.event), asBool(a.inherit), asBool(a.incl_pkgs), asBool(a.incl_reqs), asBool(a.incl_blocked)),
  ),
];
