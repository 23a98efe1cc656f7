/**
 * @module
 * Package lists of tags: add, block, unblock, remove, owners and extra
 * arches, each checked against the `package_list` policy with Koji's data
 * {tag, action, package, force} and announced through the
 * pre/postPackageListChange callbacks; and the package queries.
 */
import { GenericError } from '../../core/faults.ts';
import { verifyNameInternal } from '../../core/names.ts';
import { parseArches } from '../../core/nvr.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import * as pkgs from '../../store/packages.ts';
import { applyQueryOpts, asEvent, nameOrId, prefixLike } from './common.ts';
import { lookupPackage, requireTag, tagIdOf } from './lookups.ts';
import { lookupUser } from './users.ts';
import { userInfoOf } from './tagging.ts';

export interface PackageListAddOptions {
  owner?: unknown;
  block?: boolean | null;
  extraArches?: unknown;
  force?: boolean;
  update?: boolean;
  /** Assert the package_list policy (false: Koji's _direct_pkglist_add for internal use). */
  policy?: boolean;
}

/** Koji's pkglist_add: add or update a package's entry in a tag's list. */
export function packageListAddInTx(ctx: CallContext, taginfo: unknown, pkginfo: unknown, o: PackageListAddOptions = {}): void {
  const tag = requireTag(ctx, taginfo);
  let pkg = lookupPackage(ctx, pkginfo, false);
  if (!pkg && typeof pkginfo !== 'string') throw GenericError(`No such package: ${String(pkginfo)}`);
  let owner: number | null = o.owner === null || o.owner === undefined ? null : lookupUser(ctx, o.owner, true)!.id;
  const force = Boolean(o.force);
  const update = Boolean(o.update);
  const action = update ? 'update' : o.block ? 'block' : 'add';
  if (o.policy !== false) {
    ctx.requireLogin();
    ctx.assertPolicy('package_list', { tag: tag.id, action, package: pkginfo, force }, { force });
  }
  if (!pkg) {
    const name = verifyNameInternal(pkginfo);
    pkg = { id: pkgs.insertPackage(ctx.store, name), name };
  }
  let extraArches = o.extraArches === null || o.extraArches === undefined ? null : parseArches(o.extraArches, { strict: true, allowNone: true });
  const user = userInfoOf(ctx);
  const previous = pkgs.readPackageList(ctx.store, { tagId: tag.id, pkgId: pkg.id, inherit: true }).get(pkg.id);
  let block: boolean;
  let changed = false;
  let changedOwner = false;
  if (!previous) {
    block = Boolean(o.block);
    if (update && !force) throw GenericError(`cannot update: tag ${tag.name} has no data for package ${pkg.name}`);
  } else {
    if (owner === null) owner = previous.owner_id!;
    changedOwner = previous.owner_id !== owner;
    block = o.block === null || o.block === undefined ? previous.blocked : Boolean(o.block);
    if (extraArches === null) extraArches = previous.extra_arches;
    changed = previous.blocked !== block || previous.extra_arches !== extraArches;
    // nothing to do when the same data is already there
    if (!changed && !changedOwner && !force) return;
    if (previous.blocked && !block && !force) throw GenericError(`package ${pkg.name} is blocked in tag ${tag.name}`);
  }
  if (owner === null) {
    if (force) owner = ctx.userId;
    else throw GenericError('owner not specified');
  }
  const cbArgs = { action, tag, package: pkg, owner, block, extra_arches: extraArches, force, update, user };
  ctx.callback('prePackageListChange', cbArgs);
  const ev = ctx.event();
  if (!previous || changed) {
    pkgs.insertTagPackage(ctx.store, tag.id, pkg.id, block, extraArches, ev, ctx.userId);
    pkgs.setPackageOwner(ctx.store, tag.id, pkg.id, owner!, ev, ctx.userId);
  } else if (changedOwner) pkgs.setPackageOwner(ctx.store, tag.id, pkg.id, owner!, ev, ctx.userId);
  ctx.callback('postPackageListChange', cbArgs);
}

