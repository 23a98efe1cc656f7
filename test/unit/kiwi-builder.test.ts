import { describe, expect, it, beforeAll, afterAll } from 'bun:test';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parsePackageList } from '../../plugins/kiwi/packages.ts';
import { descriptionDir, imageName, resultBundleArgs, systemBuildArgs } from '../../plugins/kiwi/commands.ts';
import { buildArches } from '../../plugins/kiwi/builder.ts';
import { chooseInstallGroup } from '../../plugins/kiwi/image-task.ts';
import { parseTaskParams } from '../../src/core/task-params.ts';
import '../../plugins/kiwi/signatures.ts';

const STANDIN = resolve(import.meta.dir, '../fixtures/kiwi/kiwi-ng');
const DESCRIPTION = resolve(import.meta.dir, '../fixtures/kiwi/description');

describe('parsePackageList', () => {
  it('reads rpm lines, with (none) for no epoch', () => {
    expect(parsePackageList('bash|(none)|5.2.26|1.fc40|x86_64|(none)|GPL-3.0-or-later\nkernel|1|6.8|1|x86_64|obs://x|GPL-2.0 | MIT\n', 'x.packages')).toEqual([
      { type: 'rpm', name: 'bash', epoch: null, version: '5.2.26', release: '1.fc40', arch: 'x86_64', payloadhash: '', size: 0, buildtime: 0 },
      { type: 'rpm', name: 'kernel', epoch: 1, version: '6.8', release: '1', arch: 'x86_64', payloadhash: '', size: 0, buildtime: 0 },
    ]);
  });

  it('reads Debian and pacman lines as what they are', () => {
    const [deb, pac] = parsePackageList('libc6|None|2.36-9+deb12u4|None|amd64|None|None\n\nbash|None|5.2.026|2|None|None|None\n', 'x');
    expect(deb).toMatchObject({ type: 'deb', name: 'libc6', epoch: null, version: '2.36-9+deb12u4', release: null, arch: 'amd64' });
    expect(pac).toMatchObject({ type: 'pacman', name: 'bash', version: '5.2.026', release: '2', arch: null });
  });

  it('names the file and line of a malformed entry', () => {
    expect(() => parsePackageList('ok|(none)|1|1|noarch|x|y\nbroken|line\n', 'img.packages')).toThrow('img.packages line 2: expected 7 fields');
    expect(() => parsePackageList('a|x|1|1|noarch|(none)|MIT', 'p')).toThrow('p line 1: bad epoch x');
    expect(() => parsePackageList('a|(none)|1|(none)|noarch|(none)|MIT', 'p')).toThrow('an rpm without a release');
  });
});

describe('kiwi-ng command lines', () => {
  it("are Koji's: global options, system build, then each type attribute", () => {
    expect(systemBuildArgs({ profile: 'Big', type: 'docker', type_attr: ['a=1', 'b=2'] }, 'config.x86_64.kiwi', 'images/desc', 'x86_64')).toEqual([
      'kiwi-ng', '--profile', 'Big', '--type', 'docker', '--kiwi-file', 'config.x86_64.kiwi', '--debug', '--logfile', '/tmp/image-root.x86_64.log',
      'system', 'build', '--description', 'images/desc', '--target-dir', '/builddir/result/image', '--set-type-attr', 'a=1', '--set-type-attr', 'b=2',
    ]);
    expect(systemBuildArgs({}, 'c.kiwi', 'd', 'aarch64').slice(0, 3)).toEqual(['kiwi-ng', '--kiwi-file', 'c.kiwi']);
    expect(resultBundleArgs({ result_bundle_name_format: '%N-%I' }, '3', 'x86_64')).toEqual([
      'kiwi-ng', '--debug', '--logfile', '/tmp/kiwi-result-bundle.x86_64.log', 'result', 'bundle', '--target-dir', '/builddir/result/image',
      '--bundle-dir', '/builddir/result/bundle', '--id', '3', '--bundle-format', '%N-%I',
    ]);
  });

  it('name the description directory and the image as Koji does', () => {
    expect(descriptionDir('images', 'desc/config.kiwi')).toBe('images/desc');
    expect(descriptionDir('images', 'config.kiwi')).toBe('images');
    expect(imageName('img', null, 'Small')).toBe('img-Small');
    expect(imageName('img', 'Big', 'Small')).toBe('img-Big');
    expect(imageName('img', undefined, null)).toBe('img');
  });
});

