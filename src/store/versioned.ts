/**
 * @module
 * Helpers for versioned tables (create_event/revoke_event/active), Koji's
 * way of keeping history: a change revokes the current row and inserts a new
 * one; nothing is updated in place.
 */
import type { Params, Store } from './db.ts';

/** SQL condition selecting rows current at event `e` (or now, when e is null). */
export function eventClause(alias: string, e: number | null): string {
  const a = alias ? `${alias}.` : '';
  if (e === null) return `${a}active = 1`;
  const ev = Math.trunc(e);
  return `(${a}create_event <= ${ev} AND (${a}revoke_event IS NULL OR ${a}revoke_event > ${ev}))`;
}

export function insertVersioned(
  store: Store,
  table: string,
  row: Record<string, unknown>,
  event: number,
  creator: number | null,
): void {
  const cols = [...Object.keys(row), 'create_event', 'creator_id', 'active'];
  const vals = [...Object.values(row), event, creator, 1] as Params;
  store.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, vals);
}

/** Revoke the current rows matching `where` (column = value pairs); returns how many. */
export function revokeVersioned(
  store: Store,
  table: string,
  where: Record<string, unknown>,
  event: number,
  revoker: number | null,
): number {
  const keys = Object.keys(where);
  const cond = keys.map((k) => (where[k] === null ? `${k} IS NULL` : `${k} = ?`)).join(' AND ');
  const vals = keys.filter((k) => where[k] !== null).map((k) => where[k]);
  return store.run(
    `UPDATE ${table} SET revoke_event = ?, revoker_id = ?, active = NULL WHERE active = 1${cond ? ` AND ${cond}` : ''}`,
    [event, revoker, ...vals] as Params,
  ).changes;
}
