/**
 * @module
 * Build and tagging commands: list-tagged, latest-build, tag-build,
 * move-build, untag-build, list-builds, buildinfo. Output formats follow koji's CLI.
 * kojibox adds `--bypass` to tag-build and untag-build (tagBuildBypass /
 * untagBuildBypass: immediate, no task, `tag` permission).
 */
import type { Command } from 'commander';
import { CliError, type CliEnv } from '../env.ts';
import { kw, type ClientSession } from '../session.ts';
import { collect } from '../args.ts';
import { watchTasks } from '../watch.ts';
import { parseNVR } from '../../core/nvr.ts';
import { BUILD_STATES } from '../../core/states.ts';
import { addEventOptions, asctime, eventFromOpts, formatTimeLong, isInvalidMethod, padR, pyRepr, tsNumber, type EventOpts } from './common.ts';

type Dict = Record<string, unknown>;

/** koji.PathInfo() with its default top directory, as the koji CLI prints paths. */
const TOPDIR = '/mnt/koji';
function volumeDir(volume: unknown): string {
  return !volume || volume === 'DEFAULT' ? TOPDIR : `${TOPDIR}/vol/${String(volume)}`;
}
export function buildPath(b: Dict): string {
  return `${volumeDir(b.volume_name)}/packages/${b.name ?? b.package_name}/${b.version}/${b.release}`;
}
const rpmPath = (r: Dict) => `${r.arch}/${r.name}-${r.version}-${r.release}.${r.arch}.rpm`;

const sortLines = (lines: string[]) => [...lines].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function buildHeader(env: CliEnv): void {
  env.out(`${padR('Build', 40)}  ${padR('Tag', 20)}  Built by`);
  env.out(`${'-'.repeat(40)}  ${'-'.repeat(20)}  ${'-'.repeat(16)}`);
}

