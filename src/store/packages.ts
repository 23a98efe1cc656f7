/**
 * @module
 * Packages and tag package lists (tag_packages with their owners in
 * tag_package_owners). readPackageList resolves a tag's list through
 * inheritance, the nearest entry winning, package filters applied, exactly
 * the data tagging and listing decisions are made on.
 */
import type { Params, Store } from './db.ts';
import { eventClause, insertVersioned, revokeVersioned } from './versioned.ts';
import { readFullInheritance } from './inheritance.ts';

export function findPackage(store: Store, ref: number | string): { id: number; name: string } | null {
  return typeof ref === 'number'
    ? store.get('SELECT id, name FROM package WHERE id = ?', [ref])
    : store.get('SELECT id, name FROM package WHERE name = ?', [ref]);
}

export function insertPackage(store: Store, name: string): number {
  return store.run('INSERT INTO package (name) VALUES (?)', [name]).lastId;
}

/** listPackagesSimple: every package, optionally by (case-insensitive) LIKE prefix pattern. */
export function allPackages(store: Store, like: string | null): Array<{ package_id: number; package_name: string }> {
  return like === null
    ? store.all('SELECT id AS package_id, name AS package_name FROM package ORDER BY id')
    : store.all("SELECT id AS package_id, name AS package_name FROM package WHERE name LIKE ? ESCAPE '\\' ORDER BY id", [like]);
}

export interface PackageListRow {
  package_id: number;
  package_name: string;
  tag_id: number;
  tag_name: string;
  extra_arches: string | null;
  blocked: boolean;
  owner_id?: number;
  owner_name?: string;
}

export interface PackageListQuery {
  tagId?: number | null;
  userId?: number | null;
  pkgId?: number | string | null;
  event?: number | null;
  inherit?: boolean;
  withOwners?: boolean;
  withBlocked?: boolean;
}

function queryRows(store: Store, q: PackageListQuery, tagId: number | null): PackageListRow[] {
  const event = q.event ?? null;
  const withOwners = q.withOwners ?? true;
  const cols = ['p.id AS package_id', 'p.name AS package_name', 't.id AS tag_id', 't.name AS tag_name', 'tp.extra_arches', 'tp.blocked'];
  const joins = ['JOIN tag t ON t.id = tp.tag_id', 'JOIN package p ON p.id = tp.package_id'];
  const where = [eventClause('tp', event)];
  const params: Params = [];
  if (tagId !== null) {
    where.push('t.id = ?');
    params.push(tagId);
  }
  if (q.pkgId !== undefined && q.pkgId !== null) {
    where.push(typeof q.pkgId === 'number' ? 'p.id = ?' : 'p.name = ?');
    params.push(q.pkgId);
  }
  if (withOwners) {
    cols.push('u.id AS owner_id', 'u.name AS owner_name');
    joins.push('JOIN tag_package_owners tpo ON tpo.tag_id = tp.tag_id AND tpo.package_id = tp.package_id', 'JOIN users u ON u.id = tpo.owner');
    where.push(eventClause('tpo', event));
    if (q.userId !== undefined && q.userId !== null) {
      where.push('u.id = ?');
      params.push(q.userId);
    }
  }
  if (q.withBlocked === false) where.push('tp.blocked = 0');
  const rows = store.all<Omit<PackageListRow, 'blocked'> & { blocked: number }>(
    `SELECT ${cols.join(', ')} FROM tag_packages tp ${joins.join(' ')} WHERE ${where.join(' AND ')} ORDER BY p.id, t.id`,
    params,
  );
  return rows.map((r) => ({ ...r, blocked: r.blocked === 1 }));
}

/** Compile a pkg_filter as Python's re.match does: anchored at the start only. */
function compileFilter(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})`);
  } catch {
    throw new Error(`invalid package filter: ${pattern}`);
  }
}

/**
 * The package list of a tag (with inheritance when asked), or of an owner
 * or package across tags. Without dups each package maps to its winning
 * entry; with dups, to every entry in inheritance order.
 */
export function readPackageList(store: Store, q: PackageListQuery & { withDups: true }): Map<number, PackageListRow[]>;
export function readPackageList(store: Store, q: PackageListQuery & { withDups?: false }): Map<number, PackageListRow>;
export function readPackageList(store: Store, q: PackageListQuery & { withDups?: boolean }): Map<number, PackageListRow | PackageListRow[]> {
  if ((q.tagId ?? null) === null && (q.userId ?? null) === null && (q.pkgId ?? null) === null) {
    throw new Error('tag,user, and/or pkg must be specified');
  }
  const dups = Boolean(q.withDups);
  const out = new Map<number, PackageListRow | PackageListRow[]>();
  const add = (row: PackageListRow, override: boolean) => {
    if (dups) {
      const list = (out.get(row.package_id) as PackageListRow[] | undefined) ?? [];
      list.push(row);
      out.set(row.package_id, list);
    } else if (override || !out.has(row.package_id)) out.set(row.package_id, row);
  };
  for (const row of queryRows(store, q, q.tagId ?? null)) add(row, true);
  if (q.tagId === undefined || q.tagId === null || !q.inherit) return out;
  const cache = new Map<string, RegExp>();
  for (const link of readFullInheritance(store, q.tagId, q.event ?? null)) {
    const filters = link.filter.map((p) => {
      let re = cache.get(p);
      if (!re) cache.set(p, (re = compileFilter(p)));
      return re;
    });
    for (const row of queryRows(store, q, link.parent_id)) {
      if (!dups && out.has(row.package_id)) continue;
      if (!filters.every((re) => re.test(row.package_name))) continue;
      add(row, false);
    }
  }
  return out;
}

export function insertTagPackage(
  store: Store,
  tagId: number,
  pkgId: number,
  blocked: boolean,
  extraArches: string | null,
  event: number,
  user: number | null,
): void {
  revokeVersioned(store, 'tag_packages', { tag_id: tagId, package_id: pkgId }, event, user);
  insertVersioned(store, 'tag_packages', { tag_id: tagId, package_id: pkgId, blocked: blocked ? 1 : 0, extra_arches: extraArches }, event, user);
}

export function revokeTagPackage(store: Store, tagId: number, pkgId: number, event: number, user: number | null): number {
  return revokeVersioned(store, 'tag_packages', { tag_id: tagId, package_id: pkgId }, event, user);
}

export function setPackageOwner(store: Store, tagId: number, pkgId: number, owner: number, event: number, user: number | null): void {
  revokeVersioned(store, 'tag_package_owners', { tag_id: tagId, package_id: pkgId }, event, user);
  insertVersioned(store, 'tag_package_owners', { tag_id: tagId, package_id: pkgId, owner }, event, user);
}
