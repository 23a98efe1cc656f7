/**
 * @module
 * Events: every change to versioned data is stamped with one, so the hub
 * can answer "as of event E" and tell whether a repo is current.
 */
import type { Store } from './db.ts';
import { now } from '../core/time.ts';

export function createEvent(store: Store): number {
  return store.run('INSERT INTO events (time) VALUES (?)', [now()]).lastId;
}

export function getEvent(store: Store, id: number): { id: number; ts: number } | null {
  const r = store.get<{ id: number; time: number }>('SELECT id, time FROM events WHERE id = ?', [id]);
  return r ? { id: r.id, ts: r.time } : null;
}

/** Newest event, optionally the newest before a time (getLastEvent(before=ts)). */
export function lastEvent(store: Store, before?: number | null): { id: number; ts: number } | null {
  const r =
    before === undefined || before === null
      ? store.get<{ id: number; time: number }>('SELECT id, time FROM events ORDER BY id DESC LIMIT 1')
      : store.get<{ id: number; time: number }>('SELECT id, time FROM events WHERE time < ? ORDER BY id DESC LIMIT 1', [before]);
  return r ? { id: r.id, ts: r.time } : null;
}
