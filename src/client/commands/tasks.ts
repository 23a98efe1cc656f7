/**
 * @module
 * Task commands: make-task, list-tasks, taskinfo, watch-task, watch-logs,
 * cancel, resubmit (also resubmit-task), free-task, set-task-priority,
 * download-task, download-logs. Options and output follow koji's CLI;
 * `taskinfo` also says why a FREE task has not started.
 */
import type { Command } from 'commander';
import { mkdirSync, writeFileSync, existsSync, statSync, appendFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { KojiError, faultNameForCode } from '../../core/faults.ts';
import { TASK_STATES } from '../../core/states.ts';
import { taskLabel } from '../../core/task-params.ts';
import { fnmatchAny } from '../../core/fnmatch.ts';
import { CliError, type CliEnv } from '../env.ts';
import { kw, type ClientSession } from '../session.ts';
import { argFilter, collect } from '../args.ts';
import { watchTasks } from '../watch.ts';
import { downloadFile } from '../download.ts';
import { asctime, isInvalidMethod, pyRepr, tsNumber } from './common.ts';

type Dict = Record<string, unknown>;

interface Task extends Dict {
  id: number;
  state: number;
  method: string;
  arch: string;
  owner: number;
  host_id: number | null;
  parent: number | null;
  priority: number;
  request?: unknown[];
  owner_name?: string;
  children?: Task[];
  sub?: boolean;
}

const stateName = (s: number) => TASK_STATES.nameOf(s) ?? 'BADSTATE';
const isFinished = (s: number) => s === TASK_STATES.CLOSED || s === TASK_STATES.CANCELED || s === TASK_STATES.FAILED;

/** End with a status code and no message (koji returns the code of a failed watch silently). */
async function exitWith(env: CliEnv, code: number): Promise<never> {
  await env.close();
  process.exit(code);
}

/** koji's _running_in_bg: no terminal on stdin means nobody to show a watch to. */
function runningInBackground(): boolean {
  return !process.stdin.isTTY;
}

function taskIdArg(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CliError('task id must be an integer', 2);
  return Number(text);
}

/** `<topurl>[/vol/V]/work/tasks/<id % 10000>/<id>` */
function taskUrl(topurl: string, id: number, volume: string): string {
  return `${topurl.replace(/\/+$/, '')}${volume === 'DEFAULT' ? '' : `/vol/${volume}`}/work/tasks/${id % 10000}/${id}`;
}

async function outputAllVolumes(s: ClientSession, id: number): Promise<Record<string, string[]>> {
  return s.call<Record<string, string[]>>('listTaskOutput', id, kw({ all_volumes: true }));
}

interface SelectOptions {
  mine?: boolean;
  user?: string;
  arch?: string;
  method?: string;
  channel?: string;
  host?: string;
  before?: string;
  after?: string;
  all?: boolean;
}

function timeValue(v: string, name: string): number {
  if (/^\d+(\.\d*)?$/.test(v.trim())) return Number(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new CliError(`option --${name}: invalid time specification: ${v}`, 2);
  return ms / 1000;
}

/** koji_cli.lib._list_tasks: the selection as a listTasks query, children threaded under parents. */
async function listTasksFor(s: ClientSession, o: SelectOptions): Promise<Task[]> {
  const opts: Dict = { decode: true };
  if (!o.all) opts.state = [TASK_STATES.FREE, TASK_STATES.OPEN, TASK_STATES.ASSIGNED];
  if (o.after) opts.startedAfter = timeValue(o.after, 'after');
  if (o.before) opts.startedBefore = timeValue(o.before, 'before');
  if (o.mine) {
    if (o.user) throw new KojiError('GenericError', "Can't specify 'mine' and 'user' in same time");
    const me = await s.call<{ id: number } | null>('getLoggedInUser');
    if (!me) throw new CliError('Unable to determine user');
    opts.owner = me.id;
  }
  if (o.user) {
    const u = await s.call<{ id: number } | null>('getUser', o.user);
    if (!u) throw new CliError(`No such user: ${o.user}`);
    opts.owner = u.id;
  }
  if (o.arch) opts.arch = o.arch.replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  if (o.method) opts.method = o.method;
  if (o.channel) {
    const c = await s.call<{ id: number } | null>('getChannel', o.channel);
    if (!c) throw new CliError(`No such channel: ${o.channel}`);
    opts.channel_id = c.id;
  }
  if (o.host) {
    const h = await s.call<{ id: number } | null>('getHost', o.host);
    if (!h) throw new CliError(`No such host: ${o.host}`);
    opts.host_id = h.id;
  }
  const list = await s.call<Task[]>('listTasks', opts, { order: 'priority,create_time' });
  const byId = new Map(list.map((t) => [t.id, t]));
  for (const t of list) {
    const parent = t.parent !== null ? byId.get(t.parent) : undefined;
    if (parent) {
      (parent.children ??= []).push(t);
      t.sub = true;
    }
  }
  return list;
}

function printTask(env: CliEnv, t: Task, depth = 0): void {
  const indent = depth ? `${'  '.repeat(depth - 1)} +` : '';
  env.out(`${String(t.id).padEnd(8)} ${String(t.priority).padEnd(4)} ${String(t.owner_name ?? '').padEnd(20)} ${stateName(t.state).padEnd(8)} ${t.arch.padEnd(10)} ${indent}${taskLabel(t)}`);
  for (const c of t.children ?? []) printTask(env, c, depth + 1);
}

/** The "Request Parameters" lines of taskinfo -v for the common methods. */
async function requestLines(s: ClientSession, t: Task, topdir: string): Promise<string[]> {
  const p = await s.call<unknown[]>('getTaskRequest', t.id);
  const lines: string[] = [];
  const opts = (o: unknown) => {
    if (!o || typeof o !== 'object') return;
    lines.push('Options:');
    for (const [k, v] of Object.entries(o as Dict)) lines.push(`  ${k}: ${pyRepr(v)}`);
  };
  const tagName = async (ref: unknown) => (await s.call<{ name: string } | null>('getTag', ref))?.name ?? `${String(ref)} (deleted)`;
  switch (t.method) {
    case 'buildSRPMFromSCM':
      lines.push(`SCM URL: ${p[0]}`);
      break;
    case 'buildArch':
      lines.push(`SRPM: ${topdir}/work/${p[0]}`, `Build Tag: ${await tagName(p[1])}`, `Build Arch: ${p[2]}`, `SRPM Kept: ${pyRepr(p[3])}`);
      if (p.length > 4) opts(p[4]);
      break;
    case 'tagBuild': {
      const b = await s.call<{ nvr: string } | null>('getBuild', p[1]);
      lines.push(`Destination Tag: ${await tagName(p[0])}`, `Build: ${b?.nvr ?? String(p[1])}`);
      break;
    }
    case 'build':
      lines.push(`Source: ${p[0]}`, `Build Target: ${p[1]}`);
      if (p.length > 2) opts(p[2]);
      break;
    case 'newRepo':
      lines.push(`Tag: ${await tagName(p[0])}`);
      break;
    case 'createrepo':
      lines.push(`Repo ID: ${p[0]}`, `Arch: ${p[1]}`);
      break;
    case 'waitrepo':
      lines.push(`Build Target: ${p[0]}`);
      if (p[1]) lines.push(`Newer Than: ${p[1]}`);
      if (Array.isArray(p[2]) && p[2].length) lines.push(`NVRs: ${p[2].join(', ')}`);
      break;
    default:
      break;
  }
  return lines;
}

async function printTaskInfo(env: CliEnv, s: ClientSession, id: number, level: number, recurse: boolean, verbose: boolean): Promise<void> {
  const indent = '  '.repeat(level);
  const info = await s.call<Task | null>('getTaskInfo', id);
  if (!info) throw new KojiError('GenericError', `No such task: ${id}`);
  const topdir = env.profile.topdir || '/mnt/koji';
  const host = info.host_id ? await s.call<{ name: string } | null>('getHost', info.host_id) : null;
  const optional = async <T>(method: string, ...args: unknown[]): Promise<T[]> => {
    try {
      return await s.call<T[]>(method, ...args);
    } catch (err) {
      if (isInvalidMethod(err, method)) return [];
      throw err;
    }
  };
  const buildroots = await optional<Dict>('listBuildroots', kw({ taskID: id }));
  const builds = await optional<Dict>('listBuilds', kw({ taskID: id }));
  const files = await outputAllVolumes(s, id);
  const logs: string[] = [];
  const output: string[] = [];
  for (const [file, volumes] of Object.entries(files)) {
    for (const v of volumes) (file.endsWith('.log') ? logs : output).push(`${v === 'DEFAULT' ? topdir : `${topdir}/vol/${v}`}/work/tasks/${id % 10000}/${id}/${file}`);
  }
  const owner = await s.call<{ name: string } | null>('getUser', info.owner);
  env.out(`${indent}Task: ${id}`);
  env.out(`${indent}Type: ${info.method}`);
  if (verbose) {
    env.out(`${indent}Request Parameters:`);
    let lines: string[];
    try {
      lines = await requestLines(s, info, topdir);
    } catch {
      lines = ['Unable to parse task parameters'];
    }
    for (const l of lines) env.out(`${indent}  ${l}`);
  }
  env.out(`${indent}Owner: ${owner?.name ?? info.owner}`);
  env.out(`${indent}State: ${stateName(info.state).toLowerCase()}`);
  if (info.state === TASK_STATES.FREE || info.state === TASK_STATES.ASSIGNED) {
    try {
      const why = await s.call<string | null>('scheduler.explainTask', id);
      if (why) env.out(`${indent}Scheduler: ${why}`);
    } catch (err) {
      if (!isInvalidMethod(err, 'scheduler.explainTask')) throw err;
    }
  }
  const created = tsNumber(info.create_ts);
  if (created !== null) env.out(`${indent}Created: ${asctime(created)}`);
  const started = tsNumber(info.start_ts);
  if (started) env.out(`${indent}Started: ${asctime(started)}`);
  const completed = tsNumber(info.completion_ts);
  if (completed) env.out(`${indent}Finished: ${asctime(completed)}`);
  if (host) env.out(`${indent}Host: ${host.name}`);
  if (builds.length) env.out(`${indent}Build: ${builds[0]!.nvr} (${builds[0]!.build_id})`);
  if (buildroots.length) {
    env.out(`${indent}Buildroots:`);
    for (const r of buildroots) env.out(`${indent}  /var/lib/mock/${r.tag_name}-${r.id}-${r.repo_id}/`);
  }
  env.out(`${indent}Log Files:`);
  if (logs.length) for (const l of logs) env.out(`${indent}  ${l}`);
  else env.out(`${indent}  No outputs reported [1]`);
  env.out(`${indent}Output:`);
  if (output.length) for (const o of output) env.out(`${indent}  ${o}`);
  else env.out(`${indent}  No outputs reported [1]`);
  if (!logs.length || !output.length) env.out(`${indent}[1] Not all tasks produce outputs, and task outputs are not retained indefinitely.`);
  env.out('');
  if (recurse) {
    const children = (await s.call<Task[]>('getTaskChildren', id, kw({ request: true }))).sort((a, b) => a.id - b.id);
    for (const c of children) await printTaskInfo(env, s, c.id, level + 1, true, verbose);
  }
}

function registerTaskQueries(program: Command, env: CliEnv): void {
  program
    .command('list-tasks')
    .description('[info] Print the list of tasks')
    .option('--mine', 'Just print your tasks')
    .option('--user <user>', 'Only tasks for this user')
    .option('--arch <arch>', 'Only tasks for this architecture')
    .option('--method <method>', 'Only tasks of this method')
    .option('--channel <channel>', 'Only tasks in this channel')
    .option('--host <host>', 'Only tasks for this host')
    .option('--quiet', 'Do not display the column headers')
    .option('--before <time>', 'List tasks completed before this time')
    .option('--after <time>', 'List tasks completed after this time (same format as for --before')
    .option('--all', 'List also finished tasks (valid only with --after)')
    .action(async (o: SelectOptions & { quiet?: boolean }) => {
      if (o.all && !o.after) throw new CliError('--all must be used with --after', 2);
      const s = await env.login();
      const list = await listTasksFor(s, o);
      if (!list.length) {
        env.out('(no tasks)');
        return;
      }
      if (!(o.quiet ?? env.quiet)) env.out('ID       Pri  Owner                State    Arch       Name');
      for (const t of list) if (!t.sub) printTask(env, t);
    });

  program
    .command('taskinfo')
    .description('[info] Show information about a task')
    .argument('<task_ids...>')
    .option('-r, --recurse', 'Show children of this task as well')
    .option('-v, --verbose', 'Be verbose')
    .action(async (ids: string[], o: { recurse?: boolean; verbose?: boolean }) => {
      const s = await env.session();
      for (const id of ids) await printTaskInfo(env, s, taskIdArg(id), 0, Boolean(o.recurse), Boolean(o.verbose));
    });

  program
    .command('watch-task')
    .description('[monitor] Track progress of particular tasks')
    .argument('[task_ids...]')
    .option('--quiet', 'Do not print the task information')
    .option('--mine', 'Just watch your tasks')
    .option('--user <user>', 'Only tasks for this user')
    .option('--arch <arch>', 'Only tasks for this architecture')
    .option('--method <method>', 'Only tasks of this method')
    .option('--channel <channel>', 'Only tasks in this channel')
    .option('--host <host>', 'Only tasks for this host')
    .action(async (ids: string[], o: SelectOptions & { quiet?: boolean }) => {
      const selection = o.mine || o.user || o.arch || o.method || o.channel || o.host;
      if (ids.length && selection) throw new CliError('Selection options cannot be combined with a task list', 2);
      const s = o.mine ? await env.login() : await env.session();
      let tasks: number[];
      if (selection) {
        tasks = (await listTasksFor(s, o)).map((t) => t.id);
        if (!tasks.length) {
          env.out('(no tasks)');
          return;
        }
      } else {
        tasks = ids.map(taskIdArg);
        if (!tasks.length) throw new CliError('at least one task id must be specified', 2);
      }
      const rc = await watchTasks(env, s, tasks, { quiet: o.quiet ?? env.quiet });
      if (rc) await exitWith(env, rc);
    });

  program
    .command('watch-logs')
    .description('[monitor] Watch logs in realtime')
    .argument('[task_ids...]')
    .option('--log <log>', 'Watch only a specific log')
    .option('--mine', 'Watch logs for all your tasks, task_id arguments are forbidden in this case.')
    .option('-f, --follow', 'Follow spawned child tasks')
    .action(async (ids: string[], o: { log?: string; mine?: boolean; follow?: boolean }) => {
      let tasks: number[];
      let s: ClientSession;
      if (o.mine) {
        if (ids.length) throw new CliError('Selection options cannot be combined with a task list', 2);
        s = await env.login();
        tasks = (await listTasksFor(s, { mine: true })).map((t) => t.id);
        if (!tasks.length) {
          env.out("You've no active tasks.");
          return;
        }
      } else {
        s = await env.session();
        tasks = ids.map(taskIdArg);
      }
      if (!tasks.length) throw new CliError('at least one task id must be specified', 2);
      await watchLogs(env, s, tasks, o);
    });
}

/** koji's watch_logs: print new bytes of each task's logs until the tasks finish. */
async function watchLogs(env: CliEnv, s: ClientSession, tasks: number[], o: { log?: string; follow?: boolean }): Promise<void> {
  env.out('Watching logs (this may be safely interrupted)...');
  // logs grow without the task changing state, so they are read at least every second
  const interval = Math.min(env.profile.poll_interval ?? 6, 1);
  const offsets = new Map<string, number>();
  let lastLog: string | null = null;
  const list = [...tasks];
  for (;;) {
    for (const id of [...list]) {
      const info = await s.call<Task | null>('getTaskInfo', id);
      if (!info) throw new CliError(`No such task id: ${id}`);
      if (isFinished(info.state)) list.splice(list.indexOf(id), 1);
      const files = await outputAllVolumes(s, id);
      for (const [file, volumes] of Object.entries(files)) {
        if (o.log ? file !== o.log : !file.endsWith('log')) continue;
        for (const volume of volumes) {
          const key = `${id}:${volume}:${file}`;
          for (;;) {
            const offset = offsets.get(key) ?? 0;
            const b64 = await s.call<string>('downloadTaskOutput', id, file, kw({ offset, size: 16384, volume }));
            const bytes = Buffer.from(b64, 'base64');
            if (!bytes.length) break;
            offsets.set(key, offset + bytes.length);
            if (key !== lastLog) {
              if (lastLog) process.stdout.write('\n');
              process.stdout.write(`==> ${key}: <==\n`);
              lastLog = key;
            }
            process.stdout.write(bytes);
          }
        }
      }
      if (o.follow) {
        for (const c of await s.call<Task[]>('getTaskChildren', id)) if (!list.includes(c.id) && !tasks.includes(c.id)) {
          list.push(c.id);
          tasks.push(c.id);
        }
      }
    }
    if (!list.length) return;
    await Bun.sleep(interval * 1000);
  }
}

function registerTaskActions(program: Command, env: CliEnv): void {
  program
    .command('make-task')
    .description('[admin] Create an arbitrary task')
    .argument('<method>')
    .argument('[args...]')
    .option('--channel <channel>', 'set channel')
    .option('--priority <priority>', 'set priority')
    .option('--watch', 'watch the task')
    .option('--arch <arch>', 'set arch')
    .action(async (method: string, args: string[], o: { channel?: string; priority?: string; watch?: boolean; arch?: string }) => {
      const s = await env.login();
      const opts: Dict = { method, arglist: args.map((a) => argFilter(a)) };
      if (o.channel !== undefined) opts.channel = o.channel;
      if (o.priority !== undefined) opts.priority = o.priority;
      if (o.arch !== undefined) opts.arch = o.arch;
      const id = await s.call<number>('makeTask', kw(opts));
      env.out(`Created task id ${id}`);
      if (!o.watch || runningInBackground()) return;
      await s.logout();
      const rc = await watchTasks(env, s, [id], { quiet: env.quiet });
      if (rc) await exitWith(env, rc);
    });

  program
    .command('cancel')
    .description('[build] Cancel tasks and/or builds')
    .argument('<ids...>', 'task ids or builds (n-v-r)')
    .option('--justone', 'Do not cancel subtasks')
    .option('--full', 'Full cancellation (admin only)')
    .option('--force', 'Allow subtasks with --full')
    .action(async (items: string[], o: { justone?: boolean; full?: boolean; force?: boolean }) => {
      const tasks: number[] = [];
      const builds: string[] = [];
      for (const a of items) {
        if (/^\d+$/.test(a)) tasks.push(Number(a));
        else if (/^.+-[^-]+-[^-]+$/.test(a)) builds.push(a);
        else throw new CliError('please specify only task ids (integer) or builds (n-v-r)', 2);
      }
      const s = await env.login();
      const calls: Array<[string, ...unknown[]]> = [];
      for (const id of tasks) {
        if (o.justone) calls.push(['cancelTask', id, kw({ recurse: false })]);
        else if (o.full) calls.push(['cancelTaskFull', id, kw(o.force ? { strict: false } : {})]);
        else calls.push(['cancelTask', id]);
      }
      for (const b of builds) calls.push(['cancelBuild', b, kw({ strict: true })]);
      let failed = false;
      for (let i = 0; i < calls.length; i += 100) {
        for (const r of await s.multiCall(calls.slice(i, i + 100), false)) {
          if (r instanceof KojiError) {
            env.err(r.message);
            failed = true;
          }
        }
      }
      if (failed) await exitWith(env, 1);
    });

  for (const name of ['resubmit', 'resubmit-task']) {
    program
      .command(name)
      .description('[build] Retry a canceled or failed task, using the same parameter as the original task.')
      .argument('<task_id>')
      .option('--wait', 'Wait on task, even if running in the background')
      .option('--nowait', "Don't wait on task")
      .option('--nowatch', 'An alias for --nowait')
      .option('--quiet', 'Do not print the task information')
      .action(async (idText: string, o: { wait?: boolean; nowait?: boolean; nowatch?: boolean; quiet?: boolean }) => {
        const id = taskIdArg(idText);
        const quiet = o.quiet ?? env.quiet;
        const s = await env.login();
        if (!quiet) {
          env.out('Resubmitting the following task:');
          await printTaskInfo(env, s, id, 0, false, true);
        }
        const newId = await s.call<number>('resubmitTask', id);
        if (!quiet) env.out(`Resubmitted task ${id} as new task ${newId}`);
        const wait = o.nowait || o.nowatch ? false : o.wait ? true : !runningInBackground();
        if (!wait) return;
        await s.logout();
        const rc = await watchTasks(env, s, [newId], { quiet });
        if (rc) await exitWith(env, rc);
      });
  }

  program
    .command('free-task')
    .description('[admin] Free a task')
    .argument('<task_ids...>')
    .action(async (ids: string[]) => {
      const s = await env.login();
      await s.multiCall(ids.map((i) => ['freeTask', taskIdArg(i)] as [string, ...unknown[]]), true);
    });

  program
    .command('set-task-priority')
    .description('[admin] Set task priority')
    .argument('<task_ids...>')
    .requiredOption('--priority <priority>', 'New priority')
    .option('--recurse', 'Change priority of child tasks as well')
    .action(async (ids: string[], o: { priority: string; recurse?: boolean }) => {
      if (!/^-?\d+$/.test(o.priority)) throw new CliError(`option --priority: invalid integer value: '${o.priority}'`, 2);
      const s = await env.login();
      await s.multiCall(ids.map((i) => ['setTaskPriority', taskIdArg(i), Number(o.priority), kw({ recurse: Boolean(o.recurse) })] as [string, ...unknown[]]), true);
    });
}

function registerTaskDownloads(program: Command, env: CliEnv): void {
  program
    .command('download-task')
    .description('[download] Download the output of a build task')
    .argument('<task_id>')
    .option('--arch <arch>', 'Only download packages for this arch (may be used multiple times), only for build and buildArch task methods', collect, [])
    .option('--logs', 'Also download build logs')
    .option('--topurl <url>', 'URL under which Koji files are accessible')
    .option('--noprogress', 'Do not display progress meter')
    .option('--wait', 'Wait for running tasks to finish, even if running in the background')
    .option('--nowait', 'Do not wait for running tasks to finish')
    .option('-q, --quiet', 'Suppress output')
    .option('--all', 'Download all files, all methods instead of build and buildArch')
    .option('--dirpertask', 'Download files to dir per task')
    .option('--parentonly', "Download parent's files only")
    .option('--filter <regex>', 'Regex pattern to filter files', collect, [])
    .option('--skip <regex>', 'Regex pattern to skip files', collect, [])
    .action(async (idText: string, o: { arch: string[]; logs?: boolean; topurl?: string; noprogress?: boolean; wait?: boolean; nowait?: boolean; quiet?: boolean; all?: boolean; dirpertask?: boolean; parentonly?: boolean; filter: string[]; skip: string[] }) => {
      const baseId = taskIdArg(idText);
      if (o.filter.length && o.skip.length) throw new CliError('Only filter or skip may be specified. Not both.', 2);
      const arches = o.arch.join(',').split(',').filter(Boolean);
      const quiet = o.quiet ?? env.quiet;
      const topurl = o.topurl ?? env.profile.topurl;
      const s = await env.session();
      let base = await s.call<Task | null>('getTaskInfo', baseId);
      if (!base) throw new CliError(`No such task: ${baseId}`);
      const wait = o.nowait ? false : o.wait ? true : !runningInBackground();
      if (wait && !isFinished(base.state)) {
        await watchTasks(env, s, [baseId], { quiet });
        base = (await s.call<Task | null>('getTaskInfo', baseId))!;
      }
      let tasks: Task[] = [base];
      if (!o.parentonly) tasks.push(...(await s.call<Task[]>('getTaskChildren', baseId)));
      tasks = tasks.sort((a, b) => a.id - b.id);
      for (const t of tasks) {
        if (t.state === TASK_STATES.CLOSED) continue;
        const who = t.id === baseId ? 'Task' : 'Child task';
        if (t.state === TASK_STATES.FAILED) throw new CliError(`${who} ${t.id} failed. You can use save-failed-tree plugin for FAILED tasks.`);
        if (t.state === TASK_STATES.CANCELED) throw new CliError(`${who} ${t.id} was canceled.`);
        throw new CliError(`${who} ${t.id} has not finished yet.`);
      }
      const downloads: Array<{ task: Task; file: string; volume: string; dest: string }> = [];
      for (const t of tasks) {
        const files = await outputAllVolumes(s, t.id);
        for (const [file, volumes] of Object.entries(files)) {
          if (o.filter.length && !o.filter.every((re) => new RegExp(re).test(file))) continue;
          if (o.skip.length && o.skip.some((re) => new RegExp(re).test(file))) continue;
          const type = file.endsWith('src.rpm') ? 'src.rpm' : file.slice(file.lastIndexOf('.') + 1);
          const buildMethod = t.method === 'buildArch' || t.method === 'build';
          const rpmType = type === 'rpm' || type === 'src.rpm';
          for (const volume of volumes) {
            let dest: string | null = null;
            if (o.all && !(buildMethod && rpmType)) {
              if (type !== 'log') dest = o.dirpertask ? `${t.id}/${file}` : !file.includes(t.arch) && type !== 'src.rpm' ? `${file.slice(0, -(type.length + 1))}.${t.arch}.${type}` : file;
            } else if (buildMethod && rpmType) {
              const fileArch = file.split('.').at(-2) ?? '';
              if (!arches.length || arches.includes(fileArch)) dest = o.dirpertask ? `${t.id}/${file}` : file;
            }
            if (dest) downloads.push({ task: t, file, volume, dest });
            if (type === 'log' && o.logs) {
              const logDest = o.dirpertask ? `${t.id}/${file}` : file.includes(t.arch) ? file : `${file.slice(0, -4)}.${t.arch}.log`;
              downloads.push({ task: t, file, volume, dest: logDest });
            }
          }
        }
      }
      if (!downloads.length) {
        env.out('No files for download found.');
        return;
      }
      let n = 0;
      for (const d of downloads) {
        n++;
        const url = `${taskUrl(topurl, d.task.id, d.volume)}/${d.file.split('/').map(encodeURIComponent).join('/')}`;
        const dest = d.volume === 'DEFAULT' ? d.dest : join(d.volume, d.dest);
        await downloadFile(url, dest, { quiet, noprogress: o.noprogress, num: n, count: downloads.length, out: (l) => env.out(l) });
      }
    });

  program
    .command('download-logs')
    .description('[download] Download logs for task')
    .argument('<ids...>', 'task ids, or builds with --nvr')
    .option('-r, --recurse', 'Process children of this task as well')
    .option('--nvr', 'Get the logs for the task associated with this build Name-Version-Release.')
    .option('-m, --match <pattern>', 'Get only log filenames matching PATTERN (fnmatch). May be used multiple times.', collect, [])
    .option('-c, --continue', 'Continue previous download')
    .option('-d, --dir <directory>', 'Write logs to DIRECTORY', 'kojilogs')
    .action(async (ids: string[], o: { recurse?: boolean; nvr?: boolean; match: string[]; continue?: boolean; dir: string }) => {
      const s = await env.session();
      const FAIL_LOG = 'task_failed.log';
      const saveLogs = async (id: number, parentDir: string, recurse: boolean): Promise<void> => {
        const info = await s.call<Task | null>('getTaskInfo', id);
        if (!info) throw new CliError(`No such task: ${id}`);
        const files = await outputAllVolumes(s, id);
        const logs: Array<[string, string]> = [];
        for (const [file, volumes] of Object.entries(files)) {
          if (!file.endsWith('.log')) continue;
          if (o.match.length && !fnmatchAny(file, o.match)) continue;
          for (const v of volumes) logs.push([file, v]);
        }
        const dir = join(parentDir, `${info.arch}-${id}`);
        let count = 0;
        if (info.state === TASK_STATES.FAILED) {
          if (!o.match.length || fnmatchAny(FAIL_LOG, o.match)) {
            let content: string;
            try {
              content = pyRepr(await s.call('getTaskResult', id));
            } catch (err) {
              if (!(err instanceof KojiError)) throw err;
              content = `${faultNameForCode(err.faultCode) ?? 'Fault'}: ${err.message}\n`;
            }
            const path = normalize(join(dir, FAIL_LOG));
            mkdirSync(dirname(path), { recursive: true });
            env.out(`Writing: ${path}`);
            writeFileSync(path, content);
            count++;
          }
        } else if (!isFinished(info.state)) env.err(`Task ${id} is ${stateName(info.state)}\n`);
        for (const [file, volume] of logs) {
          const path = normalize(volume === 'DEFAULT' ? join(dir, file) : join(dir, volume, file));
          mkdirSync(dirname(path), { recursive: true });
          let offset = 0;
          if (o.continue && existsSync(path)) {
            env.out(`Continuing: ${path}`);
            offset = statSync(path).size;
          } else {
            env.out(`Downloading: ${path}`);
            writeFileSync(path, new Uint8Array());
          }
          for (;;) {
            const chunk = Buffer.from(await s.call<string>('downloadTaskOutput', id, file, kw({ offset, size: 102400, volume })), 'base64');
            if (!chunk.length) break;
            appendFileSync(path, chunk);
            offset += chunk.length;
          }
          count++;
        }
        if (count === 0 && !recurse) env.err(`No logs found for task ${id}. Perhaps try --recurse?\n`);
        if (recurse) for (const c of await s.call<Task[]>('getTaskChildren', id)) await saveLogs(c.id, dir, true);
      };
      for (const arg of ids) {
        if (o.nvr) {
          const b = await s.call<{ state: number; task_id: number | null; build_id: number } | null>('getBuild', arg);
          if (!b) throw new CliError(`There is no build with n-v-r: ${arg}`);
          if (!b.task_id) {
            env.out(`Unable to download build ${arg} (no task)`);
            continue;
          }
          env.out(`Using task ID: ${b.task_id}`);
          await saveLogs(b.task_id, o.dir, true);
        } else await saveLogs(taskIdArg(arg), o.dir, Boolean(o.recurse));
      }
    });
}

export function registerTaskCommands(program: Command, env: CliEnv): void {
  registerTaskQueries(program, env);
  registerTaskActions(program, env);
  registerTaskDownloads(program, env);
}
