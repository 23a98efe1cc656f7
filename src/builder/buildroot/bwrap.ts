/**
 * @module
 * The bubblewrap buildroot backend. Each buildroot is a tree under the
 * builder's buildroot directory, made one of two ways:
 * - repo: `dnf --installroot` installs the tag's build group from the tag's
 *   repo (when the group names packages and the repo holds all of them);
 * - host: the host's /usr is mounted read-only and the tree holds only
 *   /etc essentials, /builddir and /tmp (any Debian or Fedora machine).
 * Commands run with the tree as /, in their own user, mount, pid, ipc, uts
 * and (unless allowed) network namespaces, as the unprivileged build user.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { KojiError } from '../../core/faults.ts';
import { buildrootDir, type Bind, type Buildroot, type BuildrootBackend, type BuildrootSpec, type InstalledPackage, type PopulateMode, type RunOptions } from './backend.ts';
import { BUILD_USER, HOST_ETC, layoutHostUsr, writeSkeleton } from './tree.ts';
import { dnfInstall, haveDnf, installedPackages, repoHolds, type DnfTarget } from './dnf.ts';
import { markInUse, readState, removeTree, writeState, type BuildrootState } from './retention.ts';
import { appendLog } from './log-file.ts';

/**
 * Runs a command line and kills it with SIGKILL when its standard input
 * reaches end of file (the builder closed it, or died): the sandbox never
 * outlives the builder. Exits with the command's status (128+N for signal N).
 */
const WATCHDOG = [
  '/bin/sh',
  '-c',
  'exec 3<&0 </dev/null; "$@" 3<&- & child=$!; { cat <&3 >/dev/null; kill -KILL "$child" 2>/dev/null; } & watcher=$!; ' +
    'exec 3<&-; wait "$child"; rc=$?; kill "$watcher" 2>/dev/null; exit "$rc"',
  'kojibox-watchdog',
];

export interface BwrapOptions {
  /** Directory holding one subdirectory per buildroot id. */
  base: string;
  /** kojid.conf chroot_tmpdir: a task directory inside every tree. */
  chrootTmpdir: string;
  bwrap?: string;
}

const BuildrootError = (msg: string) => new KojiError('BuildrootError', msg);

const usable = new Map<string, boolean>();

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

export class BwrapBackend implements BuildrootBackend {
  readonly name = 'bwrap';
  private readonly bwrap: string;

  constructor(private readonly opts: BwrapOptions) {
    this.bwrap = opts.bwrap ?? Bun.which('bwrap') ?? 'bwrap';
  }

  /** Whether bubblewrap can make a sandbox on this machine (installed, user namespaces allowed); checked once. */
  static available(bwrap = Bun.which('bwrap')): boolean {
    if (!bwrap) return false;
    let ok = usable.get(bwrap);
    if (ok === undefined) {
      const r = Bun.spawnSync([bwrap, '--unshare-all', '--ro-bind', '/', '/', '--', 'true'], { stderr: 'ignore', stdout: 'ignore' });
      ok = r.exitCode === 0;
      usable.set(bwrap, ok);
    }
    return ok;
  }

  async create(spec: BuildrootSpec, rootLog: string): Promise<Buildroot> {
    const dir = buildrootDir(this.opts.base, spec.id);
    removeTree(dir);
    const root = join(dir, 'root');
    mkdirSync(root, { recursive: true });
    markInUse(spec.id, true);
    const state: BuildrootState = {
      id: spec.id, mode: 'host', tagName: spec.tagName, repoId: spec.repoId, arch: spec.arch,
      created: Date.now() / 1000, pid: process.pid, kept: null,
    };
    writeState(dir, state);
    appendLog(rootLog, `kojibox buildroot ${spec.id}: tag ${spec.tagName}, repo ${spec.repoId}, arch ${spec.arch}, backend bwrap`);
    try {
      const dnf: DnfTarget | null = spec.repoUrl ? { dir, root, repoUrl: spec.repoUrl, arch: spec.arch } : null;
      const why = await this.chooseRepoMode(spec, dnf, rootLog);
      if (why === null && dnf) {
        state.mode = 'repo';
        writeState(dir, state);
        appendLog(rootLog, `populating from ${spec.repoUrl}: ${spec.groupPackages.join(' ')}`);
        try {
          await dnfInstall(dnf, spec.groupPackages, rootLog);
        } catch (err) {
          throw BuildrootError(`could not init buildroot ${spec.id}: ${(err as Error).message}`);
        }
      } else {
        appendLog(rootLog, `using the host's /usr read-only: ${why}`);
        layoutHostUsr(root);
      }
      writeSkeleton(root, { hostname: hostname(spec), macros: spec.macros, chrootTmpdir: this.opts.chrootTmpdir });
      appendLog(rootLog, `buildroot ${spec.id} ready (${state.mode} mode) at ${root}`);
    } catch (err) {
      appendLog(rootLog, `buildroot ${spec.id} failed: ${(err as Error).message}`);
      markInUse(spec.id, false);
      throw err;
    }
    return new BwrapBuildroot(this.bwrap, dir, spec, state.mode);
  }

