/**
 * @module
 * Tags: create, edit, delete, look up and list; inheritance (direct links,
 * the full walk, edits with Koji's checks); build config with inherited
 * arches and extra; the last event that changed a tag. The *InTx helpers
 * do the work without permission checks, for plugins (sidetag) and tasks.
 */
import { GenericError, ParameterError } from '../../core/faults.ts';
import { verifyNameInternal } from '../../core/names.ts';
import { parseArches } from '../../core/nvr.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, asInt, asOptInt, isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import * as tags from '../../store/tags.ts';
import * as inh from '../../store/inheritance.ts';
import { applyQueryOpts, asEvent, bool, globToLike, nameOrId, pyRepr } from './common.ts';
import { getBuildInfo, getTagInfo, lookupPackage, permIdOf, requireTag, tagIdOf, type TagInfo } from './lookups.ts';
import { lookupUser } from './users.ts';
import { userPermNames } from '../../store/users.ts';

export interface CreateTagOptions {
  parent?: unknown;
  arches?: unknown;
  perm?: unknown;
  locked?: boolean;
  maven_support?: boolean;
  maven_include_all?: boolean;
  extra?: Record<string, unknown> | null;
}

/** Koji's _create_tag: no permission check. Returns the new tag id. */
export function createTagInTx(ctx: CallContext, name: unknown, o: CreateTagOptions = {}): number {
  const tagName = verifyNameInternal(name);
  const arches = parseArches(o.arches ?? null, { strict: true, allowNone: true });
  if (!ctx.hub.config.EnableMaven && (o.maven_support || o.maven_include_all)) throw GenericError('Maven support not enabled');
  if (getTagInfo(ctx, tagName)) throw GenericError(`A tag with the name '${tagName}' already exists`);
  let parentId: number | null = null;
  if (o.parent) {
    const parent = getTagInfo(ctx, o.parent);
    if (!parent) throw GenericError(`Parent tag '${String(o.parent)}' could not be found`);
    parentId = parent.id;
  }
  const permId = o.perm === null || o.perm === undefined ? null : permIdOf(ctx, o.perm);
  if (o.extra !== null && o.extra !== undefined && !isStruct(o.extra)) throw ParameterError(`Invalid type for extra: ${pyRepr(o.extra)}`);
  ctx.callback('preCreateTag', { name: tagName, parent: parentId, user: ctx.userId });
  const tagId = tags.ensureTagName(ctx.store, tagName);
  const ev = ctx.event();
  tags.insertTagConfig(
    ctx.store,
    tagId,
    { arches, perm_id: permId, locked: Boolean(o.locked), maven_support: Boolean(o.maven_support), maven_include_all: Boolean(o.maven_include_all) },
    ev,
    ctx.userId,
  );
  for (const [key, value] of Object.entries(o.extra ?? {})) tags.setTagExtra(ctx.store, tagId, key, JSON.stringify(value ?? null), ev, ctx.userId);
  if (parentId !== null) {
    writeInheritanceInTx(ctx, tagId, [{ parent_id: parentId, priority: 0, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: '' }]);
  }
  ctx.callback('postCreateTag', { tag: requireTag(ctx, tagId), user: ctx.userId });
  return tagId;
}