/** Parse a time option value: a timestamp or a date/time text. */
function timeOption(v: string, name: string): number {
  if (/^\d+(\.\d*)?$/.test(v.trim())) return Number(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new CliError(`option --${name}: invalid time specification: ${v}`, 2);
  return ms / 1000;
}

/** A changelog date ('YYYY-MM-DD HH:MM:SS') as rpm writes it: 'Mon Jan 01 2024'. */
function changelogDay(date: string): string {
  const d = new Date(`${date.slice(0, 19).replace(' ', 'T')}Z`);
  if (Number.isNaN(d.getTime())) return date;
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${day} ${month} ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()}`;
}

/** A short label for a task, like koji.taskLabel for the common methods. */
function taskLabel(task: Dict): string {
  const req = Array.isArray(task.request) ? task.request : [];
  if ((task.method === 'build' || task.method === 'maven') && typeof req[0] === 'string') {
    const src = req[0];
    const module = src.includes('://') ? src.replace(/^.*\//, '').replace(/\.git$/, '') : src.split('/').pop();
    return `${task.method} (${String(req[1])}, ${module})`;
  }
  if (task.method === 'buildArch' && req.length > 2) return `buildArch (${String(req[0]).split('/').pop()}, ${String(req[2])})`;
  return `${task.method} (${task.arch})`;
}

export function registerBuildCommands(program: Command, env: CliEnv): void {
  addEventOptions(
    program
      .command('list-tagged')
      .description('List the builds or rpms in a tag')
      .argument('<tag>')
      .argument('[package]')
      .option('--arch <arch>', 'List rpms for this arch', collect, [])
      .option('--rpms', 'Show rpms instead of builds')
      .option('--inherit', 'Follow inheritance')
      .option('--latest', 'Only show the latest builds/rpms')
      .option('--latest-n <N>', 'Only show the latest N builds/rpms')
      .option('--quiet', 'Do not print the header information')
      .option('--paths', 'Show the file paths')
      .option('--sigs', 'Show signatures')
      .option('--type <type>', 'Show builds of the given type only. Currently supported types: maven, win, image')
      .option('--draft-only', 'Only list draft builds/rpms')
      .option('--no-draft', 'Only list regular builds/rpms'),
  ).action(async (tag: string, pkg: string | undefined, o: EventOpts & Dict & { arch: string[] }, cmd: Command) => {
    const noDraft = cmd.getOptionValueSource('draft') === 'cli';
    if (noDraft && o.draftOnly) throw new CliError('--draft-only conflicts with --no-draft', 2);
    const s = await env.session();
    const quiet = Boolean(o.quiet || env.quiet);
    const opts: Dict = { latest: o.latest ? true : null, inherit: o.inherit ? true : null };
    if (o.latestN !== undefined) {
      if (!/^\d+$/.test(String(o.latestN))) throw new CliError(`option --latest-n: invalid integer value: '${o.latestN}'`, 2);
      opts.latest = Number(o.latestN);
    }
    if (pkg) opts.package = pkg;
    let rpms = Boolean(o.rpms);
    if (o.arch.length) {
      rpms = true;
      opts.arch = o.arch;
    }
    if (o.sigs) {
      opts.rpmsigs = true;
      rpms = true;
    }
    if (o.type) opts.type = o.type;
    else if (noDraft) opts.draft = false;
    else if (o.draftOnly) opts.draft = true;
    const event = await eventFromOpts(s, o);
    if (event) {
      opts.event = event.id;
      if (!quiet) env.out(`Querying at event ${event.id} (${asctime(event.ts)})`);
    }
    if (!(await s.call('getTag', tag, kw({ event: event?.id ?? null })))) throw new CliError(`No such tag: ${tag}`, 2);
    let lines: string[];
    if (rpms) {
      const [rpmList, builds] = await s.call<[Dict[], Dict[]]>('listTaggedRPMS', tag, kw(opts));
      if (o.paths) {
        const byId = new Map(builds.map((b) => [b.id, b]));
        lines = rpmList.map((r) => `${buildPath(byId.get(r.build_id)!)}/${rpmPath(r)}`);
      } else {
        lines = rpmList.map((r) => {
          const base = `${r.name}-${r.version}-${r.release}.${r.arch}${r.draft ? ` (,draft_${r.build_id})` : ''}`;
          return o.sigs ? `${r.sigkey ?? 'None'} ${base}` : base;
        });
      }
    } else {
      const data = await s.call<Dict[]>('listTagged', tag, kw(opts));
      lines = data.map((b) => `${padR(o.paths ? buildPath(b) : b.nvr, 40)}  ${padR(b.tag_name, 20)}  ${b.owner_name}`);
      if (!quiet) buildHeader(env);
    }
    for (const line of sortLines(lines)) env.out(line);
  });

  program
    .command('latest-build')
    .description('Print the latest builds for a tag')
    .argument('<tag>')
    .argument('[packages...]')
    .option('--arch <arch>', 'List all of the latest packages for this arch')
    .option('--all', 'List all of the latest packages for this tag')
    .option('--quiet', 'Do not print the header information')
    .option('--paths', 'Show the file paths')
    .option('--type <type>', 'Show builds of the given type only')
    .action(async (tag: string, packages: string[], o: { arch?: string; all?: boolean; quiet?: boolean; paths?: boolean; type?: string }) => {
      let pkgs: Array<string | null> = packages;
      if (o.all) {
        if (packages.length) throw new CliError('A package name may not be combined with --all', 2);
        pkgs = [null];
      } else if (!packages.length) throw new CliError('A tag name and package name must be specified', 2);
      const s = await env.session();
      let quiet = Boolean(o.quiet || env.quiet);
      for (const pkg of pkgs) {
        let lines: string[];
        if (o.arch) {
          const [rpms, builds] = await s.call<[Dict[], Dict[]]>('getLatestRPMS', tag, kw({ package: pkg, arch: o.arch }));
          const byId = new Map(builds.map((b) => [b.build_id, b]));
          lines = rpms.map((r) => (o.paths ? `${buildPath({ ...r, name: byId.get(r.build_id)?.package_name, volume_name: byId.get(r.build_id)?.volume_name })}/${rpmPath(r)}` : `${r.name}-${r.version}-${r.release}.${r.arch}`));
        } else {
          const data = await s.call<Dict[]>('getLatestBuilds', tag, kw({ package: pkg, ...(o.type ? { type: o.type } : {}) }));
          lines = data.map((b) => `${padR(o.paths ? buildPath(b) : b.nvr, 40)}  ${padR(b.tag_name, 20)}  ${b.owner_name}`);
          if (!quiet) {
            buildHeader(env);
            quiet = true;
          }
        }
        for (const line of sortLines(lines)) env.out(line);
      }
    });

  program
    .command('tag-build')
    .description('Apply a tag to one or more builds')
    .argument('<tag>')
    .argument('<builds...>')
    .option('--force', 'force operation')
    .option('--wait', 'Wait on task, even if running in the background')
    .option('--nowait', 'Do not wait on task')
    .option('--bypass', 'kojibox: tag at once with tagBuildBypass (no task; tag permission)')
    .action(async (tag: string, nvrs: string[], o: { force?: boolean; wait?: boolean; nowait?: boolean; bypass?: boolean }) => {
      const s = await env.login();
      if (o.bypass) {
        for (const nvr of nvrs) await s.call('tagBuildBypass', tag, nvr, kw({ force: o.force ? true : null }));
        return;
      }
      const tasks: number[] = [];
      for (const nvr of nvrs) {
        const taskId = await s.call<number>('tagBuild', tag, nvr, kw({ force: o.force ? true : null }));
        tasks.push(taskId);
        env.out(`Created task ${taskId}`);
      }
      await maybeWatch(env, s, tasks, o);
    });

  program
    .command('move-build')
    .description("'Move' one or more builds between tags")
    .argument('<tag1>')
    .argument('<tag2>')
    .argument('[pkgs...]')
    .option('--force', 'force operation')
    .option('--wait', 'Wait on tasks, even if running in the background')
    .option('--nowait', 'Do not wait on tasks')
    .option('--all', "move all instances of a package, <pkg>'s are package names")
    .action(async (tag1: string, tag2: string, args: string[], o: { force?: boolean; wait?: boolean; nowait?: boolean; all?: boolean }) => {
      if (!args.length) {
        throw new CliError(
          o.all
            ? 'This command, with --all, takes at least three arguments: two tags and one or more package names'
            : "This command takes at least three arguments: two tags and one or more package n-v-r's",
          2,
        );
      }
      const s = await env.login();
      const tasks: number[] = [];
      if (o.all) {
        for (const pkg of args) {
          if (!(await s.call('getPackage', pkg))) {
            env.out(`No such package: ${pkg}, skipping.`);
            continue;
          }
          tasks.push(...(await s.call<number[]>('moveAllBuilds', tag1, tag2, pkg, Boolean(o.force))));
        }
      } else {
        const builds: Dict[] = [];
        for (const arg of args) {
          const b = await s.call<Dict | null>('getBuild', arg);
          if (!b) {
            env.out(`No such build: ${arg}, skipping.`);
            continue;
          }
          if (!builds.some((x) => x.id === b.id)) builds.push(b);
        }
        for (const b of builds) {
          const taskId = await s.call<number>('moveBuild', tag1, tag2, b.id, Boolean(o.force));
          tasks.push(taskId);
          env.out(`Created task ${taskId}, moving ${b.name}-${b.version}-${b.release}`);
        }
      }
      await maybeWatch(env, s, tasks, o);
    });

  program
    .command('untag-build')
    .description('Remove a tag from one or more builds')
    .argument('<tag>')
    .argument('[builds...]')
    .option('--all', 'untag all versions of the package in this tag, pkg is package name')
    .option('--non-latest', 'untag all versions of the package in this tag except the latest, pkg is package name')
    .option('-n, --test', 'test mode')
    .option('-v, --verbose', 'print details')
    .option('--force', 'force operation')
    .option('--bypass', 'kojibox: use untagBuildBypass (tag permission, no untag policy beyond it)')
    .action(async (tagName: string, args: string[], o: { all?: boolean; nonLatest?: boolean; test?: boolean; verbose?: boolean; force?: boolean; bypass?: boolean }) => {
      if (!(o.nonLatest && o.force) && !args.length) {
        throw new CliError("This command takes at least two arguments: a tag name/ID and one or more package n-v-r's or package names", 2);
      }
      const s = await env.login();
      const tag = await s.call<{ name: string } | null>('getTag', tagName);
      if (!tag) throw new CliError(`No such tag: ${tagName}`, 2);
      const history = async (pkgs: string[], key: 'package' | 'pkg'): Promise<Dict[]> => {
        const results = await s.multiCall(pkgs.map((p) => ['queryHistory', kw({ tag: tagName, [key]: p, active: true })]), true);
        return (results as Array<{ tag_listing: Dict[] }>).flatMap((r) => r.tag_listing);
      };
      const nvrOf = (b: Dict) => `${b.name}-${b.version}-${b.release}`;
      let builds: Dict[] = [];
      if (o.all) builds = await history(args, 'package');
      else if (o.nonLatest) {
        let tagged = o.force && !args.length ? (await s.call<{ tag_listing: Dict[] }>('queryHistory', kw({ tag: tagName, active: true }))).tag_listing : await history(args, 'package');
        tagged = [...tagged].sort((a, b) => Number(b.create_event) - Number(a.create_event));
        const seen = new Set<unknown>();
        for (const b of tagged) {
          if (!seen.has(b.name)) {
            if (o.verbose) env.out(`Leaving latest build for package ${b.name}: ${nvrOf(b)}`);
          } else builds.push(b);
          seen.add(b.name);
        }
      } else {
        // koji sends pkg=, which the hub ignores: every active build of the tag comes back
        const names = [...new Set(args.map((nvr) => parseNVR(nvr).name))];
        const idx = new Map((await history(names, 'pkg')).map((b) => [nvrOf(b), b]));
        for (const nvr of args) {
          const b = idx.get(nvr);
          if (b) {
            builds.push(b);
            continue;
          }
          env.err((await s.call('getBuild', nvr)) ? `Build ${nvr} not in tag ${tag.name}` : `No such build: ${nvr}`);
          if (!o.force) throw new CliError('', 1);
        }
      }
      builds.reverse();
      const calls: Array<[string, ...unknown[]]> = [];
      for (const b of builds) {
        if (o.test) env.out(`would have untagged ${nvrOf(b)}`);
        else {
          if (o.verbose) env.out(`untagging ${nvrOf(b)}`);
          calls.push([o.bypass ? 'untagBuildBypass' : 'untagBuild', tag.name, nvrOf(b), kw({ force: o.force ? true : null })]);
        }
      }
      await s.multiCall(calls, true);
    });

  program
    .command('list-builds')
    .description('Print the build listing')
    .option('--package <package>', 'List builds for this package')
    .option('--buildid <id|nvr>', 'List specific build from ID or nvr')
    .option('--before <time>', 'List builds built before this time')
    .option('--after <time>', 'List builds built after this time')
    .option('--state <state>', 'List builds in this state')
    .option('--task <id>', 'List builds for this task')
    .option('--type <type>', 'List builds of this type.')
    .option('--prefix <prefix>', 'Only builds starting with this prefix')
    .option('--pattern <glob>', 'Only list builds matching this GLOB pattern')
    .option('--cg <name>', 'Only list builds imported by matching content generator name')
    .option('--source <glob>', 'Only builds where the source field matches (glob pattern)')
    .option('--owner <user>', 'List builds built by this owner')
    .option('--volume <volume>', 'List builds by volume ID')
    .option('--draft-only', 'Only list draft builds')
    .option('--no-draft', 'Only list regular builds')
    .option('-k, --sort-key <field>', 'Sort the list by the named field. Allowed sort keys: build_id, owner_name, state', collect, [])
    .option('-r, --reverse', 'Print the list in reverse order')
    .option('--quiet', 'Do not print the header information')
    .action(async (o: Dict & { sortKey: string[] }, cmd: Command) => {
      const s = await env.session();
      const opts: Dict = {};
      for (const key of ['type', 'prefix', 'pattern'] as const) if (o[key] !== undefined) opts[key] = o[key];
      const noDraft = cmd.getOptionValueSource('draft') === 'cli';
      if (noDraft && o.draftOnly) throw new CliError('--draft-only conflits with --no-draft', 2);
      if (noDraft) opts.draft = false;
      else if (o.draftOnly) opts.draft = true;
      if (o.cg) opts.cgID = o.cg;
      if (o.package) {
        const p = String(o.package);
        if (/^-?\d+$/.test(p)) opts.packageID = Number(p);
        else {
          const id = await s.call<number | null>('getPackageID', p);
          if (id === null) throw new CliError(`No such package: ${p}`, 2);
          opts.packageID = id;
        }
      }
      if (o.owner) {
        const u = String(o.owner);
        if (/^-?\d+$/.test(u)) opts.userID = Number(u);
        else {
          const user = await s.call<{ id: number } | null>('getUser', u);
          if (!user) throw new CliError(`No such user: ${u}`, 2);
          opts.userID = user.id;
        }
      }
      if (o.volume) {
        const v = String(o.volume);
        if (/^-?\d+$/.test(v)) opts.volumeID = Number(v);
        else {
          const vol = (await s.call<Array<{ id: number; name: string }>>('listVolumes')).find((x) => x.name === v);
          if (!vol) throw new CliError(`No such volume: ${v}`, 2);
          opts.volumeID = vol.id;
        }
      }
      if (o.state) {
        const st = String(o.state);
        if (/^-?\d+$/.test(st)) {
          if (Number(st) > 4 || Number(st) < 0) throw new CliError(`Invalid state: ${st}`, 2);
          opts.state = Number(st);
        } else if ((BUILD_STATES.names as readonly string[]).includes(st)) opts.state = (BUILD_STATES.names as readonly string[]).indexOf(st);
        else throw new CliError(`Invalid state: ${st}`, 2);
      }
      if (o.before) opts.completeBefore = timeOption(String(o.before), 'before');
      if (o.after) opts.completeAfter = timeOption(String(o.after), 'after');
      if (o.task) {
        if (!/^-?\d+$/.test(String(o.task))) throw new CliError('Task id must be an integer', 2);
        opts.taskID = Number(o.task);
      }
      if (o.source) opts.source = o.source;
      let data: Dict[];
      if (o.buildid) {
        const id = /^\d+$/.test(String(o.buildid)) ? Number(o.buildid) : String(o.buildid);
        const b = await s.call<Dict | null>('getBuild', id);
        if (!b) throw new CliError(`No such build: '${id}'`, 2);
        data = [b];
      } else {
        if (!Object.keys(opts).length) throw new CliError('Filter must be provided for list', 2);
        data = await s.call<Dict[]>('listBuilds', kw(opts));
      }
      const keys = o.sortKey.length ? o.sortKey : ['build_id'];
      for (const k of o.sortKey) if (!['build_id', 'owner_name', 'state'].includes(k)) env.err(`Invalid sort_key: ${k}.`);
      data.sort((a, b) => {
        for (const k of keys) {
          const x = a[k] as string | number;
          const y = b[k] as string | number;
          if (x !== y) return (x ?? '') < (y ?? '') ? -1 : 1;
        }
        return 0;
      });
      if (o.reverse) data.reverse();
      if (!(o.quiet || env.quiet)) {
        env.out(`${padR('Build', 55)}  ${padR('Built by', 16)}  State`);
        env.out(`${'-'.repeat(55)}  ${'-'.repeat(16)}  ${'-'.repeat(16)}`);
      }
      for (const b of data) env.out(`${padR(b.nvr, 55)}  ${padR(b.owner_name, 16)}  ${BUILD_STATES.nameOf(b.state as number)}`);
    });

  program
    .command('buildinfo')
    .description('Print basic information about a build')
    .argument('<builds...>')
    .option('--changelog', 'Show the changelog for the build')
    .action(async (args: string[], o: { changelog?: boolean }) => {
      const s = await env.session();
      let failed = false;
      for (const arg of args) {
        const ref = /^\d+$/.test(arg) ? Number(arg) : arg;
        const info = await s.call<Dict | null>('getBuild', ref);
        if (!info) {
          env.err(`No such build: ${ref}\n`);
          failed = true;
          continue;
        }
        await printBuildInfo(env, s, info, Boolean(o.changelog));
      }
      if (failed) throw new CliError('', 1);
    });
}

/** Watch the tasks as koji does: unless told not to, and only when someone is at a terminal unless told to. */
async function maybeWatch(env: CliEnv, s: ClientSession, tasks: number[], o: { wait?: boolean; nowait?: boolean }): Promise<void> {
  const wait = o.nowait ? false : o.wait ? true : Boolean(process.stdin.isTTY);
  if (!wait) return;
  await s.logout();
  const rc = await watchTasks(env, await env.session(), tasks, { quiet: env.quiet });
  if (rc) throw new CliError('', rc);
}

async function optionalCall<T>(s: ClientSession, method: string, ...args: unknown[]): Promise<T | null> {
  try {
    return await s.call<T>(method, ...args);
  } catch (err) {
    // parts the hub does not offer (yet) are left out of the report
    if (isInvalidMethod(err, method)) return null;
    throw err;
  }
}

async function printBuildInfo(env: CliEnv, s: ClientSession, info: Dict, changelog: boolean): Promise<void> {
  const taskId = info.task_id as number | null;
  const task = taskId ? await optionalCall<Dict>(s, 'getTaskInfo', taskId, kw({ request: true })) : null;
  const tags = (await s.call<Array<{ name: string }>>('listTags', info.id)).map((t) => t.name);
  const state = BUILD_STATES.nameOf(info.state as number);
  env.out(`BUILD: ${info.name}-${info.version}-${info.release} [${info.id}]`);
  if (info.draft) env.out('Draft: YES');
  env.out(`State: ${state}`);
  if (state === 'BUILDING') env.out(`Reserved by: ${info.cg_name ?? 'None'}`);
  env.out(`Built by: ${info.owner_name}`);
  if (info.source !== null && info.source !== undefined) env.out(`Source: ${info.source}`);
  if ('volume_name' in info) env.out(`Volume: ${info.volume_name}`);
  env.out(task ? `Task: ${task.id} ${taskLabel(task)}` : 'Task: none');
  env.out(`Finished: ${formatTimeLong(tsNumber(info.completion_ts))}`);
  if (tsNumber(info.promotion_ts)) {
    env.out(`Promoted by: ${info.promoter_name}`);
    env.out(`Promoted at: ${formatTimeLong(tsNumber(info.promotion_ts))}`);
  }
  env.out(`Tags: ${tags.join(' ')}`);
  if (info.extra && typeof info.extra === 'object' && Object.keys(info.extra).length) env.out(`Extra: ${pyRepr(info.extra)}`);
  const rpms = await optionalCall<Dict[]>(s, 'listRPMs', kw({ buildID: info.id }));
  if (rpms?.length) {
    env.out('RPMs:');
    for (const r of rpms) env.out(`${buildPath(info)}/${rpmPath(r)}`);
  }
  if (changelog) {
    const entries = await optionalCall<Array<{ date: string; author: string; text: string }>>(s, 'getChangelogEntries', info.id);
    if (entries?.length) {
      env.out('Changelog:');
      // koji.util.formatChangelog: a blank line after each entry, then print's own newline
      env.out(entries.map((e) => `* ${changelogDay(e.date)} ${e.author}\n${e.text}\n\n`).join(''));
    }
  }
}