/** Koji's pkglist_remove: drop the tag's own entry (inherited entries then show through). */
export function packageListRemoveInTx(ctx: CallContext, taginfo: unknown, pkginfo: unknown, force = false, policy = true): void {
  const tag = requireTag(ctx, taginfo);
  const pkg = lookupPackage(ctx, pkginfo, true)!;
  if (policy) {
    ctx.requireLogin();
    ctx.assertPolicy('package_list', { tag: tag.id, action: 'remove', package: pkg.id, force }, { force });
  }
  const user = userInfoOf(ctx);
  ctx.callback('prePackageListChange', { action: 'remove', tag, package: pkg, user });
  pkgs.revokeTagPackage(ctx.store, tag.id, pkg.id, ctx.event(), ctx.userId);
  ctx.callback('postPackageListChange', { action: 'remove', tag, package: pkg, user });
}

function packageListUnblock(ctx: CallContext, taginfo: unknown, pkginfo: unknown, force: boolean): void {
  const tag = requireTag(ctx, taginfo);
  const pkg = lookupPackage(ctx, pkginfo, true)!;
  ctx.requireLogin();
  ctx.assertPolicy('package_list', { tag: tag.id, action: 'unblock', package: pkg.id, force }, { force });
  const user = userInfoOf(ctx);
  const read = () => pkgs.readPackageList(ctx.store, { tagId: tag.id, pkgId: pkg.id, inherit: true }).get(pkg.id);
  const previous = read();
  if (!previous) throw GenericError(`no data (blocked or otherwise) for package ${pkg.name} in tag ${tag.name}`);
  if (!previous.blocked) throw GenericError(`package ${pkg.name} NOT blocked in tag ${tag.name}`);
  ctx.callback('prePackageListChange', { action: 'unblock', tag, package: pkg, user });
  const ev = ctx.event();
  const addUnblocked = () => {
    pkgs.insertTagPackage(ctx.store, tag.id, pkg.id, false, previous.extra_arches, ev, ctx.userId);
    pkgs.setPackageOwner(ctx.store, tag.id, pkg.id, previous.owner_id!, ev, ctx.userId);
  };
  if (previous.tag_id !== tag.id) addUnblocked();
  else {
    // drop our own block; if nothing (or another block) shows through, list it unblocked here
    pkgs.revokeTagPackage(ctx.store, tag.id, pkg.id, ev, ctx.userId);
    const now = read();
    if (!now || now.blocked) addUnblocked();
  }
  ctx.callback('postPackageListChange', { action: 'unblock', tag, package: pkg, user });
}

/** Koji's checkTagPackage: listed (through inheritance) and not blocked. */
export function tagHasPackage(ctx: CallContext, tagId: number, pkgId: number): boolean {
  const entry = pkgs.readPackageList(ctx.store, { tagId, pkgId, inherit: true, withOwners: false }).get(pkgId);
  return Boolean(entry && !entry.blocked);
}

