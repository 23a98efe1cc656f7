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
import { ADMIN_PASSWORD, startHub, stopHub, python, type TestHub } from '../helpers/hub.ts';
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
      'kojid/kojid.conf': ['[kojid]', 'plugin = kiwi', 'capacity = 10', `arches = ${ARCH} i386 noarch`, 'allowed_scms = 127.0.0.1*:/kiwi/*:no', ''].join('\n'),
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
  await ok(['add-user', 'imager', '--password-stdin'], { stdin: 'imager-pw-123\n' });
  await ok(['grant-permission', 'image', 'imager']);
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

    // the bundle became image archives of the build, in its images/ directory
    const res = await call<{ archives: Dict[]; rpms: Record<string, string[]> }>(`
archives = hub.listArchives(kw(buildID=${b.id as number}, type='image'))
out({'archives': archives, 'rpms': {str(a['id']): sorted(r['nvr'] + '.' + r['arch'] for r in hub.listRPMs(kw(imageID=a['id']))) for a in archives}})`);
    const base = `${IMAGE}.${ARCH}-1.0.0-1`;
    const byName = Object.fromEntries(res.archives.map((a) => [a.filename as string, a]));
    expect(Object.keys(byName).sort()).toEqual([`${base}.changes`, `${base}.packages`, `${base}.tar.xz`, `${base}.tar.xz.sha256`, `${base}.verified`]);
    expect(Object.fromEntries(res.archives.map((a) => [a.filename as string, a.type_name]))).toEqual({
      [`${base}.changes`]: 'changes', [`${base}.packages`]: 'packages', [`${base}.tar.xz`]: 'tar', [`${base}.tar.xz.sha256`]: 'checksum', [`${base}.verified`]: 'verified',
    });
    for (const a of res.archives) {
      expect(a.arch).toBe(ARCH);
      expect(a.btype).toBe('image');
      expect(a.checksum_type).toBe(2);
      const file = join(topdir, `packages/${IMAGE}/1.0.0/1/images`, a.filename as string);
      expect(new Bun.CryptoHasher('sha256').update(readFileSync(file)).digest('hex')).toBe(a.checksum as string);
    }
    // the package list: rpms the hub built or imported are components, the others are kept in extra
    const image = byName[`${base}.tar.xz`]!;
    expect(res.rpms[String(image.id)]).toEqual(['hello-1.0-1.x86_64', 'kiwi-cli-1.0-1.noarch']);
    expect(image.extra).toEqual({ components: [{ type: 'rpm', name: 'filesystem', epoch: null, version: '3.18', release: '3', arch: 'x86_64' }] });
    expect(res.rpms[String(byName[`${base}.packages`]!.id)]).toEqual([]);
    expect(readFileSync(join(topdir, `packages/${IMAGE}/1.0.0/1/images/${base}.packages`), 'utf8')).toContain('hello|(none)|1.0|1|x86_64|');

    // logs, and the description as kiwi ran it, are kept with the build
    const logs = join(topdir, `packages/${IMAGE}/1.0.0/1/data/logs/image/${ARCH}`);
    expect(readdirSync(logs).sort()).toEqual(['checkout-x86_64.log', `config.${ARCH}.kiwi`, `image-root.${ARCH}.log`, `kiwi-ng.${ARCH}.log`, `kiwi-result-bundle.${ARCH}.log`, 'root.log', 'task.log'].sort());
    expect(readFileSync(join(logs, `image-root.${ARCH}.log`), 'utf8')).toContain('Installing package: hello');
    const kiwi = readFileSync(join(logs, `config.${ARCH}.kiwi`), 'utf8');
    expect(kiwi).toContain(`<image schemaversion="7.4" name="${IMAGE}">`);
    expect(kiwi).toContain('<package name="hello"/>');
    expect(kiwi).not.toContain('<include');
    expect(kiwi).not.toContain('description-repo');
    expect(kiwi).not.toContain('include-repo');
    expect(kiwi).toContain('<release-version>1.0.0</release-version>');
    const repo = /<repository type="rpm-md"><source path="([^"]+)"\/><\/repository>/.exec(kiwi)?.[1];
    expect(repo).toMatch(new RegExp(`/kojifiles/repos/img-build/\\d+/${ARCH}$`));
    // the image (the stand-in writes its settings into it) got exactly that repository, no profile
    const content = readFileSync(join(topdir, `packages/${IMAGE}/1.0.0/1/images/${base}.tar.xz`), 'utf8');
    expect(content).toContain(`repositories=${repo}\n`);
    expect(content).toContain('profile=\n');
    // a tag without mock.new_chroot=False gives kiwi the sandbox's own small /dev
    expect(content).toContain('loop-control=no\n');

    // the hub serves them where download-build --type image looks
    const served = await fetch(`${hub.url}/kojifiles/packages/${IMAGE}/1.0.0/1/images/${base}.tar.xz`);
    expect(await served.text()).toBe(content);
  }, 300_000);

  it('makes a scratch build with the options passed to kiwi, and no build record', async () => {
    const r = await ok([
      'kiwi-build', 'img2-target', descUrl(), 'desc/config.kiwi', '--scratch', '--arch', ARCH,
      '--kiwi-profile', 'Big', '--type', 'docker', '--type-attr', 'compressed=true', '--result-bundle-name-format', '%N-%v-%I-%A',
      '--version', '2.5.0', '--release', '7', '--repo-releasever', '40', '--make-prep',
      '--repo', 'http://127.0.0.1:9/custom', '--repo', 'apt-deb:http://127.0.0.1:9/debian distribution=bookworm components=main,contrib',
    ]);
    // --repo without --buildroot-repo: no warning, and the build tag's repo is left out
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/kiwiBuild \(noarch\)[^\n]*-> closed/);
    const task = taskIdOf(r.stdout);
    const [sub] = await children(task);
    expect(sub!.method).toBe('createKiwiImage');
    expect(await call(`out(hub.getBuild('kojibox-test-Big-2.5.0-7'))`)).toBeNull();
    expect(await call(`out(hub.listBuilds(kw(taskID=${task})))`)).toEqual([]);

    // the files went to scratch/<owner>/task_<subtask>, named by the bundle format (kiwi 10 keeps .docker.tar.xz)
    const scratch = join(topdir, `scratch/admin/task_${sub!.id as number}`);
    const name = `kojibox-test-Big-2.5.0-7-${ARCH}`;
    expect(readdirSync(scratch).sort()).toEqual([`config.${ARCH}.kiwi`, `${name}.changes`, `${name}.docker.tar.xz`, `${name}.docker.tar.xz.sha256`, `${name}.packages`, `${name}.verified`]);
    const content = readFileSync(join(scratch, `${name}.docker.tar.xz`), 'utf8');
    expect(content).toContain('name=kojibox-test-Big\nversion=2.5.0\n');
    expect(content).toContain('type=docker\nprofile=Big\ntype-attributes=compressed=true\n');
    expect(content).toContain('repositories=http://127.0.0.1:9/debian http://127.0.0.1:9/custom\n');
    // mock.new_chroot=False on the tag: kiwi is run in the old chroot mode (the opt-in real kiwi test shows what that takes)
    const log = await call<string>(`import base64; out(base64.b64decode(hub.downloadTaskOutput(${sub!.id as number}, 'task.log')).decode())`);
    expect(log).toContain('tag extra mock.new_chroot=False: kiwi asks the buildroot for the old chroot mode');
    // and that mode hands kiwi the builder's /dev (only a root builder can give it)
    if (process.getuid?.() === 0 && existsSync('/dev/loop-control')) expect(content).toContain('loop-control=yes\n');
    const kiwi = readFileSync(join(scratch, `config.${ARCH}.kiwi`), 'utf8');
    expect(kiwi).toContain('<repository type="apt-deb" distribution="bookworm" components="main contrib"><source path="http://127.0.0.1:9/debian"/></repository>');
    expect(kiwi).toContain('<version>2.5.0</version>');
    expect(kiwi).toContain('<release-version>40</release-version>');
    expect(kiwi).not.toContain('/kojifiles/repos/');
    // make prep ran in the description's directory first
    const out = await call<string>(`import base64; out(base64.b64decode(hub.downloadTaskOutput(${sub!.id as number}, 'kiwi-ng.${ARCH}.log')).decode())`);
    expect(out).toContain('echo "prepared by make prep" > prep.txt');
    expect(out).toContain('--set-type-attr compressed=true');
  }, 300_000);

  it('adds the build tag repo to the requested ones with --buildroot-repo', async () => {
    const r = await ok(['kiwi-build', 'img-target', descUrl(), 'desc/config.kiwi', '--scratch', '--repo', 'http://127.0.0.1:9/custom', '--buildroot-repo']);
    expect(r.stderr).toBe('');
    const [sub] = await children(taskIdOf(r.stdout));
    const scratch = join(topdir, `scratch/admin/task_${sub!.id as number}`);
    const image = readdirSync(scratch).find((f) => f.endsWith('.tar.xz'))!;
    const repos = /repositories=(.*)\n/.exec(readFileSync(join(scratch, image), 'utf8'))![1]!.split(' ');
    expect(repos.length).toBe(2);
    expect(repos).toContain('http://127.0.0.1:9/custom');
    expect(repos.find((u) => u !== 'http://127.0.0.1:9/custom')).toMatch(new RegExp(`/kojifiles/repos/img-build/\\d+/${ARCH}$`));
  }, 300_000);

  it('lets a --can-fail arch fail, uploading kiwi\'s log while kiwi runs', async () => {
    const r = await ok(['kiwi-build', 'img2-target', descUrl(), 'desc/config.kiwi', '--can-fail', 'i686', '--nowait']);
    const task = taskIdOf(r.stdout);
    // the stand-in pauses in the middle of its install (the tag's KIWI_STANDIN_SLEEP): its log is already there
    let seenWhileOpen = false;
    for (let i = 0; i < 200 && !seenWhileOpen; i++) {
      const kids = await children(task);
      const x86 = kids.find((k) => k.arch === ARCH && k.method === 'createKiwiImage');
      if (x86 && x86.state === 1) {
        const files = await call<Record<string, Dict>>(`out(hub.listTaskOutput(${x86.id as number}, kw(stat=True)))`);
        const log = files[`image-root.${ARCH}.log`];
        if (log && Number(log.st_size) > 0) seenWhileOpen = (await call<Dict>(`out(hub.getTaskInfo(${x86.id as number}))`)).state === 1;
      }
      if (!seenWhileOpen) await Bun.sleep(100);
    }
    expect(seenWhileOpen).toBe(true);
    const w = await hub.cli(['watch-task', String(task)]);
    expect(w.code).toBe(0);
    const kids = await children(task);
    // kiwi-build and the builder use canonical arches: i686 is i386
    const i686 = kids.find((k) => k.arch === 'i386')!;
    expect(i686.state).toBe(5);
    const fault = await call<Dict>(`out(fault(lambda: hub.getTaskResult(${i686.id as number})))`);
    expect(fault.faultString).toContain('Kiwi failed: kiwi-ng system build exited with status 1');
    const log = await call<string>(`import base64; out(base64.b64decode(hub.downloadTaskOutput(${i686.id as number}, 'image-root.i386.log')).decode())`);
    expect(log).toContain('package hello not found in the repositories for i686');

    // the second build of the same name and version gets the next release, with the x86_64 image only
    const b = await call<Dict>(`out(hub.getBuild('${IMAGE}-1.0.0-2'))`);
    expect(b.state).toBe(1);
    const archives = await call<Dict[]>(`out(hub.listArchives(kw(buildID=${b.id as number}, type='image')))`);
    expect(new Set(archives.map((a) => a.arch))).toEqual(new Set([ARCH]));
    expect(archives.length).toBe(5);
  }, 300_000);

  it('fails the build when an arch that may not fail fails', async () => {
    const r = await hub.cli(['kiwi-build', 'img2-target', descUrl(), 'desc/config.kiwi', '--arch', 'i686', '--arch', ARCH]);
    expect(r.code).toBe(1);
    const task = taskIdOf(r.stdout);
    expect((await call<Dict>(`out(hub.getTaskInfo(${task}))`)).state).toBe(5);
    const b = await call<Dict>(`out(hub.listBuilds(kw(taskID=${task}))[0])`);
    expect(b.nvr).toBe(`${IMAGE}-1.0.0-3`);
    expect(b.state).toBe(3);
    expect(await call(`out(hub.listArchives(kw(buildID=${b.build_id as number})))`)).toEqual([]);
  }, 300_000);

  it('fails when every arch fails, even if all may', async () => {
    const r = await hub.cli(['kiwi-build', 'img2-target', descUrl(), 'desc/config.kiwi', '--scratch', '--arch', 'i686', '--can-fail', 'i686']);
    expect(r.code).toBe(1);
    const fault = await call<Dict>(`out(fault(lambda: hub.getTaskResult(${taskIdOf(r.stdout)})))`);
    expect(fault.faultString).toBe('all subtasks failed');
  }, 300_000);
});

