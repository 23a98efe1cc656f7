/**
 * @module
 * The runroot hub plugin (hub.conf `Plugins = runroot_hub`): the `runroot`
 * call creates a `runroot` task for the builder part. Unlike Koji's plugin,
 * which always requests the `runroot` channel, the channel comes from the
 * `channel` policy unless the caller names one (`--channel-override`); the
 * default policy sends runroot tasks to `runroot`, so an admin can also
 * redirect them by policy, as the plugin documentation promises.
 */
import type { HubPlugin } from '../../src/plugin.ts';
import type { CallContext } from '../../src/hub/context.ts';
import { api } from '../../src/hub/rpc/method.ts';
import { isStruct, pyType } from '../../src/hub/rpc/args.ts';
import { GenericError, ParameterError } from '../../src/core/faults.ts';
import { canonArch } from '../../src/core/arch.ts';
import { createTask, encodeArgs, normalizeArches, policyDataFromTaskArgs } from '../../src/hub/tasks/index.ts';
import { getTagInfo } from '../../src/hub/api/lookups.ts';
import { pyRepr } from '../../src/hub/api/common.ts';
import { findChannel } from '../../src/store/channels.ts';
import { allHostArches, listHosts } from '../../src/store/hosts.ts';

/** Koji gives runroot tasks this priority (lower runs sooner; the default is 20). */
const RUNROOT_PRIORITY = 15;

/** Options the builder's handler takes besides tag, arch and command. */
const RUNROOT_OPTIONS = ['keep', 'packages', 'mounts', 'repo_id', 'skip_setarch', 'weight', 'upload_logs', 'new_chroot'] as const;

/**
 * Check the options before they become a task, so a mistake is reported to
 * the caller instead of failing the task on a builder (Koji passes them on
 * unchecked). null means "not given", as the Koji CLI sends it.
 */
function checkOptions(opts: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(opts)) {
    if (!(RUNROOT_OPTIONS as readonly string[]).includes(key)) {
      throw ParameterError(`runroot() got an unexpected keyword argument '${key}'`);
    }
    if (value === null || value === undefined) continue;
    switch (key) {
      case 'packages':
      case 'mounts':
      case 'upload_logs':
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
          throw ParameterError(`Invalid value for ${key}: ${pyRepr(value)}, expected a list of non-empty strings`);
        }
        break;
      case 'repo_id':
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          throw ParameterError(`Invalid type for value '${pyRepr(value)}': ${pyType(value)}, expected type <class 'int'>`);
        }
        break;
      case 'weight':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
          throw ParameterError(`Invalid task weight: ${pyRepr(value)}`);
        }
        break;
      default:
        if (typeof value !== 'boolean' && value !== 0 && value !== 1) {
          throw ParameterError(`Invalid type for value '${pyRepr(value)}': ${pyType(value)}, expected type <class 'bool'>`);
        }
    }
  }
}

function checkCommand(command: unknown): void {
  if (typeof command !== 'string' && !Array.isArray(command)) {
    throw GenericError(`Invalid type for value '${typeof command === 'string' ? command : pyRepr(command)}': ${pyType(command)}`);
  }
  if (Array.isArray(command) && command.some((a) => typeof a !== 'string')) {
    throw GenericError(`Invalid type for value '${pyRepr(command)}': command arguments must be strings`);
  }
  if (command.length === 0) throw GenericError('Empty runroot command');
}

/**
 * The channel a runroot task will land in: the requested one, else what the
 * `channel` policy says for it. Needed before the task exists, to pick an
 * arch for `noarch` among the arches of that channel's hosts.
 */
function expectedChannel(ctx: CallContext, requested: string | number | null, params: unknown[]): string | number {
  if (requested !== null) return requested;
  const owner = ctx.session?.userId ?? null;
  const data = { method: 'runroot', arch: 'noarch', parent: null, label: null, owner, user_id: owner, ...policyDataFromTaskArgs(ctx, 'runroot', params) };
  const result = ctx.hub.policies.evaluate('channel', data, ctx.hub.policyLookups);
  const words = (result.text ?? '').trim().split(/\s+/);
  if (result.action === 'use' && words[1]) return words[1];
  // createTask raises for any other verdict; `default` is where it goes when there is none.
  return 'default';
}