/** Koji's _edit_tag: the kwargs of editTag2, no permission check. */
export function editTagInTx(ctx: CallContext, tagInfo: unknown, kw: Record<string, unknown>): void {
  if (!ctx.hub.config.EnableMaven && ('maven_support' in kw || 'maven_include_all' in kw)) throw GenericError('Maven support not enabled');
  for (const key of ['remove_extra', 'block_extra']) {
    if (kw[key] && !Array.isArray(kw[key])) throw ParameterError(`Invalid type for value '${String(kw[key])}': ${typeof kw[key]}, expected type <class 'list'>`);
  }
  const tag = requireTag(ctx, tagInfo);
  const changes: Record<string, unknown> = { ...kw };
  // perm and perm_id are aliases; perm_id wins when both are given
  if ('perm' in changes && !('perm_id' in changes)) changes.perm_id = changes.perm;
  if ('perm_id' in changes && changes.perm_id !== null) changes.perm_id = permIdOf(ctx, changes.perm_id);
  ctx.callback('preEditTag', { tag, changes: kw, user: ctx.userId });
  const name = changes.name;
  if (name && tag.name !== name) {
    const newName = verifyNameInternal(name);
    const taken = tags.findTagName(ctx.store, newName);
    if (taken) throw GenericError(`Name ${newName} already taken by tag ${taken.id}`);
    tags.renameTag(ctx.store, tag.id, newName);
  }
  if (changes.arches && tag.arches !== changes.arches) changes.arches = parseArches(changes.arches, { strict: true, allowNone: true });
  const cfg = { perm_id: tag.perm_id, arches: tag.arches, locked: tag.locked, maven_support: tag.maven_support, maven_include_all: tag.maven_include_all };
  let changed = false;
  for (const key of ['perm_id', 'arches', 'locked', 'maven_support', 'maven_include_all'] as const) {
    if (!(key in changes)) continue;
    const value = key === 'perm_id' || key === 'arches' ? changes[key] : asBool(changes[key]);
    if (value !== cfg[key]) {
      changed = true;
      (cfg as Record<string, unknown>)[key] = value;
    }
  }
  const ev = () => ctx.event();
  if (changed) {
    tags.revokeTagConfig(ctx.store, tag.id, ev(), ctx.userId);
    tags.insertTagConfig(ctx.store, tag.id, cfg as tags.TagConfig, ev(), ctx.userId);
  }
  const blockExtra = (changes.block_extra as string[] | undefined) ?? [];
  const removeExtra = (changes.remove_extra as string[] | undefined) ?? [];
  if ('extra' in changes && changes.extra !== null) {
    if (!isStruct(changes.extra)) throw ParameterError(`Invalid type for extra: ${pyRepr(changes.extra)}`);
    const removed = new Set([...blockExtra, ...removeExtra]);
    const conflict = Object.keys(changes.extra).find((k) => removed.has(k));
    if (conflict !== undefined) throw GenericError(`Can not both add/update and remove tag-extra: '${conflict}'`);
    for (const [key, value] of Object.entries(changes.extra)) {
      if (!(key in tag.extra) || JSON.stringify(tag.extra[key]) !== JSON.stringify(value)) {
        tags.setTagExtra(ctx.store, tag.id, key, JSON.stringify(value ?? null), ev(), ctx.userId);
      }
    }
  }
  for (const key of blockExtra) tags.setTagExtra(ctx.store, tag.id, String(key), null, ev(), ctx.userId);
  if (removeExtra.length) {
    const missing = removeExtra.filter((k) => !(String(k) in tag.extra));
    if (missing.length) throw GenericError(`Tag: ${tag.name} doesn't have extra: ${missing.join(', ')}`);
    for (const key of removeExtra) tags.removeTagExtra(ctx.store, tag.id, String(key), ev(), ctx.userId);
  }
  ctx.callback('postEditTag', { tag: requireTag(ctx, tag.id), old: tag, user: ctx.userId });
}

/** Koji's _delete_tag: revoke the tag and everything hanging off it. */
export function deleteTagInTx(ctx: CallContext, tagInfo: unknown): void {
  const tag = requireTag(ctx, tagInfo);
  ctx.callback('preDeleteTag', { tag, user: ctx.userId });
  tags.revokeTagEverywhere(ctx.store, tag.id, ctx.event(), ctx.userId);
  ctx.callback('postDeleteTag', { tag, user: ctx.userId });
}

interface LinkChange {
  parent_id: number;
  priority: number;
  maxdepth: number | null;
  intransitive: boolean;
  noconfig: boolean;
  pkg_filter: string;
  delete?: boolean;
}

const LINK_FIELDS = ['parent_id', 'priority', 'maxdepth', 'intransitive', 'noconfig', 'pkg_filter'] as const;

function parseLinkChange(ctx: CallContext, raw: unknown): LinkChange {
  if (!isStruct(raw)) throw GenericError(`Invalid inheritance data: ${pyRepr(raw)}`);
  const del = asBool(raw['delete link']);
  for (const f of del ? (['parent_id'] as const) : LINK_FIELDS) {
    if (!(f in raw)) throw GenericError(`No value for ${f}`);
  }
  const parentId = asInt(raw.parent_id, 'parent_id');
  requireTag(ctx, parentId);
  if (del) return { parent_id: parentId, priority: 0, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: '', delete: true };
  const filter = raw.pkg_filter === null ? '' : String(raw.pkg_filter);
  if (filter) {
    try {
      new RegExp(filter);
    } catch {
      throw GenericError(`Invalid package filter: ${filter}`);
    }
  }
  return {
    parent_id: parentId,
    // the koji CLI sends the priority as the text it was given
    priority: asInt(raw.priority, 'priority'),
    maxdepth: asOptInt(raw.maxdepth, 'maxdepth'),
    intransitive: asBool(raw.intransitive),
    noconfig: asBool(raw.noconfig),
    pkg_filter: filter,
  };
}