  /** Null when the group can be installed from the repo, else the reason it cannot. */
  private async chooseRepoMode(spec: BuildrootSpec, dnf: DnfTarget | null, rootLog: string): Promise<string | null> {
    if (!spec.groupPackages.length) return 'the build group names no packages';
    if (!dnf) return 'the buildroot has no repo';
    if (!haveDnf()) return 'dnf is not installed on this builder';
    const held = await repoHolds(dnf, spec.groupPackages, rootLog);
    const missing = spec.groupPackages.filter((p) => !held.has(p));
    if (missing.length) return `the repo does not hold ${missing.join(', ')}`;
    return null;
  }

  open(id: number): Buildroot | null {
    const dir = buildrootDir(this.opts.base, id);
    const state = readState(dir);
    if (!state || !existsSync(join(dir, 'root'))) return null;
    const spec: BuildrootSpec = {
      id, arch: state.arch, tagName: state.tagName, repoId: state.repoId, repoUrl: null,
      groupPackages: [], network: false, macros: {}, env: {},
    };
    return new BwrapBuildroot(this.bwrap, dir, spec, state.mode);
  }
}

function hostname(spec: BuildrootSpec): string {
  return `kojibox-br-${spec.id}`;
}

class BwrapBuildroot implements Buildroot {
  readonly rootDir: string;

  constructor(
    private readonly bwrap: string,
    readonly dir: string,
    readonly spec: BuildrootSpec,
    readonly mode: PopulateMode,
  ) {
    this.rootDir = join(dir, 'root');
  }

  get id(): number {
    return this.spec.id;
  }

  async install(packages: string[], logfile: string): Promise<void> {
    if (!packages.length) return;
    if (this.mode !== 'repo' || !this.spec.repoUrl) {
      throw BuildrootError(`buildroot ${this.id} uses the host's /usr; packages cannot be installed into it: ${packages.join(' ')}`);
    }
    appendLog(logfile, `installing into buildroot ${this.id}: ${packages.join(' ')}`);
    try {
      await dnfInstall({ dir: this.dir, root: this.rootDir, repoUrl: this.spec.repoUrl, arch: this.spec.arch }, packages, logfile);
    } catch (err) {
      throw BuildrootError(`could not install into buildroot ${this.id}: ${(err as Error).message}`);
    }
  }

  /** The bwrap command line for `cmd`. Exposed for tests and for logging. */
  commandLine(cmd: string[], opts: RunOptions = {}): string[] {
    const network = opts.network ?? this.spec.network;
    const privileged = Boolean(opts.privileged) && process.getuid?.() === 0;
    const args = privileged
      ? [this.bwrap, '--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try']
      : [this.bwrap, '--unshare-all'];
    if (privileged && !network) args.push('--unshare-net');
    if (!privileged && network) args.push('--share-net');
    args.push('--die-with-parent', '--new-session', privileged ? '--dev-bind' : '--bind', this.rootDir, '/');
    if (this.mode === 'host') {
      for (const p of layoutHostUsr(this.rootDir)) args.push('--ro-bind', p, p);
      for (const name of HOST_ETC) args.push('--ro-bind-try', `/etc/${name}`, `/etc/${name}`);
    }
    if (network) args.push('--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf');
    if (privileged) args.push('--proc', '/proc', '--dev-bind', '/dev', '/dev');
    else args.push('--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/dev/shm');
    (opts.binds ?? []).forEach((b, i) => args.push(...bindArgs(b.fstype ? { ...b, src: this.fsStage(i) } : b)));
    const asRoot = opts.asRoot ?? false;
    // without a user namespace bwrap cannot switch ids: privileged runs as root
    if (!privileged) args.push('--uid', String(asRoot ? 0 : BUILD_USER.uid), '--gid', String(asRoot ? 0 : BUILD_USER.gid));
    args.push('--hostname', hostname(this.spec), '--chdir', opts.cwd ?? BUILD_USER.home, '--clearenv');
    const env: Record<string, string> = {
      PATH: '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin',
      HOME: asRoot ? '/root' : BUILD_USER.home,
      USER: asRoot ? 'root' : BUILD_USER.name,
      LOGNAME: asRoot ? 'root' : BUILD_USER.name,
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      TERM: 'vt100',
      HOSTNAME: hostname(this.spec),
      ...this.spec.env,
      ...opts.env,
    };
    for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
    args.push('--', ...cmd);
    return args;
  }