describe('buildArches', () => {
  it("takes the tag's canonical arches unless some are asked for, which the tag must have", () => {
    const tag = { id: 3, name: 'img-build' };
    expect(buildArches([], 'x86_64 i686 i386', tag)).toEqual(['x86_64', 'i386']);
    expect(buildArches(['i686'], 'x86_64 i386', tag)).toEqual(['i686']);
    expect(() => buildArches(['aarch64'], 'x86_64', tag)).toThrow('Invalid arch for build tag: aarch64');
    expect(() => buildArches([], null, tag)).toThrow('No arches for tag img-build [3]');
  });
});

describe('chooseInstallGroup', () => {
  it("prefers Koji's kiwi-build group, takes the seed's kiwi group, ignores blocked ones", () => {
    expect(chooseInstallGroup([{ name: 'build' }, { name: 'kiwi' }, { name: 'kiwi-build' }])).toBe('kiwi-build');
    expect(chooseInstallGroup([{ name: 'build' }, { name: 'kiwi' }])).toBe('kiwi');
    expect(chooseInstallGroup([{ name: 'kiwi', blocked: true }])).toBe('kiwi-build');
    expect(chooseInstallGroup([])).toBe('kiwi-build');
  });
});

describe('kiwi task signatures', () => {
  it('let the hub and client read kiwiBuild and createKiwiImage arguments by name', () => {
    expect(parseTaskParams('kiwiBuild', ['t', [], 'git://h/r#x', 'c.kiwi'])).toEqual({ target: 't', arches: [], desc_url: 'git://h/r#x', desc_path: 'c.kiwi', opts: null });
    expect(parseTaskParams('createKiwiImage', ['n', 'v', 'r', 'x86_64', {}, 2, {}, 'u', 'p', { scratch: true }]).opts).toEqual({ scratch: true });
  });
});