/**
 * Koji's _writeInheritanceData: add, change or ("delete link") remove
 * links; with clear, links not mentioned are removed. Priorities must stay
 * unique among a tag's parents. No permission check.
 */
export function writeInheritanceInTx(ctx: CallContext, tagId: number, changes: unknown, clear = false): void {
  const list = Array.isArray(changes) ? changes : [changes];
  const parsed = list.map((c) => parseLinkChange(ctx, c));
  type Entry = { link: LinkChange; update: boolean };
  const data = new Map<number, Entry>();
  for (const l of inh.readInheritanceData(ctx.store, tagId, null)) {
    data.set(l.parent_id, { link: { ...l }, update: false });
  }
  for (const link of parsed) {
    const orig = data.get(link.parent_id);
    if (link.delete) {
      if (orig) data.set(link.parent_id, { link, update: true });
    } else if (!orig || clear) data.set(link.parent_id, { link, update: true });
    else if (LINK_FIELDS.some((f) => orig.link[f] !== link[f])) data.set(link.parent_id, { link, update: true });
  }
  if (clear) {
    for (const e of data.values()) {
      if (!e.update) {
        e.update = true;
        e.link = { ...e.link, delete: true };
      }
    }
  }
  if (![...data.values()].some((e) => e.update)) {
    ctx.hub.log.info(`No inheritance changes for tag ${tagId}`);
    return;
  }
  const byPriority = new Map<number, number[]>();
  for (const e of data.values()) {
    if (e.link.delete) continue;
    byPriority.set(e.link.priority, [...(byPriority.get(e.link.priority) ?? []), e.link.parent_id]);
  }
  for (const [priority, ids] of byPriority) {
    if (ids.length > 1) {
      throw GenericError(`Multiple parent tags ([${ids.join(', ')}]) cannot have the same priority value (${priority}) on child tag ${tagId}`);
    }
  }
  const ev = ctx.event();
  for (const [parentId, e] of data) if (e.update) inh.revokeInheritance(ctx.store, tagId, parentId, ev, ctx.userId);
  for (const e of data.values()) if (e.update && !e.link.delete) inh.insertInheritance(ctx.store, tagId, e.link, ev, ctx.userId);
}

/** Full inheritance with loops logged (only current data, as Koji logs). */
export function fullInheritance(ctx: CallContext, tagId: number, event: number | null, reverse = false): inh.FullLink[] {
  return inh.readFullInheritance(ctx.store, tagId, event, reverse, (from, to) => {
    if (event === null) ctx.hub.log.warn(`INHERITANCE LOOP detected at ${from} -> ${to}, pruning`);
  });
}

/** Koji's getBuildConfig: arches and extra inherited through links without noconfig. */
export function buildConfig(ctx: CallContext, tagInfo: unknown, event: number | null): TagInfo & { config_inheritance: unknown } {
  const info = getTagInfo(ctx, tagInfo, { strict: true, event, blocked: true })!;
  const configInheritance: { extra: Record<string, unknown>; arches: unknown } = { extra: {}, arches: null };
  for (const link of fullInheritance(ctx, info.id, event)) {
    if (link.noconfig) continue;
    const anc = getTagInfo(ctx, link.parent_id, { strict: true, event, blocked: true })!;
    if (info.arches === null && anc.arches !== null) {
      info.arches = anc.arches;
      configInheritance.arches = { id: anc.id, name: anc.name };
    }
    for (const key of Object.keys(anc.extra)) {
      if (!(key in info.extra)) {
        info.extra[key] = anc.extra[key];
        configInheritance.extra[key] = { id: anc.id, name: anc.name };
      }
    }
  }
  for (const [key, v] of Object.entries(info.extra)) {
    const [blocked, value] = v as [boolean, unknown];
    if (blocked) delete info.extra[key];
    else info.extra[key] = value;
  }
  return { ...info, config_inheritance: configInheritance };
}

