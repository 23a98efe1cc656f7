/**
 * @module
 * runroot mount path rules: whole-component safe roots, `..`, path
 * substitutions, the `[pathN]` lookup, the mount plan, and resolving an
 * upload path inside the sandbox's view only.
 */
import { describe, expect, it } from 'bun:test';
import type { KojiError } from '../../src/core/faults.ts';
import type { RunrootConfig } from '../../plugins/runroot/config.ts';
import {
  checkMountSpec,
  extraMount,
  hostPathOf,
  isUnder,
  normalizePath,
  pathParams,
  planMounts,
  resolveInside,
  substitutePrefix,
  type TreeReader,
} from '../../plugins/runroot/mounts.ts';

const CFG: RunrootConfig = {
  default_mounts: ['/mnt/archive', '/mnt/workdir'],
  safe_roots: ['/mnt/workdir/tmp'],
  path_subs: [['/mnt/workdir/tmp/old', '/mnt/workdir/tmp/new']],
  paths: [
    { section: 'path0', mountpoint: '/mnt/archive', path: '/srv/archive', fstype: 'none', options: 'ro,bind' },
    { section: 'path1', mountpoint: '/mnt/workdir', path: '/srv/work/', fstype: 'none', options: 'ro,bind,nosuid' },
    { section: 'path2', mountpoint: '/mnt/nfs', path: 'server:/vol/x', fstype: 'nfs', options: 'ro,hard' },
  ],
  internal_dev_setup: null,
};

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return `${(err as KojiError).faultName}: ${(err as Error).message}`;
  }
  throw new Error('expected a refusal');
}

describe('normalizePath', () => {
  it('collapses slashes, dots and .. like os.path.normpath', () => {
    expect(normalizePath('/a//b/./c/')).toBe('/a/b/c');
    expect(normalizePath('/a/b/../c')).toBe('/a/c');
    expect(normalizePath('/../..//x')).toBe('/x');
    expect(normalizePath('a/../../b')).toBe('../b');
    expect(normalizePath('')).toBe('.');
    expect(normalizePath('/')).toBe('/');
  });
});

describe('isUnder', () => {
  it('compares whole path components', () => {
    expect(isUnder('/mnt/workdir/tmp', '/mnt/workdir/tmp')).toBe(true);
    expect(isUnder('/mnt/workdir/tmp/x/y', '/mnt/workdir/tmp')).toBe(true);
    expect(isUnder('/mnt/workdir/tmpX', '/mnt/workdir/tmp')).toBe(false);
    expect(isUnder('/mnt/workdir', '/mnt/workdir/tmp')).toBe(false);
    expect(isUnder('/mnt/workdir/tmp/', '/mnt/workdir/tmp/')).toBe(true);
  });

  it('treats / as covering every absolute path and refuses relative ones', () => {
    expect(isUnder('/anything', '/')).toBe(true);
    expect(isUnder('mnt/workdir/tmp', '/mnt')).toBe(false);
  });
});

describe('substitutePrefix', () => {
  it('replaces a leading part by whole components only', () => {
    expect(substitutePrefix('/mnt/archive/prehistory/x', '/mnt/archive/prehistory/', '/disk/prehistory')).toBe('/disk/prehistory/x');
    expect(substitutePrefix('/mnt/archive/prehistoryX', '/mnt/archive/prehistory', '/disk')).toBeNull();
    expect(substitutePrefix('/other/mnt/archive', '/mnt/archive', '/disk')).toBeNull();
  });
});

