/**
 * @module
 * Repo commands with Koji 1.35's options and output: regen-repo,
 * request-repo, wait-repo, wait-repo-request and repoinfo.
 */
import type { Command } from 'commander';
import { KojiError } from '../../core/faults.ts';
import { REPO_STATES } from '../../core/states.ts';
import { CliError, type CliEnv } from '../env.ts';
import { kw, type ClientSession } from '../session.ts';
import { collect } from '../args.ts';
import { watchTasks } from '../watch.ts';
import { RepoWatcher, cliLogger, failedToGetRepo, printGotRepo, waitRepo } from '../wait-repo.ts';
import { formatTimeLong } from './common.ts';

type Dict = Record<string, unknown>;

interface RequestOptions {
  target?: boolean;
  wait?: boolean;
  minEvent?: number;
  atEvent?: number;
  /** --current / --last (commander names it after the last flag). */
  last?: boolean;
  debuginfo?: boolean;
  /** --source / --src. */
  src?: boolean;
  /** --separate-source / --separate-src. */
  separateSrc?: boolean;
  timeout: number;
  verbose?: boolean;
  quiet?: boolean;
}

const intArg = (name: string) => (v: string) => {
  if (!/^[+-]?\d+$/.test(v.trim())) throw new CliError(`option ${name}: invalid integer value: '${v}'`, 2);
  return Number(v);
};
const minutesArg = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CliError(`option --timeout: invalid integer value: '${v}'`, 2);
  return n;
};

function repoOpts(o: { debuginfo?: boolean; src?: boolean; separateSrc?: boolean }): Dict {
  const opts: Dict = {};
  if (o.debuginfo) opts.debuginfo = true;
  if (o.src) opts.src = true;
  if (o.separateSrc) opts.separate_src = true;
  return opts;
}

/** A tag by name, or a target's build tag with --target (usage errors as Koji's parser.error). */
async function tagOrTarget(s: ClientSession, arg: string, target: boolean | undefined): Promise<Dict> {
  if (target) {
    const t = await s.call<Dict | null>('getBuildTarget', arg);
    if (!t) throw new CliError(`No such build target: ${arg}`, 2);
    return s.call<Dict>('getTag', t.build_tag, kw({ strict: true }));
  }
  const tag = await s.call<Dict | null>('getTag', arg);
  if (!tag) throw new CliError(`No such tag: ${arg}`, 2);
  return tag;
}

/** Koji's _request_repo, shared by request-repo and regen-repo. */
async function requestRepoCmd(env: CliEnv, tagArg: string, o: RequestOptions): Promise<void> {
  let minEvent: number | 'last' | null = null;
  let atEvent: number | null = null;
  if (o.atEvent) {
    if (o.minEvent || o.last) throw new CliError('Cannot specify both min-event and at-event', 2);
    atEvent = o.atEvent;
  } else if (o.last) {
    if (o.minEvent) throw new CliError('Cannot specify both min-event and current', 2);
    minEvent = 'last';
  } else if (o.minEvent) minEvent = o.minEvent;
  const opts = repoOpts(o);
  const s = await env.login();
  const tag = await tagOrTarget(s, tagArg, o.target);
  if (!tag.arches) env.err(`Tag ${tag.name} has an empty arch list`);
  const watcher = await RepoWatcher.create(s, tag.id, {
    taginfo: tag,
    minEvent,
    atEvent,
    opts: Object.keys(opts).length ? opts : null,
    pause: env.profile.poll_interval,
    timeout: o.timeout,
    logger: cliLogger(env, o),
  });
  const check = await watcher.request();
  if (check.repo) {
    printGotRepo(env, check.repo);
    return;
  }
  const req = check.request!;
  if (!o.wait) {
    env.out(`Got request: ${req.id}`);
    if (req.task_id) {
      env.out(`Got task: ${req.task_id}`);
      env.out(`Task info: ${env.weburl(`taskinfo?taskID=${req.task_id}`)}`);
    }
    return;
  }
  let repo: Dict;
  try {
    repo = await watcher.waitRequest(req);
  } catch (err) {
    throw failedToGetRepo(env, err, o.quiet);
  }
  printGotRepo(env, repo);
}