/** Koji's tag_last_change_event: newest event that changed the tag (or its ancestors). */
export function tagLastChangeEventInTx(ctx: CallContext, tagInfo: unknown, before: number | null, inherit = true): number | null {
  const info = getTagInfo(ctx, tagInfo, { strict: true, event: 'auto' })!;
  const deleted = info.revoke_event ?? null;
  if (before === null && deleted !== null) return deleted;
  const ids = [info.id];
  if (inherit) ids.push(...fullInheritance(ctx, info.id, before).map((l) => l.parent_id));
  const last = tags.lastChangeEvent(ctx.store, ids, before);
  if (last === null) return null;
  return deleted !== null ? Math.min(deleted, last) : last;
}

/** Koji's check_tag_access: [access, override, reason] for a user and a tag. */
export function checkTagAccess(ctx: CallContext, tagId: number, userId?: number | null): [boolean, boolean, string] {
  const uid = userId ?? ctx.userId;
  if (uid === null || uid === undefined) throw GenericError('a user_id is required');
  const perms = userPermNames(ctx.store, uid);
  const override = perms.includes('admin');
  const tag = requireTag(ctx, tagId);
  if (tag.locked) return [false, override, 'tag is locked'];
  if (tag.perm_id !== null && tag.perm !== null && !perms.includes(tag.perm)) return [false, override, `tag requires ${tag.perm} permission`];
  return [true, override, ''];
}

const tagShape = (r: tags.ListedTagRow, perms: boolean) => {
  const out: Record<string, unknown> = {
    id: r.id,
    name: r.name,
    arches: r.arches,
    locked: bool(r.locked),
    maven_support: bool(r.maven_support),
    maven_include_all: bool(r.maven_include_all),
  };
  if (perms) {
    out.perm_id = r.perm_id;
    out.perm = r.perm;
  }
  if (r.owner_id !== undefined) {
    out.owner_id = r.owner_id;
    out.owner_name = r.owner_name;
    out.blocked = bool(r.blocked);
    out.extra_arches = r.extra_arches;
  }
  return out;
};