/** Canonical arches of the enabled hosts of a channel (Koji's get_channel_arches). */
function channelArches(ctx: CallContext, channel: string | number): Set<string> {
  const chan = findChannel(ctx.store, channel);
  if (!chan) throw GenericError(`No such channel: ${channel}`);
  const arches = new Set<string>();
  for (const host of listHosts(ctx.store, { channelId: chan.id, enabled: true })) {
    for (const a of (host.arches ?? '').split(/\s+/)) if (a) arches.add(canonArch(a));
  }
  return arches;
}

/**
 * Koji's noarch rule: when the tag does not cover every arch the builders
 * have, run on one of the tag's arches that a host of the channel has;
 * otherwise leave the task noarch (any host of the channel will do, and the
 * builder picks an arch both it and the tag support).
 */
function pickArch(ctx: CallContext, tag: { name: string; arches: string | null }, tagInfo: unknown, channel: string | number): string {
  const tagArches = (tag.arches ?? '').split(/\s+/).filter(Boolean);
  if (!tagArches.length) throw GenericError(`no arches defined for tag ${tag.name}`);
  const all = new Set(allHostArches(ctx.store).map(canonArch));
  const tagSet = new Set(tagArches.map(canonArch));
  if (![...all].some((a) => !tagSet.has(a))) return 'noarch';
  const chanArches = channelArches(ctx, channel);
  const choices = tagArches.filter((a) => chanArches.has(canonArch(a)));
  if (!choices.length) {
    throw GenericError(`no common arches for tag/channel: ${typeof tagInfo === 'string' ? tagInfo : pyRepr(tagInfo)}/${channel}`);
  }
  // Random like Koji, so noarch runroots spread over the arches.
  return canonArch(choices[Math.floor(Math.random() * choices.length)]!);
}

const runroot = api(
  'runroot(tagInfo, arch, command, channel=None, **opts)',
  'Create a runroot task: run a command (a string for the shell, or an argument list) as root in a buildroot of the tag for the arch.',
  { access: 'runroot' },
  (ctx, a) => {
    if (a.arch === null || a.arch === undefined) throw GenericError('Architecture can be only [a-zA-Z0-9_-]');
    const arch = normalizeArches(Array.isArray(a.arch) ? a.arch : String(a.arch).replaceAll(',', ' '));
    if (!arch) throw GenericError(`Invalid arch: ${pyRepr(a.arch)}`);
    checkCommand(a.command);
    const opts = isStruct(a.opts) ? a.opts : {};
    checkOptions(opts);
    const channel: string | number | null = a.channel === null || a.channel === undefined || a.channel === '' ? null : (a.channel as string | number);
    if (channel !== null && typeof channel !== 'string' && typeof channel !== 'number') {
      throw ParameterError(`Invalid type for channel: ${pyType(channel)}`);
    }
    const tag = getTagInfo(ctx, a.tagInfo, { strict: true })!;
    const params = encodeArgs([a.tagInfo, arch, a.command], opts);
    let taskArch = arch;
    if (arch === 'noarch') taskArch = pickArch(ctx, tag, a.tagInfo, expectedChannel(ctx, channel, params));
    return createTask(ctx, { method: 'runroot', params, opts: { priority: RUNROOT_PRIORITY, arch: taskArch, channel } });
  },
);

/**
 * The permission the call needs. Koji's schema does not have it (admins
 * create it with `grant-permission --new`); the plugin adds it, so the
 * documented `grant-permission runroot USER` works as written.
 */
const PERMISSION_SQL = `INSERT OR IGNORE INTO permissions (name, description)
  VALUES ('runroot', 'Run commands in buildroots with the runroot plugin.');`;

export const runrootHub: HubPlugin = {
  name: 'runroot_hub',
  aliases: ['runroot'],
  methods: [runroot],
  migrations: [{ id: 'plugin-runroot-001', sql: PERMISSION_SQL }],
};
