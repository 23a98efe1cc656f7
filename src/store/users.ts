/**
 * @module
 * Users, permissions and group membership.
 */
import type { Store } from './db.ts';
import { insertVersioned, revokeVersioned } from './versioned.ts';

export interface UserRow {
  id: number;
  name: string;
  password: string | null;
  status: number;
  usertype: number;
}

export function findUser(store: Store, ref: number | string): UserRow | null {
  return typeof ref === 'number'
    ? store.get<UserRow>('SELECT * FROM users WHERE id = ?', [ref])
    : store.get<UserRow>('SELECT * FROM users WHERE name = ?', [ref]);
}

export function findUserByPrincipal(store: Store, principal: string): UserRow | null {
  return store.get<UserRow>(
    'SELECT u.* FROM users u JOIN user_krb_principals k ON k.user_id = u.id WHERE k.krb_principal = ?',
    [principal],
  );
}

export function userPrincipals(store: Store, userId: number): string[] {
  return store.all<{ p: string }>('SELECT krb_principal AS p FROM user_krb_principals WHERE user_id = ? ORDER BY p', [userId]).map((r) => r.p);
}

export function insertUser(store: Store, u: { name: string; password: string | null; status: number; usertype: number }): number {
  return store.run('INSERT INTO users (name, password, status, usertype) VALUES (?, ?, ?, ?)', [u.name, u.password, u.status, u.usertype]).lastId;
}

export function updateUser(store: Store, id: number, fields: Partial<Pick<UserRow, 'name' | 'password' | 'status'>>): void {
  const keys = Object.keys(fields) as Array<keyof typeof fields>;
  if (!keys.length) return;
  store.run(`UPDATE users SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => fields[k] ?? null), id]);
}

export function addPrincipal(store: Store, userId: number, principal: string): void {
  store.run('INSERT INTO user_krb_principals (user_id, krb_principal) VALUES (?, ?)', [userId, principal]);
}

export function removePrincipal(store: Store, userId: number, principal: string): number {
  return store.run('DELETE FROM user_krb_principals WHERE user_id = ? AND krb_principal = ?', [userId, principal]).changes;
}

export function listUsers(store: Store, filter: { usertype?: number | null; prefix?: string | null; status?: number | null }): UserRow[] {
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (filter.usertype !== undefined && filter.usertype !== null) {
    where.push('usertype = ?');
    params.push(filter.usertype);
  }
  if (filter.status !== undefined && filter.status !== null) {
    where.push('status = ?');
    params.push(filter.status);
  }
  if (filter.prefix) {
    where.push("name LIKE ? ESCAPE '\\'");
    params.push(filter.prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%');
  }
  return store.all<UserRow>(`SELECT * FROM users${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`, params);
}

/** Permission names a user holds directly or through a group. */
export function userPermNames(store: Store, userId: number): string[] {
  return store
    .all<{ name: string }>(
      `SELECT DISTINCT p.name FROM user_perms up JOIN permissions p ON p.id = up.perm_id
       WHERE up.active = 1 AND (up.user_id = ? OR up.user_id IN
         (SELECT group_id FROM user_groups WHERE user_id = ? AND active = 1))
       ORDER BY p.name`,
      [userId, userId],
    )
    .map((r) => r.name);
}

/** Permissions held directly (getUserPerms without inheritance). */
export function directPermNames(store: Store, userId: number): string[] {
  return store
    .all<{ name: string }>(
      'SELECT p.name FROM user_perms up JOIN permissions p ON p.id = up.perm_id WHERE up.active = 1 AND up.user_id = ? ORDER BY p.name',
      [userId],
    )
    .map((r) => r.name);
}

/**
 * Where a user's permissions come from: each held permission with the
 * group granting it, or null for a direct grant (one row per source).
 */
export function permSources(store: Store, userId: number): Array<{ name: string; group: string | null }> {
  const direct = store.all<{ name: string; group: string | null }>(
    'SELECT p.name, NULL AS "group" FROM user_perms up JOIN permissions p ON p.id = up.perm_id WHERE up.active = 1 AND up.user_id = ? ORDER BY p.name',
    [userId],
  );
  const viaGroups = store.all<{ name: string; group: string | null }>(
    `SELECT p.name, g.name AS "group" FROM user_groups ug JOIN user_perms up ON up.user_id = ug.group_id AND up.active = 1
     JOIN permissions p ON p.id = up.perm_id JOIN users g ON g.id = ug.group_id
     WHERE ug.active = 1 AND ug.user_id = ? ORDER BY p.name, g.name`,
    [userId],
  );
  return [...direct, ...viaGroups];
}

export function findPerm(store: Store, name: string): { id: number; name: string; description: string | null } | null {
  return store.get('SELECT id, name, description FROM permissions WHERE name = ?', [name]);
}

export function findPermById(store: Store, id: number): { id: number; name: string; description: string | null } | null {
  return store.get('SELECT id, name, description FROM permissions WHERE id = ?', [id]);
}

export function createPerm(store: Store, name: string, description: string | null): number {
  return store.run('INSERT INTO permissions (name, description) VALUES (?, ?)', [name, description]).lastId;
}

export function allPerms(store: Store): Array<{ id: number; name: string; description: string | null }> {
  return store.all('SELECT id, name, description FROM permissions ORDER BY id');
}

export function hasDirectPerm(store: Store, userId: number, permId: number): boolean {
  return !!store.get('SELECT 1 FROM user_perms WHERE user_id = ? AND perm_id = ? AND active = 1', [userId, permId]);
}

export function grantPerm(store: Store, userId: number, permId: number, event: number, creator: number | null): void {
  insertVersioned(store, 'user_perms', { user_id: userId, perm_id: permId }, event, creator);
}

export function revokePerm(store: Store, userId: number, permId: number, event: number, revoker: number | null): number {
  return revokeVersioned(store, 'user_perms', { user_id: userId, perm_id: permId }, event, revoker);
}

export function userGroupNames(store: Store, userId: number): string[] {
  return store
    .all<{ name: string }>(
      'SELECT g.name FROM user_groups ug JOIN users g ON g.id = ug.group_id WHERE ug.user_id = ? AND ug.active = 1 ORDER BY g.name',
      [userId],
    )
    .map((r) => r.name);
}

export function addGroupMember(store: Store, groupId: number, userId: number, event: number, creator: number | null): void {
  insertVersioned(store, 'user_groups', { user_id: userId, group_id: groupId }, event, creator);
}

export function removeGroupMember(store: Store, groupId: number, userId: number, event: number, revoker: number | null): number {
  return revokeVersioned(store, 'user_groups', { user_id: userId, group_id: groupId }, event, revoker);
}

export function groupMembers(store: Store, groupId: number): UserRow[] {
  return store.all<UserRow>(
    'SELECT u.* FROM user_groups ug JOIN users u ON u.id = ug.user_id WHERE ug.group_id = ? AND ug.active = 1 ORDER BY u.id',
    [groupId],
  );
}

export function userGroups(store: Store, userId: number): Array<{ id: number; name: string }> {
  return store.all(
    'SELECT g.id, g.name FROM user_groups ug JOIN users g ON g.id = ug.group_id WHERE ug.user_id = ? AND ug.active = 1 ORDER BY g.id',
    [userId],
  );
}

export function setPermDescription(store: Store, permId: number, description: string | null): void {
  store.run('UPDATE permissions SET description = ? WHERE id = ?', [description, permId]);
}
