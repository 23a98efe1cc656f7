import { describe, expect, it } from 'bun:test';
import { archList, chooseTaskArch } from '../../src/builder/handlers/build-common.ts';
import { findArch, groupPackageNames, buildrootMacros } from '../../src/builder/buildroot/task-buildroot.ts';
import { macroText } from '../../src/builder/buildroot/tree.ts';
import { Scm } from '../../src/builder/scm.ts';
import { specSanityChecks } from '../../src/builder/handlers/build-srpm-from-scm.ts';
import { dedupeNoarch } from '../../src/hub/api/build-import.ts';
import { parseNVRA } from '../../src/hub/api/rpms.ts';
import { canonArch } from '../../src/core/arch.ts';
import { KOJID_DEFAULTS } from '../../src/config/kojid.ts';

const none = { buildarchs: [] as string[], exclusivearch: [] as string[], excludearch: [] as string[] };

describe('archList', () => {
  it('builds an arch package for every tag arch', () => {
    expect(archList('x86_64 aarch64', 't', none, null, {})).toEqual(['x86_64', 'aarch64']);
  });

  it('builds a noarch package once, as noarch', () => {
    expect(archList('x86_64 aarch64', 't', { ...none, buildarchs: ['noarch'] }, null, {})).toEqual(['noarch']);
  });

  it('narrows by ExclusiveArch and ExcludeArch and adds package extra arches', () => {
    expect(archList('x86_64 aarch64', 't', { ...none, exclusivearch: ['aarch64', 's390x'] }, null, {})).toEqual(['aarch64']);
    expect(archList('x86_64 aarch64', 't', { ...none, excludearch: ['aarch64'] }, null, {})).toEqual(['x86_64']);
    expect(archList('x86_64', 't', none, 'i686', {})).toEqual(['x86_64']);
    expect(archList('x86_64 i386', 't', none, 'i686', {})).toEqual(['x86_64', 'i386', 'i686']);
  });

  it('honours arch_override for scratch builds only', () => {
    expect(archList('x86_64 aarch64', 't', none, null, { scratch: true, arch_override: 'aarch64' })).toEqual(['aarch64']);
    expect(archList('x86_64 aarch64', 't', none, null, { arch_override: 'aarch64' })).toEqual(['x86_64', 'aarch64']);
  });

  it('refuses a tag without arches and a package that matches none', () => {
    expect(() => archList(null, 'f40-build', none, null, {})).toThrow('No arches for tag f40-build');
    expect(() => archList('x86_64', 't', { ...none, exclusivearch: ['s390x'] }, null, {})).toThrow('No matching arches were found');
  });
});

describe('chooseTaskArch', () => {
  it('keeps noarch unless arch limits rule out tag arches', () => {
    expect(chooseTaskArch('noarch', null, 'x86_64 aarch64', {}, '')).toBe('noarch');
    expect(chooseTaskArch('noarch', { exclusivearch: ['aarch64'], excludearch: [] }, 'x86_64 aarch64', {}, '')).toBe('aarch64');
    expect(chooseTaskArch('noarch', { exclusivearch: [], excludearch: [] }, 'x86_64 aarch64', { noarch_arches: 'x86_64' }, '')).toBe('x86_64');
    expect(chooseTaskArch('noarch', { exclusivearch: ['x86_64', 'aarch64'], excludearch: [] }, 'x86_64 aarch64', {}, '')).toBe('noarch');
  });

  it('uses canonical arches, except literal_task_arches', () => {
    expect(chooseTaskArch('i686', null, 'i686', {}, '')).toBe('i386');
    expect(chooseTaskArch('i686', null, 'i686', {}, 'i?86')).toBe('i686');
  });

  it('fails when no tag arch is left for a noarch package', () => {
    expect(() => chooseTaskArch('noarch', { exclusivearch: ['s390x'], excludearch: [] }, 'x86_64', {}, '')).toThrow('No valid arches were found');
  });
});

describe('findArch', () => {
  it('picks an arch the host and tag share for noarch, preferring the given one', () => {
    expect(findArch('noarch', ['x86_64', 'noarch'], 'x86_64 aarch64')).toBe('x86_64');
    expect(findArch('noarch', ['x86_64', 'aarch64'], 'aarch64 x86_64', 'aarch64')).toBe('aarch64');
    expect(findArch('x86_64', [], null)).toBe('x86_64');
    expect(() => findArch('noarch', ['s390x'], 'x86_64')).toThrow('does not support any arches');
  });
});

describe('groupPackageNames', () => {
  it('collects the group and the groups it requires, without blocked entries', () => {
    const groups = [
      { name: 'build', packagelist: [{ package: 'bash', type: 'mandatory' }, { package: 'gone', blocked: true }, { package: 'extra', type: 'optional' }], grouplist: [{ name: 'base' }] },
      { name: 'base', packagelist: [{ package: 'coreutils', type: 'default' }], grouplist: [{ name: 'build' }] },
      { name: 'srpm-build', packagelist: [{ package: 'rpm-build' }] },
    ];
    expect(groupPackageNames(groups, 'build')).toEqual(['bash', 'coreutils']);
    expect(groupPackageNames(groups, 'srpm-build')).toEqual(['rpm-build']);
    expect(groupPackageNames(groups, 'missing')).toEqual([]);
  });
});