describe('pathParams', () => {
  it('maps a mountpoint below a section to the same place below its path', () => {
    const m = pathParams(CFG.paths, '/mnt/workdir/tmp/job1');
    expect(m).toMatchObject({
      source: '/srv/work/tmp/job1',
      target: '/mnt/workdir/tmp/job1',
      fstype: 'none',
      bind: true,
      readOnly: true,
      options: ['ro', 'bind', 'nosuid'],
      section: 'path1',
    });
  });

  it('turns ro into rw for read-write mounts', () => {
    const m = pathParams(CFG.paths, '/mnt/archive', true);
    expect(m.options).toEqual(['rw', 'bind']);
    expect(m.readOnly).toBe(false);
  });

  it('keeps other fstypes and their sources as written', () => {
    const m = pathParams(CFG.paths, '/mnt/nfs/sub');
    expect(m).toMatchObject({ source: 'server:/vol/x/sub', fstype: 'nfs', bind: false, readOnly: true });
  });

  it('uses the first section that covers the path', () => {
    const paths = [
      { section: 'path0', mountpoint: '/mnt', path: '/srv/all', fstype: 'none', options: 'bind' },
      { section: 'path1', mountpoint: '/mnt/special', path: '/srv/special', fstype: 'none', options: 'bind' },
    ];
    expect(pathParams(paths, '/mnt/special/x').source).toBe('/srv/all/special/x');
  });

  it("refuses a path no section covers, by whole components, with Koji's message", () => {
    expect(refusal(() => pathParams(CFG.paths, '/mnt/archiveX'))).toBe('GenericError: bad config: missing corresponding mountpoint');
  });
});

describe('extraMount', () => {
  it('accepts a path under a safe root as a read-write mount', () => {
    const m = extraMount(CFG, '/mnt/workdir/tmp/job1/');
    expect(m).toMatchObject({ source: '/srv/work/tmp/job1', target: '/mnt/workdir/tmp/job1', readOnly: false });
    expect(m.options).toEqual(['rw', 'bind', 'nosuid']);
  });

  it('accepts the safe root itself', () => {
    expect(extraMount(CFG, '/mnt/workdir/tmp').target).toBe('/mnt/workdir/tmp');
  });

  it('refuses a sibling that only shares a string prefix with a safe root', () => {
    expect(refusal(() => extraMount(CFG, '/mnt/workdir/tmpX'))).toBe('GenericError: read-write mount point is not safe: /mnt/workdir/tmpX');
  });

  it('refuses paths outside every safe root', () => {
    expect(refusal(() => extraMount(CFG, '/mnt/archive'))).toBe('GenericError: read-write mount point is not safe: /mnt/archive');
    expect(refusal(() => extraMount(CFG, '/etc'))).toBe('GenericError: read-write mount point is not safe: /etc');
  });

  it('refuses any .. component, even one that would normalize to a safe place', () => {
    expect(refusal(() => extraMount(CFG, '/mnt/workdir/tmp/../../../etc'))).toBe(
      'GenericError: read-write mount point is not safe: /mnt/workdir/tmp/../../../etc',
    );
    expect(refusal(() => extraMount(CFG, '/mnt/workdir/tmp/a/../b'))).toContain('not safe');
  });

  it('refuses relative and empty paths', () => {
    expect(refusal(() => extraMount(CFG, 'mnt/workdir/tmp/x'))).toBe('GenericError: read-write mount point is not safe: mnt/workdir/tmp/x');
    expect(refusal(() => extraMount(CFG, ''))).toContain('not safe');
  });

  it('applies path substitutions after the safety check', () => {
    const m = extraMount(CFG, '/mnt/workdir/tmp/old/x');
    expect(m.target).toBe('/mnt/workdir/tmp/new/x');
    expect(m.source).toBe('/srv/work/tmp/new/x');
    expect(extraMount(CFG, '/mnt/workdir/tmp/older').target).toBe('/mnt/workdir/tmp/older');
  });

  it('refuses a safe path that no [pathN] section backs', () => {
    const cfg = { ...CFG, safe_roots: ['/scratch'] };
    expect(refusal(() => extraMount(cfg, '/scratch/x'))).toBe('GenericError: bad config: missing corresponding mountpoint');
  });
});

