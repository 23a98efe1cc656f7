/**
 * @module
 * Build hosts and channels: adding and editing hosts (each host logs in as
 * its own user of type HOST), enabling them, putting them into channels,
 * and the channel list itself. The standard channels `default` and
 * `createrepo` exist from the start; others only when someone makes them.
 */
import { GenericError, ParameterError } from '../../core/faults.ts';
import { USER_STATUS, USERTYPES } from '../../core/states.ts';
import { isoTime } from '../../core/time.ts';
import { RpcDouble } from '../../core/xmlrpc.ts';
import { verifyNameInternal, verifyNameUser } from '../../core/names.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, asOptString } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import { applyQueryOpts, asEvent, nameOrId, pyRepr } from './common.ts';
import { lookupUser } from './users.ts';
import * as hosts from '../../store/hosts.ts';
import * as channels from '../../store/channels.ts';
import * as users from '../../store/users.ts';
import { channelShape, hostShape } from '../tasks/shape.ts';
import { normalizeArches } from '../tasks/create.ts';
import { announce } from '../tasks/events.ts';

/** A host by id, name or {id}/{name}; null (or Koji's error with strict) when missing. */
export function lookupHost(ctx: CallContext, info: unknown, strict = false, event: number | null = null): hosts.HostRow | null {
  const ref = nameOrId(info);
  const row = hosts.findHost(ctx.store, ref, event);
  if (!row && strict) throw GenericError(`Invalid hostInfo: ${typeof info === 'object' ? pyRepr(info) : String(info)}`);
  return row;
}

export function lookupChannel(ctx: CallContext, info: unknown, strict = false): channels.ChannelRow | null {
  const ref = nameOrId(info);
  const row = channels.findChannel(ctx.store, ref);
  if (!row && strict) throw GenericError(`No such channel: ${typeof info === 'object' ? pyRepr(info) : String(info)}`);
  return row;
}

function configOf(h: hosts.HostRow): hosts.HostConfig {
  return { arches: h.arches, capacity: h.capacity, description: h.description, comment: h.comment, enabled: h.enabled };
}

function setEnabled(ctx: CallContext, hostname: unknown, enabled: boolean): void {
  const host = lookupHost(ctx, hostname);
  if (!host) throw GenericError(`host does not exist: ${String(hostname)}`);
  hosts.setHostConfig(ctx.store, host.id, { ...configOf(host), enabled: enabled ? 1 : 0 }, ctx.event(), ctx.userId);
  announce(ctx, { hosts: [host.id] }, enabled);
}

function setChannelEnabled(ctx: CallContext, name: unknown, enabled: boolean, comment: unknown): void {
  const c = asOptString(comment, 'comment');
  const ch = lookupChannel(ctx, name);
  if (!ch) throw GenericError(`No such channel: ${String(name)}`);
  channels.updateChannel(ctx.store, ch.id, c === null ? { enabled: enabled ? 1 : 0 } : { enabled: enabled ? 1 : 0, comment: c });
  if (enabled) announce(ctx, {}, true);
}

/**
 * Create a host and its user (or take over an existing host user), in the
 * default channel. Used by addHost and by the all-in-one set-up.
 */
export function insertHost(ctx: CallContext, name: string, arches: string, opts: { krbPrincipal?: string | null; force?: boolean; capacity?: number } = {}): number {
  verifyNameInternal(name);
  verifyNameUser(name);
  if (hosts.findHost(ctx.store, name)) throw GenericError(`host already exists: ${name}`);
  const defaultChannel = channels.findChannel(ctx.store, 'default');
  if (!defaultChannel) throw GenericError('channel default does not exist');
  let user = users.findUser(ctx.store, name) ?? (opts.krbPrincipal ? users.findUserByPrincipal(ctx.store, opts.krbPrincipal) : null);
  if (user) {
    if (user.usertype !== USERTYPES.HOST) {
      if (opts.force && user.usertype === USERTYPES.NORMAL) hosts.makeHostUser(ctx.store, user.id);
      else throw GenericError(`user ${name} already exists and it is not a host`);
    }
  } else {
    const id = users.insertUser(ctx.store, { name, password: null, status: USER_STATUS.NORMAL, usertype: USERTYPES.HOST });
    if (opts.krbPrincipal) users.addPrincipal(ctx.store, id, opts.krbPrincipal);
    user = users.findUser(ctx.store, id)!;
  }
  const hostId = hosts.insertHost(ctx.store, user.id, name);
  const event = ctx.event();
  hosts.setHostConfig(ctx.store, hostId, { arches, capacity: opts.capacity ?? 2.0, description: null, comment: null, enabled: 1 }, event, ctx.userId);
  channels.addHostToChannel(ctx.store, hostId, defaultChannel.id, event, ctx.userId);
  return hostId;
}

