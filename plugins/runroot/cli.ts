/**
 * @module
 * The `runroot` client command, with the options of Koji's CLI plugin:
 * create the task, then (unless --nowait) wait for it, print the command's
 * output (runroot.log) and exit with the task's success or failure; --watch
 * shows the task's progress instead of the log.
 */
import type { Command } from 'commander';
import type { CliPlugin } from '../../src/plugin.ts';
import type { CliEnv } from '../../src/client/env.ts';
import { CliError, exitWith } from '../../src/client/env.ts';
import { kw, type ClientSession } from '../../src/client/session.ts';
import { collect } from '../../src/client/args.ts';
import { KojiError } from '../../src/core/faults.ts';
import { TASK_STATES } from '../../src/core/states.ts';
import { watchTasks } from '../../src/client/watch.ts';
import { writeStdout } from '../../src/client/output.ts';

interface RunrootOptions {
  package: string[];
  mount: string[];
  skipSetarch?: boolean;
  weight?: number;
  channelOverride?: string;
  taskId?: boolean;
  useShell?: boolean;
  newChroot?: boolean;
  repoId?: number;
  wait: boolean;
  watch?: boolean;
  quiet?: boolean;
}

/** Bytes asked for per downloadTaskOutput call, so a huge log never travels in one response. */
const CHUNK = 8 * 1024 * 1024;
/** Longest single waitTaskChange call, in seconds. */
const MAX_LONG_POLL_S = 5;
const FINISHED = new Set<number>([TASK_STATES.CLOSED, TASK_STATES.CANCELED, TASK_STATES.FAILED]);

/** optparse's `type='int'`: the whole text must be an integer. */
function intOption(name: string) {
  return (value: string): number => {
    if (!/^\s*[+-]?\d+\s*$/.test(value)) throw new CliError(`option ${name}: invalid integer value: '${value}'`, 2);
    return Number(value);
  };
}

/** Write bytes to stdout, all of them before the process may exit. */
async function writeOut(bytes: Uint8Array): Promise<void> {
  writeStdout(bytes);
}

/** The whole of a task output file from one volume, fetched in chunks. */
async function downloadOutput(session: ClientSession, taskId: number, file: string, volume: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let offset = 0; ; ) {
    const vol = volume && volume !== 'DEFAULT' ? { volume } : {};
    const b64 = await session.call<string>('downloadTaskOutput', taskId, file, kw({ offset, size: CHUNK, ...vol }));
    const chunk = Buffer.from(b64, 'base64');
    parts.push(chunk);
    offset += chunk.length;
    if (chunk.length < CHUNK) break;
  }
  return Buffer.concat(parts);
}

/**
 * Wait until the task is done. A kojibox hub is asked to answer as soon as
 * the task changes (waitTaskChange); another hub is polled with
 * taskFinished every poll_interval seconds, as Koji's CLI does. Ctrl-C
 * cancels the task, as Koji's CLI does.
 */
async function waitForTask(env: CliEnv, session: ClientSession, taskId: number): Promise<{ state: number } | null> {
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
  };
  process.on('SIGINT', onInterrupt);
  const poll = Math.max(0.1, env.profile.poll_interval);
  // A long poll ends at least this often, so Ctrl-C is noticed soon.
  const longPoll = Math.min(poll, MAX_LONG_POLL_S);
  let canWait = true;
  try {
    for (;;) {
      const [info, children] = (await session.multiCall([
        ['getTaskInfo', taskId],
        ['getTaskChildren', taskId],
      ], true)) as [{ state: number } | null, unknown[]];
      if (!info || FINISHED.has(info.state)) return info;
      if (!interrupted && canWait) {
        try {
          await session.call('waitTaskChange', [taskId], kw({ timeout: longPoll, known: { [String(taskId)]: [info.state, children.length] } }));
        } catch (err) {
          if (!(err instanceof KojiError && err.message.includes('Invalid method'))) throw err;
          canWait = false;
        }
      } else if (!interrupted) {
        const until = Date.now() + poll * 1000;
        while (Date.now() < until && !interrupted) await Bun.sleep(Math.min(100, until - Date.now()));
      }
      if (interrupted) {
        env.out('User interrupt: canceling runroot task');
        await session.call('cancelTask', taskId);
        throw new CliError('interrupted', 1);
      }
    }
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}


