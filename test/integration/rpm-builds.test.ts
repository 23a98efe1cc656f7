import { describe, expect, it, beforeAll, afterAll } from 'bun:test';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BIN, ADMIN_PASSWORD, startHub, stopHub, python, type TestHub } from '../helpers/hub.ts';
import { addBuilderHost, startBuilder } from '../helpers/builder.ts';

const FIXTURES = resolve(import.meta.dir, '../fixtures');
const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
let hub: TestHub;
let dir = '';
let gitPort = 0;
let gitDaemon: ReturnType<typeof Bun.spawn> | null = null;

/** Build a fixture's SRPM with the host's rpmbuild, as a packager would before `kojibox build`. */
function srpmOf(name: string): string {
  const top = join(dir, `rpmbuild-${name}`);
  const r = Bun.spawnSync(['rpmbuild', '--define', `_topdir ${top}`, '-bs', join(FIXTURES, name, `${name}.spec`)], { stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  const srpms = readdirSync(join(top, 'SRPMS'));
  return join(top, 'SRPMS', srpms[0]!);
}

async function ok(args: string[], opts?: Parameters<TestHub['cli']>[1]) {
  const r = await hub.cli(args, opts);
  if (r.code !== 0) throw new Error(`kojibox ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function call(code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, code);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.json;
}

/** A local git repo served by `git daemon` on loopback, holding the hello spec. */
async function startGit(): Promise<void> {
  const base = join(dir, 'git');
  const repo = join(base, 'pkgs/hello.git');
  const work = join(dir, 'git-work');
  const git = (cwd: string, ...args: string[]) => {
    const r = Bun.spawnSync(['git', ...args], { cwd, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' } });
    if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  };
  Bun.spawnSync(['mkdir', '-p', repo, work]);
  git(repo, 'init', '-q', '--bare');
  git(work, 'init', '-q', '-b', 'main');
  writeFileSync(join(work, 'hello.spec'), readFileSync(join(FIXTURES, 'hello/hello.spec'), 'utf8').replace('Release:        1', 'Release:        2'));
  git(work, 'add', 'hello.spec');
  git(work, 'commit', '-q', '-m', 'hello 1.0-2');
  git(work, 'push', '-q', repo, 'main');
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  gitPort = s.port;
  s.stop(true);
  gitDaemon = Bun.spawn(['git', 'daemon', '--reuseaddr', '--export-all', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${gitPort}`, base], { stdout: 'ignore', stderr: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const r = Bun.spawnSync(['git', 'ls-remote', `git://127.0.0.1:${gitPort}/pkgs/hello.git`], { stdout: 'ignore', stderr: 'ignore' });
    if (r.exitCode === 0) return;
    await Bun.sleep(100);
  }
  throw new Error('git daemon did not start');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kojibox-builds-'));
  await startGit();
  hub = await startHub({
    allInOne: true,
    config: {
      'kojid/kojid.conf': [
        '[kojid]',
        // failed buildroots stay a few seconds here, so the test sees both the kept tree and its removal
        'failed_buildroot_lifetime = 4',
        `allowed_scms = 127.0.0.1*:/pkgs/*:no:`,
        '',
      ].join('\n'),
    },
  });
  await ok(['add-tag', 'f40']);
  await ok(['add-tag', 'f40-build', '--parent', 'f40', '--arches', ARCH]);
  await ok(['add-target', 'f40-candidate', 'f40-build', 'f40']);
  await ok(['add-tag', 'f40-locked']);
  await ok(['lock-tag', '--master', 'f40-locked']);
  await ok(['add-target', 'locked-candidate', 'f40-build', 'f40-locked']);
  await ok(['add-pkg', '--owner', 'admin', 'f40', 'hello', 'failing', 'escape', 'slow']);
}, 60_000);

afterAll(async () => {
  gitDaemon?.kill();
  await stopHub(hub);
  rmSync(dir, { recursive: true, force: true });
});

describe('kojibox build', () => {
  it('builds an uploaded SRPM, tags it and regenerates the repo', async () => {
    const r = await ok(['build', 'f40-candidate', srpmOf('hello'), '--wait', '--noprogress']);
    expect(r.stdout).toContain('Uploading srpm:');
    expect(r.stdout).toMatch(/Created task: \d+/);
    expect(r.stdout).toMatch(/build \(f40-candidate, hello-1\.0-1\.src\.rpm\)[^\n]*-> closed/);
    const info = await ok(['buildinfo', 'hello-1.0-1']);
    expect(info.stdout).toContain('State: COMPLETE');
    expect(info.stdout).toContain(`/packages/hello/1.0/1/${ARCH}/hello-1.0-1.${ARCH}.rpm`);
    expect(info.stdout).toContain('/packages/hello/1.0/1/noarch/hello-doc-1.0-1.noarch.rpm');
    const tagged = await ok(['list-tagged', 'f40', '--quiet']);
    expect(tagged.stdout).toContain('hello-1.0-1');
    // the files are in the build's directory, logs under data/logs/<arch>
    const buildDir = join(hub.dataDir, 'topdir/packages/hello/1.0/1');
    expect(existsSync(join(buildDir, 'src/hello-1.0-1.src.rpm'))).toBe(true);
    expect(existsSync(join(buildDir, `data/logs/${ARCH}/build.log`))).toBe(true);
    expect(existsSync(join(buildDir, `data/logs/${ARCH}/root.log`))).toBe(true);

    // the repo of the build tag is regenerated without anyone asking, and lists the package
    const wait = await ok(['wait-repo', 'f40-build', '--build', 'hello-1.0-1', '--timeout', '2']);
    const repoId = Number(/Got repo (\d+)/.exec(wait.stdout)![1]);
    const repomd = join(hub.dataDir, `topdir/repos/f40-build/${repoId}/${ARCH}/repodata/repomd.xml`);
    expect(existsSync(repomd)).toBe(true);
    const primaryHref = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(readFileSync(repomd, 'utf8'))![1]!;
    const primaryPath = join(hub.dataDir, `topdir/repos/f40-build/${repoId}/${ARCH}`, primaryHref);
    const primary = primaryHref.endsWith('.gz') ? gunzipSync(readFileSync(primaryPath)).toString() : readFileSync(primaryPath, 'utf8');
    expect(primary).toContain('<name>hello</name>');
    expect(primary).toContain('<name>hello-doc</name>');
  }, 180_000);

  it('records the buildroots, the rpms and their headers', async () => {
    const res = (await call(`
b = hub.getBuild('hello-1.0-1')
rpms = hub.listRPMs(kw(buildID=b['id']))
br = hub.getBuildroot(rpms[0]['buildroot_id'])
task = hub.getTaskInfo(br['task_id'])
hdr = hub.getRPMHeaders(kw(rpmID=rpms[0]['id'], headers=['license', 'summary']))
out({'rpms': sorted(r['nvr'] + '.' + r['arch'] for r in rpms), 'br': br, 'method': task['method'],
     'hdr': hdr, 'byNvra': hub.getRPM('hello-doc-1.0-1.noarch')['name'], 'srcRpm': hub.getRPM('hello-1.0-1.src')['arch']})
`)) as { rpms: string[]; br: Record<string, unknown>; method: string; hdr: Record<string, string>; byNvra: string; srcRpm: string };
    expect(res.rpms).toEqual(['hello-1.0-1.src', `hello-1.0-1.${ARCH}`, 'hello-doc-1.0-1.noarch'].sort());
    expect(res.br.br_type).toBe(0);
    expect(res.br.tag_name).toBe('f40-build');
    expect(res.br.host_name).toBe('aio-builder');
    expect(res.br.state).toBe(3);
    expect(res.method).toBe('buildArch');
    expect(res.hdr).toEqual({ license: 'MIT', summary: 'Prints a greeting' });
    expect(res.byNvra).toBe('hello-doc');
    expect(res.srcRpm).toBe('src');
    const info = await ok(['rpminfo', '--buildroots', `hello-1.0-1.${ARCH}`]);
    expect(info.stdout).toContain(`RPM: hello-1.0-1.${ARCH}`);
    expect(info.stdout).toContain('Build: hello-1.0-1');
    expect(info.stdout).toContain('License: MIT');
    expect(info.stdout).toContain(`Buildroot: ${res.br.id} (tag f40-build, arch ${ARCH}, repo ${res.br.repo_id})`);
    expect(info.stdout).toContain('Build Host: aio-builder');
    // hello was built in its own buildroot, not installed in any (host-mode buildroots list no packages)
    expect(info.stdout).toContain('Used in 0 buildroots:');
    const built = await ok(['list-buildroot', String(res.br.id), '--built']);
    expect(built.stdout).toContain('Built RPMs:');
    expect(built.stdout).toContain(`hello-1.0-1.${ARCH}`);
  }, 60_000);

  it('downloads a build', async () => {
    const out = join(dir, 'download');
    Bun.spawnSync(['mkdir', '-p', out]);
    const p = Bun.spawnSync([BIN, '--server', hub.hubUrl, '--topurl', `${hub.url}/kojifiles`, 'download-build', 'hello-1.0-1', '--arch', 'noarch', '--noprogress'], {
      cwd: out, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, HOME: dir },
    });
    expect(p.stderr.toString()).toBe('');
    expect(p.exitCode).toBe(0);
    expect(readdirSync(out)).toEqual(['hello-doc-1.0-1.noarch.rpm']);
  }, 60_000);

  it('keeps a scratch build out of the database', async () => {
    const r = await ok(['build', 'f40-candidate', srpmOf('hello'), '--scratch', '--wait', '--noprogress', '--arch-override', 'noarch']);
    const taskId = Number(/Created task: (\d+)/.exec(r.stdout)![1]);
    const res = (await call(`
builds = hub.listBuilds(kw(taskID=${taskId}))
children = hub.getTaskChildren(${taskId})
out({'builds': len(builds), 'methods': sorted(c['method'] for c in children), 'arch': [c['id'] for c in children if c['method'] == 'buildArch'][0]})
`)) as { builds: number; methods: string[]; arch: number };
    expect(res.builds).toBe(0);
    expect(res.methods).toEqual(['buildArch', 'rebuildSRPM']);
    // the files move to scratch/<owner>/task_<id>; the task output keeps links to them
    const out = join(hub.dataDir, `topdir/work/tasks/${res.arch % 10000}/${res.arch}`);
    expect(lstatSync(join(out, 'hello-doc-1.0-1.noarch.rpm')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(out, `hello-1.0-1.${ARCH}.rpm`))).toBe(false);
    expect(existsSync(join(hub.dataDir, `topdir/scratch/admin/task_${taskId}/hello-doc-1.0-1.noarch.rpm`))).toBe(true);
  }, 180_000);

  it('builds from a git URL allowed by allowed_scms', async () => {
    const url = `git://127.0.0.1:${gitPort}/pkgs/hello.git#main`;
    await ok(['build', 'f40-candidate', url, '--wait']);
    const res = (await call(`
b = hub.getBuild('hello-1.0-2')
out({'state': b['state'], 'source': b['source'], 'extra': b['extra']})
`)) as { state: number; source: string; extra: { source: { original_url: string } } };
    expect(res.state).toBe(1);
    expect(res.source).toMatch(new RegExp(`^git://127\\.0\\.0\\.1:${gitPort}/pkgs/hello\\.git#[0-9a-f]{40}$`));
    expect(res.extra.source.original_url).toBe(url);
  }, 180_000);
});