/** Put a host into a channel, creating the channel when asked (add-host-to-channel --new). */
export function joinChannel(ctx: CallContext, host: hosts.HostRow, channelName: string, create: boolean, force: boolean): void {
  if (create) verifyNameInternal(channelName);
  let ch = lookupChannel(ctx, channelName);
  if (!ch && create) ch = channels.findChannel(ctx.store, channels.insertChannel(ctx.store, channelName, null));
  if (!ch) throw GenericError(`channel does not exist: ${channelName}`);
  if (!force && !ch.enabled) throw GenericError(`channel ${channelName} is disabled`);
  if (channels.hostInChannel(ctx.store, host.id, ch.id)) {
    throw GenericError(`host ${host.name} is already subscribed to the ${channelName} channel`);
  }
  channels.addHostToChannel(ctx.store, host.id, ch.id, ctx.event(), ctx.userId);
  announce(ctx, { hosts: [host.id] }, true);
}

function hostArches(value: unknown): string {
  if (Array.isArray(value)) return normalizeArches(value.map(String).join(' '));
  if (typeof value === 'string') return normalizeArches(value);
  throw ParameterError(`Invalid type for value '${String(value)}': expected a list of arches`);
}

export const hostMethods: ApiMethod[] = [
  api('addHost(hostname, arches, krb_principal=None, force=False)', 'Add a build host (and its user) with the given arches; it starts in the default channel. Returns the host id.', { access: 'login' }, (ctx, a) => {
    ctx.assertPerm('host');
    const arches = hostArches(a.arches);
    return insertHost(ctx, String(a.hostname), arches, { krbPrincipal: asOptString(a.krb_principal, 'krb_principal'), force: asBool(a.force) });
  }),
  api('editHost(hostInfo, **kw)', 'Change arches, capacity, description or comment of a host; True if anything changed.', { access: 'login' }, (ctx, a) => {
    ctx.assertPerm('host');
    const host = lookupHost(ctx, a.hostInfo, true)!;
    const kw = a.kw as Record<string, unknown>;
    const config = configOf(host);
    let changed = false;
    for (const field of ['arches', 'capacity', 'description', 'comment'] as const) {
      if (!(field in kw) || kw[field] === config[field]) continue;
      const v = kw[field];
      if (field === 'capacity') {
        const n = v instanceof RpcDouble ? v.value : Number(v);
        if (typeof v === 'boolean' || !Number.isFinite(n) || n < 0) throw ParameterError(`Invalid type for value '${String(v)}': expected type <class 'float'>`);
        if (n === config.capacity) continue;
        config.capacity = n;
      } else {
        if (typeof v !== 'string') throw ParameterError(`Invalid type for value '${pyRepr(v)}': expected type <class 'str'>`);
        config[field] = field === 'arches' ? normalizeArches(v) : v;
      }
      changed = true;
    }
    if (!changed) return false;
    hosts.setHostConfig(ctx.store, host.id, config, ctx.event(), ctx.userId);
    announce(ctx, { hosts: [host.id] }, true);
    return true;
  }),
  api('enableHost(hostname)', 'Mark a host as enabled.', { access: 'login' }, (ctx, a) => {
    ctx.assertPerm('host');
    setEnabled(ctx, a.hostname, true);
  }),
  api('disableHost(hostname)', 'Mark a host as disabled: it takes no new tasks.', { access: 'login' }, (ctx, a) => {
    ctx.assertPerm('host');
    setEnabled(ctx, a.hostname, false);
  }),
  api('getHost(hostInfo, strict=False, event=None)', 'A host by name or id: {id, user_id, name, update_ts, ready, task_load, arches, capacity, description, comment, enabled}.', { access: 'anon' }, (ctx, a) => {
    const h = lookupHost(ctx, a.hostInfo, asBool(a.strict), asEvent(a.event));
    return h ? hostShape(h) : null;
  }),
  api('listHosts(arches=None, channelID=None, ready=None, enabled=None, userID=None, queryOpts=None)', 'Build hosts, optionally only those with one of the arches, in a channel, (not) ready, (not) enabled, or of a user.', { access: 'anon' }, (ctx, a) => {
    let arches: string[] | null = null;
    if (a.arches !== null) {
      arches = Array.isArray(a.arches) ? a.arches.map(String) : [String(a.arches)];
      if (!arches.length) throw GenericError('arches option cannot be empty');
    }
    const channelId = a.channelID === null ? null : lookupChannel(ctx, a.channelID, true)!.id;
    const userId = a.userID === null ? null : lookupUser(ctx, a.userID, true)!.id;
    const rows = hosts.listHosts(ctx.store, {
      arches, channelId, userId,
      ready: a.ready === null ? null : asBool(a.ready),
      enabled: a.enabled === null ? null : asBool(a.enabled),
    });
    return applyQueryOpts(rows.map(hostShape), a.queryOpts);
  }),
  api('getLastHostUpdate(hostID, ts=False)', 'When the host last checked in (a timestamp with ts=True), or None.', { access: 'anon' }, (ctx, a) => {
    const h = lookupHost(ctx, a.hostID, true)!;
    if (h.update_ts === null) return null;
    return asBool(a.ts) ? new RpcDouble(h.update_ts) : isoTime(h.update_ts);
  }),
  api('getAllArches()', 'Every arch some host builds.', { access: 'anon' }, (ctx) => hosts.allHostArches(ctx.store)),
  api('addHostToChannel(hostname, channel_name, create=False, force=False)', 'Add a host to a channel; create=True makes the channel if needed, force=True allows a disabled one.', { access: 'login' }, (ctx, a) => {
    ctx.assertPerm('host');
    const host = lookupHost(ctx, a.hostname);
    if (!host) throw GenericError(`host does not exist: ${String(a.hostname)}`);
    joinChannel(ctx, host, String(a.channel_name), asBool(a.create), asBool(a.force));
  }),
  api('removeHostFromChannel(hostname, channel_name)', 'Remove a host from a channel.', { access: 'login' }, (ctx, a) => {
    ctx.assertPerm('host');
    const host = lookupHost(ctx, a.hostname);
    if (!host) throw GenericError(`host does not exist: ${String(a.hostname)}`);
    const ch = lookupChannel(ctx, a.channel_name);
    if (!ch) throw GenericError(`channel does not exist: ${String(a.channel_name)}`);
    if (!channels.hostInChannel(ctx.store, host.id, ch.id)) {
      throw GenericError(`host ${host.name} is not subscribed to the ${ch.name} channel`);
    }
    channels.removeHostFromChannel(ctx.store, host.id, ch.id, ctx.event(), ctx.userId);
    announce(ctx, { hosts: [host.id] });
  }),
  api('listChannels(hostID=None, event=None, enabled=None)', 'Channels, or those of a host (optionally as of an event), optionally only (not) enabled ones.', { access: 'anon' }, (ctx, a) => {
    const event = asEvent(a.event);
    let hostId: number | null = null;
    if (a.hostID !== null && a.hostID !== 0 && a.hostID !== '') {
      hostId = typeof a.hostID === 'string' ? lookupHost(ctx, a.hostID, true)!.id : Number(a.hostID);
    } else if (event !== null) throw GenericError('list_channels with event and not host is not allowed.');
    return channels.listChannels(ctx.store, { hostId, event, enabled: a.enabled === null ? null : asBool(a.enabled) }).map(channelShape);
  }),
  api('getChannel(channelInfo, strict=False)', 'A channel by name or id: {id, name, description, enabled, comment}.', { access: 'anon' }, (ctx, a) => {
    const ch = lookupChannel(ctx, a.channelInfo, asBool(a.strict));
    return ch ? channelShape(ch) : null;
  }),
  api('addChannel(channel_name, description=None)', 'Create a channel; returns its id.', { access: 'admin' }, (ctx, a) => addChannel(ctx, a.channel_name, a.description)),
  api('createChannel(channel_name, description=None)', 'kojibox alias of addChannel.', { access: 'admin' }, (ctx, a) => addChannel(ctx, a.channel_name, a.description)),
  api('editChannel(channelInfo, **kw)', 'Change a channel\'s name, description or comment; True if anything changed.', { access: 'admin' }, (ctx, a) => {
    const ch = lookupChannel(ctx, a.channelInfo, true)!;
    return editChannel(ctx, ch, a.kw as Record<string, unknown>);
  }),
  api('renameChannel(old, new)', 'Rename a channel (deprecated in Koji; use editChannel).', { access: 'admin' }, (ctx, a) => {
    const ch = lookupChannel(ctx, a.old, true)!;
    editChannel(ctx, ch, { name: a.new });
  }),
  api('enableChannel(channelname, comment=None)', 'Mark a channel as enabled.', { access: 'login' }, (ctx, a) => {
    ctx.assertPerm('host');
    setChannelEnabled(ctx, a.channelname, true, a.comment);
  }),
  api('disableChannel(channelname, comment=None)', 'Mark a channel as disabled: its tasks wait.', { access: 'login' }, (ctx, a) => {
    ctx.assertPerm('host');
    setChannelEnabled(ctx, a.channelname, false, a.comment);
  }),
  api('removeChannel(channel_name, force=False)', 'kojibox: delete a channel no task ever used; hosts still in it need force=True.', { access: 'admin' }, (ctx, a) => {
    const ch = lookupChannel(ctx, a.channel_name, true)!;
    if (ch.name === 'default' || ch.name === 'createrepo') throw GenericError(`channel ${ch.name} is a standard channel and cannot be removed`);
    if (channels.channelTaskCount(ctx.store, ch.id)) throw GenericError(`channel ${ch.name} has tasks; disable it instead`);
    if (channels.channelHostIds(ctx.store, ch.id).length && !asBool(a.force)) {
      throw GenericError(`channel ${ch.name} still has hosts; use force to remove them too`);
    }
    channels.deleteChannel(ctx.store, ch.id);
  }),
];

