/**
 * Opt-in (KOJIBOX_REAL_KIWI=1, and kiwi-ng installed, e.g. Debian's `kiwi`
 * with rsync and xz-utils): kiwi-build of a tiny real Debian image (type
 * tbz) through the all-in-one hub and builder. The build tag has no kiwi
 * group, so the buildroot uses the host's /usr and its kiwi-ng; the image
 * is installed from the Debian repositories this machine's apt uses. It
 * downloads a Debian base system and takes minutes, so it is off in CI.
 */
import { describe, expect, it, beforeAll, afterAll } from 'bun:test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, stopHub, python, type TestHub } from '../helpers/hub.ts';
import { makeDescriptionRepo, startGitDaemon, type GitServer } from '../helpers/kiwi-fixture.ts';

const enabled = process.env.KOJIBOX_REAL_KIWI === '1' && Bun.which('kiwi-ng') !== null;
const ARCH = 'x86_64';
let hub: TestHub;
let git: GitServer;
let dir = '';

type Dict = Record<string, unknown>;

/** This machine's Debian codename (os-release VERSION_CODENAME). */
function codename(): string {
  const m = /^VERSION_CODENAME=(\S+)$/m.exec(readFileSync('/etc/os-release', 'utf8'));
  if (!m) throw new Error('no VERSION_CODENAME in /etc/os-release');
  return m[1]!.replace(/"/g, '');
}

/**
 * The first archive apt fetches the release itself from (one-line
 * sources.list entries or deb822 .sources files), as a kojibox --repo.
 */
export function aptRepo(): string {
  const suite = codename();
  const files = ['/etc/apt/sources.list'];
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) if (f.endsWith('.list') || f.endsWith('.sources')) files.push(`/etc/apt/sources.list.d/${f}`);
  }
  for (const f of files.filter(existsSync)) {
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        if (!field('Types').includes('deb') || !field('Suites').includes(suite)) continue;
        const uri = field('URIs')[0];
        if (uri) return `apt-deb:${uri} distribution=${suite} components=main repository_gpgcheck=false`;
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s/.exec(line.trim() + ' ');
        if (m && m[2] === suite) return `apt-deb:${m[1]} distribution=${suite} components=main repository_gpgcheck=false`;
      }
    }
  }
  throw new Error(`apt has no deb source for ${suite}`);
}

async function ok(args: string[]) {
  const r = await hub.cli(args);
  if (r.code !== 0) throw new Error(`kojibox ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

beforeAll(async () => {
  if (!enabled) return;
  dir = mkdtempSync(join(tmpdir(), 'kojibox-kiwi-real-'));
  makeDescriptionRepo(join(dir, 'git'), 'kiwi/debian.git', {}, 'debian');
  git = await startGitDaemon(join(dir, 'git'), 'kiwi/debian.git');
  hub = await startHub({
    allInOne: true,
    config: {
      'koji-hub/hub.conf': '[hub]\nPlugins = kiwi\n',
      'kojid/kojid.conf': ['[kojid]', 'plugin = kiwi', 'allowed_scms = 127.0.0.1*:/kiwi/*:no', ''].join('\n'),
    },
  });
  await ok(['add-host-to-channel', '--new', 'aio-builder', 'image']);
  await ok(['add-tag', 'deb']);
  await ok(['add-tag', 'deb-build', '--arches', ARCH]);
  // kiwi needs the builder's /dev (loop devices, debootstrap's device nodes)
  await ok(['edit-tag', 'deb-build', '-x', 'mock.new_chroot=False']);
  await ok(['add-target', 'deb-target', 'deb-build', 'deb']);
  await ok(['add-pkg', '--owner', 'admin', 'deb', 'kojibox-debian']);
  await ok(['regen-repo', 'deb-build']);
}, 120_000);

afterAll(async () => {
  git?.stop();
  await stopHub(hub);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!enabled)('kiwi-build with the real kiwi-ng', () => {
  it('builds a Debian root tarball from the Debian repositories apt uses', async () => {
    const r = await hub.cli(['kiwi-build', 'deb-target', git.url('kiwi/debian.git#main'), 'desc/config.kiwi', '--repo', aptRepo()]);
    if (r.code !== 0) console.log(r.stdout, r.stderr, hub.log().slice(-4000));
    expect(r.code).toBe(0);
    const res = await python(hub.hubUrl, `
b = hub.getBuild('kojibox-debian-1.0.0-1')
archives = hub.listArchives(kw(buildID=b['id'], type='image'))
out({'state': b['state'], 'archives': archives})`);
    const { state, archives } = res.json as { state: number; archives: Dict[] };
    expect(state).toBe(1);
    const image = archives.find((a) => (a.filename as string).endsWith('.tar.xz'))!;
    expect(image.filename).toBe(`kojibox-debian.${ARCH}-1.0.0-1.tar.xz`);
    expect(image.type_name).toBe('tar');
    // Debian packages are not rpms of this hub: the package list is in the archive's extra
    const components = (image.extra as { components: Dict[] }).components;
    expect(components.find((c) => c.name === 'base-files')).toMatchObject({ type: 'deb', release: null, arch: 'amd64' });
    expect(archives.map((a) => a.type_name).sort()).toEqual(['changes', 'checksum', 'packages', 'tar', 'verified']);
  }, 1_800_000);
});
