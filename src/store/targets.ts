/**
 * @module
 * Build targets: a name table plus versioned config rows pointing at a
 * build tag and a destination tag. A target exists while it has an active
 * config row.
 */
import type { Params, Store } from './db.ts';
import { eventClause, insertVersioned, revokeVersioned } from './versioned.ts';

export interface TargetRow {
  id: number;
  name: string;
  build_tag: number;
  build_tag_name: string;
  dest_tag: number;
  dest_tag_name: string;
}

export interface TargetQuery {
  id?: number;
  name?: string;
  event?: number | null;
  buildTagId?: number | null;
  destTagId?: number | null;
}

export function queryTargets(store: Store, q: TargetQuery): TargetRow[] {
  const where = [eventClause('c', q.event ?? null)];
  const params: Params = [];
  if (q.id !== undefined) {
    where.push('bt.id = ?');
    params.push(q.id);
  }
  if (q.name !== undefined) {
    where.push('bt.name = ?');
    params.push(q.name);
  }
  if (q.buildTagId !== undefined) {
    // Koji compares with NULL here (an unknown tag name), which matches nothing
    where.push(q.buildTagId === null ? '0' : 'c.build_tag = ?');
    if (q.buildTagId !== null) params.push(q.buildTagId);
  }
  if (q.destTagId !== undefined) {
    where.push(q.destTagId === null ? '0' : 'c.dest_tag = ?');
    if (q.destTagId !== null) params.push(q.destTagId);
  }
  return store.all<TargetRow>(
    `SELECT bt.id, bt.name, c.build_tag, t1.name AS build_tag_name, c.dest_tag, t2.name AS dest_tag_name
     FROM build_target_config c JOIN build_target bt ON bt.id = c.build_target_id
     JOIN tag t1 ON t1.id = c.build_tag JOIN tag t2 ON t2.id = c.dest_tag
     WHERE ${where.join(' AND ')} ORDER BY bt.id`,
    params,
  );
}

/** The target name table entry (also for deleted targets). */
export function findTargetName(store: Store, ref: number | string): { id: number; name: string } | null {
  return typeof ref === 'number'
    ? store.get('SELECT id, name FROM build_target WHERE id = ?', [ref])
    : store.get('SELECT id, name FROM build_target WHERE name = ?', [ref]);
}

export function ensureTargetName(store: Store, name: string): number {
  const row = store.get<{ id: number }>('SELECT id FROM build_target WHERE name = ?', [name]);
  return row ? row.id : store.run('INSERT INTO build_target (name) VALUES (?)', [name]).lastId;
}

export function renameTarget(store: Store, id: number, name: string): void {
  store.run('UPDATE build_target SET name = ? WHERE id = ?', [name, id]);
}

export function putTargetConfig(store: Store, id: number, buildTag: number, destTag: number, event: number, user: number | null): void {
  revokeVersioned(store, 'build_target_config', { build_target_id: id }, event, user);
  insertVersioned(store, 'build_target_config', { build_target_id: id, build_tag: buildTag, dest_tag: destTag }, event, user);
}

export function revokeTargetConfig(store: Store, id: number, event: number, user: number | null): number {
  return revokeVersioned(store, 'build_target_config', { build_target_id: id }, event, user);
}
