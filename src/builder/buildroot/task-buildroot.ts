/**
 * @module
 * A buildroot as a task uses it (kojid's BuildRoot class): recorded on the
 * hub (host.newBuildRoot, its states and package list), made from the
 * tag's repo and build config by the backend, with root.log and the logs
 * of its commands uploaded into the task output while they grow. When the
 * task is done the tree goes; after a failure it stays (the hub's record
 * is EXPIRED either way) until kojid.conf's failed_buildroot_lifetime.
 *
 * This is the entry point for other tasks needing a buildroot (runroot,
 * image builds): `TaskBuildroot.create(task, {tag, arch, repoId, ...})`,
 * then `install()` / `run()`, then `done()` or `failed()`.
 */
import { REPO_STATES } from '../../core/states.ts';
import { KojiError } from '../../core/faults.ts';
import { canonArch, hostArch } from '../../core/arch.ts';
import { kw } from '../../client/session.ts';
import type { LiveLog, TaskContext } from '../handler.ts';
import { buildrootBase, type Buildroot, type BuildrootBackend, type RunOptions } from './backend.ts';
import { BwrapBackend } from './bwrap.ts';
import { sweepBuildroots } from './retention.ts';

type Dict = Record<string, unknown>;

const BuildrootError = (msg: string) => new KojiError('BuildrootError', msg);
const BuildError = (msg: string) => new KojiError('BuildError', msg);

export interface TaskBuildrootOptions {
  /** The build tag (name or id). */
  tag: number | string;
  /** The arch asked for; noarch picks one the host and the tag share. */
  arch: string;
  repoId: number;
  /** The tag group to install ('build'; 'srpm-build' for SRPM tasks). */
  installGroup?: string;
  /** Network inside (kojid's setup_dns, for SCM checkouts); otherwise the tag's `rpmbuild_networking` extra decides. */
  network?: boolean;
  /** For a noarch task: the arch to prefer when the host and tag share several. */
  preferredArch?: string | null;
  /** Packages to install on top of the group (runroot's `packages`). */
  extraPackages?: string[];
}

/** The backend for a builder's settings. */
export function backendFor(config: TaskContext['config']): BuildrootBackend {
  if (!BwrapBackend.available()) throw BuildrootError('bubblewrap (bwrap) is not usable on this builder: install it and allow user namespaces');
  return new BwrapBackend({ base: buildrootBase(config), chrootTmpdir: config.chroot_tmpdir });
}

let sweeper: ReturnType<typeof setInterval> | null = null;

/** Remove expired kept trees now and, from then on, once a minute in the background. */
export function startSweeping(config: TaskContext['config'], log?: (msg: string) => void): void {
  const sweep = () => {
    const r = sweepBuildroots(buildrootBase(config), config.failed_buildroot_lifetime);
    if (r.removed.length && log) log(`removed buildroot trees ${r.removed.join(', ')}`);
  };
  sweep();
  if (sweeper) return;
  sweeper = setInterval(sweep, Math.max(1000, Math.min(60_000, config.failed_buildroot_lifetime * 1000)));
  sweeper.unref?.();
}

/**
 * Koji's find_arch: a concrete arch for a noarch task that both this host
 * and the tag handle; any other arch as it is.
 */
export function findArch(arch: string, hostArches: string[], tagArches: string | null, preferred?: string | null): string {
  if (arch !== 'noarch') return arch;
  if (!hostArches.length) throw BuildError('No arch list for this host');
  if (!tagArches) throw BuildError('No arch list for tag');
  const host = new Set(hostArches.map(canonArch));
  const common = [...new Set(tagArches.split(/\s+/).filter(Boolean).map(canonArch))].filter((a) => host.has(a)).sort();
  if (!common.length) {
    throw BuildError(`host does not support any arches of tag (${[...host].sort().join(', ')} vs ${tagArches})`);
  }
  if (preferred && common.includes(preferred)) return preferred;
  // a builder builds natively, so its own arch is the one that works
  const own = canonArch(hostArch());
  return common.includes(own) ? own : common[0]!;
}