describe('a failing build', () => {
  it('fails the buildArch task and the build, and keeps the buildroot for a while', async () => {
    const r = await hub.cli(['build', 'f40-candidate', srpmOf('failing'), '--wait', '--noprogress']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error building package');
    const taskId = Number(/Created task: (\d+)/.exec(r.stdout)![1]);
    const res = (await call(`
b = hub.getBuild('failing-1.0-1')
arch = [c for c in hub.getTaskChildren(${taskId}) if c['method'] == 'buildArch'][0]
brs = hub.listBuildroots(kw(taskID=arch['id']))
out({'state': b['state'], 'task_state': arch['state'], 'brs': brs, 'output': hub.listTaskOutput(arch['id']),
     'log': hub.downloadTaskOutput(arch['id'], 'build.log'), 'tagged': len(hub.listTagged('f40', kw(package='failing')))})
`)) as { state: number; task_state: number; brs: Array<Record<string, unknown>>; output: string[]; log: string; tagged: number };
    expect(res.state).toBe(3);
    expect(res.task_state).toBe(5);
    expect(res.tagged).toBe(0);
    expect(res.brs.length).toBe(1);
    expect(res.brs[0]!.host_name).toBe('aio-builder');
    expect(res.brs[0]!.state).toBe(3);
    expect(res.output).toContain('build.log');
    expect(res.output).toContain('root.log');
    expect(Buffer.from(res.log, 'base64').toString()).toContain('kojibox-test: about to fail on purpose');
    // the tree stays on the builder until failed_buildroot_lifetime (4 s here) has passed
    const tree = join(hub.dataDir, `builder/roots/${res.brs[0]!.id}/root`);
    expect(existsSync(join(tree, 'builddir/build'))).toBe(true);
    let gone = false;
    for (let i = 0; i < 150 && !gone; i++) {
      await Bun.sleep(100);
      gone = !existsSync(tree);
    }
    expect(gone).toBe(true);
  }, 180_000);
});

describe('cancelling a build', () => {
  it('cancels the build record and stops its buildArch task', async () => {
    const r = await ok(['build', 'f40-candidate', srpmOf('slow'), '--nowait', '--noprogress']);
    const taskId = Number(/Created task: (\d+)/.exec(r.stdout)![1]);
    let archTask = 0;
    for (let i = 0; i < 300 && !archTask; i++) {
      await Bun.sleep(100);
      archTask = (await call(`out([c['id'] for c in hub.getTaskChildren(${taskId}) if c['method'] == 'buildArch' and c['state'] == 1])`) as number[])[0] ?? 0;
    }
    expect(archTask).toBeGreaterThan(0);
    await ok(['cancel', String(taskId)]);
    const res = (await call(`
b = hub.getBuild('slow-1.0-1')
out({'build': b['state'], 'arch': hub.getTaskInfo(${archTask})['state'], 'top': hub.getTaskInfo(${taskId})['state']})
`)) as { build: number; arch: number; top: number };
    expect(res).toEqual({ build: 4, arch: 3, top: 3 });
  }, 120_000);
});

describe('bad build input', () => {
  it('refuses a file that is not an RPM', async () => {
    const bad = join(dir, 'notrpm-1.0-1.src.rpm');
    writeFileSync(bad, 'definitely not an rpm\n');
    const r = await hub.cli(['build', 'f40-candidate', bad, '--wait']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('is not an RPM file');
    // straight through the API too: the hub reads the upload before making a task
    const res = (await call(`
import urllib.request
s = login('admin', ${JSON.stringify(ADMIN_PASSWORD)})
t = s._ServerProxy__transport
t.callnum += 1
req = urllib.request.Request(URL + '?filename=junk.src.rpm&filepath=cli-build/junk&fileverify=adler32&offset=0&overwrite=1', data=b'junk',
    headers={'Content-Type': 'application/octet-stream', 'Koji-Session-Id': str(t.sid), 'Koji-Session-Key': t.key, 'Koji-Session-Callnum': str(t.callnum)})
urllib.request.urlopen(req).read()
out(fault(lambda: s.build('cli-build/junk/junk.src.rpm', 'f40-candidate', {})))
`)) as { faultCode: number; faultString: string };
    expect(res.faultCode).toBe(1000);
    expect(res.faultString).toContain('junk.src.rpm');
    expect(res.faultString).toContain('not an RPM');
    const tasks = (await call(`out(len(hub.listTasks({'method': 'build', 'state': [0, 1, 4]})))`)) as number;
    expect(tasks).toBe(0);
  }, 60_000);

  it('refuses a target that does not exist', async () => {
    const r = await hub.cli(['build', 'no-such-target', srpmOf('hello'), '--wait']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No such build target: no-such-target');
    const res = (await call(`
s = login('admin', ${JSON.stringify(ADMIN_PASSWORD)})
out(fault(lambda: s.build('cli-build/x/hello-1.0-1.src.rpm', 'no-such-target', {})))
`)) as { faultCode: number; faultString: string };
    expect(res.faultCode).toBe(1000);
    expect(res.faultString).toBe('unknown build target: no-such-target');
  }, 60_000);

  it('refuses a locked destination tag unless scratch', async () => {
    const r = await hub.cli(['build', 'locked-candidate', srpmOf('hello'), '--nowait']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Destination tag f40-locked is locked');
  }, 60_000);

  it('fails an SCM URL that allowed_scms does not list, before any build exists', async () => {
    const r = await hub.cli(['build', 'f40-candidate', 'git://example.invalid/other/hello.git#main', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('example.invalid:/other/hello.git is not in the list of allowed SCMs');
    const res = (await call(`out(len(hub.listBuilds(kw(prefix='hello'))))`)) as number;
    expect(res).toBe(2);
  }, 60_000);

  it('stops a spec that writes outside its buildroot and tags nothing', async () => {
    const r = await hub.cli(['build', 'f40-candidate', srpmOf('escape'), '--wait', '--noprogress']);
    expect(r.code).toBe(1);
    expect(existsSync('/usr/kojibox-escape-test')).toBe(false);
    const res = (await call(`
b = hub.getBuild('escape-1.0-1')
out({'state': b['state'], 'tagged': len(hub.listTagged('f40', kw(package='escape'))), 'rpms': len(hub.listRPMs(kw(buildID=b['id'])))})
`)) as { state: number; tagged: number; rpms: number };
    expect(res).toEqual({ state: 3, tagged: 0, rpms: 0 });
  }, 180_000);
});


describe('a builder without the topdir', () => {
  it('fetches the SRPM and the repo over the hub\'s files URL', async () => {
    // only this builder takes build tasks: it must read everything over HTTP
    await addBuilderHost(hub, 'remote1', ['default']);
    const remote = await startBuilder(hub, 'remote1', { conf: 'allowed_scms =\n' });
    try {
      await ok(['disable-host', 'aio-builder']);
      const r = await ok(['build', 'f40-candidate', srpmOf('hello'), '--scratch', '--wait', '--noprogress']);
      const taskId = Number(/Created task: (\d+)/.exec(r.stdout)![1]);
      const hosts = (await call(`
out(sorted(set(hub.getHost(c['host_id'])['name'] for c in hub.getTaskChildren(${taskId}))))
`)) as string[];
      expect(hosts).toEqual(['remote1']);
    } finally {
      await ok(['enable-host', 'aio-builder']);
      await remote.stop();
    }
  }, 180_000);
});