  /** Where the i-th bind's file system is mounted (in the command's private mount namespace only). */
  private fsStage(i: number): string {
    return join(this.dir, 'fsmounts', String(i));
  }

  /**
   * Wrap a bwrap command line so the binds' file systems are mounted first,
   * in a private mount namespace: `unshare` and `sh` exec into bwrap, so the
   * namespace, and with it every such mount, ends with the command (bwrap
   * dies with the builder). The script writes the outcome to `status`.
   */
  private withFsMounts(line: string[], binds: Bind[], status: string): string[] {
    const steps: string[] = [];
    binds.forEach((b, i) => {
      if (!b.fstype) return;
      const stage = this.fsStage(i);
      mkdirSync(stage, { recursive: true });
      const opts = (b.options ?? []).filter((o) => o && o !== 'bind');
      const mount = ['mount', '-t', b.fstype, ...(opts.length ? ['-o', opts.join(',')] : []), b.src, stage].map(shq).join(' ');
      steps.push(`${mount} || { rc=$?; printf '%s\\n' ${shq(`Unable to mount ${b.dest}:`)}" mount exited with status $rc" > ${shq(status)}; exit 1; }`);
    });
    if (!steps.length) return line;
    const script = ['set -u', ...steps, `printf 'ok\\n' > ${shq(status)}`, 'exec "$@"'].join('\n');
    return ['unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', script, 'kojibox-fsmounts', ...line];
  }

  async run(cmd: string[], opts: RunOptions = {}): Promise<number> {
    const status = join(this.dir, 'fsmounts.status');
    let line = this.withFsMounts(this.commandLine(cmd, opts), opts.binds ?? [], status);
    const fsMounts = line[0] === 'unshare';
    if (fsMounts) rmSync(status, { force: true });
    // setarch execs too: bwrap keeps the builder as its parent
    if (opts.personality) line = ['setarch', opts.personality, ...line];
    const fd = opts.logfile ? openSync(opts.logfile, 'a') : null;
    try {
      // bwrap's --die-with-parent did not always fire when the builder was
      // SIGKILLed, leaving sandboxes running; a host-side watchdog holding
      // a pipe from the builder kills the sandbox once that pipe closes,
      // which the kernel guarantees when the builder dies.
      const proc = Bun.spawn([...WATCHDOG, ...line], { stdin: 'pipe', stdout: fd ?? 'ignore', stderr: fd ?? 'ignore' });
      const stop = () => {
        try {
          proc.stdin.end();
        } catch {
          // already closed
        }
        // the watchdog kills the sandbox; make sure the wrapper goes too
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref?.();
      };
      let timer: ReturnType<typeof setTimeout> | undefined;
      let timedOut = false;
      if (opts.timeout && opts.timeout > 0) {
        timer = setTimeout(() => {
          timedOut = true;
          stop();
        }, opts.timeout * 1000);
      }
      opts.signal?.addEventListener('abort', stop);
      const code = await proc.exited;
      try {
        proc.stdin.end();
      } catch {
        // already closed
      }
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', stop);
      if (timedOut && opts.logfile) appendLog(opts.logfile, `kojibox: command killed after ${opts.timeout} seconds`);
      if (fsMounts && !opts.signal?.aborted) {
        const outcome = existsSync(status) ? readFileSync(status, 'utf8').trim() : 'Unable to mount: the mount namespace did not start';
        if (outcome !== 'ok') throw BuildrootError(outcome);
      }
      if (proc.signalCode) return 128 + (SIGNALS[proc.signalCode] ?? 0);
      return code;
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }

  installedPackages(): Promise<InstalledPackage[]> {
    return this.mode === 'repo' ? installedPackages(this.rootDir) : Promise.resolve([]);
  }

  hostPath(inside: string): string {
    const rel = normalize(`/${inside}`);
    return join(this.rootDir, rel);
  }

  keep(reason: string): void {
    const state = readState(this.dir);
    if (state) writeState(this.dir, { ...state, kept: { at: Date.now() / 1000, reason } });
    markInUse(this.id, false);
  }

  async remove(): Promise<void> {
    removeTree(this.dir);
    markInUse(this.id, false);
  }
}

/** Quote a word for sh. */
function shq(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function bindArgs(b: Bind): string[] {
  return [b.readOnly ? '--ro-bind' : '--bind', b.src, normalize(`/${b.dest}`)];
}