/** rpm macros for a buildroot, as kojid's mock config sets them (tag rpm.macro.* may override the first ones). */
export function buildrootMacros(config: TaskContext['config'], extra: Dict, arch: string): Record<string, string> {
  const macros: Record<string, string> = {
    _rpmfilename: '%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm',
    vendor: config.vendor,
    packager: config.packager,
    distribution: config.distribution,
  };
  for (const [k, v] of Object.entries(extra)) {
    if (k.startsWith('rpm.macro.')) macros[k.slice('rpm.macro.'.length)] = String(v);
  }
  macros._topdir = '/builddir/build';
  macros._host_cpu = arch;
  macros._host = `${arch}-${config.mockhost}`;
  return macros;
}

/** Package names of a tag group (and the groups it requires), from getTagGroups. */
export function groupPackageNames(groups: Dict[], name: string): string[] {
  const byName = new Map(groups.map((g) => [String(g.name), g]));
  const seen = new Set<string>();
  const out = new Set<string>();
  const visit = (gname: string) => {
    if (seen.has(gname)) return;
    seen.add(gname);
    const g = byName.get(gname);
    if (!g || g.blocked) return;
    for (const p of (g.packagelist as Dict[] | undefined) ?? []) {
      if (!p.blocked && (p.type === undefined || p.type === 'mandatory' || p.type === 'default')) out.add(String(p.package));
    }
    for (const r of (g.grouplist as Dict[] | undefined) ?? []) {
      if (!r.blocked) visit(String(r.name ?? r.group_name ?? ''));
    }
  };
  visit(name);
  return [...out].sort();
}

export class TaskBuildroot {
  private finished = false;

  private constructor(
    private readonly task: TaskContext,
    readonly br: Buildroot,
    readonly tagName: string,
    readonly repo: Dict,
    readonly buildConfig: Dict,
    readonly rootLog: LiveLog,
  ) {}

  get id(): number {
    return this.br.id;
  }

  get arch(): string {
    return this.br.spec.arch;
  }

  /** Record a buildroot on the hub and make its tree. */
  static async create(task: TaskContext, opts: TaskBuildrootOptions): Promise<TaskBuildroot> {
    const s = task.session;
    startSweeping(task.config, (m) => task.logger.info(m));
    const repo = await s.call<Dict>('repoInfo', opts.repoId, kw({ strict: true }));
    const event = repo.create_event as number;
    const cfg = await s.call<Dict | null>('getBuildConfig', opts.tag, kw({ event }));
    if (!cfg) throw BuildrootError(`Could not get config info for tag: ${opts.tag}`);
    if (cfg.id !== repo.tag_id) throw BuildrootError(`tag/repo mismatch: ${String(cfg.name)} vs ${String(repo.tag_name)}`);
    const repoState = REPO_STATES.nameOf(repo.state as number) ?? String(repo.state);
    if (repoState !== 'READY' && repoState !== 'EXPIRED') throw BuildrootError(`Requested repo (${opts.repoId}) is ${repoState}`);
    const arch = canonArch(findArch(opts.arch, task.host.arches, (cfg.arches as string | null) ?? null, opts.preferredArch));
    const extra = (cfg.extra as Dict | undefined) ?? {};
    const group = opts.installGroup ?? 'build';
    const groups = await s.call<Dict[]>('getTagGroups', cfg.id, kw({ event }));
    const packages = groupPackageNames(groups, group);
    const backend = backendFor(task.config);
    const id = await s.call<number>('host.newBuildRoot', opts.repoId, arch, kw({ task_id: task.id }));
    const rootLog = task.openLog('root.log');
    const tagName = String(cfg.name);
    let br: Buildroot;
    try {
      br = await backend.create(
        {
          id, arch, tagName, repoId: opts.repoId, repoUrl: repoUrl(task.config, tagName, opts.repoId, arch),
          groupPackages: packages, network: opts.network ?? Boolean(extra.rpmbuild_networking),
          macros: buildrootMacros(task.config, extra, arch), env: tagEnv(extra),
        },
        rootLog.path,
      );
      if (opts.extraPackages?.length) await br.install(opts.extraPackages, rootLog.path);
    } catch (err) {
      await rootLog.flush();
      await s.call('host.setBuildRootState', id, 'EXPIRED', kw({ task_id: task.id })).catch(() => undefined);
      // keep what was made for a look, like any failed buildroot
      backend.open(id)?.keep(`task ${task.id}: ${(err as Error).message}`);
      throw err;
    }
    await rootLog.flush();
    await s.call('host.setBuildRootList', id, await br.installedPackages(), kw({ task_id: task.id }));
    task.logger.info(`buildroot ${id} (${tagName}, repo ${opts.repoId}, ${arch}, ${br.mode} mode) at ${br.rootDir}`);
    return new TaskBuildroot(task, br, tagName, repo, cfg, rootLog);
  }

