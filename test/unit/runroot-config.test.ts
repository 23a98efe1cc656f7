/**
 * @module
 * runroot.conf parsing and validation: Koji's option names, section order
 * and error messages, and the sample file in etc/.
 */
import { afterAll, describe, expect, it } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KojiError } from '../../src/core/faults.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { parseIni } from '../../src/config/ini.ts';
import { emptyRunrootConfig, loadRunrootConfig, parseRunrootConfig, RUNROOT_CONFIG_PATH } from '../../plugins/runroot/config.ts';

const scratch = mkdtempSync(join(tmpdir(), 'kojibox-runroot-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function parse(text: string) {
  return parseRunrootConfig(parseIni(text, 'runroot.conf', { interpolation: true }));
}

function failure(text: string): KojiError {
  try {
    parse(text);
  } catch (err) {
    return err as KojiError;
  }
  throw new Error('expected the config to be refused');
}

describe('parseRunrootConfig', () => {
  it('reads the [paths] lists, the substitutions and [runroot] internal_dev_setup', () => {
    const cfg = parse(`
[runroot]
internal_dev_setup = yes

[paths]
default_mounts = /mnt/archive,/mnt/workdir
safe_roots = /mnt/workdir/tmp
path_subs =
    /mnt/archive/prehistory,/mnt/prehistoric_disk/archive/prehistory
    /mnt/a,/mnt/b
`);
    expect(cfg.default_mounts).toEqual(['/mnt/archive', '/mnt/workdir']);
    expect(cfg.safe_roots).toEqual(['/mnt/workdir/tmp']);
    expect(cfg.path_subs).toEqual([
      ['/mnt/archive/prehistory', '/mnt/prehistoric_disk/archive/prehistory'],
      ['/mnt/a', '/mnt/b'],
    ]);
    expect(cfg.internal_dev_setup).toBe(true);
  });

  it('gives empty lists and a null internal_dev_setup when nothing is set', () => {
    expect(parse('[paths]\n')).toEqual(emptyRunrootConfig());
    expect(parse('[runroot]\ninternal_dev_setup = off\n').internal_dev_setup).toBe(false);
  });

  it('trims list items and drops empty ones', () => {
    const cfg = parse('[paths]\ndefault_mounts = /mnt/a , /mnt/b,\nsafe_roots = /x,\n');
    expect(cfg.default_mounts).toEqual(['/mnt/a', '/mnt/b']);
    expect(cfg.safe_roots).toEqual(['/x']);
  });

  it('orders [pathN] sections by number, not by position in the file', () => {
    const cfg = parse(`
[path10]
mountpoint = /mnt/ten
path = /srv/ten
fstype = none
options = ro,bind
[path2]
mountpoint = /mnt/two
path = /srv/two
fstype = nfs
options = ro,hard
[pathology]
mountpoint = /ignored
`);
    expect(cfg.paths.map((p) => p.section)).toEqual(['path2', 'path10']);
    expect(cfg.paths[0]).toEqual({ section: 'path2', mountpoint: '/mnt/two', path: '/srv/two', fstype: 'nfs', options: 'ro,hard' });
  });

  it("refuses a [pathN] section without all four options with Koji's message", () => {
    const err = failure('[path3]\nmountpoint = /mnt/x\npath = /srv/x\nfstype = none\n');
    expect(err.faultName).toBe('GenericError');
    expect(err.message).toBe('bad config: missing options in path3 section');
  });

  it("refuses a substitution line without exactly one comma with Koji's message", () => {
    expect(failure('[paths]\npath_subs = /a,/b,/c\n').message).toBe("bad runroot substitution: ['/a', '/b', '/c']");
    expect(failure('[paths]\npath_subs =\n  /a,/b\n  /lonely\n').message).toBe("bad runroot substitution: ['/lonely']");
  });

  it("refuses relative paths in default_mounts, safe_roots and path_subs with Koji's message", () => {
    const prefix = 'bad config: all paths (default_mounts, safe_roots, path_subs) needs to be absolute: ';
    expect(failure('[paths]\ndefault_mounts = /mnt/a,mnt/b\n').message).toBe(`${prefix}mnt/b`);
    expect(failure('[paths]\nsafe_roots = tmp\n').message).toBe(`${prefix}tmp`);
    expect(failure('[paths]\npath_subs = rel,/abs\n').message).toBe(`${prefix}rel`);
    expect(failure('[paths]\npath_subs = /abs,rel\n').message).toBe(`${prefix}rel`);
  });

  it('refuses a non-boolean internal_dev_setup', () => {
    expect(() => parse('[runroot]\ninternal_dev_setup = maybe\n')).toThrow(ConfigError);
  });

  it('expands %% as the interpolating parser Koji uses does', () => {
    expect(parse('[paths]\nsafe_roots = /mnt/100%%\n').safe_roots).toEqual(['/mnt/100%']);
  });
});

describe('loadRunrootConfig', () => {
  it('reads kojid/plugins/runroot.conf under the config root', () => {
    const root = join(scratch, 'one');
    mkdirSync(join(root, 'kojid/plugins'), { recursive: true });
    writeFileSync(join(root, RUNROOT_CONFIG_PATH), '[paths]\nsafe_roots = /mnt/workdir/tmp\n');
    expect(loadRunrootConfig(root).safe_roots).toEqual(['/mnt/workdir/tmp']);
  });

  it('treats a missing file as an empty config', () => {
    expect(loadRunrootConfig(join(scratch, 'none'))).toEqual(emptyRunrootConfig());
  });

  it('accepts the sample file in etc/ (everything commented out)', () => {
    const etc = new URL('../../etc', import.meta.url).pathname;
    expect(RUNROOT_CONFIG_PATH).toBe('kojid/plugins/runroot.conf');
    expect(loadRunrootConfig(etc)).toEqual(emptyRunrootConfig());
  });

  it('accepts the sample file with its examples switched on', async () => {
    const etc = new URL('../../etc', import.meta.url).pathname;
    const text = await Bun.file(join(etc, RUNROOT_CONFIG_PATH)).text();
    const enabled = text.replace(/^; (\[path\d+\]|[a-z_]+ = .*)$/gm, '$1');
    const cfg = parse(enabled);
    expect(cfg.default_mounts).toEqual(['/mnt/archive', '/mnt/workdir']);
    expect(cfg.paths.map((p) => p.mountpoint)).toEqual(['/mnt/archive', '/mnt/nfs']);
    expect(cfg.internal_dev_setup).toBe(false);
  });
});