describe('the kiwi-ng stand-in', () => {
  let dir = '';
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, KIWI_STANDIN_PACKAGES: join(dir, 'db'), ...extra });
  const run = (args: string[], extra: Record<string, string> = {}) => {
    const r = Bun.spawnSync([STANDIN, ...args], { cwd: dir, env: env(extra), stdout: 'pipe', stderr: 'pipe' });
    return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
  };
  const build = ['--kiwi-file', 'config.kiwi', '--debug', '--logfile', 'build.log', 'system', 'build', '--description', 'desc', '--target-dir', 'target'];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiwi-standin-'));
    cpSync(DESCRIPTION, join(dir, 'desc'), { recursive: true });
    writeFileSync(join(dir, 'db'), 'filesystem|(none)|3.18|3|x86_64|(none)|PD\nfilesystem|(none)|3.18|3|i686|(none)|PD\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(process.getuid?.() !== 0)('builds and bundles an image as kiwi 9.24 would', () => {
    const b = run(build);
    expect(b.code).toBe(0);
    expect(readdirSync(join(dir, 'target')).sort()).toEqual(['kiwi.result', 'kojibox-test.x86_64-1.0.0.changes', 'kojibox-test.x86_64-1.0.0.packages', 'kojibox-test.x86_64-1.0.0.tar.xz', 'kojibox-test.x86_64-1.0.0.verified']);
    expect(readFileSync(join(dir, 'build.log'), 'utf8')).toContain('Installing package: filesystem');
    const r = run(['--debug', '--logfile', 'bundle.log', 'result', 'bundle', '--target-dir', 'target', '--bundle-dir', 'bundle', '--id', '5']);
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, 'bundle')).sort();
    expect(files).toEqual(['kojibox-test.x86_64-1.0.0-5.changes', 'kojibox-test.x86_64-1.0.0-5.packages', 'kojibox-test.x86_64-1.0.0-5.tar.xz', 'kojibox-test.x86_64-1.0.0-5.tar.xz.sha256', 'kojibox-test.x86_64-1.0.0-5.verified']);
    const sum = readFileSync(join(dir, 'bundle/kojibox-test.x86_64-1.0.0-5.tar.xz.sha256'), 'utf8');
    const digest = new Bun.CryptoHasher('sha256').update(readFileSync(join(dir, 'bundle/kojibox-test.x86_64-1.0.0-5.tar.xz'))).digest('hex');
    expect(sum).toBe(`${digest}  kojibox-test.x86_64-1.0.0-5.tar.xz\n`);
  });

  it('refuses command lines outside kiwi 9.24\'s grammar with a usage error', () => {
    const bad: string[][] = [
      [],
      ['system', 'build'],
      ['system', 'build', '--description', 'desc'],
      ['--bogus', 'system', 'build', '--description', 'desc', '--target-dir', 't'],
      ['system', 'build', '--description', 'desc', '--target-dir', 't', '--set-type-attr', 'a=b'],
      ['system', 'build', '--description', 'desc', '--target-dir', 't', 'extra'],
      ['system', 'build', '--description', 'desc', '--target-dir', 't', '--target-dir', 'u'],
      ['system', 'build', '--description', 'desc', '--target-dir', 't', '--clear-cache=yes'],
      ['--kiwi-file', 'c', 'result', 'bundle', '--target-dir', 't', '--bundle-dir', 'b', '--id', '1'],
      ['result', 'bundle', '--target-dir', 't', '--bundle-dir', 'b'],
      ['result', 'bundle', '--target-dir', 't', '--bundle-dir', 'b', '--id', '1', '--bundle-format', '%N'],
      ['system', 'prepare', '--description', 'desc', '--root', 'r'],
      ['image', 'info', '--description', 'desc'],
      ['system', '--profile', 'x', 'build', '--description', 'desc', '--target-dir', 't'],
    ];
    for (const args of bad) {
      const r = run(args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.err).toContain('usage: kiwi-ng');
    }
  });

  it('accepts the options newer kiwi added when it emulates that kiwi', () => {
    const v = (version: string, args: string[]) => run(args, { KIWI_STANDIN_VERSION: version });
    const attr = ['system', 'build', '--description=desc', '--target-dir=t', '--set-type-attr', 'a=b'];
    expect(v('10.0.23', attr).err).toContain('unknown option --set-type-attr');
    expect(v('10.0.24', attr).err).not.toContain('usage:');
    const fmt = ['result', 'bundle', '--target-dir', 'nowhere', '--bundle-dir', 'b', '--id', '1', '--bundle-format', '%N'];
    expect(v('10.0.6', fmt).err).toContain('unknown option --bundle-format');
    expect(v('10.0.7', fmt).err).toContain('KiwiResultError');
    expect(run(['--version']).out).toBe('KIWI (next generation) version 9.24.56\n');
  });

  it.skipIf(process.getuid?.() !== 0)('fails as kiwi does for a missing description, profile or type', () => {
    expect(run(['system', 'build', '--description', 'nowhere', '--target-dir', 't']).err).toContain('no description directory');
    expect(run(['--profile', 'Nope', ...build.slice(5)]).err).toContain('profile Nope not found');
    expect(run(['--type', 'vmx', ...build.slice(5)]).err).toContain('build type vmx not in description');
    expect(run(['--target-arch', 'aarch64', ...build]).err).toContain('package filesystem not found in the repositories for aarch64');
  });
});