function addChannel(ctx: CallContext, name: unknown, description: unknown): number {
  verifyNameInternal(name);
  if (description !== null && typeof description !== 'string') throw GenericError('Channel description must be a string');
  const dup = channels.findChannel(ctx.store, name as string);
  if (dup) throw GenericError(`channel ${dup.name} already exists (id=${dup.id})`);
  return channels.insertChannel(ctx.store, name as string, description as string | null);
}

function editChannel(ctx: CallContext, ch: channels.ChannelRow, kw: Record<string, unknown>): boolean {
  const changes: Partial<channels.ChannelRow> = {};
  for (const field of ['description', 'comment', 'name'] as const) {
    if (field in kw && kw[field] !== ch[field]) {
      if (typeof kw[field] !== 'string' && !(field !== 'name' && kw[field] === null)) {
        throw ParameterError(`Invalid type for value '${pyRepr(kw[field])}': expected type <class 'str'>`);
      }
      (changes as Record<string, unknown>)[field] = kw[field];
    }
  }
  if (!Object.keys(changes).length) return false;
  if (changes.name) {
    verifyNameInternal(changes.name);
    const dup = channels.findChannel(ctx.store, changes.name);
    if (dup) throw GenericError(`channel ${dup.name} already exists (id=${dup.id})`);
  }
  channels.updateChannel(ctx.store, ch.id, changes);
  return true;
}

