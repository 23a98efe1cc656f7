import { describe, expect, it, beforeAll, afterAll } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BwrapBackend } from '../../src/builder/buildroot/bwrap.ts';
import type { BuildrootSpec } from '../../src/builder/buildroot/backend.ts';
import { readState, sweepBuildroots } from '../../src/builder/buildroot/retention.ts';
import { readRpmInfo } from '../../src/core/rpm-header.ts';

const HELLO = resolve(import.meta.dir, '../fixtures/hello/hello.spec');
let dir = '';
let base = '';
let repo = '';
let backend: BwrapBackend;
let nextId = 100;

function spec(over: Partial<BuildrootSpec> = {}): BuildrootSpec {
  return {
    id: nextId++, arch: 'x86_64', tagName: 'f40-build', repoId: 7, repoUrl: null, groupPackages: [],
    network: false, macros: { vendor: 'Koji', packager: 'Koji', distribution: 'Koji', dist: '.kb1' }, env: {}, ...over,
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kojibox-br-'));
  base = join(dir, 'buildroots');
  backend = new BwrapBackend({ base, chrootTmpdir: '/chroot_tmpdir' });
  // a repo holding hello's packages, as a tag repo would
  const top = join(dir, 'rpmbuild');
  const rb = (args: string[]) => {
    const r = Bun.spawnSync(['rpmbuild', '--define', `_topdir ${top}`, ...args], { stderr: 'pipe', stdout: 'pipe' });
    if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  };
  rb(['-bs', HELLO]);
  rb(['--rebuild', join(top, 'SRPMS/hello-1.0-1.src.rpm')]);
  repo = join(dir, 'repo/x86_64');
  mkdirSync(repo, { recursive: true });
  for (const a of readdirSync(join(top, 'RPMS'))) {
    for (const f of readdirSync(join(top, 'RPMS', a))) copyFileSync(join(top, 'RPMS', a, f), join(repo, f));
  }
  const c = Bun.spawnSync(['createrepo_c', '-q', repo]);
  if (c.exitCode !== 0) throw new Error('createrepo_c failed');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('BwrapBackend with the host /usr', () => {
  it('builds a package inside as the unprivileged build user', async () => {
    const log = join(dir, 'root-a.log');
    const br = await backend.create(spec(), log);
    expect(br.mode).toBe('host');
    expect(readFileSync(log, 'utf8')).toContain('the build group names no packages');
    copyFileSync(HELLO, br.hostPath('/builddir/hello.spec'));
    const build = join(dir, 'build-a.log');
    const whoami = await br.run(['sh', '-c', 'echo "uid=$(id -u) home=$HOME host=$(hostname)"'], { logfile: build });
    expect(whoami).toBe(0);
    expect(readFileSync(build, 'utf8')).toContain(`uid=1000 home=/builddir host=kojibox-br-${br.id}`);
    expect(await br.run(['rpmbuild', '-bs', 'hello.spec'], { logfile: build })).toBe(0);
    expect(await br.run(['rpmbuild', '--nodeps', '--rebuild', '/builddir/build/SRPMS/hello-1.0-1.src.rpm'], { logfile: build })).toBe(0);
    const rpm = br.hostPath('/builddir/build/RPMS/x86_64/hello-1.0-1.x86_64.rpm');
    const info = readRpmInfo(rpm);
    // the macros file of the tree reached rpmbuild
    expect(info.vendor).toBe('Koji');
    expect(info.distribution).toBe('Koji');
    await br.remove();
    expect(existsSync(br.dir)).toBe(false);
  });

  it('refuses writes to the host /usr and keeps the network away', async () => {
    const br = await backend.create(spec(), join(dir, 'root-b.log'));
    const log = join(dir, 'b.log');
    expect(await br.run(['sh', '-c', 'echo x > /usr/kojibox-escape-probe'], { logfile: log })).not.toBe(0);
    expect(existsSync('/usr/kojibox-escape-probe')).toBe(false);
    expect(readFileSync(log, 'utf8')).toContain('Read-only file system');
    // only the loopback interface exists without network
    expect(await br.run(['sh', '-c', 'cat /proc/net/dev > /builddir/netdev'])).toBe(0);
    const ifaces = readFileSync(br.hostPath('/builddir/netdev'), 'utf8').split('\n').slice(2).filter(Boolean);
    expect(ifaces.map((l) => l.trim().split(':')[0])).toEqual(['lo']);
    // even root inside cannot write the host's /usr
    expect(await br.run(['sh', '-c', 'echo x > /usr/kojibox-escape-probe'], { asRoot: true })).not.toBe(0);
    expect(existsSync('/usr/kojibox-escape-probe')).toBe(false);
    await br.remove();
  });

  it('mounts binds and kills a command at its timeout', async () => {
    const br = await backend.create(spec(), join(dir, 'root-c.log'));
    const shared = join(dir, 'shared');
    mkdirSync(shared, { recursive: true });
    writeFileSync(join(shared, 'in.txt'), 'from the host\n');
    const code = await br.run(['sh', '-c', 'cat /mnt/in/in.txt > /mnt/out/out.txt'], {
      binds: [{ src: shared, dest: '/mnt/in', readOnly: true }, { src: shared, dest: '/mnt/out' }],
    });
    expect(code).toBe(0);
    expect(readFileSync(join(shared, 'out.txt'), 'utf8')).toBe('from the host\n');
    expect(await br.run(['sh', '-c', 'echo no > /mnt/in/x'], { binds: [{ src: shared, dest: '/mnt/in', readOnly: true }] })).not.toBe(0);
    const t0 = Date.now();
    const log = join(dir, 'c.log');
    const killed = await br.run(['sleep', '30'], { timeout: 1, logfile: log });
    expect(killed).toBeGreaterThan(128);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(readFileSync(log, 'utf8')).toContain('killed after 1 seconds');
    await br.remove();
  });
});

describe('BwrapBackend with a repo', () => {
  it('installs the build group from the repo when the repo holds it', async () => {
    const log = join(dir, 'root-d.log');
    const br = await backend.create(spec({ repoUrl: repo, groupPackages: ['hello-doc'] }), log);
    expect(br.mode).toBe('repo');
    expect(existsSync(br.hostPath('/usr/share/doc/hello-doc-1.0/README'))).toBe(true);
    // the host's /usr is not part of this tree
    expect(existsSync(br.hostPath('/usr/bin/rpmbuild'))).toBe(false);
    const pkgs = await br.installedPackages();
    expect(pkgs.map((p) => `${p.name}-${p.version}-${p.release}.${p.arch}`)).toEqual(['hello-doc-1.0-1.noarch']);
    expect(pkgs[0]!.payloadhash).toBe(readRpmInfo(join(repo, 'hello-doc-1.0-1.noarch.rpm')).payloadhash);
    await br.remove();
  });

  it('falls back to the host /usr when the repo lacks group packages', async () => {
    const log = join(dir, 'root-e.log');
    const br = await backend.create(spec({ repoUrl: repo, groupPackages: ['bash', 'rpm-build'] }), log);
    expect(br.mode).toBe('host');
    expect(readFileSync(log, 'utf8')).toContain('the repo does not hold bash, rpm-build');
    await expect(br.install(['hello-doc'], log)).rejects.toThrow(/host's \/usr/);
    await br.remove();
  });
});

describe('sweepBuildroots', () => {
  it('keeps a failed tree for its lifetime, then removes it', async () => {
    const sweepBase = join(dir, 'sweep');
    const b = new BwrapBackend({ base: sweepBase, chrootTmpdir: '/chroot_tmpdir' });
    const failed = await b.create(spec(), join(dir, 'root-f.log'));
    failed.keep('buildArch task 5 failed');
    const done = await b.create(spec(), join(dir, 'root-g.log'));
    const busy = await b.create(spec(), join(dir, 'root-h.log'));
    // a leftover directory nobody uses (as after a crash) goes; a tree in use stays
    await done.remove();
    mkdirSync(done.dir, { recursive: true });
    const kept = readState(failed.dir)!.kept!;
    expect(kept.reason).toBe('buildArch task 5 failed');
    const first = sweepBuildroots(sweepBase, 3600, kept.at + 10);
    expect(first.kept).toEqual([failed.id]);
    expect(first.removed).toEqual([done.id]);
    expect(existsSync(busy.rootDir)).toBe(true);
    expect(b.open(failed.id)?.rootDir).toBe(failed.rootDir);
    const later = sweepBuildroots(sweepBase, 3600, kept.at + 3601);
    expect(later.removed).toEqual([failed.id]);
    expect(existsSync(failed.dir)).toBe(false);
    expect(b.open(failed.id)).toBeNull();
    await busy.remove();
  });
});
