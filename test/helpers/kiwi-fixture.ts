/**
 * @module
 * Fixtures for the kiwi tests. `kiwi-cli` is an RPM (built here with the
 * host's rpmbuild) holding the kiwi-ng stand-in of test/fixtures/kiwi with
 * what it runs on: bash, a few coreutils, make, and their libraries copied
 * from the host, plus the list of packages the stand-in can "install"
 * (hello and kiwi-cli itself, which the hub knows as RPMs, and a
 * `filesystem` package it does not know). Installed into a build tag's
 * repo as the `kiwi-build` group, it makes the buildroot kiwi runs in, as
 * the seed describes. It is noarch, so the repos of every arch carry it.
 * Also: a git repository with image descriptions, served by `git daemon`.
 */
import { copyFileSync, chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Subprocess } from 'bun';

export const KIWI_FIXTURES = resolve(import.meta.dir, '../fixtures/kiwi');
const HELLO_SPEC = resolve(import.meta.dir, '../fixtures/hello/hello.spec');

/** Host programs the stand-in (and `make prep`) uses inside the buildroot. */
const PROGRAMS = ['bash', 'mkdir', 'cp', 'sha256sum', 'uname', 'sleep', 'make'];

/** A package the stand-in offers that no kojibox build made. */
export const FOREIGN_PACKAGE = 'filesystem|(none)|3.18|3|x86_64|(none)|Public Domain';

/** Whether this machine can build the fixture (x86_64 Linux with rpmbuild and the programs). */
export function canBuildKiwiFixture(): boolean {
  if (process.arch !== 'x64' || !Bun.which('rpmbuild') || !Bun.which('ldd')) return false;
  return PROGRAMS.every((p) => Bun.which(p) !== null);
}

