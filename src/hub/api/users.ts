/**
 * @module
 * Login, users, groups and permissions. Koji has no call to set a password
 * (it uses Kerberos or certificates); kojibox stores bcrypt hashes and adds
 * `password` to createUser/editUser plus changePassword for one's own.
 */
import { AuthError, GenericError, ParameterError } from '../../core/faults.ts';
import { USER_STATUS, USERTYPES } from '../../core/states.ts';
import { verifyNameInternal, verifyNameUser } from '../../core/names.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, asOptString, asString, isStruct } from '../rpc/args.ts';
import { hashPassword, logoutSession, passwordLogin, renewLogin, verifyPassword } from '../auth.ts';
import type { CallContext } from '../context.ts';
import * as users from '../../store/users.ts';
import { closeUserSessions } from '../../store/sessions.ts';

/** Look a user up by id, name, Kerberos principal or dict, as Koji's get_user does. */
export function lookupUser(ctx: CallContext, info: unknown, strict = false): users.UserRow | null {
  let row: users.UserRow | null = null;
  if (info === null || info === undefined) {
    if (!ctx.session) throw GenericError('No user provided');
    row = users.findUser(ctx.store, ctx.session.userId);
  } else if (typeof info === 'number') row = users.findUser(ctx.store, info);
  else if (typeof info === 'string') row = users.findUser(ctx.store, info) ?? users.findUserByPrincipal(ctx.store, info);
  else if (isStruct(info)) {
    if (info.id !== undefined && info.id !== null) {
      if (typeof info.id !== 'number') throw GenericError(`Invalid type for userid: ${typeof info.id}`);
      row = users.findUser(ctx.store, info.id);
    } else if (typeof info.name === 'string') row = users.findUser(ctx.store, info.name);
    else if (typeof info.krb_principal === 'string') row = users.findUserByPrincipal(ctx.store, info.krb_principal);
  } else throw GenericError(`Invalid type for userInfo: ${typeof info}`);
  if (!row && strict) throw GenericError(`No such user: ${typeof info === 'object' ? JSON.stringify(info) : String(info)}`);
  return row;
}

export function userShape(ctx: CallContext, u: users.UserRow, withPrincipals = true, withGroups = false) {
  const out: Record<string, unknown> = { id: u.id, name: u.name, status: u.status, usertype: u.usertype };
  if (withPrincipals) out.krb_principals = users.userPrincipals(ctx.store, u.id);
  if (withGroups) out.groups = users.userGroupNames(ctx.store, u.id);
  return out;
}

function lookupPerm(ctx: CallContext, name: string, create: boolean, description: string | null) {
  const perm = users.findPerm(ctx.store, name);
  if (perm) return perm;
  if (!create) throw GenericError(`No such permission: ${name}`);
  verifyNameInternal(name);
  const id = users.createPerm(ctx.store, name, description);
  return { id, name, description };
}

