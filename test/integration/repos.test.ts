/**
 * Repos against the real binary with its all-in-one builder: tiny RPMs
 * built by rpmbuild and imported, repos made by the newRepo task with the
 * real createrepo_c and checked by reading the repodata, automatic
 * regeneration of build tags, inheritance and blocked packages, reuse of
 * a parent's repodata, Koji 1.35's repo requests, the CLI commands and
 * their output, state changes and failures.
 */
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { adminSession, buildTiny, importBuilt, readPrimary, repoPackages, type BuiltRpms } from '../helpers/repo-fixtures.ts';
import type { ClientSession } from '../../src/client/session.ts';
import { kw } from '../../src/client/session.ts';

setDefaultTimeout(180_000);

const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
const OTHER = ARCH === 'x86_64' ? 'aarch64' : 'x86_64';

let hub: TestHub;
let admin: ClientSession;
let fixtures: string;
const built: Record<string, BuiltRpms> = {};
let topdir = '';

type Dict = Record<string, unknown>;

async function cli(args: string[], opts: { user?: string } = {}) {
  return hub.cli(args, opts);
}

async function ok(args: string[]): Promise<string> {
  const r = await cli(args);
  if (r.code !== 0) throw new Error(`kojibox ${args.join(' ')} -> ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function py(code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, code);
  if (r.code !== 0) throw new Error(`python failed:\n${r.stderr}\n${r.stdout}`);
  return r.json;
}

const gotRepo = (out: string) => Number(/Got repo (\d+)/.exec(out)?.[1]);

beforeAll(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'repos-fixtures-'));
  const specs = [
    { name: 'foo', version: '1.0', subnames: ['debuginfo'] },
    { name: 'foo', version: '1.1', subnames: ['debuginfo'] },
    { name: 'bar' },
    { name: 'qux', archful: true, subnames: ['doc'] },
    { name: 'baz' },
    { name: 'gone' },
  ];
  const results = await Promise.all(specs.map((s) => buildTiny(s, fixtures)));
  for (const b of results) built[b.nvr] = b;
  hub = await startHub({
    allInOne: true,
    config: {
      'koji-hub/hub.conf': '[hub]\nRepoRetries = 0\n',
      'koji.conf': '[koji]\npoll_interval = 1\n',
      'kojira/kojira.conf': '[kojira]\nsleeptime = 1\n',
    },
  });
  topdir = join(hub.dataDir, 'topdir');
  admin = await adminSession(hub);
  await ok(['add-tag', 'base', '--arches', `${ARCH} ${OTHER}`]);
  await ok(['add-pkg', '--owner', 'admin', 'base', 'foo', 'bar', 'qux', 'baz', 'gone']);
  for (const b of Object.values(built)) await importBuilt(hub, admin, b);
  await ok(['tag-build', '--bypass', 'base', 'foo-1.0-1', 'foo-1.1-1', 'bar-1.0-1', 'qux-1.0-1']);
  const bob = await hub.cli(['add-user', 'bob', '--password-stdin'], { stdin: 'bob-pw-123\n' });
  if (bob.code !== 0) throw new Error(bob.stderr);
});

afterAll(async () => {
  await admin?.logout().catch(() => {});
  await stopHub(hub);
  rmSync(fixtures, { recursive: true, force: true });
});

describe('regen-repo', () => {
  let repoId = 0;

  it('makes a repo of the latest builds with createrepo_c, noarch in every arch of the tag', async () => {
    const out = await ok(['regen-repo', 'base', '--wait']);
    repoId = gotRepo(out);
    expect(out).toContain(`Repo info: ${hub.url}/koji/repoinfo?repoID=${repoId}`);
    expect(repoPackages(topdir, 'base', repoId, ARCH)).toEqual([
      'bar-1.0-1.noarch', 'foo-1.1-1.noarch', `qux-1.0-1.${ARCH}`, 'qux-doc-1.0-1.noarch',
    ].sort());
    // the other arch gets the noarch packages only
    expect(repoPackages(topdir, 'base', repoId, OTHER)).toEqual(['bar-1.0-1.noarch', 'foo-1.1-1.noarch', 'qux-doc-1.0-1.noarch']);
    const primary = readPrimary(join(topdir, 'repos/base', String(repoId), ARCH, 'repodata'));
    expect(primary.find((p) => p.name === 'foo')!.href).toBe('toplink/packages/foo/1.1/1/noarch/foo-1.1-1.noarch.rpm');
    // locations resolve through the toplink symlink to the packages
    const dir = join(topdir, 'repos/base', String(repoId), ARCH);
    expect(statSync(join(dir, primary[0]!.href)).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'pkglist'), 'utf8').split('\n').filter(Boolean)).toHaveLength(4);
    const info = JSON.parse(readFileSync(join(topdir, 'repos/base', String(repoId), 'repo.json'), 'utf8'));
    expect(info).toMatchObject({ id: repoId, tag: 'base', with_src: false, with_debuginfo: false, with_separate_src: false });
    expect(readFileSync(join(topdir, 'repos/base/latest', 'repo.json'), 'utf8')).toContain(`"id": ${repoId}`);
  });

  it('returns the existing repo when nothing changed', async () => {
    const out = await ok(['regen-repo', 'base']);
    expect(gotRepo(out)).toBe(repoId);
  });

  it('adds debuginfo and source RPMs on request, as a repo with custom options', async () => {
    const out = await ok(['regen-repo', 'base', '--debuginfo', '--source', '--wait']);
    const id = gotRepo(out);
    expect(id).toBeGreaterThan(repoId);
    const pkgs = repoPackages(topdir, 'base', id, ARCH);
    expect(pkgs).toContain('foo-debuginfo-1.1-1.noarch');
    expect(pkgs).toContain('foo-1.1-1.src');
    const r = (await py(`
out({'get': hub.repo.get('base')['id'], 'custom': hub.repoInfo(${id})['custom_opts'], 'opts': hub.repoInfo(${id})['opts'],
     'withopts': hub.repo.get('base', kw(opts={'debuginfo': True, 'src': True}))['id']})
`)) as Dict;
    // a plain request does not get a repo with options it did not ask for
    expect(r.get).toBe(repoId);
    expect(r.withopts).toBe(id);
    expect(r.custom).toEqual({ debuginfo: true, src: true });
    expect(r.opts).toEqual({ debuginfo: true, src: true, separate_src: false, maven: false });
  });

  it('creates a newRepo task with --make-task and watches it', async () => {
    const r = await cli(['regen-repo', 'base', '--make-task', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Regenerating repo for tag: base');
    const task = Number(/Created task: (\d+)/.exec(r.stdout)?.[1]);
    expect(r.stdout).toContain(`Task info: ${hub.url}/koji/taskinfo?taskID=${task}`);
    const res = (await py(`out([hub.getTaskInfo(${task})['method'], hub.getTaskResult(${task})])`)) as [string, [number, number]];
    expect(res[0]).toBe('newRepo');
    const info = (await admin.call('repoInfo', res[1][0])) as Dict;
    expect(info).toMatchObject({ tag_name: 'base', state: 1, task_id: task, create_event: res[1][1] });
  });

  it('needs the repo or regen-repo permission for newRepo', async () => {
    const r = (await py(`
b = login('bob', 'bob-pw-123')
out(fault(lambda: b.newRepo('base')))
`)) as Dict;
    expect(r).toEqual({ faultCode: 1004, faultString: 'regen-repo permission required (logged in as bob)' });
  });

  it('prints repoinfo as Koji does', async () => {
    const out = await ok(['repoinfo', String(repoId)]);
    expect(out).toContain(`ID: ${repoId}\nTag ID: `);
    expect(out).toContain('Tag name: base\nState: READY\n');
    expect(out).toContain(`URL: ${hub.url}/kojifiles/repos/base/${repoId}\n`);
    expect(out).toContain(`Repo json: ${hub.url}/kojifiles/repos/base/${repoId}/repo.json\nDist repo?: no\n`);
    const missing = await cli(['repoinfo', '999']);
    expect(missing.stderr).toContain('No such repo: 999');
  });
});

describe('automatic regeneration', () => {
  let buildRepo = 0;

  it('makes a repo for a new target\'s build tag and remakes it when a parent changes', async () => {
    await ok(['add-tag', 'f-build', '--parent', 'base', '--arches', ARCH]);
    await ok(['add-group', 'f-build', 'build']);
    await ok(['add-group-pkg', 'f-build', 'build', 'foo', 'bar']);
    await ok(['add-target', 'f-target', 'f-build', 'base']);
    // nobody asks: the hub regenerates the build tag's repo by itself
    let out = await ok(['wait-repo', 'f-build', '--timeout', '1']);
    const first = gotRepo(out);
    expect(first).toBeGreaterThan(0);
    await ok(['tag-build', '--bypass', 'base', 'baz-1.0-1']);
    out = await ok(['wait-repo', 'f-build', '--build', 'baz-1.0-1', '--timeout', '1']);
    buildRepo = gotRepo(out);
    expect(buildRepo).toBeGreaterThan(first);
    expect(repoPackages(topdir, 'f-build', buildRepo, ARCH)).toContain('baz-1.0-1.noarch');
  });

  it('writes the tag\'s groups as comps so dnf can install the build group', async () => {
    const repodata = join(topdir, 'repos/f-build', String(buildRepo), ARCH, 'repodata');
    expect(readFileSync(join(repodata, 'repomd.xml'), 'utf8')).toContain('<data type="group">');
    const comps = readFileSync(join(topdir, 'repos/f-build', String(buildRepo), 'groups/comps.xml'), 'utf8');
    expect(comps).toContain('<id>build</id>');
    expect(comps).toContain('<packagereq type="mandatory">foo</packagereq>');
    if (!Bun.which('dnf')) return;
    const root = mkdtempSync(join(tmpdir(), 'dnfroot-'));
    try {
      const p = Bun.spawnSync([
        'dnf', '-q', '--installroot', root, '--setopt=reposdir=/dev/null', '--disableplugin=*', '--releasever=1',
        `--repofrompath=koji,file://${join(topdir, 'repos/f-build', String(buildRepo), ARCH)}`, '--repo=koji',
        'group', 'info', 'build',
      ], { stdout: 'pipe', stderr: 'pipe' });
      const text = p.stdout.toString() + p.stderr.toString();
      expect(text).toContain('foo');
      expect(text).toContain('bar');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('waits with --target and --request', async () => {
    const r = await cli(['wait-repo', 'f-target', '--target', '--request']);
    expect(r.code).toBe(0);
    expect(gotRepo(r.stdout)).toBe(buildRepo);
    expect(r.stderr).toBe('');
  });

  it('gives up after --timeout when a build never appears', async () => {
    const r = await cli(['wait-repo', 'f-build', '--build', 'nosuch-1.0-1', '--timeout', '0.05']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No nosuch builds in tag f-build');
    expect(r.stderr).toMatch(/Failed to get repo -- Unsuccessfully waited 0:0\d for nosuch-1.0-1 to appear in the f-build repo/);
  });

  it('refuses an unknown tag or target as a usage error', async () => {
    let r = await cli(['wait-repo', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No such tag: nosuch');
    r = await cli(['wait-repo', 'nosuch', '--target']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No such build target: nosuch');
  });
});

describe('inheritance', () => {
  it('leaves blocked packages out and prefers the child\'s own builds', async () => {
    await ok(['add-tag', 'f-child', '--parent', 'f-build', '--arches', ARCH]);
    await ok(['block-pkg', 'f-child', 'bar']);
    await ok(['tag-build', '--bypass', 'f-child', 'foo-1.0-1']);
    const id = gotRepo(await ok(['regen-repo', 'f-child', '--wait']));
    expect(repoPackages(topdir, 'f-child', id, ARCH)).toEqual([
      'baz-1.0-1.noarch', 'foo-1.0-1.noarch', `qux-1.0-1.${ARCH}`, 'qux-doc-1.0-1.noarch',
    ].sort());
    const dir = join(topdir, 'repos/f-child', String(id), ARCH);
    expect(readFileSync(join(dir, 'blocklist'), 'utf8')).toBe('bar\n');
  });

  it('reuses the parent\'s repodata for a new empty child tag, in the hub', async () => {
    await ok(['add-tag', 'f-side', '--parent', 'f-build', '--arches', ARCH]);
    const parent = (await admin.call('getRepo', 'f-build')) as Dict;
    const started = performance.now();
    const id = gotRepo(await ok(['regen-repo', 'f-side', '--wait']));
    expect(performance.now() - started).toBeLessThan(30_000);
    const info = JSON.parse(readFileSync(join(topdir, 'repos/f-side', String(id), 'repo.json'), 'utf8'));
    expect(info.cloned_from_repo_id).toBe(parent.id);
    // a single plain link to a tag whose repo is current: known without working out the content
    expect(info.cloned_because).toBe('inheritance');
    // the hub made it itself, without a newRepo task
    expect(((await admin.call('repoInfo', id)) as Dict).task_id).toBeNull();
    expect(info.cloned_archs).toEqual([ARCH]);
    const mine = join(topdir, 'repos/f-side', String(id), ARCH, 'repodata/repomd.xml');
    const theirs = join(topdir, 'repos/f-build', String(parent.id), ARCH, 'repodata/repomd.xml');
    expect(statSync(mine).ino).toBe(statSync(theirs).ino);
    expect(repoPackages(topdir, 'f-side', id, ARCH)).toEqual(repoPackages(topdir, 'f-build', parent.id as number, ARCH));
  });

  it('answers repo.request for a new empty child tag with a repo made within the call', async () => {
    await ok(['add-tag', 'f-side2', '--parent', 'f-build', '--arches', ARCH]);
    const parent = (await admin.call('getRepo', 'f-build')) as Dict;
    const r = (await admin.call('repo.request', 'f-side2', kw({ min_event: 'last' }))) as Dict;
    const repo = r.repo as Dict;
    const request = r.request as Dict;
    expect(r.duplicate).toBe(false);
    expect(repo.tag_name).toBe('f-side2');
    expect(repo.state).toBe(1); // READY
    expect(request.repo_id).toBe(repo.id);
    expect(request.active).toBe(false);
    const info = JSON.parse(readFileSync(join(topdir, 'repos/f-side2', String(repo.id), 'repo.json'), 'utf8'));
    expect(info.cloned_from_repo_id).toBe(parent.id);
    // asked again, the same repo serves without a new request
    const again = (await admin.call('repo.request', 'f-side2', kw({ min_event: 'last' }))) as Dict;
    expect((again.repo as Dict).id).toBe(repo.id);
    expect(again.request).toBeNull();
  });

  it('compares the content when the link has a package filter', async () => {
    await ok(['add-tag', 'f-filtered', '--arches', ARCH]);
    await ok(['add-tag-inheritance', 'f-filtered', 'f-build', '--pkg-filter', '.*']);
    const parent = (await admin.call('getRepo', 'f-build')) as Dict;
    const id = gotRepo(await ok(['regen-repo', 'f-filtered', '--wait']));
    const info = JSON.parse(readFileSync(join(topdir, 'repos/f-filtered', String(id), 'repo.json'), 'utf8'));
    expect(info.cloned_from_repo_id).toBe(parent.id);
    expect(info.cloned_because).toBe('same content');
  });

  it('does not reuse a parent repo made before the parent changed', async () => {
    await ok(['add-tag', 'h-parent', '--arches', ARCH]);
    await ok(['add-pkg', '--owner', 'admin', 'h-parent', 'bar', 'foo']);
    await ok(['tag-build', '--bypass', 'h-parent', 'bar-1.0-1']);
    const old = gotRepo(await ok(['regen-repo', 'h-parent', '--wait']));
    // h-parent builds nothing, so nothing regenerates its repo after this
    await ok(['tag-build', '--bypass', 'h-parent', 'foo-1.0-1']);
    await ok(['add-tag', 'h-child', '--parent', 'h-parent', '--arches', ARCH]);
    const id = gotRepo(await ok(['regen-repo', 'h-child', '--wait']));
    expect(repoPackages(topdir, 'h-parent', old, ARCH)).toEqual(['bar-1.0-1.noarch']);
    expect(repoPackages(topdir, 'h-child', id, ARCH)).toEqual(['bar-1.0-1.noarch', 'foo-1.0-1.noarch']);
    const info = JSON.parse(readFileSync(join(topdir, 'repos/h-child', String(id), 'repo.json'), 'utf8'));
    expect(info.cloned_from_repo_id).toBeUndefined();
  });

  it('reuses a repo with the same content in a newRepo task too', async () => {
    const r = await cli(['regen-repo', 'f-side', '--make-task', '--wait']);
    expect(r.code).toBe(0);
    const task = Number(/Created task: (\d+)/.exec(r.stdout)?.[1]);
    const [repoId] = (await admin.call('getTaskResult', task)) as [number, number];
    const info = JSON.parse(readFileSync(join(topdir, 'repos/f-side', String(repoId), 'repo.json'), 'utf8'));
    expect(info.cloned_archs).toEqual([ARCH]);
    expect(info.task_id).toBe(task);
  });
});

describe('repo API', () => {
  it('answers repo requests, duplicates and checks with Koji\'s shapes', async () => {
    const r = (await py(`
s = login('admin', 'admin-test-password')
tag = s.getTag('f-build')
last = s.tagLastChangeEvent(tag['id'])
have = s.repo.request('f-build', kw(min_event='last'))
# one multicall: the second request is made before the first can be served
new1, dup = [r[0] for r in s.multiCall([
    {'methodName': 'repo.request', 'params': ['f-build', kw(force=True, min_event=last)]},
    {'methodName': 'repo.request', 'params': ['f-build', kw(force=True, min_event=last)]}])]
chk = s.repo.checkRequest(new1['request']['id'])
info = s.repoInfo(have['repo']['id'])
old = hub.getRepo('f-build')
active = hub.getActiveRepos()
q = hub.repo.query([['tag_id', '=', tag['id']], ['state', 'IN', [0, 1]]], ['id', 'state'], {'order': '-id', 'limit': 1})
qq = hub.repo.queryQueue([['id', '=', new1['request']['id']]], ['id', 'tag_name', 'active'])
out({'have': sorted(have.keys()), 'repo_keys': sorted(info.keys()), 'same': have['repo']['id'] == old['id'],
     'req_keys': sorted(new1['request'].keys()), 'dup': dup['duplicate'], 'dupid': dup['request']['id'] == new1['request']['id'],
     'chk': sorted(chk.keys()), 'req': new1['request'], 'active_keys': sorted(active[0].keys()), 'q': q, 'qq': qq,
     'bad': fault(lambda: s.repo.request('f-build', kw(min_event=1, at_event=1))),
     'badopt': fault(lambda: s.repo.request('f-build', kw(opts={'bogus': True}))),
     'anon': fault(lambda: hub.repo.request('f-build'))})
`)) as Dict;
    expect(r.have).toEqual(['duplicate', 'repo', 'request']);
    expect(r.same).toBe(true);
    expect(r.repo_keys).toEqual([
      'begin_event', 'begin_ts', 'create_event', 'create_ts', 'creation_time', 'creation_ts', 'custom_opts', 'dist', 'end_event', 'end_ts',
      'id', 'opts', 'state', 'state_time', 'state_ts', 'tag_id', 'tag_name', 'task_id', 'task_state',
    ]);
    expect(r.req_keys).toEqual([
      'active', 'at_event', 'create_time', 'create_ts', 'id', 'min_event', 'opts', 'owner', 'owner_name', 'priority', 'repo_id', 'tag_id',
      'tag_name', 'task_id', 'task_state', 'tries', 'update_time', 'update_ts',
    ]);
    expect((r.req as Dict).priority).toBe(20);
    expect((r.req as Dict).owner_name).toBe('admin');
    expect(r.dup).toBe(true);
    expect(r.dupid).toBe(true);
    expect(r.chk).toContain('request');
    expect(r.active_keys).toEqual(['create_event', 'create_ts', 'creation_ts', 'dist', 'end_event', 'id', 'opts', 'state', 'state_ts', 'tag_id', 'tag_name', 'task_id']);
    expect((r.q as Dict[]).length).toBe(1);
    expect(r.qq).toEqual([{ id: (r.req as Dict).id, tag_name: 'f-build', active: expect.any(Boolean) }]);
    expect(r.bad).toEqual({ faultCode: 1019, faultString: 'The min_event and at_event options conflict' });
    expect(r.badopt).toEqual({ faultCode: 1019, faultString: 'Invalid repo option: bogus' });
    expect((r.anon as Dict).faultCode).toBe(1004);
  });

  it('expires, flags and deletes repos with Koji\'s state rules', async () => {
    const id = gotRepo(await ok(['regen-repo', 'base', '--wait']));
    const r = (await py(`
s = login('admin', 'admin-test-password')
b = login('bob', 'bob-pw-123')
res = {'bob': fault(lambda: b.repoExpire(${id}))}
s.repoExpire(${id})
res['expired'] = hub.repoInfo(${id})['state']
res['back'] = fault(lambda: s.repo.setState(${id}, 1))
s.repoProblem(${id})
res['problem'] = hub.repoInfo(${id})['state']
res['refs'] = s.repoDelete(${id})
res['deleted'] = hub.repoInfo(${id})['state']
res['again'] = fault(lambda: s.repoExpire(${id}))
res['strict'] = fault(lambda: hub.repoInfo(99999, True))
out(res)
`)) as Dict;
    expect(r.bob).toEqual({ faultCode: 1004, faultString: 'repo permission required (logged in as bob)' });
    expect(r.expired).toBe(2);
    expect(r.back).toEqual({ faultCode: 1000, faultString: `Invalid repo state transition for repo ${id}: EXPIRED -> READY` });
    expect(r.problem).toBe(4);
    expect(r.refs).toBe(0);
    expect(r.deleted).toBe(3);
    expect(r.again).toEqual({ faultCode: 1000, faultString: `Invalid repo state transition for repo ${id}: DELETED -> EXPIRED` });
    expect(r.strict).toEqual({ faultCode: 1000, faultString: 'query returned no rows' });
  });

  it('reports tag change events for wait-repo and kojira-style checks', async () => {
    const r = (await py(`
t = hub.getTag('f-build')
last = hub.tagLastChangeEvent(t['id'])
first = hub.tagFirstChangeEvent(t['id'])
out({'last': last, 'first': first, 'after_last': hub.tagFirstChangeEvent(t['id'], kw(after=last)),
     'changed': hub.tagChangedSinceEvent(first, [t['id']]), 'not': hub.tagChangedSinceEvent(last, [t['id']])})
`)) as Dict;
    expect(r.first as number).toBeLessThanOrEqual(r.last as number);
    expect(r.after_last).toBeNull();
    expect(r.changed).toBe(true);
    expect(r.not).toBe(false);
  });
});

describe('failures', () => {
  it('gives up on a request whose newRepo task fails, and flags the repo as a problem', async () => {
    await ok(['add-tag', 'broken', '--arches', ARCH]);
    await ok(['add-pkg', '--owner', 'admin', 'broken', 'gone']);
    await ok(['tag-build', '--bypass', 'broken', 'gone-1.0-1']);
    // the package file disappears: createrepo_c cannot read it
    unlinkSync(join(topdir, 'packages/gone/1.0/1/noarch/gone-1.0-1.noarch.rpm'));
    const r = await cli(['regen-repo', 'broken', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Failed to get repo -- Repo request no longer active');
    const repo = await waitFor(async () => {
      const rows = (await admin.call('repo.query', [['tag_id', '=', ((await admin.call('getTag', 'broken')) as Dict).id]], ['id', 'state', 'task_state'])) as Dict[];
      return rows.find((x) => x.state === 4) ?? null;
    });
    expect(repo.task_state).toBe(5);
  });
});

async function waitFor<T>(fn: () => Promise<T | null>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await Bun.sleep(250);
  }
}

describe('retention', () => {
  let h2: TestHub;
  beforeAll(async () => {
    h2 = await startHub({
      allInOne: true,
      config: { 'koji.conf': '[koji]\npoll_interval = 1\n', 'kojira/kojira.conf': '[kojira]\nsleeptime = 1\nrepo_lifetime = 0\nexpired_repo_lifetime = 0\n' },
    });
  });
  afterAll(() => stopHub(h2));

  it('expires and deletes repos that are no longer current, keeping the current one', async () => {
    const s = await adminSession(h2);
    const top = join(h2.dataDir, 'topdir');
    expect((await h2.cli(['add-tag', 'r', '--arches', ARCH])).code).toBe(0);
    await s.call('packageListAdd', 'r', 'bar', kw({ owner: 'admin' }));
    const first = gotRepo((await h2.cli(['regen-repo', 'r', '--wait'])).stdout);
    await importBuilt(h2, s, built['bar-1.0-1']!);
    await s.call('tagBuildBypass', 'r', 'bar-1.0-1');
    const second = gotRepo((await h2.cli(['regen-repo', 'r', '--wait'])).stdout);
    expect(second).toBeGreaterThan(first);
    const gone = await waitFor(async () => {
      const info = (await s.call('repoInfo', first)) as Dict;
      return info.state === 3 ? info : null;
    });
    expect(gone.state).toBe(3);
    expect(existsSync(join(top, 'repos/r', String(first)))).toBe(false);
    expect(((await s.call('repoInfo', second)) as Dict).state).toBe(1);
    expect(readdirSync(join(top, 'repos/r'))).toContain(String(second));
    await s.logout();
  });
});
