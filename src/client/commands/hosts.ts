/**
 * @module
 * Host and channel commands: add-host, edit-host, enable-host,
 * disable-host, list-hosts, hostinfo, add-host-to-channel,
 * remove-host-from-channel, list-channels, add-channel, edit-channel,
 * enable-channel, disable-channel, remove-channel. Options and output
 * follow koji's CLI.
 */
import type { Command } from 'commander';
import { CliError, type CliEnv } from '../env.ts';
import { kw, type ClientSession } from '../session.ts';
import { collect } from '../args.ts';
import { formatTimeLong, isInvalidMethod, tsNumber } from './common.ts';

interface Host {
  id: number;
  name: string;
  enabled: boolean;
  ready: boolean;
  task_load: number;
  capacity: number;
  arches: string | null;
  update_ts: unknown;
  description: string | null;
  comment: string | null;
}

interface Channel {
  id: number;
  name: string;
  enabled: boolean;
  description: string | null;
  comment: string | null;
}

/** koji_cli.lib.truncate_string: one line, at most 47 characters. */
function truncate(s: string | null | undefined, length = 47): string {
  if (!s) return '';
  const line = s.replace(/\n/g, ' ');
  return line.length > length ? `${line.slice(0, length - 3)}...` : line;
}

/** Python's str() of a float. */
function pyFloat(v: unknown): string {
  const n = Number(tsNumber(v) ?? v);
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** koji.parse_arches (lenient): commas or spaces between arches. */
function parseArches(text: string): string {
  const list = text.replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  for (const a of list) if (!/^[a-zA-Z0-9_-]*$/.test(a)) throw new CliError('Architecture can be only [a-zA-Z0-9_-]');
  return list.join(' ');
}

/** Check every named host exists (one multicall), as koji does before changing any. */
async function requireHosts(env: CliEnv, s: ClientSession, names: string[], message: string): Promise<void> {
  const found = await s.multiCall(names.map((h) => ['getHost', h] as [string, ...unknown[]]), true);
  let missing = false;
  names.forEach((h, i) => {
    if (!found[i]) {
      env.out(`No such host: ${h}`);
      missing = true;
    }
  });
  if (missing) throw new CliError(message);
}

function registerHostAdmin(program: Command, env: CliEnv): void {
  program
    .command('add-host')
    .description('[admin] Add a host')
    .argument('<hostname>')
    .argument('<arches...>')
    .option('--krb-principal <principal>', 'set a non-default kerberos principal for the host')
    .option('--force', 'if existing used is a regular user, convert it to a host')
    .action(async (host: string, arches: string[], opts: { krbPrincipal?: string; force?: boolean }) => {
      const s = await env.login();
      if (await s.call('getHost', host)) throw new CliError(`${host} is already in the database`);
      const id = await s.call<number>('addHost', host, arches, kw({ force: Boolean(opts.force), krb_principal: opts.krbPrincipal }));
      env.out(`${host} added: id ${id}`);
    });

  program
    .command('edit-host')
    .description('[admin] Edit a host')
    .argument('<hostnames...>')
    .option('--arches <arches>', 'Space or comma-separated list of supported architectures')
    .option('--capacity <capacity>', 'Capacity of this host')
    .option('--description <desc>', 'Description of this host')
    .option('--comment <comment>', 'A brief comment about this host')
    .action(async (hosts: string[], opts: { arches?: string; capacity?: string; description?: string; comment?: string }) => {
      const vals: Record<string, unknown> = {};
      if (opts.arches !== undefined) vals.arches = parseArches(opts.arches);
      if (opts.capacity !== undefined) {
        const n = Number(opts.capacity);
        if (opts.capacity.trim() === '' || Number.isNaN(n)) throw new CliError(`option --capacity: invalid floating-point value: '${opts.capacity}'`, 2);
        vals.capacity = n;
      }
      if (opts.description !== undefined) vals.description = opts.description;
      if (opts.comment !== undefined) vals.comment = opts.comment;
      const s = await env.login();
      await requireHosts(env, s, hosts, 'No changes made, please correct the command line');
      const results = await s.multiCall(hosts.map((h) => ['editHost', h, kw(vals)] as [string, ...unknown[]]), true);
      hosts.forEach((h, i) => env.out(results[i] ? `Edited ${h}` : `No changes made to ${h}`));
    });

  for (const [name, method, verb] of [['enable-host', 'enableHost', 'enabled'], ['disable-host', 'disableHost', 'disabled']] as const) {
    program
      .command(name)
      .description(`[admin] Mark one or more hosts as ${verb}`)
      .argument('<hostnames...>')
      .option('--comment <comment>', `Comment indicating why the host(s) are being ${verb}`)
      .action(async (hosts: string[], opts: { comment?: string }) => {
        const s = await env.login();
        await requireHosts(env, s, hosts, 'No changes made. Please correct the command line.');
        const calls: Array<[string, ...unknown[]]> = [];
        for (const h of hosts) {
          calls.push([method, h]);
          if (opts.comment !== undefined) calls.push(['editHost', h, kw({ comment: opts.comment })]);
        }
        await s.multiCall(calls, true);
      });
  }

  program
    .command('add-host-to-channel')
    .description('[admin] Add a host to a channel')
    .argument('[hostname]')
    .argument('[channel]')
    .option('--new', 'Create channel if needed')
    .option('--force', 'force added, if possible')
    .option('--list', 'list the channels (hidden option kept from koji)')
    .action(async (host: string | undefined, channel: string | undefined, opts: { new?: boolean; force?: boolean; list?: boolean }) => {
      if (!opts.list && (!host || !channel)) throw new CliError('Please specify a hostname and a channel', 2);
      const s = await env.login();
      if (opts.list) {
        for (const c of await s.call<Channel[]>('listChannels')) env.out(c.name);
        return;
      }
      if (!opts.new && !(await s.call('getChannel', channel))) throw new CliError(`No such channel: ${channel}`);
      if (!(await s.call('getHost', host))) throw new CliError(`No such host: ${host}`);
      await s.call('addHostToChannel', host, channel, kw({ create: opts.new ? true : undefined, force: opts.force ? true : undefined }));
    });

  program
    .command('remove-host-from-channel')
    .description('[admin] Remove a host from a channel')
    .argument('<hostname>')
    .argument('<channel>')
    .action(async (host: string, channel: string) => {
      const s = await env.login();
      const info = await s.call<Host | null>('getHost', host);
      if (!info) throw new CliError(`No such host: ${host}`);
      const names = (await s.call<Channel[]>('listChannels', info.id)).map((c) => c.name);
      if (!names.includes(channel)) throw new CliError(`Host ${host} is not a member of channel ${channel}`);
      await s.call('removeHostFromChannel', host, channel);
    });
}

function registerChannelAdmin(program: Command, env: CliEnv): void {
  program
    .command('add-channel')
    .description('[admin] Add a channel')
    .argument('<channel_name>')
    .option('--description <description>', 'Description of channel')
    .action(async (name: string, opts: { description?: string }) => {
      const s = await env.login();
      const id = await s.call<number>('addChannel', name, kw({ description: opts.description ?? null }));
      env.out(`${name} added: id ${id}`);
    });

  program
    .command('edit-channel')
    .description('[admin] Edit a channel')
    .argument('<old-name>')
    .option('--name <name>', 'New channel name')
    .option('--description <description>', 'Description of channel')
    .option('--comment <comment>', 'Comment of channel')
    .action(async (old: string, opts: { name?: string; description?: string; comment?: string }) => {
      const s = await env.login();
      if (!(await s.call('getChannel', old))) throw new CliError(`No such channel: ${old}`);
      const changed = await s.call<boolean>('editChannel', old, kw({ name: opts.name, description: opts.description, comment: opts.comment }));
      if (!changed) throw new CliError('No changes made, please correct the command line');
    });

  for (const [name, method, verb] of [['enable-channel', 'enableChannel', 'enabled'], ['disable-channel', 'disableChannel', 'disabled']] as const) {
    program
      .command(name)
      .description(`[admin] Mark one or more channels as ${verb}`)
      .argument('<channelnames...>')
      .option('--comment <comment>', `Comment indicating why the channel(s) are being ${verb}`)
      .action(async (channels: string[], opts: { comment?: string }) => {
        const s = await env.login();
        const found = await s.multiCall(channels.map((c) => ['getChannel', c, kw({ strict: false })] as [string, ...unknown[]]), true);
        let missing = false;
        channels.forEach((c, i) => {
          if (!found[i]) {
            env.out(`No such channel: ${c}`);
            missing = true;
          }
        });
        if (missing) throw new CliError('No changes made. Please correct the command line.');
        await s.multiCall(channels.map((c) => [method, c, kw({ comment: opts.comment })] as [string, ...unknown[]]), true);
      });
  }

  program
    .command('remove-channel')
    .description('[admin] Remove a channel that no task used (kojibox)')
    .argument('<channel>')
    .option('--force', 'also take its hosts out of it')
    .action(async (channel: string, opts: { force?: boolean }) => {
      const s = await env.login();
      await s.call('removeChannel', channel, kw({ force: opts.force ? true : undefined }));
    });
}

function registerHostInfo(program: Command, env: CliEnv): void {
  program
    .command('list-hosts')
    .description('[info] Print the host listing')
    .option('--arch <arch>', 'Specify an architecture', collect, [])
    .option('--channel <channel>', 'Specify a channel')
    .option('--ready', 'Limit to ready hosts')
    .option('--not-ready', 'Limit to not ready hosts')
    .option('--enabled', 'Limit to enabled hosts')
    .option('--not-enabled', 'Limit to not enabled hosts')
    .option('--disabled', 'Alias for --not-enabled')
    .option('--quiet', 'Do not print header information')
    .option('--show-channels', "Show host's channels")
    .option('--comment', 'Show comments')
    .option('--description', 'Show descriptions')
    .action(async (o: { arch: string[]; channel?: string; ready?: boolean; notReady?: boolean; enabled?: boolean; notEnabled?: boolean; disabled?: boolean; quiet?: boolean; showChannels?: boolean; comment?: boolean; description?: boolean }) => {
      const s = await env.session();
      const opts: Record<string, unknown> = {};
      if (o.arch.length) opts.arches = o.arch;
      if (o.channel) {
        const ch = await s.call<Channel | null>('getChannel', o.channel);
        if (!ch) throw new CliError(`No such channel: ${o.channel}`, 2);
        opts.channelID = ch.id;
      }
      if (o.ready) opts.ready = true;
      if (o.notReady) opts.ready = false;
      if (o.enabled) opts.enabled = true;
      if (o.notEnabled || o.disabled) opts.enabled = false;
      const hosts = (await s.call<Host[]>('listHosts', kw(opts))).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (!hosts.length) {
        env.err('No hosts found.');
        return;
      }
      const channels = new Map<number, string>();
      if (o.showChannels) {
        const lists = await s.multiCall(hosts.map((h) => ['listChannels', h.id] as [string, ...unknown[]]), true);
        hosts.forEach((h, i) => {
          const names = (lists[i] as Channel[]).map((c) => (c.enabled === false ? `*${c.name}` : c.name)).sort();
          channels.set(h.id, names.join(','));
        });
      }
      const longest = Math.max(...hosts.map((h) => h.name.length));
      const quiet = o.quiet ?? env.quiet;
      if (!quiet) {
        let hdr = `${'Hostname'.padEnd(longest)} Enb Rdy Load/Cap  Arches           Last Update                         `;
        if (o.description) hdr += 'Description'.padEnd(51);
        if (o.comment) hdr += 'Comment'.padEnd(51);
        if (o.showChannels) hdr += 'Channels';
        env.out(hdr);
        env.out('-'.repeat(hdr.length));
      }
      for (const h of hosts) {
        const ts = tsNumber(h.update_ts);
        let line = `${h.name.padEnd(longest)} ${(h.enabled ? 'Y' : 'N').padEnd(3)} ${(h.ready ? 'Y' : 'N').padEnd(3)} ${Number(h.task_load).toFixed(1).padStart(4)}/${Number(h.capacity).toFixed(1).padEnd(4)} ${(h.arches ?? '').split(/\s+/).filter(Boolean).join(',').padEnd(16)} ${(ts === null ? '-' : formatTimeLong(ts)).padEnd(35)}`;
        if (o.description) line += ` ${truncate(h.description).padEnd(50)}`;
        if (o.comment) line += ` ${truncate(h.comment).padEnd(50)}`;
        if (o.showChannels) line += ` ${channels.get(h.id) ?? ''}`;
        env.out(line);
      }
    });

  program
    .command('hostinfo')
    .description('[info] Print basic information about a host')
    .argument('<hostnames...>')
    .action(async (names: string[]) => {
      const s = await env.session();
      let missing = false;
      for (const name of names) {
        const info = await s.call<Host | null>('getHost', /^\d+$/.test(name) ? Number(name) : name);
        if (!info) {
          env.err(`No such host: ${name}\n`);
          missing = true;
          continue;
        }
        env.out(`Name: ${info.name}`);
        env.out(`ID: ${info.id}`);
        env.out(`Arches: ${info.arches}`);
        env.out(`Capacity: ${pyFloat(info.capacity)}`);
        env.out(`Task Load: ${Number(info.task_load).toFixed(2)}`);
        const multi = (label: string, text: string | null) => {
          if (!text) return env.out(`${label}:`);
          const [first, ...rest] = text.split('\n');
          env.out(`${label}: ${first}`);
          for (const l of rest) env.out(`${' '.repeat(label.length + 2)}${l}`);
        };
        multi('Description', info.description);
        multi('Comment', info.comment);
        env.out(`Enabled: ${info.enabled ? 'yes' : 'no'}`);
        env.out(`Ready: ${info.ready ? 'yes' : 'no'}`);
        const ts = tsNumber(info.update_ts);
        env.out(`Last Update: ${ts === null ? 'never' : formatTimeLong(ts)}`);
        env.out(`Channels: ${(await s.call<Channel[]>('listChannels', kw({ hostID: info.id }))).map((c) => c.name).join(' ')}`);
        env.out('Active Buildroots:');
        const rows: string[][] = [];
        try {
          const states = ['INIT', 'WAITING', 'BUILDING'];
          for (let st = 0; st < 3; st++) {
            for (const b of await s.call<Array<Record<string, unknown>>>('listBuildroots', kw({ hostID: info.id, state: st }))) {
              const created = String(b.create_event_time ?? '');
              rows.push([`${b.tag_name}-${b.id}-${b.repo_id}`, states[st]!, created.includes('.') ? created.slice(0, created.indexOf('.')) : created]);
            }
          }
        } catch (err) {
          // a hub without buildroots simply has none to show
          if (!isInvalidMethod(err, 'listBuildroots')) throw err;
        }
        if (rows.length) {
          env.out(`${'NAME'.padEnd(50)} ${'STATE'.padEnd(10)} ${'CREATION TIME'.padEnd(20)}`);
          for (const r of rows) env.out(`${r[0]!.padEnd(50)} ${r[1]!.padEnd(10)} ${r[2]!.padEnd(20)}`);
        } else env.out('None');
      }
      if (missing) throw new CliError('', 1);
    });

  program
    .command('list-channels')
    .description('[info] Print channels listing')
    .option('--simple', 'Print just list of channels without additional info')
    .option('--quiet', 'Do not print header information')
    .option('--comment', 'Show comments')
    .option('--description', 'Show descriptions')
    .option('--enabled', 'Limit to enabled channels')
    .option('--not-enabled', 'Limit to not enabled channels')
    .option('--disabled', 'Alias for --not-enabled')
    .option('--arch <arch>', 'Limit to channels with specific arch')
    .action(async (o: { simple?: boolean; quiet?: boolean; comment?: boolean; description?: boolean; enabled?: boolean; notEnabled?: boolean; disabled?: boolean; arch?: string }) => {
      const s = await env.session();
      const opts: Record<string, unknown> = {};
      if (o.enabled) opts.enabled = true;
      if (o.notEnabled || o.disabled) opts.enabled = false;
      const channels = (await s.call<Channel[]>('listChannels', kw(opts))).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const hostLists = await s.multiCall(
        channels.map((c) => ['listHosts', kw(o.arch ? { channelID: c.id, arches: [o.arch] } : { channelID: c.id })] as [string, ...unknown[]]),
        true,
      );
      const rows = channels.map((c, i) => {
        const hosts = hostLists[i] as Host[];
        const enabledHosts = hosts.filter((h) => h.enabled).length;
        const capacity = hosts.reduce((n, h) => n + Number(h.capacity), 0);
        const load = hosts.reduce((n, h) => n + Number(h.task_load), 0);
        return {
          name: c.enabled ? c.name : `${c.name} [disabled]`,
          enabledHosts,
          disabled: hosts.length - enabledHosts,
          ready: hosts.filter((h) => h.ready).length,
          capacity,
          load,
          perc: capacity ? (load / capacity) * 100 : 0,
          description: truncate(c.description),
          comment: truncate(c.comment),
        };
      });
      const longest = rows.length ? Math.max(...rows.map((r) => r.name.length)) : 8;
      const quiet = o.quiet ?? env.quiet;
      if (o.simple) {
        if (!quiet) {
          env.out('Channel');
          env.out('-------');
        }
        for (const r of rows) env.out(r.name);
        return;
      }
      if (!quiet) {
        let hdr = `${'Channel'.padEnd(longest)}Enabled  Ready Disbld   Load    Cap   Perc    `;
        if (o.description) hdr += 'Description'.padEnd(53);
        if (o.comment) hdr += 'Comment'.padEnd(53);
        env.out(hdr);
        env.out('-'.repeat(hdr.length));
      }
      const d6 = (n: number) => String(Math.trunc(n)).padStart(6);
      for (const r of rows) {
        let line = `${r.name.padEnd(longest)} ${d6(r.enabledHosts)} ${d6(r.ready)} ${d6(r.disabled)} ${d6(r.load)} ${d6(r.capacity)} ${d6(r.perc)}%`;
        if (o.description) line += `   ${r.description.padEnd(50)}`;
        if (o.comment) line += `   ${r.comment.padEnd(50)}`;
        env.out(line);
      }
    });
}

export function registerHostCommands(program: Command, env: CliEnv): void {
  registerHostAdmin(program, env);
  registerChannelAdmin(program, env);
  registerHostInfo(program, env);
}
