/**
 * @module
 * Comps groups of tags (buildroot package sets such as `build` and
 * `srpm-build`): the groups name table, per-tag group config, group
 * package lists and group requirements, all versioned.
 */
import type { Store } from './db.ts';
import { eventClause, insertVersioned, revokeVersioned } from './versioned.ts';

export function findGroup(store: Store, ref: number | string): { id: number; name: string } | null {
  return typeof ref === 'number'
    ? store.get('SELECT id, name FROM groups WHERE id = ?', [ref])
    : store.get('SELECT id, name FROM groups WHERE name = ?', [ref]);
}

export function insertGroup(store: Store, name: string): number {
  return store.run('INSERT INTO groups (name) VALUES (?)', [name]).lastId;
}

export interface GroupConfigRow {
  name: string;
  group_id: number;
  tag_id: number;
  blocked: number;
  exported: number;
  display_name: string;
  is_default: number | null;
  uservisible: number | null;
  description: string | null;
  langonly: string | null;
  biarchonly: number | null;
}

export interface GroupPackageRow {
  group_id: number;
  tag_id: number;
  package: string;
  blocked: number;
  type: string;
  basearchonly: number | null;
  requires: string | null;
}

export interface GroupReqRow {
  group_id: number;
  tag_id: number;
  req_id: number;
  blocked: number;
  type: string;
  is_metapkg: number;
  name: string;
}

export function groupConfigRows(store: Store, tagId: number, event: number | null): GroupConfigRow[] {
  return store.all(
    `SELECT g.name, gc.group_id, gc.tag_id, gc.blocked, gc.exported, gc.display_name, gc.is_default, gc.uservisible,
       gc.description, gc.langonly, gc.biarchonly
     FROM group_config gc JOIN groups g ON g.id = gc.group_id WHERE gc.tag_id = ? AND ${eventClause('gc', event)} ORDER BY g.id`,
    [tagId],
  );
}

export function groupPackageRows(store: Store, tagId: number, event: number | null): GroupPackageRow[] {
  return store.all(
    `SELECT group_id, tag_id, package, blocked, type, basearchonly, requires FROM group_package_listing
     WHERE tag_id = ? AND ${eventClause('', event)} ORDER BY group_id, package`,
    [tagId],
  );
}

export function groupReqRows(store: Store, tagId: number, event: number | null): GroupReqRow[] {
  return store.all(
    `SELECT r.group_id, r.tag_id, r.req_id, r.blocked, r.type, r.is_metapkg, g.name FROM group_req_listing r
     JOIN groups g ON g.id = r.req_id WHERE r.tag_id = ? AND ${eventClause('r', event)} ORDER BY r.group_id, r.req_id`,
    [tagId],
  );
}

export interface GroupConfigInput {
  blocked: boolean;
  exported: boolean;
  display_name: string;
  is_default: boolean | null;
  uservisible: boolean | null;
  description: string | null;
  langonly: string | null;
  biarchonly: boolean | null;
}

const flag = (v: boolean | null) => (v === null ? null : v ? 1 : 0);

/** Replace the tag's config for a group. */
export function putGroupConfig(store: Store, tagId: number, groupId: number, c: GroupConfigInput, event: number, user: number | null): void {
  revokeVersioned(store, 'group_config', { group_id: groupId, tag_id: tagId }, event, user);
  insertVersioned(
    store,
    'group_config',
    {
      group_id: groupId,
      tag_id: tagId,
      blocked: c.blocked ? 1 : 0,
      exported: c.exported ? 1 : 0,
      display_name: c.display_name,
      is_default: flag(c.is_default),
      uservisible: flag(c.uservisible),
      description: c.description,
      langonly: c.langonly,
      biarchonly: flag(c.biarchonly),
    },
    event,
    user,
  );
}

/** The active config row of a group directly in a tag (no inheritance). */
export function directGroupConfig(store: Store, tagId: number, groupId: number): { blocked: number } | null {
  return store.get('SELECT blocked FROM group_config WHERE tag_id = ? AND group_id = ? AND active = 1', [tagId, groupId]);
}

export function revokeGroupConfig(store: Store, tagId: number, groupId: number, event: number, user: number | null): number {
  return revokeVersioned(store, 'group_config', { group_id: groupId, tag_id: tagId }, event, user);
}

export function putGroupPackage(
  store: Store,
  tagId: number,
  groupId: number,
  pkg: string,
  c: { blocked: boolean; type: string; basearchonly: boolean | null; requires: string | null },
  event: number,
  user: number | null,
): void {
  revokeVersioned(store, 'group_package_listing', { group_id: groupId, tag_id: tagId, package: pkg }, event, user);
  insertVersioned(
    store,
    'group_package_listing',
    { group_id: groupId, tag_id: tagId, package: pkg, blocked: c.blocked ? 1 : 0, type: c.type, basearchonly: flag(c.basearchonly), requires: c.requires },
    event,
    user,
  );
}

export function directGroupPackage(store: Store, tagId: number, groupId: number, pkg: string): { blocked: number } | null {
  return store.get('SELECT blocked FROM group_package_listing WHERE tag_id = ? AND group_id = ? AND package = ? AND active = 1', [tagId, groupId, pkg]);
}

export function revokeGroupPackage(store: Store, tagId: number, groupId: number, pkg: string, event: number, user: number | null): number {
  return revokeVersioned(store, 'group_package_listing', { group_id: groupId, tag_id: tagId, package: pkg }, event, user);
}

export function putGroupReq(
  store: Store,
  tagId: number,
  groupId: number,
  reqId: number,
  c: { blocked: boolean; type: string; is_metapkg: boolean },
  event: number,
  user: number | null,
): void {
  revokeVersioned(store, 'group_req_listing', { group_id: groupId, tag_id: tagId, req_id: reqId }, event, user);
  insertVersioned(
    store,
    'group_req_listing',
    { group_id: groupId, tag_id: tagId, req_id: reqId, blocked: c.blocked ? 1 : 0, type: c.type, is_metapkg: c.is_metapkg ? 1 : 0 },
    event,
    user,
  );
}

export function directGroupReq(store: Store, tagId: number, groupId: number, reqId: number): { blocked: number } | null {
  return store.get('SELECT blocked FROM group_req_listing WHERE tag_id = ? AND group_id = ? AND req_id = ? AND active = 1', [tagId, groupId, reqId]);
}

export function revokeGroupReq(store: Store, tagId: number, groupId: number, reqId: number, event: number, user: number | null): number {
  return revokeVersioned(store, 'group_req_listing', { group_id: groupId, tag_id: tagId, req_id: reqId }, event, user);
}