describe('checkMountSpec and planMounts', () => {
  it('puts the default mounts first, read-only as configured, then the requested ones read-write', () => {
    const plan = planMounts(CFG, ['/mnt/workdir/tmp/job1']);
    expect(plan.map((m) => [m.target, m.readOnly])).toEqual([
      ['/mnt/archive', true],
      ['/mnt/workdir', true],
      ['/mnt/workdir/tmp/job1', false],
    ]);
  });

  it("refuses background mounts with Koji's message", () => {
    const cfg = { ...CFG, default_mounts: ['/mnt/nfs'], paths: [{ ...CFG.paths[2]!, options: 'ro,bg' }] };
    expect(refusal(() => planMounts(cfg, []))).toBe('GenericError: bad config: background mount not allowed');
  });

  it("refuses a relative mountpoint with Koji's message", () => {
    const m = { ...pathParams(CFG.paths, '/mnt/archive'), target: 'mnt/archive' };
    expect(refusal(() => checkMountSpec(m))).toBe('GenericError: invalid mount point: mnt/archive');
  });

  it('refuses a mounts argument that is not a list', () => {
    expect(refusal(() => planMounts(CFG, '/mnt/workdir/tmp' as unknown as string[]))).toContain('GenericError');
  });
});

/** A fake tree: host path -> 'dir' | 'file' | symlink target ('-> target'). */
function fakeTree(entries: Record<string, string>): TreeReader {
  return {
    lstat(p) {
      const e = entries[p];
      if (e === undefined) return null;
      if (e.startsWith('-> ')) return { kind: 'link', target: e.slice(3) };
      return { kind: e as 'dir' | 'file' };
    },
  };
}

describe('resolveInside', () => {
  const layers = [
    { target: '/', hostDir: '/br/root' },
    { target: '/mnt/work', hostDir: '/srv/work' },
  ];
  const fs = fakeTree({
    '/br/root/builddir': 'dir',
    '/br/root/builddir/out.log': 'file',
    '/br/root/tmp': 'dir',
    '/br/root/tmp/abs': '-> /etc/shadow',
    '/br/root/tmp/rel': '-> ../builddir/out.log',
    '/br/root/tmp/up': '-> ../../../../etc/passwd',
    '/br/root/tmp/loop': '-> /tmp/loop',
    '/br/root/tmp/towork': '-> /mnt/work/pungi.log',
    '/br/root/etc': 'dir',
    '/br/root/etc/passwd': 'file',
    '/br/root/mnt': 'dir',
    '/br/root/mnt/work': 'dir',
    '/srv/work': 'dir',
    '/srv/work/pungi.log': 'file',
    '/srv/work/sub': 'dir',
  });

  it('maps a plain path into the root tree', () => {
    expect(resolveInside('/builddir/out.log', layers, fs)).toBe('/br/root/builddir/out.log');
    expect(resolveInside('builddir/out.log', layers, fs)).toBe('/br/root/builddir/out.log');
  });

  it('follows absolute symlinks from the sandbox root, not the host root', () => {
    expect(resolveInside('/tmp/abs', layers, fs)).toBeNull(); // /br/root/etc/shadow does not exist
    expect(resolveInside('/tmp/up', layers, fs)).toBe('/br/root/etc/passwd');
    expect(resolveInside('/tmp/rel', layers, fs)).toBe('/br/root/builddir/out.log');
  });

  it('never climbs above the sandbox root with ..', () => {
    expect(resolveInside('/../../etc/passwd', layers, fs)).toBe('/br/root/etc/passwd');
  });

  it('reads files under a bind from its source directory', () => {
    expect(resolveInside('/mnt/work/pungi.log', layers, fs)).toBe('/srv/work/pungi.log');
    expect(resolveInside('/tmp/towork', layers, fs)).toBe('/srv/work/pungi.log');
  });

  it('gives null for loops, directories and missing files', () => {
    expect(resolveInside('/tmp/loop', layers, fs)).toBeNull();
    expect(resolveInside('/mnt/work/sub', layers, fs)).toBeNull();
    expect(resolveInside('/nope', layers, fs)).toBeNull();
    expect(resolveInside('/', layers, fs)).toBeNull();
  });

  it('lets the later of two overlapping layers win', () => {
    expect(hostPathOf('/mnt/work/x', layers)).toBe('/srv/work/x');
    expect(hostPathOf('/mnt/workX', layers)).toBe('/br/root/mnt/workX');
    expect(hostPathOf('/mnt/work/x', [...layers, { target: '/mnt', hostDir: '/other' }])).toBe('/other/work/x');
  });
});