export const userMethods: ApiMethod[] = [
  api('login(username, password, opts=None, renew=False, exclusive=None)', 'Log in with a password; returns session-id, session-key and header-auth.', { access: 'anon' }, (ctx, a) => {
    if (asBool(a.renew)) {
      const s = ctx.requireLogin();
      const user = users.findUser(ctx.store, s.userId);
      if (!user || user.name !== a.username || !verifyPassword(user.password, String(a.password))) {
        throw AuthError('invalid username or password');
      }
      return renewLogin(ctx.store, s.id);
    }
    if (ctx.session) throw AuthError('Already logged in');
    const opts = isStruct(a.opts) ? a.opts : {};
    const hostip = typeof opts.hostip === 'string' ? opts.hostip : ctx.remoteAddr;
    return passwordLogin(ctx.store, asString(a.username, 'username'), asString(a.password, 'password'), hostip);
  }),
  api('sslLogin(proxyuser=None, proxyauthtype=None)', 'Certificate login; kojibox hubs use password login.', { access: 'anon' }, () => {
    throw AuthError('SSL authentication is not configured on this hub; use password login');
  }),
  api('logout(session_id=None)', 'Close the current session (or, for admins, the given one) and its subsessions.', { access: 'anon' }, (ctx, a) => {
    const s = ctx.session;
    if (!s) throw AuthError('Not logged in');
    if (a.session_id !== null && a.session_id !== s.id) {
      if (!ctx.isAdmin) throw GenericError('Only admins can log out other sessions');
      logoutSession(ctx.store, Number(a.session_id));
      return null;
    }
    logoutSession(ctx.store, s.id);
    return null;
  }),
  api('getLoggedInUser()', 'The logged-in user as getUser returns it, plus authtype; None when anonymous.', { access: 'anon' }, (ctx) => {
    if (!ctx.session) return null;
    const u = users.findUser(ctx.store, ctx.session.userId);
    if (!u) return null;
    const out = userShape(ctx, u);
    out.authtype = ctx.session.authtype;
    const princs = out.krb_principals as string[];
    out.krb_principal = princs.length ? princs[0] : null;
    return out;
  }),
  api('getUser(userInfo=None, strict=False, krb_princs=True, groups=False)', 'A user by id, name, principal or dict: {id, name, status, usertype, krb_principals}.', { access: 'anon' }, (ctx, a) => {
    const u = lookupUser(ctx, a.userInfo, asBool(a.strict));
    return u ? userShape(ctx, u, asBool(a.krb_princs), asBool(a.groups)) : null;
  }),
  api('listUsers(userType=0, prefix=None, queryOpts=None, perm=None, inherited_perm=False)', 'Users of a type (0 normal, 1 host, 2 group), optionally by name prefix or permission.', { access: 'anon' }, (ctx, a) => {
    if (asBool(a.inherited_perm) && !a.perm) throw GenericError('inherited_perm option must be used with perm option');
    const types = a.userType === null ? null : Array.isArray(a.userType) ? a.userType : [a.userType];
    if (types && !types.every((t: unknown) => typeof t === 'number')) throw ParameterError('userType must be integer, list, tuple or None');
    let rows = users.listUsers(ctx.store, { prefix: asOptString(a.prefix, 'prefix') });
    if (types) rows = rows.filter((u) => types.includes(u.usertype));
    if (a.perm) {
      rows = rows.filter((u) =>
        (asBool(a.inherited_perm) ? users.userPermNames(ctx.store, u.id) : users.directPermNames(ctx.store, u.id)).includes(String(a.perm)),
      );
    }
    return rows.map((u) => userShape(ctx, u));
  }),
  api('createUser(username, status=None, krb_principal=None, password=None)', 'Add a user (admin). kojibox addition: password, stored hashed.', { access: 'admin' }, (ctx, a) => {
    const name = verifyNameUser(a.username, a.krb_principal);
    if (users.findUser(ctx.store, name)) throw GenericError(`user already exists: ${name}`);
    if (a.krb_principal && users.findUserByPrincipal(ctx.store, a.krb_principal)) {
      throw GenericError(`user with this Kerberos principal already exists: ${a.krb_principal}`);
    }
    const status = a.status === null ? USER_STATUS.NORMAL : Number(a.status);
    if (!(status in USER_STATUS.names)) throw GenericError(`Invalid status: ${a.status}`);
    const pw = asOptString(a.password, 'password');
    const id = users.insertUser(ctx.store, { name, password: pw ? hashPassword(pw) : null, status, usertype: USERTYPES.NORMAL });
    if (a.krb_principal) users.addPrincipal(ctx.store, id, a.krb_principal);
    return id;
  }),
  api('editUser(userInfo, name=None, krb_principal_mappings=None, password=None)', 'Rename a user, remap principals, or (kojibox) set a password (admin).', { access: 'admin' }, (ctx, a) => {
    const u = lookupUser(ctx, a.userInfo, true)!;
    if (a.name !== null && a.name !== u.name) {
      verifyNameUser(a.name);
      if (users.findUser(ctx.store, a.name)) throw GenericError(`Name ${a.name} already taken by user`);
      users.updateUser(ctx.store, u.id, { name: a.name });
    }
    if (a.krb_principal_mappings !== null) {
      if (!Array.isArray(a.krb_principal_mappings)) throw ParameterError('krb_principal_mappings must be a list');
      for (const m of a.krb_principal_mappings) {
        if (!isStruct(m)) throw ParameterError('krb_principal_mappings entries must be dicts with old and new');
        if (m.old) users.removePrincipal(ctx.store, u.id, String(m.old));
        if (m.new) users.addPrincipal(ctx.store, u.id, String(m.new));
      }
    }
    const pw = asOptString(a.password, 'password');
    if (pw !== null) {
      users.updateUser(ctx.store, u.id, { password: hashPassword(pw) });
      closeUserSessions(ctx.store, u.id);
    }
    return null;
  }),
  api('changePassword(old_password, new_password)', 'kojibox: change the logged-in user\'s own password; other sessions are closed.', { access: 'login' }, (ctx, a) => {
    const s = ctx.requireLogin();
    const u = users.findUser(ctx.store, s.userId)!;
    if (!verifyPassword(u.password, asString(a.old_password, 'old_password'))) throw AuthError('invalid username or password');
    const pw = asString(a.new_password, 'new_password');
    if (pw.length < 8) throw GenericError('password must have at least 8 characters');
    users.updateUser(ctx.store, u.id, { password: hashPassword(pw) });
    closeUserSessions(ctx.store, u.id, s.id);
    return null;
  }),
  api('enableUser(username)', 'Allow logins by a user (admin).', { access: 'admin' }, (ctx, a) => {
    const u = lookupUser(ctx, a.username);
    if (!u) throw GenericError(`No such user: ${a.username}`);
    users.updateUser(ctx.store, u.id, { status: USER_STATUS.NORMAL });
  }),
  api('disableUser(username)', 'Block logins by a user (admin).', { access: 'admin' }, (ctx, a) => {
    const u = lookupUser(ctx, a.username);
    if (!u) throw GenericError(`No such user: ${a.username}`);
    users.updateUser(ctx.store, u.id, { status: USER_STATUS.BLOCKED });
    closeUserSessions(ctx.store, u.id);
  }),
  api('addUserKrbPrincipal(user, krb_principal)', 'Add a Kerberos principal to a user (admin).', { access: 'admin' }, (ctx, a) => {
    const u = lookupUser(ctx, a.user, true)!;
    verifyNameUser(u.name, a.krb_principal);
    if (users.findUserByPrincipal(ctx.store, a.krb_principal)) throw GenericError(`user with this Kerberos principal already exists: ${a.krb_principal}`);
    users.addPrincipal(ctx.store, u.id, a.krb_principal);
    return u.id;
  }),
  api('removeUserKrbPrincipal(user, krb_principal)', 'Remove a Kerberos principal from a user (admin).', { access: 'admin' }, (ctx, a) => {
    const u = lookupUser(ctx, a.user, true)!;
    if (!a.krb_principal) throw GenericError('krb_principal must be specified');
    if (!users.removePrincipal(ctx.store, u.id, a.krb_principal)) throw GenericError(`Cannot remove non-existent Kerberos principals: ${a.krb_principal}`);
    return u.id;
  }),
  api('grantPermission(userinfo, permission, create=False, description=None)', 'Grant a permission to a user (admin).', { access: 'admin' }, (ctx, a) => {
    const create = asBool(a.create);
    if (a.description !== null && !create) throw GenericError('Description should be specified only with create.');
    const u = lookupUser(ctx, a.userinfo, true)!;
    const perm = lookupPerm(ctx, asString(a.permission, 'permission'), create, asOptString(a.description, 'description'));
    if (create && a.description !== null) users.setPermDescription(ctx.store, perm.id, a.description);
    if (users.hasDirectPerm(ctx.store, u.id, perm.id)) throw GenericError(`user ${a.userinfo} already has permission: ${perm.name}`);
    users.grantPerm(ctx.store, u.id, perm.id, ctx.event(), ctx.userId);
    ctx.invalidatePerms();
  }),
  api('revokePermission(userinfo, permission)', 'Revoke a permission from a user (admin).', { access: 'admin' }, (ctx, a) => {
    const u = lookupUser(ctx, a.userinfo, true)!;
    const perm = lookupPerm(ctx, asString(a.permission, 'permission'), false, null);
    if (!users.hasDirectPerm(ctx.store, u.id, perm.id)) throw GenericError(`user ${a.userinfo} does not have permission: ${perm.name}`);
    users.revokePerm(ctx.store, u.id, perm.id, ctx.event(), ctx.userId);
    ctx.invalidatePerms();
  }),
  api('editPermission(permission, description)', 'Change a permission\'s description (admin).', { access: 'admin' }, (ctx, a) => {
    const perm = lookupPerm(ctx, asString(a.permission, 'permission'), false, null);
    users.setPermDescription(ctx.store, perm.id, asString(a.description, 'description'));
  }),
  api('getAllPerms()', 'All permissions: [{id, name, description}].', { access: 'anon' }, (ctx) => users.allPerms(ctx.store)),
  api('getPerms()', 'Permission names of the logged-in user.', { access: 'anon' }, (ctx) => [...ctx.perms()].sort()),
  api('getUserPerms(userID=None, with_groups=True)', 'Permission names of a user (with those from groups unless with_groups is False).', { access: 'anon' }, (ctx, a) => {
    const u = lookupUser(ctx, a.userID, true)!;
    return asBool(a.with_groups) ? users.userPermNames(ctx.store, u.id) : users.directPermNames(ctx.store, u.id);
  }),
  api('getUserPermsInheritance(userID)', 'A user\'s permissions with their sources: {perm: [None for a direct grant, or the granting group\'s name, ...]}.', { access: 'anon' }, (ctx, a) => {
    const u = lookupUser(ctx, a.userID, true)!;
    const out: Record<string, Array<string | null>> = {};
    for (const r of users.permSources(ctx.store, u.id)) (out[r.name] ??= []).push(r.group);
    return out;
  }),
  api('hasPerm(perm, strict=False)', 'Whether the logged-in user has a permission (admin has all unless strict).', { access: 'anon' }, (ctx, a) => {
    if (asBool(a.strict) && !users.findPerm(ctx.store, String(a.perm))) throw GenericError(`No such permission ${a.perm} defined`);
    return ctx.hasPerm(asString(a.perm, 'perm'), asBool(a.strict));
  }),
  api('newGroup(name)', 'Create a user group (admin).', { access: 'admin' }, (ctx, a) => {
    const name = verifyNameUser(a.name);
    if (users.findUser(ctx.store, name)) throw GenericError(`user/group already exists: ${name}`);
    return users.insertUser(ctx.store, { name, password: null, status: USER_STATUS.NORMAL, usertype: USERTYPES.GROUP });
  }),
  api('addGroupMember(group, user, strict=True)', 'Add a user to a group (admin).', { access: 'admin' }, (ctx, a) => {
    const g = lookupUser(ctx, a.group, true)!;
    if (g.usertype !== USERTYPES.GROUP) throw GenericError(`Not a group: ${g.name}`);
    const u = lookupUser(ctx, a.user, true)!;
    if (u.usertype === USERTYPES.GROUP) throw GenericError('Groups cannot be members of other groups');
    if (users.groupMembers(ctx.store, g.id).some((m) => m.id === u.id)) {
      if (asBool(a.strict)) throw GenericError(`User already in group: ${u.name}`);
      return null;
    }
    users.addGroupMember(ctx.store, g.id, u.id, ctx.event(), ctx.userId);
  }),
  api('dropGroupMember(group, user)', 'Remove a user from a group (admin).', { access: 'admin' }, (ctx, a) => {
    const g = lookupUser(ctx, a.group, true)!;
    if (g.usertype !== USERTYPES.GROUP) throw GenericError(`Not a group: ${g.name}`);
    const u = lookupUser(ctx, a.user, true)!;
    if (!users.removeGroupMember(ctx.store, g.id, u.id, ctx.event(), ctx.userId)) throw GenericError(`No such user in group: ${u.name}`);
  }),
  api('getGroupMembers(group)', 'Members of a group.', { access: 'anon' }, (ctx, a) => {
    const g = lookupUser(ctx, a.group, true)!;
    if (g.usertype !== USERTYPES.GROUP) throw GenericError(`Not a group: ${g.name}`);
    return users.groupMembers(ctx.store, g.id).map((u) => userShape(ctx, u));
  }),
  api('getUserGroups(user)', 'Groups of a user: [{id, name}].', { access: 'anon' }, (ctx, a) => {
    const u = lookupUser(ctx, a.user, true)!;
    return users.userGroups(ctx.store, u.id);
  }),
];