  /** Install packages from the repo, logging to root.log. */
  async install(packages: string[]): Promise<void> {
    try {
      await this.br.install(packages, this.rootLog.path);
    } finally {
      await this.rootLog.flush();
    }
  }

  async setState(state: 'WAITING' | 'BUILDING' | 'EXPIRED'): Promise<void> {
    await this.task.session.call('host.setBuildRootState', this.id, state, kw({ task_id: this.task.id }));
  }

  /** Add what a build installed later (its build dependencies) to the hub's listing. */
  async updateList(): Promise<void> {
    const pkgs = await this.br.installedPackages();
    if (pkgs.length) await this.task.session.call('host.updateBuildRootList', this.id, pkgs, kw({ task_id: this.task.id }));
  }

  /**
   * Run a command inside with its output in `log` (uploaded every second
   * while it runs); resolves to the exit code. The task's abort signal
   * and kojid.conf's rpmbuild_timeout stop it.
   */
  async run(cmd: string[], log: LiveLog, opts: Omit<RunOptions, 'logfile'> = {}): Promise<number> {
    const timer = setInterval(() => void log.flush(), 1000);
    try {
      return await this.br.run(cmd, { timeout: this.task.config.rpmbuild_timeout, signal: this.task.signal, ...opts, logfile: log.path });
    } finally {
      clearInterval(timer);
      await log.flush();
    }
  }

  /** Host path of a path inside the tree. */
  hostPath(inside: string): string {
    return this.br.hostPath(inside);
  }

  /** The task succeeded: the hub record expires and the tree goes. */
  async done(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.setState('EXPIRED');
    await this.br.remove();
  }

  /** The task failed: the hub record expires, the tree stays for failed_buildroot_lifetime. */
  async failed(reason: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.br.keep(reason);
    await this.setState('EXPIRED').catch(() => undefined);
    this.task.logger.info(`keeping buildroot ${this.id} at ${this.br.rootDir} for ${this.task.config.failed_buildroot_lifetime} seconds`);
  }
}

/** Where this builder reads a tag repo: the topdir when it has one, else over topurl. */
export function repoUrl(config: TaskContext['config'], tagName: string, repoId: number, arch: string): string {
  const rel = `repos/${tagName}/${repoId}/${arch}`;
  if (config.topdir) return `${config.topdir.replace(/\/+$/, '')}/${rel}`;
  return `${topUrl(config)}/${rel}`;
}

/** kojid.conf topurl, or the hub's /kojifiles beside its /kojihub. */
export function topUrl(config: TaskContext['config']): string {
  if (config.topurl) return config.topurl.split(/\s+/)[0]!.replace(/\/+$/, '');
  return config.server.replace(/\/kojihub\/?$/, '/kojifiles');
}

function tagEnv(extra: Dict): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(extra)) if (k.startsWith('rpm.env.')) env[k.slice('rpm.env.'.length)] = String(v);
  return env;
}
