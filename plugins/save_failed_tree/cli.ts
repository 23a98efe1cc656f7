/**
 * @module
 * `save-failed-tree [--full] [--nowait] [--quiet] ID`, with the options of
 * koji's CLI plugin: ID is a task (its newest buildroot is saved) or, with
 * --buildroot, a buildroot. Unless --nowait it watches the task, then
 * prints where to download the tarball (kojibox; koji only links it from
 * the task page), and warns on stderr when the tree was larger than
 * `--warn-size` (default: the profile's `save_failed_tree_warn_size`, else
 * 1 GiB), since these tarballs can be huge.
 */
import type { Command } from 'commander';
import { homedir } from 'node:os';
import type { CliPlugin } from '../../src/plugin.ts';
import { CliError, type CliEnv, exitWith } from '../../src/client/env.ts';
import { kw, type ClientSession } from '../../src/client/session.ts';
import { watchTasks } from '../../src/client/watch.ts';
import { KojiError } from '../../src/core/faults.ts';
import { TASK_STATES } from '../../src/core/states.ts';
import { clientConfigPaths, DEFAULT_PROFILE } from '../../src/config/client.ts';
import { readIniPaths, resolveConfigRoot } from '../../src/config/root.ts';
import { formatSize, parseSize } from './units.ts';

/** Warn about trees bigger than this unless configured otherwise. */
export const DEFAULT_WARN_SIZE = 1024 ** 3;
/** The koji.conf profile option that sets the warning size. */
export const WARN_SIZE_OPTION = 'save_failed_tree_warn_size';

interface Options {
  full?: boolean;
  quiet?: boolean;
  nowait?: boolean;
  warnSize?: string;
}

/** The task's output URL under the hub's files, as koji's pathinfo.task() lays it out. */
export function tarballUrl(topurl: string, taskId: number, volume: string, file: string): string {
  const vol = volume === 'DEFAULT' ? '' : `/vol/${encodeURIComponent(volume)}`;
  return `${topurl.replace(/\/+$/, '')}${vol}/work/tasks/${taskId % 10000}/${taskId}/${encodeURIComponent(file)}`;
}

/** `--warn-size`, else the profile's option, else 1 GiB. */
function warnSize(env: CliEnv, flag: string | undefined): number {
  const parse = (text: string, where: string) => {
    try {
      return parseSize(text);
    } catch (err) {
      throw new CliError(`${where}: ${(err as Error).message}`, 2);
    }
  };
  if (flag !== undefined) return parse(flag, 'option --warn-size');
  const o = env.options;
  const doc = readIniPaths(clientConfigPaths(resolveConfigRoot(o.configRoot), homedir(), o.config), { interpolation: true });
  const value = doc?.get(o.profile ?? DEFAULT_PROFILE, WARN_SIZE_OPTION);
  return value === undefined ? DEFAULT_WARN_SIZE : parse(value, WARN_SIZE_OPTION);
}


/** After the task: the tarball's URL (unless quiet) and the size warning. */
async function afterTask(env: CliEnv, session: ClientSession, taskId: number, buildrootId: number, quiet: boolean, limit: number): Promise<void> {
  const info = await session.call<{ state: number } | null>('getTaskInfo', taskId);
  if (info?.state !== TASK_STATES.CLOSED) return;
  const file = `broot-${buildrootId}.tar.gz`;
  const output = await session.call<Record<string, string[]>>('listTaskOutput', taskId, kw({ all_volumes: true }));
  const result = await session.call<Record<string, unknown> | null>('getTaskResult', taskId).catch(() => null);
  const treeSize = typeof result?.tree_size === 'number' ? result.tree_size : null;
  if (treeSize !== null && treeSize > limit) {
    const size = typeof result?.size === 'number' ? ` (tarball ${formatSize(result.size)})` : '';
    env.err(`Warning: buildroot ${buildrootId} held ${formatSize(treeSize)} of files${size}, more than ${formatSize(limit)}; mind the hub's disk and delete what you no longer need.`);
  }
  if (quiet) return;
  for (const volume of output[file] ?? []) env.out(`Tarball: ${tarballUrl(env.profile.topurl, taskId, volume, file)}`);
}

async function saveFailedTree(env: CliEnv, args: string[], opts: Options, mode: 'task' | 'buildroot'): Promise<void> {
  if (args.length !== 1) throw new CliError('List exactly one task or buildroot ID', 2);
  if (!/^\s*[+-]?\d+\s*$/.test(args[0]!)) throw new CliError('ID must be an integer', 2);
  const id = Number(args[0]);
  const quiet = Boolean(opts.quiet || env.quiet);
  const limit = warnSize(env, opts.warnSize);
  const session = await env.login();

  let buildrootId: number;
  if (mode === 'buildroot') buildrootId = id;
  else {
    const brs = (await session.call<Array<{ id: number }>>('listBuildroots', kw({ taskID: id }))).map((b) => b.id);
    if (!brs.length) {
      env.out(`No buildroots for task ${id}`);
      return exitWith(1);
    }
    buildrootId = Math.max(...brs);
    if (brs.length > 1) env.out(`Multiple buildroots for task. Choosing last one (${buildrootId})`);
  }

  let taskId: number;
  try {
    taskId = await session.call<number>('saveFailedTree', buildrootId, Boolean(opts.full));
  } catch (err) {
    if (err instanceof KojiError && err.message.includes('Invalid method')) {
      env.out('* The save_failed_tree plugin appears to not be installed on the koji hub.  Please contact the administrator.');
      return exitWith(1);
    }
    throw err;
  }
  if (!quiet) {
    env.out(`Created task ${taskId} for buildroot ${buildrootId}`);
    env.out(`Task info: ${env.weburl(`taskinfo?taskID=${taskId}`)}`);
  }
  if (opts.nowait) return;
  // koji watches anonymously
  await session.logout();
  const rc = await watchTasks(env, session, [taskId], { quiet });
  await afterTask(env, session, taskId, buildrootId, quiet, limit);
  if (rc) exitWith(rc);
}

function register(program: Command, env: CliEnv): void {
  // optparse's store_const into one destination: the last of -t/-r given wins.
  let mode: 'task' | 'buildroot' = 'task';
  program
    .command('save-failed-tree')
    .description('Create tarball with whole buildtree')
    .usage('[options] ID')
    .argument('[ID...]')
    .option('-f, --full', 'Download whole tree, if not specified, only builddir will be downloaded')
    .option('-t, --task', 'Treat ID as a task ID (the default)')
    .option('-r, --buildroot', 'Treat ID as a buildroot ID')
    .option('--quiet', 'Do not print the task information')
    .option('--nowait', "Don't wait on build")
    .option('--warn-size <size>', `Warn when the tree is bigger than this (e.g. 500M, 2G; default: profile option ${WARN_SIZE_OPTION}, else 1G)`)
    .on('option:task', () => {
      mode = 'task';
    })
    .on('option:buildroot', () => {
      mode = 'buildroot';
    })
    .action(async (args: string[], opts: Options) => {
      await saveFailedTree(env, args, opts, mode);
    });
}

export const saveFailedTreeCli: CliPlugin = { name: 'save_failed_tree', register };