async function runroot(env: CliEnv, args: string[], opts: RunrootOptions): Promise<void> {
  if (args.length < 3) throw new CliError('Incorrect number of arguments', 2);
  const quiet = Boolean(opts.quiet || env.quiet);
  const session = await env.login();
  const [tag, arch, ...rest] = args as [string, string, ...string[]];
  // --use-shell: the words are one shell command line, which the caller quoted.
  const command = opts.useShell ? rest.join(' ') : rest;
  const kwargs: Record<string, unknown> = {
    channel: opts.channelOverride ?? null,
    packages: opts.package,
    mounts: opts.mount,
    repo_id: opts.repoId ?? null,
    skip_setarch: Boolean(opts.skipSetarch),
    weight: opts.weight ?? null,
  };
  // Sent only when chosen, as Koji does for older builders.
  if (opts.newChroot !== undefined) kwargs.new_chroot = opts.newChroot;
  let taskId: number;
  try {
    taskId = await session.call<number>('runroot', tag, arch, command, kw(kwargs));
  } catch (err) {
    if (err instanceof KojiError && err.message.includes('Invalid method')) {
      env.out('* The runroot plugin appears to not be installed on the koji hub.  Please contact the administrator.');
    }
    throw err;
  }
  if (opts.taskId) env.out(String(taskId));
  if (!opts.wait) return;

  if (opts.watch) {
    await session.logout();
    const rc = await watchTasks(env, session, [taskId], { quiet });
    if (rc) exitWith(rc);
    return;
  }

  const info = await waitForTask(env, session, taskId);
  if (!quiet) {
    const output = await session.call<Record<string, string[]>>('listTaskOutput', taskId, kw({ all_volumes: true }));
    for (const volume of output['runroot.log'] ?? []) {
      // The command's output can be anything, so it goes out as bytes.
      await writeOut(await downloadOutput(session, taskId, 'runroot.log', volume));
    }
  }
  if (!info || info.state === TASK_STATES.FAILED || info.state === TASK_STATES.CANCELED) exitWith(1);
}

function register(program: Command, env: CliEnv): void {
  // optparse stores both flags into one destination, so the last one given wins.
  let newChroot: boolean | undefined;
  program
    .command('runroot')
    .description('[admin] Run a command in a buildroot')
    .usage('[options] <tag> <arch> <command>')
    .argument('[args...]', '<tag> <arch> <command>...')
    .option('-p, --package <package>', 'make sure this package is in the chroot', collect, [])
    .option('-m, --mount <dir>', 'mount this directory read-write in the chroot', collect, [])
    .option('--skip-setarch', 'bypass normal setarch in the chroot')
    .option('-w, --weight <weight>', 'set task weight', intOption('-w/--weight'))
    .option('--channel-override <channel>', 'use a non-standard channel')
    .option('--task-id', 'Print the ID of the runroot task')
    .option('--use-shell', 'Run command through a shell, otherwise uses exec')
    .option('--new-chroot', 'Run command with the --new-chroot (systemd-nspawn) option to mock')
    .option('--old-chroot', 'Run command with the --old-chroot (systemd-nspawn) option to mock')
    .option('--repo-id <id>', 'ID of the repo to use', intOption('--repo-id'))
    .option('--nowait', 'Do not wait on task')
    .option('--watch', 'Watch task instead of printing runroot.log')
    .option('--quiet', 'Do not print the task information')
    // Koji's parser stops at the first argument: options after the tag belong to the command.
    .passThroughOptions()
    .on('option:new-chroot', () => {
      newChroot = true;
    })
    .on('option:old-chroot', () => {
      newChroot = false;
    })
    .action(async (args: string[], raw: Omit<RunrootOptions, 'wait' | 'newChroot'> & { nowait?: boolean }) => {
      await runroot(env, args, { ...raw, wait: !raw.nowait, newChroot });
    });
}

export const runrootCli: CliPlugin = { name: 'runroot', register };
