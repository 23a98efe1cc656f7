/**
 * kiwi-build against the real binary (all-in-one hub and builder): a
 * description in a local git repository, built in buildroots made from
 * the build tag's repo, whose `kiwi-build` group installs the kiwi-ng
 * stand-in (test/fixtures/kiwi/kiwi-ng, packaged by the test as kiwi-cli).
 */
import { describe, expect, it, beforeAll, afterAll } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, stopHub, python, type TestHub } from '../helpers/hub.ts';
import { importRpms } from '../helpers/runroot-fixture.ts';
import { buildKiwiRpms, canBuildKiwiFixture, fixtureDescription, makeDescriptionRepo, startGitDaemon, type GitServer } from '../helpers/kiwi-fixture.ts';

const ARCH = 'x86_64';
const IMAGE = 'kojibox-test-Small';
const skip = !canBuildKiwiFixture();
let hub: TestHub;
let git: GitServer;
let dir = '';
let topdir = '';

type Dict = Record<string, unknown>;

async function ok(args: string[], opts?: Parameters<TestHub['cli']>[1]) {
  const r = await hub.cli(args, opts);
  if (r.code !== 0) throw new Error(`kojibox ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function call<T = unknown>(code: string): Promise<T> {
  const r = await python(hub.hubUrl, code);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.json as T;
}

const descUrl = (rev = 'main', repo = 'kiwi/images.git') => git.url(`${repo}#${rev}`);

/** The fixture description with a replacement applied (for the broken-description branches). */
const variant = (from: string, to: string) => {
  const text = fixtureDescription();
  if (!text.includes(from)) throw new Error(`fixture description lacks ${from}`);
  return text.replace(from, to);
};

/** The subtasks of a task, with their results. */
async function children(taskId: number): Promise<Dict[]> {
  return call<Dict[]>(`out(hub.getTaskChildren(${taskId}))`);
}

function taskIdOf(stdout: string): number {
  const m = /Created task: (\d+)/.exec(stdout);
  if (!m) throw new Error(`no task id in:\n${stdout}`);
  return Number(m[1]);
}

beforeAll(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'kojibox-kiwi-'));
  const base = join(dir, 'git');
  makeDescriptionRepo(base, 'kiwi/images.git', {
    'bad-xml': { 'desc/config.kiwi': variant('</preferences>\n    <preferences profiles="Big">', '</preferences>\n    <preferences profiles="Big"') },
    'no-version': { 'desc/config.kiwi': variant('<version>1.0.0</version>', '') },
    'file-include': { 'desc/config.kiwi': variant('this://packages.xml', 'file:///etc/passwd') },
  });
  makeDescriptionRepo(base, 'other/images.git');
  git = await startGitDaemon(base, 'kiwi/images.git');
  hub = await startHub({
    allInOne: true,
    config: {
      'koji-hub/hub.conf': '[hub]\nPlugins = kiwi\n',
      'kojid/kojid.conf': ['[kojid]', 'plugin = kiwi', 'capacity = 10', `arches = ${ARCH} i686 noarch`, 'allowed_scms = 127.0.0.1*:/kiwi/*:no', ''].join('\n'),
    },
  });
  topdir = join(hub.dataDir, 'topdir');
  await ok(['add-host-to-channel', '--new', 'aio-builder', 'image']);
  await ok(['add-tag', 'img']);
  await ok(['add-tag', 'img-build', '--arches', ARCH]);
  await ok(['add-target', 'img-target', 'img-build', 'img']);
  await ok(['add-pkg', '--owner', 'admin', 'img-build', 'hello', 'kiwi-cli']);
  await ok(['add-pkg', '--owner', 'admin', 'img', IMAGE, 'kojibox-test-Big']);
  await importRpms(hub, buildKiwiRpms(join(dir, 'rpms')).paths);
  await ok(['tag-build', 'img-build', 'hello-1.0-1', 'kiwi-cli-1.0-1']);
  await ok(['add-group', 'img-build', 'kiwi-build']);
  await ok(['add-group-pkg', 'img-build', 'kiwi-build', 'kiwi-cli']);
  await ok(['regen-repo', 'img-build']);
  // a second build tag: two arches (i686 has no hello, so its image fails), a newer kiwi, kiwi's slow
  // install to watch the logs grow, and the old-chroot setting that gives kiwi the builder's /dev
  await ok(['add-tag', 'img2-build', '--parent', 'img-build', '--arches', `${ARCH} i686`]);
  for (const x of ['rpm.env.KIWI_STANDIN_VERSION=10.2.33', 'rpm.env.KIWI_STANDIN_SLEEP=3', 'mock.new_chroot=False']) {
    await ok(['edit-tag', 'img2-build', '-x', x]);
  }
  await ok(['add-target', 'img2-target', 'img2-build', 'img']);
  await ok(['regen-repo', 'img2-build']);
  await ok(['add-user', 'bob', '--password-stdin'], { stdin: 'bob-pw-123\n' });
}, 300_000);

afterAll(async () => {
  git?.stop();
  await stopHub(hub);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skip)('kiwi-build', () => {
  it('builds an image through kiwiBuild and createKiwiImage, imports it and tags it', async () => {
    const r = await ok(['kiwi-build', 'img-target', descUrl(), 'desc/config.kiwi', '--wait']);
    expect(r.stderr).toContain('no repos given, using buildroot repo');
    const task = taskIdOf(r.stdout);
    expect(r.stdout).toMatch(/kiwiBuild \(noarch\)[^\n]*-> closed/);
    expect(r.stdout).toMatch(/createKiwiImage \(x86_64\)[^\n]*-> closed/);
    expect(r.stdout).toMatch(/tagBuild \(noarch\)[^\n]*-> closed/);
    const kids = await children(task);
    expect(kids.map((k) => k.method).sort()).toEqual(['createKiwiImage', 'tagBuild']);

    const b = await call<Dict>(`out(hub.getBuild('${IMAGE}-1.0.0-1'))`);
    expect(b.state).toBe(1);
    expect(b.task_id).toBe(task);
    expect(await call(`out(hub.getBuildType('${IMAGE}-1.0.0-1'))`)).toHaveProperty('image');
    const tagged = await ok(['list-tagged', 'img', '--quiet']);
    expect(tagged.stdout).toContain(`${IMAGE}-1.0.0-1`);
  }, 300_000);
});
