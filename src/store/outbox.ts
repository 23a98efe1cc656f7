/**
 * @module
 * The message outbox: bus messages written in the same transaction as the
 * change they report, read back in id order by the sender and deleted once
 * a broker has accepted them. Messages a broker rejects move to
 * outbox_rejected (created by the protonmsg plugin's migration) so they can
 * be inspected without holding up the rest.
 */
import type { Store } from './db.ts';

export interface OutboxRow {
  id: number;
  /** Full address including the topic prefix, e.g. `topic://koji.build.tag`. */
  address: string;
  /** JSON text of the application properties. */
  props: string;
  /** The message body (JSON text). */
  body: string;
  message_id: string;
  /** Epoch seconds. */
  created: number;
  tries: number;
}

export interface NewOutboxRow {
  address: string;
  props: string;
  body: string;
  messageId: string;
  created: number;
}

/** The plugin migration that adds the table of rejected messages. */
export const OUTBOX_REJECTED_SQL = `
CREATE TABLE outbox_rejected (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL,
  props TEXT NOT NULL,
  body TEXT NOT NULL,
  message_id TEXT NOT NULL,
  created REAL NOT NULL,
  rejected REAL NOT NULL,
  reason TEXT
);
`;

export function insertOutbox(store: Store, m: NewOutboxRow): number {
  return store.run(
    'INSERT INTO outbox (address, props, body, message_id, created, tries) VALUES (?, ?, ?, ?, ?, 0)',
    [m.address, m.props, m.body, m.messageId, m.created],
  ).lastId;
}

/** Up to `limit` rows with id above `afterId`, oldest first. */
export function outboxAfter(store: Store, afterId: number, limit: number): OutboxRow[] {
  return store.all<OutboxRow>('SELECT * FROM outbox WHERE id > ? ORDER BY id LIMIT ?', [afterId, limit]);
}

export function outboxCount(store: Store): number {
  return store.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox')?.n ?? 0;
}

/** Whether any row waits; cheaper than counting on every wake-up. */
export function outboxHasRows(store: Store): boolean {
  return store.get('SELECT 1 AS x FROM outbox LIMIT 1') !== null;
}

export function deleteOutbox(store: Store, ids: number[]): number {
  if (!ids.length) return 0;
  let min = Infinity;
  let max = -Infinity;
  for (const id of ids) {
    if (id < min) min = id;
    if (id > max) max = id;
  }
  return store.tx(() => {
    // The usual case, a run of consecutive ids settled in order, is one
    // statement; the set is then exactly the range, whatever else the table holds.
    if (new Set(ids).size === max - min + 1) return store.run('DELETE FROM outbox WHERE id >= ? AND id <= ?', [min, max]).changes;
    // Otherwise one prepared statement per row, rather than an IN list whose
    // length would make a new statement (and cache entry) per batch size.
    let n = 0;
    for (const id of ids) n += store.run('DELETE FROM outbox WHERE id = ?', [id]).changes;
    return n;
  });
}

/** Creation time of the oldest row, or null when the outbox is empty. */
export function oldestOutboxCreated(store: Store): number | null {
  return store.get<{ created: number }>('SELECT created FROM outbox ORDER BY id LIMIT 1')?.created ?? null;
}

/** Drops rows created before `before` (epoch seconds); returns how many. */
export function deleteOutboxBefore(store: Store, before: number): number {
  return store.tx(() => store.run('DELETE FROM outbox WHERE created < ?', [before]).changes);
}

/** Drops every row up to and including `maxId` (queue disabled, send failed). */
export function deleteOutboxUpTo(store: Store, maxId: number): number {
  return store.tx(() => store.run('DELETE FROM outbox WHERE id <= ?', [maxId]).changes);
}

/** Counts a delivery attempt of the given rows. */
export function markOutboxTried(store: Store, ids: number[]): void {
  store.tx(() => {
    for (const id of ids) store.run('UPDATE outbox SET tries = tries + 1 WHERE id = ?', [id]);
  });
}

/** Moves a rejected message aside, keeping the broker's reason. */
export function rejectOutbox(store: Store, id: number, reason: string, now: number): void {
  store.tx(() => {
    store.run(
      `INSERT INTO outbox_rejected (address, props, body, message_id, created, rejected, reason)
       SELECT address, props, body, message_id, created, ?, ? FROM outbox WHERE id = ?`,
      [now, reason, id],
    );
    store.run('DELETE FROM outbox WHERE id = ?', [id]);
  });
}

export function rejectedOutbox(store: Store): Array<OutboxRow & { rejected: number; reason: string | null }> {
  return store.all('SELECT * FROM outbox_rejected ORDER BY id');
}
