/**
 * @module
 * Build channels and which hosts are in them. Channel rows are edited in
 * place (as in Koji); host membership is versioned, so history can say who
 * put a host into a channel and when.
 */
import type { Store } from './db.ts';
import { eventClause, insertVersioned, revokeVersioned } from './versioned.ts';

export interface ChannelRow {
  id: number;
  name: string;
  description: string | null;
  enabled: number;
  comment: string | null;
}

const COLUMNS = 'c.id, c.name, c.description, c.enabled, c.comment';

export function findChannel(store: Store, ref: number | string): ChannelRow | null {
  return typeof ref === 'number'
    ? store.get<ChannelRow>(`SELECT ${COLUMNS} FROM channels c WHERE c.id = ?`, [ref])
    : store.get<ChannelRow>(`SELECT ${COLUMNS} FROM channels c WHERE c.name = ?`, [ref]);
}

/** All channels, or those of one host (as of `event`, else now); optionally only (not) enabled ones. */
export function listChannels(store: Store, opts: { hostId?: number | null; enabled?: boolean | null; event?: number | null } = {}): ChannelRow[] {
  const where: string[] = [];
  const params: number[] = [];
  let from = 'channels c';
  if (opts.hostId !== undefined && opts.hostId !== null) {
    from = 'host_channels hc JOIN channels c ON c.id = hc.channel_id';
    where.push(eventClause('hc', opts.event ?? null), 'hc.host_id = ?');
    params.push(opts.hostId);
  }
  if (opts.enabled !== undefined && opts.enabled !== null) where.push(opts.enabled ? 'c.enabled = 1' : 'c.enabled = 0');
  return store.all<ChannelRow>(`SELECT ${COLUMNS} FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY c.id`, params);
}

export function insertChannel(store: Store, name: string, description: string | null): number {
  return store.run('INSERT INTO channels (name, description) VALUES (?, ?)', [name, description]).lastId;
}

export function updateChannel(store: Store, id: number, fields: Partial<Pick<ChannelRow, 'name' | 'description' | 'comment' | 'enabled'>>): void {
  const keys = Object.keys(fields) as Array<keyof typeof fields>;
  if (!keys.length) return;
  store.run(`UPDATE channels SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => fields[k] ?? null), id]);
}

export function deleteChannel(store: Store, id: number): void {
  store.run('DELETE FROM host_channels WHERE channel_id = ?', [id]);
  store.run('DELETE FROM channels WHERE id = ?', [id]);
}

export function channelTaskCount(store: Store, id: number): number {
  return store.get<{ n: number }>('SELECT COUNT(*) AS n FROM task WHERE channel_id = ?', [id])!.n;
}

export function hostInChannel(store: Store, hostId: number, channelId: number): boolean {
  return !!store.get('SELECT 1 FROM host_channels WHERE host_id = ? AND channel_id = ? AND active = 1', [hostId, channelId]);
}

export function addHostToChannel(store: Store, hostId: number, channelId: number, event: number, creator: number | null): void {
  insertVersioned(store, 'host_channels', { host_id: hostId, channel_id: channelId }, event, creator);
}

export function removeHostFromChannel(store: Store, hostId: number, channelId: number, event: number, revoker: number | null): number {
  return revokeVersioned(store, 'host_channels', { host_id: hostId, channel_id: channelId }, event, revoker);
}

/** Ids of hosts currently in a channel. */
export function channelHostIds(store: Store, channelId: number): number[] {
  return store.all<{ id: number }>('SELECT host_id AS id FROM host_channels WHERE channel_id = ? AND active = 1 ORDER BY host_id', [channelId]).map((r) => r.id);
}