function run(cmd: string[], cwd?: string): string {
  const r = Bun.spawnSync(cmd, { cwd, stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr.toString()}${r.stdout.toString()}`);
  return r.stdout.toString();
}

/** Shared libraries a program loads (paths on the host), from ldd. */
function libsOf(program: string): string[] {
  const out: string[] = [];
  for (const line of run(['ldd', program]).split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/** Where a host library goes in the merged-usr tree. */
function usrPath(path: string): string {
  return path.replace(/^\/(lib64|lib|bin|sbin)\//, '/usr/$1/');
}

/** Lay out the kiwi-cli tree under `stage`. */
function stageKiwiCli(stage: string, packagesDb: string): void {
  mkdirSync(join(stage, 'usr/bin'), { recursive: true });
  const libs = new Set<string>();
  for (const p of PROGRAMS) {
    const host = Bun.which(p)!;
    copyFileSync(host, join(stage, 'usr/bin', p));
    for (const l of libsOf(host)) libs.add(l);
  }
  for (const l of libs) {
    const dest = join(stage, usrPath(l));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(l, dest);
  }
  copyFileSync(join(KIWI_FIXTURES, 'kiwi-ng'), join(stage, 'usr/bin/kiwi-ng'));
  chmodSync(join(stage, 'usr/bin/kiwi-ng'), 0o755);
  symlinkSync('bash', join(stage, 'usr/bin/sh'));
  for (const d of ['bin', 'lib', 'lib64']) {
    mkdirSync(join(stage, 'usr', d), { recursive: true });
    symlinkSync(`usr/${d}`, join(stage, d));
  }
  mkdirSync(join(stage, 'usr/share/kiwi-standin'), { recursive: true });
  writeFileSync(join(stage, 'usr/share/kiwi-standin/packages'), packagesDb);
}

const KIWI_CLI_SPEC = `
%global debug_package %{nil}
%global __os_install_post %{nil}
%global _build_id_links none
%global _binaries_in_noarch_packages_terminate_build 0
Name: kiwi-cli
Version: 1.0
Release: 1
Summary: A kiwi-ng stand-in for kojibox tests
License: MIT
BuildArch: noarch
AutoReqProv: no
Provides: /bin/sh /bin/bash
%description
kiwi-ng as a bash script checking its arguments, with bash and the programs it runs.
%install
cp -a %{stage}/. %{buildroot}/
%files
/usr
/bin
/lib
/lib64
`;

export interface KiwiRpms {
  /** Source RPMs first, then binary RPMs (the order importRPM needs). */
  paths: string[];
  /** The stand-in's package list, as written into kiwi-cli. */
  packagesDb: string;
}

const QF = '%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{DISTURL}|%{LICENSE}\\n';

/** Build hello and kiwi-cli under `dir`. */
export function buildKiwiRpms(dir: string): KiwiRpms {
  const top = join(dir, 'rpmbuild');
  run(['rpmbuild', '--define', `_topdir ${top}`, '-ba', HELLO_SPEC]);
  const helloRpms = readdirSync(join(top, 'RPMS')).flatMap((a) => readdirSync(join(top, 'RPMS', a)).map((f) => join(top, 'RPMS', a, f)));
  const lines = helloRpms.map((p) => run(['rpm', '-qp', '--qf', QF, p]).trim());
  lines.push('kiwi-cli|(none)|1.0|1|noarch|(none)|MIT', FOREIGN_PACKAGE);
  const packagesDb = `${lines.join('\n')}\n`;
  const stage = join(dir, 'kiwi-cli-stage');
  stageKiwiCli(stage, packagesDb);
  const spec = join(dir, 'kiwi-cli.spec');
  writeFileSync(spec, KIWI_CLI_SPEC);
  run(['rpmbuild', '--define', `_topdir ${top}`, '--define', `stage ${stage}`, '-ba', spec]);
  const srpms = readdirSync(join(top, 'SRPMS')).map((f) => join(top, 'SRPMS', f));
  const rpms = readdirSync(join(top, 'RPMS')).flatMap((a) => readdirSync(join(top, 'RPMS', a)).map((f) => join(top, 'RPMS', a, f)));
  return { paths: [...srpms, ...rpms], packagesDb };
}

// ---- descriptions in git ----

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };

export function git(cwd: string, ...args: string[]): string {
  const r = Bun.spawnSync(['git', ...args], { cwd, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, ...GIT_ENV } });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

export interface GitServer {
  port: number;
  /** `git://127.0.0.1:<port>/<path>` */
  url(path: string): string;
  stop(): void;
}

/**
 * A bare repository `<base>/<repoPath>` whose `main` branch holds a fixture
 * description (test/fixtures/kiwi/<fixture>) under `desc/`; each entry of
 * `branches` is a branch made from main with files replaced (path
 * relative to the work tree).
 */
export function makeDescriptionRepo(base: string, repoPath: string, branches: Record<string, Record<string, string>> = {}, fixture = 'description'): void {
  const bare = join(base, repoPath);
  const work = join(base, `${basename(repoPath)}-work`);
  mkdirSync(bare, { recursive: true });
  mkdirSync(work, { recursive: true });
  git(bare, 'init', '-q', '--bare');
  git(work, 'init', '-q', '-b', 'main');
  cpSync(join(KIWI_FIXTURES, fixture), join(work, 'desc'), { recursive: true });
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'test image description');
  git(work, 'push', '-q', bare, 'main');
  for (const [branch, files] of Object.entries(branches)) {
    git(work, 'checkout', '-q', '-b', branch, 'main');
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(work, rel)), { recursive: true });
      writeFileSync(join(work, rel), text);
    }
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', branch);
    git(work, 'push', '-q', bare, branch);
  }
}

/** `git daemon` exporting everything under `base` on a free loopback port; ready once `probe` (a repo path) answers. */
export async function startGitDaemon(base: string, probe: string): Promise<GitServer> {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  const proc: Subprocess = Bun.spawn(['git', 'daemon', '--reuseaddr', '--export-all', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${port}`, base], { stdout: 'ignore', stderr: 'ignore' });
  const server: GitServer = { port, url: (p) => `git://127.0.0.1:${port}/${p.replace(/^\/+/, '')}`, stop: () => proc.kill() };
  for (let i = 0; i < 50; i++) {
    const r = Bun.spawnSync(['git', 'ls-remote', server.url(probe)], { stdout: 'ignore', stderr: 'ignore' });
    if (r.exitCode === 0) return server;
    await Bun.sleep(100);
  }
  proc.kill();
  throw new Error('git daemon did not start');
}

/** The fixture description's text (for tests that derive broken variants). */
export function fixtureDescription(): string {
  return readFileSync(join(KIWI_FIXTURES, 'description/config.kiwi'), 'utf8');
}
