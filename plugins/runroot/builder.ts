/**
 * @module
 * The runroot builder plugin (kojid.conf `plugin = runroot`): make a
 * buildroot for the tag and arch from its repo (through the builder's
 * TaskBuildroot, as every task does), with the requested packages, run the
 * command as root inside with the configured and requested mounts, upload
 * runroot.log and the requested logs, then expire the buildroot whatever
 * happened. Mounts are bubblewrap binds, which exist only in the sandbox's
 * mount namespace: nothing is mounted on the builder, so a crash cannot
 * leave a mount behind and there is nothing to unmount (Koji mounts on the
 * host and unmounts in `finally`).
 */
import { basename } from 'node:path';
import type { BuilderPlugin } from '../../src/plugin.ts';
import type { TaskContext, TaskHandler } from '../../src/builder/handler.ts';
import { canonArch, hostArch } from '../../src/core/arch.ts';
import { KojiError } from '../../src/core/faults.ts';
import { REPO_STATES } from '../../src/core/states.ts';
import { kw } from '../../src/client/session.ts';
import { loadRunrootConfig } from './config.ts';
import { planMounts } from './mounts.ts';
import { findInside, prepareMounts } from './sandbox.ts';
import { bindRunrootParams, commandLine, commandName, failureError, successText, type RunrootParams } from './params.ts';
import { TaskBuildroot } from '../../src/builder/buildroot/task-buildroot.ts';

const BuildError = (msg: string) => new KojiError('BuildError', msg);

/** Koji's RunRootTask weight. */
const RUNROOT_WEIGHT = 2.0;
/** The smallest weight a caller may ask for (Koji's max(weight, 0.5)). */
const MIN_WEIGHT = 0.5;
/** Where the command's output is said to be, as Koji's runroot writes it. */
const RUNROOT_LOG = 'runroot.log';

interface RepoInfo {
  id: number;
  tag_id: number;
  tag_name: string;
  state: number;
}

interface BuildConfig {
  id: number;
  name: string;
  arches: string | null;
  extra?: Record<string, unknown>;
}

/**
 * The setarch personality for a buildroot arch, as mock sets one: none when
 * it is the host's own (nothing to change), else the name setarch knows.
 * skip_setarch leaves the host's personality, as Koji's `--arch <host>` does.
 */
function personality(brArch: string): string | undefined {
  if (canonArch(brArch) === canonArch(hostArch())) return undefined;
  return SETARCH_NAMES[brArch] ?? brArch;
}

const SETARCH_NAMES: Record<string, string> = { i386: 'i686', armhfp: 'armv7l', arm: 'armv7l' };

/** A buildroot arch for a noarch task: the first of the tag's arches this host has (all canonical). */
function noarchBuildrootArch(task: TaskContext, root: string | number, tag: BuildConfig): string {
  const hostArches = new Set(task.host.arches.map(canonArch));
  if (!task.host.arches.length) throw BuildError('No arch list for this host');
  const tagArches = (tag.arches ?? '').split(/\s+/).filter(Boolean);
  if (!tagArches.length) throw BuildError(`No arch list for tag: ${root}`);
  const match = tagArches.map(canonArch).find((a) => hostArches.has(a));
  if (!match) throw BuildError(`host does not match tag arches: ${root} (${tag.arches})`);
  return match;
}

/** The repo to run in: the requested one (READY or EXPIRED, of this tag) or the tag's current one. */
async function chooseRepo(task: TaskContext, p: RunrootParams, tag: BuildConfig): Promise<RepoInfo> {
  const s = task.session;
  if (p.repo_id) {
    const repo = await s.call<RepoInfo>('repoInfo', p.repo_id, kw({ strict: true }));
    if (repo.tag_id !== tag.id) throw BuildError(`build tag (${tag.name}) does not match repo tag (${repo.tag_name})`);
    if (repo.state !== REPO_STATES.READY && repo.state !== REPO_STATES.EXPIRED) {
      throw BuildError(`repos in the ${REPO_STATES.nameOf(repo.state)} state may not be used by runroot`);
    }
    return repo;
  }
  const current = await s.call<RepoInfo | null>('getRepo', tag.id);
  if (current) return current;
  task.logger.info(`no repo for ${tag.name} yet; waiting for one`);
  const sub = await task.subtask('waitrepo', [tag.name, null, null]);
  const results = await task.wait(sub, { all: true });
  return results[sub] as RepoInfo;
}

async function runRunroot(task: TaskContext, p: RunrootParams): Promise<string> {
  const cfg = loadRunrootConfig(task.configRoot);
  const s = task.session;
  if (p.weight !== null) await s.call('host.setTaskWeight', task.id, Math.max(p.weight, MIN_WEIGHT));

  const tag = await s.call<BuildConfig>('getBuildConfig', p.root);
  const brArch = p.arch === 'noarch' ? noarchBuildrootArch(task, p.root, tag) : p.arch;
  const repo = await chooseRepo(task, p, tag);
  // Mount requests are checked before any buildroot exists: a refused mount costs nothing.
  const plan = planMounts(cfg, p.mounts);

  const br = await TaskBuildroot.create(task, {
    tag: tag.id, arch: brArch, repoId: repo.id, network: true, extraPackages: p.packages,
  });
  let exitCode: number;
  try {
    const mounts = prepareMounts(br.br.rootDir, plan);
    await br.setState('BUILDING');
    if (p.new_chroot !== null || cfg.internal_dev_setup !== null) {
      task.logger.info('new_chroot/internal_dev_setup: the sandbox always has its own namespaces and a private minimal /dev');
    }
    task.logger.info(`runroot mounts: ${JSON.stringify(mounts.binds)}`);

    const log = task.openLog(RUNROOT_LOG);
    log.write('');
    try {
      // no timeout: a runroot runs as long as its command (Koji sets none either)
      exitCode = await br.run(['/bin/sh', '-c', commandLine(p.command)], log, {
        asRoot: true, binds: mounts.binds, cwd: '/builddir', timeout: 0, personality: p.skip_setarch ? undefined : personality(br.arch),
      });
    } finally {
      await log.close();
    }
    task.checkAborted();
    for (const inside of p.upload_logs ?? []) {
      const file = findInside(inside, mounts.layers);
      if (file === null) throw new KojiError('GenericError', `upload_logs: no such file in the buildroot: ${inside}`);
      await task.uploadFile(file, { name: basename(inside) });
    }
  } catch (err) {
    // kept for a look (save-failed-tree) until failed_buildroot_lifetime; expired on the hub
    await br.failed(`task ${task.id}: ${(err as Error).message}`);
    throw err;
  }
  if (exitCode !== 0) {
    await br.failed(`task ${task.id}: ${commandName(p.command)} exited with status ${exitCode}`);
  } else {
    await br.done();
  }
  if (exitCode !== 0) throw failureError(p.command, exitCode);
  return successText(p.command);
}

const runrootHandler: TaskHandler = {
  methods: ['runroot'],
  weight: RUNROOT_WEIGHT,
  run: (task, params, kwargs) => runRunroot(task, bindRunrootParams(params, kwargs)),
};

export const runrootBuilder: BuilderPlugin = { name: 'runroot', handlers: [runrootHandler] };
