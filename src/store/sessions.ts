/**
 * @module
 * Login sessions (Koji's sessions table).
 */
import type { Store } from './db.ts';

export interface SessionRow {
  id: number;
  user_id: number;
  key: string;
  authtype: number;
  hostip: string | null;
  callnum: number | null;
  start_time: number;
  update_time: number;
  renew_time: number | null;
  exclusive: number | null;
  master: number | null;
  closed: number;
  expired: number;
}

export function insertSession(
  store: Store,
  s: { userId: number; key: string; authtype: number; hostip: string | null; time: number; master?: number | null },
): number {
  return store.run(
    'INSERT INTO sessions (user_id, key, authtype, hostip, callnum, start_time, update_time, master) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)',
    [s.userId, s.key, s.authtype, s.hostip, s.time, s.time, s.master ?? null],
  ).lastId;
}

export function findSession(store: Store, id: number): SessionRow | null {
  return store.get<SessionRow>('SELECT * FROM sessions WHERE id = ?', [id]);
}

export function setCallnum(store: Store, id: number, callnum: number, time: number): void {
  store.run('UPDATE sessions SET callnum = ?, update_time = ? WHERE id = ?', [callnum, time, id]);
}

export function renewSession(store: Store, id: number, key: string, time: number): void {
  store.run('UPDATE sessions SET key = ?, renew_time = ?, update_time = ?, callnum = NULL, expired = 0 WHERE id = ?', [key, time, time, id]);
}

/** Close a session and its subsessions. */
export function closeSession(store: Store, id: number): void {
  store.run('UPDATE sessions SET closed = 1 WHERE id = ? OR master = ?', [id, id]);
}

/** Close every session of a user, except `keep` (the caller's own, on a password change). */
export function closeUserSessions(store: Store, userId: number, keep: number | null = null): void {
  store.run('UPDATE sessions SET closed = 1 WHERE user_id = ? AND id IS NOT ?', [userId, keep]);
}
