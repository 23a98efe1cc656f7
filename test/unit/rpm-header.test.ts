import { describe, expect, it, beforeAll, afterAll } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readRpmInfo, looksLikeRpm, rpmFileName, requireSpec, RpmFormatError } from '../../src/core/rpm-header.ts';

const FIXTURE = resolve(import.meta.dir, '../fixtures/hello/hello.spec');
let dir = '';
let srpm = '';
let rpms: string[] = [];

/** What librpm itself says about a file, for comparison. */
function rpmQuery(path: string, fmt: string): string {
  const r = Bun.spawnSync(['rpm', '-qp', '--nosignature', '--nodigest', '--qf', fmt, path], { stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rpmhdr-'));
  const build = (args: string[]) => {
    const r = Bun.spawnSync(['rpmbuild', '--define', `_topdir ${dir}`, ...args], { stderr: 'pipe', stdout: 'pipe' });
    if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  };
  build(['-bs', FIXTURE]);
  srpm = join(dir, 'SRPMS/hello-1.0-1.src.rpm');
  build(['--rebuild', srpm]);
  for (const arch of readdirSync(join(dir, 'RPMS'))) {
    for (const f of readdirSync(join(dir, 'RPMS', arch))) rpms.push(join(dir, 'RPMS', arch, f));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readRpmInfo', () => {
  it('reads a source package as librpm does, with arch src', () => {
    const info = readRpmInfo(srpm);
    expect(info.name).toBe('hello');
    expect(info.version).toBe('1.0');
    expect(info.release).toBe('1');
    expect(info.epoch).toBeNull();
    expect(info.sourcepackage).toBe(true);
    expect(info.arch).toBe('src');
    expect(info.sourcerpm).toBeNull();
    expect(info.buildtime).toBe(Number(rpmQuery(srpm, '%{BUILDTIME}')));
    expect(info.payloadhash).toBe(rpmQuery(srpm, '%{SIGMD5}'));
    expect(rpmFileName(info)).toBe('hello-1.0-1.src.rpm');
  });

  it('reads binary packages, their arch and source rpm', () => {
    expect(rpms.length).toBe(2);
    for (const path of rpms) {
      const info = readRpmInfo(path);
      expect(info.sourcepackage).toBe(false);
      expect(info.arch).toBe(rpmQuery(path, '%{ARCH}'));
      expect(info.sourcerpm).toBe('hello-1.0-1.src.rpm');
      expect(info.payloadhash).toBe(rpmQuery(path, '%{SIGMD5}'));
      expect(info.payloadhash).toMatch(/^[0-9a-f]{32}$/);
      expect(rpmFileName(info)).toBe(path.split('/').at(-1)!);
      expect(info.filesize).toBe(readFileSync(path).length);
    }
  });

  it('reads the arch rules of a spec', () => {
    const spec = join(dir, 'arches.spec');
    writeFileSync(
      spec,
      ['Name: arches', 'Version: 2', 'Release: 3', 'Epoch: 4', 'Summary: s', 'License: MIT',
        'ExclusiveArch: x86_64 aarch64 noarch', 'ExcludeArch: s390x', 'BuildArch: noarch',
        'BuildRequires: make', 'BuildRequires: gcc >= 10',
        '%description', 'd', '%files', ''].join('\n'),
    );
    const r = Bun.spawnSync(['rpmbuild', '--define', `_topdir ${dir}`, '-bs', spec], { stderr: 'pipe' });
    expect(r.exitCode).toBe(0);
    const info = readRpmInfo(join(dir, 'SRPMS/arches-2-3.src.rpm'));
    expect(info.epoch).toBe(4);
    expect(info.exclusivearch).toEqual(['x86_64', 'aarch64', 'noarch']);
    expect(info.excludearch).toEqual(['s390x']);
    expect(info.buildarchs).toEqual(['noarch']);
    const reqs = info.requires.filter((r) => !r.name.startsWith('rpmlib(')).map(requireSpec);
    expect(reqs.sort()).toEqual(['gcc >= 10', 'make']);
  });

  it('refuses a file that is not an RPM', () => {
    const bad = join(dir, 'not.src.rpm');
    writeFileSync(bad, 'this is plain text, not a package\n'.repeat(10));
    expect(looksLikeRpm(bad)).toBe(false);
    expect(() => readRpmInfo(bad)).toThrow(RpmFormatError);
  });

  it('refuses a truncated RPM', () => {
    const cut = join(dir, 'cut.src.rpm');
    writeFileSync(cut, readFileSync(srpm).subarray(0, 200));
    expect(looksLikeRpm(cut)).toBe(true);
    expect(() => readRpmInfo(cut)).toThrow(/truncated/);
  });
});