describe('buildrootMacros', () => {
  it('takes kojid.conf values, lets tag macros override them, and pins the build paths', () => {
    const m = buildrootMacros({ ...KOJID_DEFAULTS, vendor: 'Lab' }, { 'rpm.macro.dist': '.lab1', 'rpm.macro.vendor': 'Tag', 'rpm.macro._topdir': '/x' }, 'x86_64');
    expect(m.vendor).toBe('Tag');
    expect(m.dist).toBe('.lab1');
    expect(m._topdir).toBe('/builddir/build');
    expect(m._host).toBe('x86_64-koji-linux-gnu');
    expect(macroText({ dist: '.lab1', multi: 'a\nb' })).toBe('%dist .lab1\n%multi a\\\nb\n');
  });
});

describe('Scm', () => {
  it('parses a git URL into host, repository, module and revision', () => {
    const s = new Scm('git+https://user@src.example.org/rpms/hello.git?sub/dir#v1.0');
    expect(s.scmtype).toBe('GIT');
    expect(s.user).toBe('user');
    expect(s.host).toBe('src.example.org');
    expect(s.repository).toBe('/rpms/hello.git');
    expect(s.module).toBe('sub/dir');
    expect(s.revision).toBe('v1.0');
  });

  it('refuses URLs koji refuses', () => {
    expect(() => new Scm('https://example.org/x.git#main')).toThrow('Invalid SCM URL');
    expect(() => new Scm('git://example.org/x.git')).toThrow('Could not find the fragment element');
    expect(() => new Scm('git://example.org#main')).toThrow('Could not find the path element');
    expect(() => new Scm('git://u:pw@example.org/x.git#main')).toThrow('username:password format not supported');
    expect(new Scm('git://u:pw@example.org/x.git#main', true).user).toBe('u:pw');
  });

  it('applies the first matching allowed_scms entry', () => {
    const s = new Scm('git://pkgs.example.org/rpms/hello#main');
    s.assertAllowedByConfig(['other.org:/*', 'pkgs.example.org:/rpms/*:no:fedpkg,sources']);
    expect(s.useCommon).toBe(false);
    expect(s.sourceCmd).toEqual(['fedpkg', 'sources']);
    const t = new Scm('git://pkgs.example.org/rpms/hello#main');
    t.assertAllowedByConfig(['pkgs.example.org:/rpms/*:yes:']);
    expect(t.useCommon).toBe(true);
    expect(t.sourceCmd).toBeNull();
    expect(() => new Scm('git://pkgs.example.org/rpms/hello#main').assertAllowedByConfig(['!pkgs.example.org:/rpms/hello', '*:*'])).toThrow(
      'pkgs.example.org:/rpms/hello is not in the list of allowed SCMs',
    );
  });

  it('reads a build_from_scm policy answer', () => {
    const s = new Scm('git://h/r#x');
    s.applyPolicyResult('allow use_common make,sources');
    expect(s.useCommon).toBe(true);
    expect(s.sourceCmd).toEqual(['make', 'sources']);
    s.applyPolicyResult('allow none');
    expect(s.sourceCmd).toBeNull();
    expect(() => s.applyPolicyResult('deny not here')).toThrow('not allowed by the build_from_scm policy');
  });
});

describe('specSanityChecks', () => {
  it('refuses specs that set what the build system sets', () => {
    expect(() => specSanityChecks('Name: x\nVendor: me\n')).toThrow('Vendor is not allowed to be set in spec file');
    expect(() => specSanityChecks('%define packager me\n')).toThrow('packager is not allowed to be defined in spec file');
    expect(() => specSanityChecks('Name: x\n# Vendor: in a comment\n')).not.toThrow();
  });
});

describe('dedupeNoarch', () => {
  it('keeps the first of identical noarch packages from several arches', () => {
    expect(dedupeNoarch(['t/1/a-1-1.x86_64.rpm', 't/1/d-1-1.noarch.rpm', 't/2/a-1-1.aarch64.rpm', 't/2/d-1-1.noarch.rpm'])).toEqual([
      't/1/a-1-1.x86_64.rpm', 't/1/d-1-1.noarch.rpm', 't/2/a-1-1.aarch64.rpm',
    ]);
  });
});

describe('parseNVRA', () => {
  it('splits name-version-release.arch with an optional .rpm and @location', () => {
    expect(parseNVRA('hello-doc-1.0-1.noarch.rpm')).toEqual({ name: 'hello-doc', version: '1.0', release: '1', epoch: '', arch: 'noarch', src: false });
    expect(parseNVRA('hello-1.0-1.src@repo')).toMatchObject({ arch: 'src', src: true, location: 'repo' });
    expect(() => parseNVRA('hello-1.0-1.')).toThrow('invalid format');
  });
});

describe('canonArch', () => {
  it('maps arches to their canonical form', () => {
    expect(['i686', 'athlon', 'armv7hl', 'armv5tel', 'ppc64p7', 'ppc64le', 'x86_64'].map(canonArch)).toEqual(['i386', 'i386', 'armhfp', 'arm', 'ppc64', 'ppc64le', 'x86_64']);
  });
});
