/**
 * @module
 * Build hosts: the host row (name, user, check-in state) and its versioned
 * configuration (arches, capacity, description, comment, enabled), plus
 * the facts a host reports for the scheduler.
 */
import type { Store } from './db.ts';
import { eventClause, insertVersioned, revokeVersioned } from './versioned.ts';

export function hostIdForUser(store: Store, userId: number): number | null {
  return store.get<{ id: number }>('SELECT id FROM host WHERE user_id = ?', [userId])?.id ?? null;
}

/** A host as getHost/listHosts return it (before wire conversion). */
export interface HostRow {
  id: number;
  user_id: number;
  name: string;
  update_ts: number | null;
  ready: number;
  task_load: number;
  arches: string | null;
  capacity: number;
  description: string | null;
  comment: string | null;
  enabled: number;
}

export interface HostConfig {
  arches: string | null;
  capacity: number;
  description: string | null;
  comment: string | null;
  enabled: number;
}

const SELECT_HOST = `SELECT h.id, h.user_id, h.name, h.update_time AS update_ts, h.ready, h.task_load,
  hc.arches, hc.capacity, hc.description, hc.comment, hc.enabled
  FROM host_config hc JOIN host h ON h.id = hc.host_id`;

export function findHost(store: Store, ref: number | string, event: number | null = null): HostRow | null {
  const by = typeof ref === 'number' ? 'h.id = ?' : 'h.name = ?';
  return store.get<HostRow>(`${SELECT_HOST} WHERE ${eventClause('hc', event)} AND ${by}`, [ref]);
}

export interface HostFilter {
  arches?: string[] | null;
  channelId?: number | null;
  ready?: boolean | null;
  enabled?: boolean | null;
  userId?: number | null;
}

export function listHosts(store: Store, f: HostFilter = {}): HostRow[] {
  const where = ['hc.active = 1'];
  const params: Array<string | number> = [];
  let sql = SELECT_HOST;
  if (f.arches) {
    // whole words of the space-separated list, so ppc does not match ppc64
    where.push(`(${f.arches.map(() => "(' ' || hc.arches || ' ') LIKE ?").join(' OR ')})`);
    params.push(...f.arches.map((a) => `% ${a.replace(/[%_]/g, '')} %`));
  }
  if (f.channelId !== undefined && f.channelId !== null) {
    sql += ' JOIN host_channels ch ON ch.host_id = h.id AND ch.active = 1';
    where.push('ch.channel_id = ?');
    params.push(f.channelId);
  }
  if (f.ready !== undefined && f.ready !== null) where.push(f.ready ? 'h.ready = 1' : 'h.ready = 0');
  if (f.enabled !== undefined && f.enabled !== null) where.push(f.enabled ? 'hc.enabled = 1' : 'hc.enabled = 0');
  if (f.userId !== undefined && f.userId !== null) {
    where.push('h.user_id = ?');
    params.push(f.userId);
  }
  return store.all<HostRow>(`${sql} WHERE ${where.join(' AND ')} ORDER BY h.id`, params);
}

/** Turn a normal user into a host user (addHost with force). */
export function makeHostUser(store: Store, userId: number): void {
  store.run('UPDATE users SET usertype = 1 WHERE id = ?', [userId]);
}

export function insertHost(store: Store, userId: number, name: string): number {
  return store.run('INSERT INTO host (user_id, name) VALUES (?, ?)', [userId, name]).lastId;
}

/** Replace the host's current configuration with a new versioned row. */
export function setHostConfig(store: Store, hostId: number, config: HostConfig, event: number, user: number | null): void {
  revokeVersioned(store, 'host_config', { host_id: hostId }, event, user);
  insertVersioned(store, 'host_config', { host_id: hostId, ...config }, event, user);
}

/** A host's check-in: its load, whether it takes tasks, and when it last spoke. */
export function checkIn(store: Store, hostId: number, taskLoad: number, ready: boolean, time: number): void {
  store.run('UPDATE host SET task_load = ?, ready = ?, update_time = ? WHERE id = ?', [taskLoad, ready ? 1 : 0, time, hostId]);
}

/** Mark ready hosts that have not checked in since `cutoff` as not ready; returns their ids. */
export function markSilentHostsNotReady(store: Store, cutoff: number): number[] {
  const ids = store
    .all<{ id: number }>('SELECT id FROM host WHERE ready = 1 AND (update_time IS NULL OR update_time < ?)', [cutoff])
    .map((r) => r.id);
  if (ids.length) store.run('UPDATE host SET ready = 0 WHERE ready = 1 AND (update_time IS NULL OR update_time < ?)', [cutoff]);
  return ids;
}

export function getHostData(store: Store, hostId: number): Record<string, unknown> | null {
  const row = store.get<{ data: string }>('SELECT data FROM scheduler_host_data WHERE host_id = ?', [hostId]);
  return row ? (JSON.parse(row.data) as Record<string, unknown>) : null;
}

export function setHostData(store: Store, hostId: number, data: Record<string, unknown>): void {
  store.run(
    'INSERT INTO scheduler_host_data (host_id, data) VALUES (?, ?) ON CONFLICT (host_id) DO UPDATE SET data = excluded.data',
    [hostId, JSON.stringify(data)],
  );
}

/** Every arch named by an active host configuration. */
export function allHostArches(store: Store): string[] {
  const out = new Set<string>();
  for (const r of store.all<{ arches: string | null }>('SELECT arches FROM host_config WHERE active = 1')) {
    for (const a of (r.arches ?? '').split(/\s+/)) if (a) out.add(a);
  }
  return [...out];
}

/** Task methods reported by enabled hosts; null when no host has reported any yet. */
export function reportedMethods(store: Store): Set<string> | null {
  const rows = store.all<{ data: string }>(
    'SELECT d.data FROM scheduler_host_data d JOIN host_config hc ON hc.host_id = d.host_id AND hc.active = 1 WHERE hc.enabled = 1',
  );
  let seen = false;
  const out = new Set<string>();
  for (const r of rows) {
    const methods = (JSON.parse(r.data) as { methods?: unknown }).methods;
    if (!Array.isArray(methods)) continue;
    seen = true;
    for (const m of methods) if (typeof m === 'string') out.add(m);
  }
  return seen ? out : null;
}