describe.skipIf(skip)('kiwi-build errors', () => {
  /** Run a build that must fail in its top task; returns the fault and checks that no build was made. */
  async function failing(args: string[]): Promise<Dict> {
    const r = await hub.cli(['kiwi-build', 'img-target', ...args]);
    expect(r.code).toBe(1);
    const task = taskIdOf(r.stdout);
    expect(await call(`out(hub.listBuilds(kw(taskID=${task})))`)).toEqual([]);
    return call<Dict>(`out(fault(lambda: hub.getTaskResult(${task})))`);
  }

  it('needs the image permission', async () => {
    const r = await hub.cli(['kiwi-build', 'img-target', descUrl(), 'desc/config.kiwi'], { user: 'bob' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ActionNotAllowed: image permission required (logged in as bob)');
    expect(r.stdout).not.toContain('Created task');
  });

  it('says what is wrong with a description that is not XML', async () => {
    const f = await failing([descUrl('bad-xml'), 'desc/config.kiwi']);
    expect(f.faultCode).toBe(1000);
    expect(f.faultString).toMatch(/^Kiwi description desc\/config\.kiwi can't be parsed as XML: line \d+, column \d+: /);
  });

  it('says when a description has no version', async () => {
    const f = await failing([descUrl('no-version'), 'desc/config.kiwi']);
    expect(f.faultCode).toBe(1005);
    expect(f.faultString).toBe("Description file desc/config.kiwi doesn't contain preferences/version");
  });

  it('refuses an include that is not this://', async () => {
    const f = await failing([descUrl('file-include'), 'desc/config.kiwi']);
    expect(f.faultString).toBe('Unhandled include protocol in include path: file:///etc/passwd.');
  });

  it('says when the description file is not in the checkout', async () => {
    const f = await failing([descUrl(), 'desc/missing.kiwi']);
    expect(f.faultString).toBe('Kiwi description desc/missing.kiwi does not exist in the checkout');
  });

  it('refuses an SCM that allowed_scms does not list', async () => {
    const f = await failing([descUrl('main', 'other/images.git'), 'desc/config.kiwi']);
    expect(f.faultCode).toBe(1005);
    expect(f.faultString).toBe(`127.0.0.1:${git.port}:/other/images.git is not in the list of allowed SCMs`);
  });

  it('refuses an arch the build tag lacks before making a task', async () => {
    const before = await call<number>(`out(hub.listTasks(kw(opts={'method': 'kiwiBuild'}, queryOpts={'countOnly': True})))`);
    const r = await hub.cli(['kiwi-build', 'img-target', descUrl(), 'desc/config.kiwi', '--arch', 'aarch64']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('BuildError: Invalid arch for build tag: aarch64');
    expect(await call<number>(`out(hub.listTasks(kw(opts={'method': 'kiwiBuild'}, queryOpts={'countOnly': True})))`)).toBe(before);
  });

  it('checks --repo and --type-attr before calling the hub', async () => {
    const bad = await hub.cli(['kiwi-build', 'img-target', descUrl(), 'desc/config.kiwi', '--repo', 'apt-deb:not a url']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--repo: Repository apt-deb:not a url: not is not a URL');
    const attr = await hub.cli(['kiwi-build', 'img-target', descUrl(), 'desc/config.kiwi', '--type-attr', 'novalue']);
    expect(attr.code).toBe(2);
    expect(attr.stderr).toContain('--type-attr: expected ATTRIBUTE=VALUE, got novalue');
    const args = await hub.cli(['kiwi-build', 'img-target', descUrl()]);
    expect(args.code).toBe(2);
    expect(args.stderr).toContain('Incorrect number of arguments');
  });

  it("applies Koji's type checks and kojibox's own to kiwiBuild calls", async () => {
    const res = await call<Record<string, Dict>>(`
p = login('admin', ${JSON.stringify(ADMIN_PASSWORD)})
url = ${JSON.stringify(descUrl())}
out({
  'profile': fault(lambda: p.kiwiBuild('img-target', [], url, 'desc/config.kiwi', kw(profile=5))),
  'repos': fault(lambda: p.kiwiBuild('img-target', [], url, 'desc/config.kiwi', kw(repos='http://x/'))),
  'target': fault(lambda: p.kiwiBuild('nope', [], url, 'desc/config.kiwi')),
  'arches': fault(lambda: p.kiwiBuild('img-target', ['x86_64,i686'], url, 'desc/config.kiwi')),
  'norepo': fault(lambda: p.kiwiBuild('img-target', [], url, 'desc/config.kiwi', kw(use_buildroot_repo=False))),
  'scm': fault(lambda: p.kiwiBuild('img-target', [], 'https://example.invalid/x', 'desc/config.kiwi')),
  'path': fault(lambda: p.kiwiBuild('img-target', [], url, '../config.kiwi')),
  'prio': fault(lambda: login('imager', 'imager-pw-123').kiwiBuild('img-target', [], url, 'desc/config.kiwi', kw(priority=-5))),
})`);
    expect(res.profile).toEqual({ faultCode: 1019, faultString: "Invalid type for value '5': <class 'int'>, expected type <class 'str'>" });
    expect(res.repos).toEqual({ faultCode: 1019, faultString: "Invalid type for value 'http://x/': <class 'str'>, expected type <class 'list'>" });
    expect(res.target).toEqual({ faultCode: 1000, faultString: 'No such build target: nope' });
    expect(res.arches).toEqual({ faultCode: 1000, faultString: 'Architecture can be only [a-zA-Z0-9_-]' });
    expect(res.norepo!.faultString).toBe('No repositories to build the image from: give repos or use the buildroot repo');
    expect(res.scm!.faultString).toBe('Invalid SCM URL: https://example.invalid/x');
    expect(res.path!.faultString).toContain('Invalid description path: ../config.kiwi');
    expect(res.prio).toEqual({ faultCode: 1004, faultString: 'only admins may create high-priority tasks' });
  });
});