/** regen-repo --make-task: a newRepo task, watched unless --nowait. */
async function makeTask(env: CliEnv, tagArg: string, o: RequestOptions): Promise<void> {
  const s = await env.login();
  let tagName: string;
  let info: Dict;
  if (o.target) {
    const t = await s.call<Dict | null>('getBuildTarget', tagArg);
    if (!t) throw new CliError(`No such build target: ${tagArg}`, 2);
    tagName = String(t.build_tag_name);
    info = await s.call<Dict>('getTag', tagName, kw({ strict: true }));
  } else {
    const t = await s.call<Dict | null>('getTag', tagArg);
    if (!t) throw new CliError(`No such tag: ${tagArg}`, 2);
    info = t;
    tagName = String(t.name);
    const targets = await s.call<Dict[]>('getBuildTargets', kw({ buildTagID: t.id }));
    if (!targets.length) env.err(`${tagName} is not a build tag`);
  }
  if (!info.arches) env.err(`Tag ${info.name} has an empty arch list`);
  const taskId = await s.call<number>('newRepo', tagName, kw(repoOpts(o)));
  env.out(`Regenerating repo for tag: ${tagName}`);
  env.out(`Created task: ${taskId}`);
  env.out(`Task info: ${env.weburl(`taskinfo?taskID=${taskId}`)}`);
  // koji waits unless told not to or running in the background
  if (o.wait || (o.wait === undefined && !runningInBackground())) {
    await s.logout();
    const rc = await watchTasks(env, s, [taskId], { quiet: env.quiet });
    // watchTasks has said what failed; only the exit code is left
    if (rc) throw new CliError('', rc);
  }
}

/** Koji's _running_in_bg: without a terminal on stdin the CLI counts as running in the background. */
function runningInBackground(): boolean {
  return !process.stdin.isTTY;
}

function addRequestOptions(cmd: Command): Command {
  return cmd
    .option('--target', 'Interpret the argument as a build target name')
    .option('--wait', 'Wait on for regen to finish, even if running in the background')
    .option('--nowait', "Don't wait on for regen to finish")
    .option('--debuginfo', 'Include debuginfo rpms in repo')
    .option('--source, --src', 'Include source rpms in each of repos')
    .option('--separate-source, --separate-src', 'Include source rpms in separate src repo')
    .option('--timeout <minutes>', 'Wait timeout', minutesArg, 120)
    .option('-v, --verbose', 'More verbose output')
    .option('--quiet', 'Reduced output');
}

/** --wait / --nowait as one tri-state (undefined: neither given). */
const waitFlag = (o: { wait?: boolean; nowait?: boolean }): boolean | undefined => (o.nowait ? false : o.wait ? true : undefined);