export const packageMethods: ApiMethod[] = [
  api(
    'packageListAdd(taginfo, pkginfo, owner=None, block=None, extra_arches=None, force=False, update=False)',
    'Add a package to a tag\'s list (or update its entry), subject to the package_list policy.',
    { access: 'anon' },
    (ctx, a) =>
      packageListAddInTx(ctx, a.taginfo, a.pkginfo, {
        owner: a.owner,
        block: a.block === null ? null : asBool(a.block),
        extraArches: a.extra_arches,
        force: asBool(a.force),
        update: asBool(a.update),
      }),
  ),
  api('packageListRemove(taginfo, pkginfo, force=False)', 'Remove a package\'s own entry from a tag\'s list (package_list policy).', { access: 'anon' }, (ctx, a) =>
    packageListRemoveInTx(ctx, a.taginfo, a.pkginfo, asBool(a.force)),
  ),
  api('packageListBlock(taginfo, pkginfo, force=False)', 'Block a package in a tag (package_list policy).', { access: 'anon' }, (ctx, a) => {
    const tag = requireTag(ctx, a.taginfo);
    const pkg = lookupPackage(ctx, a.pkginfo, true)!;
    if (!pkgs.readPackageList(ctx.store, { tagId: tag.id, pkgId: pkg.id, inherit: true, withOwners: false }).size) {
      throw GenericError(`Package ${pkg.name} is not in tag listing for ${tag.name}`);
    }
    packageListAddInTx(ctx, a.taginfo, a.pkginfo, { block: true, force: asBool(a.force) });
  }),
  api('packageListUnblock(taginfo, pkginfo, force=False)', 'Unblock a package in a tag (package_list policy).', { access: 'anon' }, (ctx, a) =>
    packageListUnblock(ctx, a.taginfo, a.pkginfo, asBool(a.force)),
  ),
  api('packageListSetOwner(taginfo, pkginfo, owner, force=False)', 'Set the owner of a package in a tag.', { access: 'anon' }, (ctx, a) =>
    packageListAddInTx(ctx, a.taginfo, a.pkginfo, { owner: a.owner, force: asBool(a.force), update: true }),
  ),
  api('packageListSetArches(taginfo, pkginfo, arches, force=False)', 'Set the extra arches of a package in a tag.', { access: 'anon' }, (ctx, a) =>
    packageListAddInTx(ctx, a.taginfo, a.pkginfo, { extraArches: a.arches, force: asBool(a.force), update: true }),
  ),
  api(
    'listPackages(tagID=None, userID=None, pkgID=None, prefix=None, inherited=False, with_dups=False, event=None, queryOpts=None, with_owners=True, with_blocked=True)',
    'Packages, or the package list entries of a tag (through inheritance with inherited), an owner or a package.',
    { access: 'anon' },
    (ctx, a) => {
      let rows: object[];
      if (a.tagID === null && a.userID === null && a.pkgID === null) {
        rows = pkgs.allPackages(ctx.store, a.prefix === null ? null : prefixLike(String(a.prefix)));
        return applyQueryOpts(rows, a.queryOpts);
      }
      const tagId = a.tagID === null ? null : tagIdOf(ctx, a.tagID, true);
      const userId = a.userID === null ? null : lookupUser(ctx, a.userID, true)!.id;
      const pkgId = a.pkgID === null ? null : lookupPackage(ctx, a.pkgID, true)!.id;
      const withOwners = asBool(a.with_owners);
      if (userId !== null && !withOwners) throw GenericError("userID and with_owners=False can't be used together");
      const q = { tagId, userId, pkgId, event: asEvent(a.event), inherit: asBool(a.inherited), withOwners, withBlocked: asBool(a.with_blocked) };
      rows = asBool(a.with_dups)
        ? [...pkgs.readPackageList(ctx.store, { ...q, withDups: true }).values()].flat()
        : [...pkgs.readPackageList(ctx.store, q).values()];
      if (a.prefix) {
        const prefix = String(a.prefix).toLowerCase();
        rows = (rows as pkgs.PackageListRow[]).filter((r) => r.package_name.toLowerCase().startsWith(prefix));
      }
      return applyQueryOpts(rows, a.queryOpts);
    },
  ),
  api('listPackagesSimple(prefix=None, queryOpts=None)', 'All packages: [{package_id, package_name}], optionally by name prefix.', { access: 'anon' }, (ctx, a) =>
    applyQueryOpts(pkgs.allPackages(ctx.store, a.prefix === null ? null : prefixLike(String(a.prefix))), a.queryOpts),
  ),
  api('getPackage(info, strict=False, create=False)', 'A package {id, name} by name or id; create (tag permission) makes a new name.', { access: 'anon' }, (ctx, a) => {
    const found = lookupPackage(ctx, a.info, asBool(a.strict) && !asBool(a.create));
    if (found || !asBool(a.create)) return found;
    ctx.assertPerm('tag');
    const name = verifyNameInternal(nameOrId(a.info));
    return { id: pkgs.insertPackage(ctx.store, name), name };
  }),
  api('getPackageID(name, strict=False)', 'Id of a package name, or None.', { access: 'anon' }, (ctx, a) => {
    const p = typeof a.name === 'string' ? pkgs.findPackage(ctx.store, a.name) : null;
    if (!p && asBool(a.strict)) throw GenericError(`No such package name: ${String(a.name)}`);
    return p?.id ?? null;
  }),
  api('checkTagPackage(tag, pkg)', 'Whether a package is listed (and not blocked) in a tag, through inheritance.', { access: 'anon' }, (ctx, a) => {
    const tagId = tagIdOf(ctx, a.tag, false);
    const pkg = lookupPackage(ctx, a.pkg, false);
    if (tagId === null || !pkg) return false;
    return tagHasPackage(ctx, tagId, pkg.id);
  }),
  api('getPackageConfig(tag, pkg, event=None)', 'A package\'s effective list entry in a tag, or None.', { access: 'anon' }, (ctx, a) => {
    const tagId = tagIdOf(ctx, a.tag, false);
    const pkg = lookupPackage(ctx, a.pkg, false);
    if (tagId === null || !pkg) return null;
    return pkgs.readPackageList(ctx.store, { tagId, pkgId: pkg.id, inherit: true, event: asEvent(a.event) }).get(pkg.id) ?? null;
  }),
];