export const tagMethods: ApiMethod[] = [
  api(
    'createTag(name, parent=None, arches=None, perm=None, locked=False, maven_support=False, maven_include_all=False, extra=None)',
    'Create a tag (tag permission); returns its id. A parent becomes an inheritance link with priority 0.',
    { access: 'tag' },
    (ctx, a) =>
      createTagInTx(ctx, a.name, {
        parent: a.parent,
        arches: a.arches,
        perm: a.perm,
        locked: asBool(a.locked),
        maven_support: asBool(a.maven_support),
        maven_include_all: asBool(a.maven_include_all),
        extra: a.extra,
      }),
  ),
  api(
    'editTag2(tagInfo, **kwargs)',
    'Edit a tag (tag permission): name, arches, locked, perm/perm_id, maven_support, maven_include_all, extra, remove_extra, block_extra.',
    { access: 'tag' },
    (ctx, a) => editTagInTx(ctx, a.tagInfo, a.kwargs as Record<string, unknown>),
  ),
  api('editTag(tagInfo, name, arches, locked, permissionID, extra=None)', 'Old form of editTag2.', { access: 'tag' }, (ctx, a) =>
    editTagInTx(ctx, a.tagInfo, { name: a.name, arches: a.arches, locked: a.locked, perm_id: a.permissionID, extra: a.extra }),
  ),
  api('deleteTag(tagInfo)', 'Delete a tag (tag permission); its history stays.', { access: 'tag' }, (ctx, a) => deleteTagInTx(ctx, a.tagInfo)),
  api(
    'getTag(tagInfo, strict=False, event=None, blocked=False)',
    'A tag by name or id: {id, name, perm_id, perm, arches, locked, maven_support, maven_include_all, extra}; event may be "auto".',
    { access: 'anon' },
    (ctx, a) => getTagInfo(ctx, a.tagInfo, { strict: asBool(a.strict), event: a.event === 'auto' ? 'auto' : asEvent(a.event), blocked: asBool(a.blocked) }),
  ),
  api('getTagID(info, strict=False, create=False)', 'Id of a tag name (also of deleted tags).', { access: 'anon' }, (ctx, a) => {
    const id = tagIdOf(ctx, a.info, asBool(a.strict) && !asBool(a.create));
    if (id !== null || !asBool(a.create)) return id;
    ctx.assertPerm('tag');
    if (typeof a.info !== 'string') throw GenericError('Name must be a string');
    return tags.ensureTagName(ctx.store, verifyNameInternal(a.info));
  }),
  api(
    'listTags(build=None, package=None, perms=True, queryOpts=None, pattern=None)',
    'Tags, optionally those holding a build, listing a package, or matching a glob pattern.',
    { access: 'anon' },
    (ctx, a) => {
      if (a.build !== null && a.package !== null) throw GenericError('only one of build and package may be specified');
      let buildId: number | null = null;
      let packageId: number | null = null;
      if (a.build !== null) {
        const b = getBuildInfo(ctx, a.build);
        if (!b) throw GenericError(`No such build: ${String(a.build)}`);
        buildId = b.id;
      } else if (a.package !== null) {
        const p = lookupPackage(ctx, a.package, false);
        if (!p) throw GenericError(`No such package: ${String(a.package)}`);
        packageId = p.id;
      }
      const like = a.pattern === null ? null : globToLike(String(a.pattern));
      const rows = tags.listTags(ctx.store, { buildId, packageId, like }).map((r) => tagShape(r, asBool(a.perms)));
      return applyQueryOpts(rows, a.queryOpts);
    },
  ),
  api('getInheritanceData(tag, event=None)', 'Direct parents of a tag: [{parent_id, name, priority, maxdepth, intransitive, noconfig, pkg_filter, child_id}].', { access: 'anon' }, (ctx, a) =>
    inh.readInheritanceData(ctx.store, tagIdOf(ctx, a.tag, true)!, asEvent(a.event)),
  ),
  api(
    'setInheritanceData(tag, data, clear=False)',
    'Add, change or remove ("delete link": True) parent links of a tag (tag permission); clear drops links not given.',
    { access: 'anon' },
    (ctx, a) => {
      const tagId = tagIdOf(ctx, a.tag, true)!;
      ctx.assertPerm('tag');
      writeInheritanceInTx(ctx, tagId, a.data, asBool(a.clear));
    },
  ),
  api(
    'getFullInheritance(tag, event=None, reverse=False, **kwargs)',
    'The full ordered inheritance of a tag (or its descendants with reverse), with depth and filter state per link.',
    { access: 'anon' },
    (ctx, a) => {
      for (const [k, v] of Object.entries(a.kwargs as Record<string, unknown>)) {
        if (k === 'stops' || k === 'jumps') {
          if (v) throw ParameterError(`${k} option has been removed since 1.26`);
        } else throw ParameterError(`getFullInheritance() got an unexpected keyword argument '${k}'`);
      }
      const tagId = typeof a.tag === 'number' ? a.tag : tagIdOf(ctx, a.tag, true)!;
      return fullInheritance(ctx, tagId, asEvent(a.event), asBool(a.reverse));
    },
  ),
  api('getBuildConfig(tag, event=None)', 'A tag with arches and extra inherited, plus config_inheritance saying where they came from.', { access: 'anon' }, (ctx, a) =>
    buildConfig(ctx, a.tag, asEvent(a.event)),
  ),
  api('tagLastChangeEvent(tag, before=None, inherit=True)', 'The newest event that changed the tag (following inheritance), or None.', { access: 'anon' }, (ctx, a) =>
    tagLastChangeEventInTx(ctx, a.tag, asOptInt(a.before, 'before'), asBool(a.inherit)),
  ),
  api('checkTagAccess(tag_id, user_id=None)', 'Whether a user may tag into a tag: [access, override, reason].', { access: 'anon' }, (ctx, a) => {
    const tag = requireTag(ctx, a.tag_id);
    const uid = a.user_id === null ? null : lookupUser(ctx, a.user_id, true)!.id;
    return checkTagAccess(ctx, tag.id, uid);
  }),
  api(
    'getTagExternalRepos(tag_info=None, repo_info=None, event=None)',
    'External repos of tags. kojibox has no external repos, so this is always empty (unknown tags are still errors).',
    { access: 'anon' },
    (ctx, a) => {
      if (a.tag_info !== null) requireTag(ctx, a.tag_info, asEvent(a.event));
      if (a.repo_info !== null) throw GenericError(`No such repo: ${String(nameOrId(a.repo_info))}`);
      return [];
    },
  ),
  api('mavenEnabled()', 'Whether Maven support is enabled (EnableMaven).', { access: 'anon' }, (ctx) => Boolean(ctx.hub.config.EnableMaven)),
];
