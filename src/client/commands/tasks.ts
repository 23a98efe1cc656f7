/**
 * @module
 * Task commands: make-task, list-tasks, taskinfo, watch-task, cancel,
 * resubmit (also resubmit-task), free-task, set-task-priority. Options and
 * output follow koji's CLI; `taskinfo` also says why a FREE task has not
 * started. Downloads and watch-logs are in ./task-downloads.ts.
 */
import type { Command } from 'commander';
import { KojiError } from '../../core/faults.ts';
import { TASK_STATES } from '../../core/states.ts';
import { taskLabel } from '../../core/task-params.ts';
import { CliError, type CliEnv } from '../env.ts';
import { kw, type ClientSession } from '../session.ts';
import { argFilter } from '../args.ts';
import { watchTasks } from '../watch.ts';
import { asctime, isInvalidMethod, pyRepr, tsNumber } from './common.ts';
import {
  setExitCode, listTasksFor, outputAllVolumes, runningInBackground, stateName, taskIdArg, type Dict, type SelectOptions, type Task,
} from './task-common.ts';
import { registerTaskDownloads } from './task-downloads.ts';

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
      if (rc) setExitCode(rc);
    });
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
      if (rc) setExitCode(rc);
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
      if (failed) setExitCode(1);
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
        if (rc) setExitCode(rc);
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

export function registerTaskCommands(program: Command, env: CliEnv): void {
  registerTaskQueries(program, env);
  registerTaskActions(program, env);
  registerTaskDownloads(program, env);
}
