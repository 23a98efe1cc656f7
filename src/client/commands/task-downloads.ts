/**
 * @module
 * Getting at task output from the client: watch-logs (follow logs while
 * tasks run), download-task (files over HTTP from the topurl, as koji does)
 * and download-logs (logs through downloadTaskOutput).
 */
import type { Command } from 'commander';
import { appendFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { KojiError, faultNameForCode } from '../../core/faults.ts';
import { TASK_STATES } from '../../core/states.ts';
import { fnmatchAny } from '../../core/fnmatch.ts';
import { CliError, type CliEnv } from '../env.ts';
import { kw, type ClientSession } from '../session.ts';
import { collect } from '../args.ts';
import { watchTasks } from '../watch.ts';
import { downloadFile } from '../download.ts';
import { pyRepr } from './common.ts';
import {
  isFinished, listTasksFor, outputAllVolumes, runningInBackground, stateName, taskIdArg, taskUrl, type Task,
} from './task-common.ts';
import { writeStdout } from '../output.ts';

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
              if (lastLog) writeStdout('\n');
              writeStdout(`==> ${key}: <==\n`);
              lastLog = key;
            }
            writeStdout(bytes);
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

export function registerTaskDownloads(program: Command, env: CliEnv): void {
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
