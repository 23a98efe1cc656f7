/**
 * @module
 * Sessions and password login. A session key is `<user id>-<19 letters>`;
 * clients send id, key and a call number in Koji-Session-* headers (or the
 * legacy query arguments). Passwords are Bun.password hashes.
 */
import { AuthError, KojiError } from '../core/faults.ts';
import { AUTHTYPES, USER_STATUS, USERTYPES } from '../core/states.ts';
import { now } from '../core/time.ts';
import type { Store } from '../store/db.ts';
import { closeSession, findSession, insertSession, renewSession, setCallnum, type SessionRow } from '../store/sessions.ts';
import { findUser } from '../store/users.ts';
import { hostIdForUser } from '../store/hosts.ts';
import type { Session } from './context.ts';

const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomKey(userId: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(19));
  let s = '';
  for (const b of bytes) s += KEY_CHARS[b % KEY_CHARS.length];
  return `${userId}-${s}`;
}

export interface SessionCredentials {
  id: number;
  key: string;
  callnum: number | null;
}

/** Read session credentials from Koji-Session-* headers or legacy query args. */
export function credentialsFrom(headers: Headers, query: URLSearchParams, allowUrl: boolean): SessionCredentials | null {
  let id = headers.get('koji-session-id');
  let key = headers.get('koji-session-key');
  let callnum = headers.get('koji-session-callnum') ?? headers.get('koji-callnum');
  if ((!id || !key) && allowUrl) {
    id = query.get('session-id');
    key = query.get('session-key');
    callnum = query.get('callnum');
  }
  if (!id || !key) return null;
  const n = Number(id);
  if (!Number.isInteger(n)) throw AuthError('Invalid session or bad credentials');
  return { id: n, key, callnum: callnum === null || callnum === '' ? null : Number(callnum) };
}

export interface SessionPolicy {
  renewalTimeoutMinutes: number;
  checkClientIP: boolean;
}

/**
 * Validate credentials (inside the call's transaction). `method` decides the
 * exemptions Koji makes: login may renew an expired session and the host's
 * polling calls skip the call-number check.
 */
export function validateSession(
  store: Store,
  cred: SessionCredentials,
  remoteAddr: string,
  policy: SessionPolicy,
  opts: { allowExpired: boolean; skipCallnum: boolean },
): { session: Session; row: SessionRow } {
  const row = findSession(store, cred.id);
  if (!row || row.key !== cred.key || row.closed) throw AuthError('Invalid session or bad credentials');
  if (policy.checkClientIP && row.hostip && row.hostip !== remoteAddr) throw AuthError('Invalid session or bad credentials');
  const user = findUser(store, row.user_id);
  if (!user) throw AuthError('Invalid session or bad credentials');
  if (user.status === USER_STATUS.BLOCKED) throw AuthError(`logins by ${user.name} are not allowed`);
  const t = now();
  const started = row.renew_time ?? row.start_time;
  if (!opts.allowExpired && (row.expired || t - started > policy.renewalTimeoutMinutes * 60)) {
    store.run('UPDATE sessions SET expired = 1 WHERE id = ?', [row.id]);
    throw new KojiError('AuthExpired', `session "${row.id}" has expired`);
  }
  if (!opts.skipCallnum && cred.callnum !== null && Number.isFinite(cred.callnum)) {
    if (row.callnum !== null) {
      if (cred.callnum < row.callnum) {
        throw new KojiError('SequenceError', `callnum ${cred.callnum} is out of sequence (expected ${row.callnum + 1})`);
      }
      if (cred.callnum === row.callnum) {
        throw new KojiError('RetryError', `callnum ${cred.callnum} has already been used`);
      }
    }
    setCallnum(store, row.id, cred.callnum, t);
  }
  return {
    row,
    session: {
      id: row.id,
      userId: user.id,
      userName: user.name,
      authtype: row.authtype,
      hostId: user.usertype === USERTYPES.HOST ? hostIdForUser(store, user.id) : null,
      callnum: cred.callnum,
    },
  };
}

/**
 * Passwords verified lately, by a keyed digest of (stored hash, password),
 * with the time each was verified. bcrypt costs ~60 ms of the hub's one
 * thread, and Koji's CLI logs in on every command, so a lab's scripts would
 * spend most of their time there (as Apache's mod_authn_socache exists to
 * avoid). Only successes are kept: a wrong password always pays the full
 * bcrypt cost. The stored hash is part of the key, so a changed password
 * never matches an old entry; the key is per process, so the digests are
 * worthless outside it.
 */
const verified = new Map<string, number>();
const VERIFIED_TTL_MS = 5 * 60_000;
const VERIFIED_MAX = 1000;
const verifiedKey = crypto.getRandomValues(new Uint8Array(32));

function verifiedDigest(hash: string, password: string): string {
  return new Bun.CryptoHasher('sha256', verifiedKey).update(hash).update('\0').update(password).digest('base64');
}

/** Check a password against the stored hash; a user without one cannot log in by password. */
export function verifyPassword(hash: string | null, password: string): boolean {
  if (!hash) return false;
  const digest = verifiedDigest(hash, password);
  const at = verified.get(digest);
  if (at !== undefined && Date.now() - at < VERIFIED_TTL_MS) return true;
  let ok: boolean;
  try {
    ok = Bun.password.verifySync(password, hash);
  } catch {
    ok = false;
  }
  verified.delete(digest);
  if (ok) {
    verified.set(digest, Date.now());
    // oldest first: Map keeps insertion order, and a re-verified entry was re-inserted
    if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  }
  return ok;
}

export function hashPassword(password: string): string {
  // bcrypt keeps logins fast enough for build hosts that log in often;
  // argon2id's default cost makes each login take ~50 ms.
  return Bun.password.hashSync(password, { algorithm: 'bcrypt', cost: 10 });
}

/** Password login: a new session for the user. */
export function passwordLogin(
  store: Store,
  user: string,
  password: string,
  hostip: string,
): { 'session-id': number; 'session-key': string; 'header-auth': boolean } {
  const row = findUser(store, user);
  if (!row || !verifyPassword(row.password, password)) throw AuthError('invalid username or password');
  if (row.status === USER_STATUS.BLOCKED) throw AuthError(`logins by ${row.name} are not allowed`);
  const key = randomKey(row.id);
  const id = insertSession(store, { userId: row.id, key, authtype: AUTHTYPES.NORMAL, hostip, time: now() });
  return { 'session-id': id, 'session-key': key, 'header-auth': true };
}

/** Renew an expired session in place: same id, new key (Koji 1.35's renew=True login). */
export function renewLogin(store: Store, sessionId: number): { 'session-id': number; 'session-key': string; 'header-auth': boolean } {
  const row = findSession(store, sessionId);
  if (!row) throw AuthError('Invalid session or bad credentials');
  const key = randomKey(row.user_id);
  renewSession(store, row.id, key, now());
  return { 'session-id': row.id, 'session-key': key, 'header-auth': true };
}

export function logoutSession(store: Store, sessionId: number): void {
  closeSession(store, sessionId);
}