export function registerRepoCommands(program: Command, env: CliEnv): void {
  addRequestOptions(program.command('regen-repo').description('[admin] Generate a current repo if there is not one').argument('<tag>'))
    .option('--make-task', 'Directly create a newRepo task')
    .action(async (tag: string, o: RequestOptions & { makeTask?: boolean; nowait?: boolean }) => {
      o.wait = waitFlag(o);
      if (o.makeTask) return makeTask(env, tag, o);
      // 1.35: an alias of request-repo --current
      return requestRepoCmd(env, tag, { ...o, last: true, minEvent: undefined, atEvent: undefined });
    });

  addRequestOptions(program.command('request-repo').description('Request a repo for a tag').argument('<tag>'))
    .option('--min-event <event>', 'Minimum event id for repo', intArg('--min-event'))
    .option('--at-event <event>', 'Specific event id for repo', intArg('--at-event'))
    .option('--current, --last', 'Use current event for tag')
    .action(async (tag: string, o: RequestOptions & { nowait?: boolean }) => {
      o.wait = waitFlag(o);
      return requestRepoCmd(env, tag, o);
    });

  program
    .command('wait-repo')
    .description('[monitor] Wait for a repo to be regenerated')
    .argument('<tag>')
    .option('--build <NVR>', 'Check that the given build is in the newly-generated repo (may be used multiple times)', collect, [])
    .option('--target', 'Interpret the argument as a build target name')
    .option('--request', 'Create a repo request (requires auth)')
    .option('--no-request', 'Do not create a repo request (the default)')
    .option('--timeout <minutes>', 'Amount of time to wait (in minutes) before giving up', minutesArg, 120)
    .option('-v, --verbose', 'Be verbose')
    .option('--quiet', 'Suppress output, success or failure will be indicated by the return value only')
    .action(async (tag: string, o: { build: string[]; target?: boolean; request?: boolean; timeout: number; verbose?: boolean; quiet?: boolean }) => {
      await waitRepo(env, { tag, target: o.target, builds: o.build, request: o.request ?? null, timeout: o.timeout, quiet: o.quiet || env.quiet, verbose: o.verbose });
    });

  program
    .command('wait-repo-request')
    .description('[monitor] Wait for an existing repo request')
    .argument('<request-id>')
    .option('--timeout <minutes>', 'Wait timeout', minutesArg, 120)
    .option('-v, --verbose', 'More verbose output')
    .option('--quiet', 'Reduced output')
    .action(async (reqId: string, o: { timeout: number; verbose?: boolean; quiet?: boolean }) => {
      const s = await env.login();
      const check = await s.call<{ repo: Dict | null; request: Dict }>('repo.checkRequest', reqId);
      if (check.repo) {
        printGotRepo(env, check.repo);
        return;
      }
      const watcher = await RepoWatcher.create(s, check.request.tag_id, { pause: env.profile.poll_interval, timeout: o.timeout, logger: cliLogger(env, o) });
      try {
        await watcher.waitRequest(check.request);
      } catch (err) {
        throw failedToGetRepo(env, err, o.quiet);
      }
    });

  program
    .command('repoinfo')
    .description('[info] Print basic information about a repo')
    .argument('<repo-id...>')
    .option('--buildroots', 'Prints list of buildroot IDs')
    .action(async (ids: string[], o: { buildroots?: boolean }) => {
      const s = await env.session();
      const topurl = env.profile.topurl.replace(/\/$/, '');
      const infos = await s.multiCall(ids.map((id) => ['repoInfo', /^\d+$/.test(id) ? Number(id) : id, kw({ strict: false })] as [string, ...unknown[]]));
      for (const [i, r] of infos.entries()) {
        if (r instanceof Error) throw r;
        const info = r as Dict | null;
        if (!info) {
          env.err(`No such repo: ${ids[i]}\n`);
          continue;
        }
        const url = `${topurl}/repos/${info.tag_name}/${info.id}`;
        env.out(`ID: ${info.id}`);
        env.out(`Tag ID: ${info.tag_id}`);
        env.out(`Tag name: ${info.tag_name}`);
        env.out(`State: ${REPO_STATES.nameOf(info.state as number)}`);
        env.out(`Created: ${formatTimeLong(info.create_ts)}`);
        env.out(`Created event: ${info.create_event}`);
        env.out(`URL: ${url}`);
        env.out(`Repo json: ${info.dist ? `${topurl}/repos-dist/${info.tag_name}/${info.id}` : url}/repo.json`);
        env.out(`Dist repo?: ${info.dist ? 'yes' : 'no'}`);
        env.out(`Task ID: ${info.task_id}`);
        try {
          const brs = await s.call<Dict[]>('listBuildroots', kw({ repoID: info.id }));
          env.out(`Number of buildroots: ${brs.length}`);
          if (o.buildroots && brs.length) {
            env.out('Buildroots ID:');
            for (const br of brs) env.out(`${' '.repeat(15)}${br.id}`);
          }
        } catch (err) {
          if (!(err instanceof KojiError && (err.faultName === 'ParameterError' || /Invalid method/.test(err.message)))) throw err;
          if (o.buildroots) env.err('--buildroots option is available with hub 1.33 or newer');
        }
      }
    });
}
