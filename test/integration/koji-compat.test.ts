/**
 * Hub calls the koji CLI needs that kojibox lacked: getMavenBuild and
 * getWinBuild (koji buildinfo), getChangelogEntries (from a real srpm built
 * with rpmbuild), search, untaggedBuilds, listVolumes/getVolume, moveBuild
 * and moveAllBuilds (tagBuild / dependantTask tasks run by the built-in
 * builder) and getUserPermsInheritance, checked from Python's xmlrpc.client
 * in Koji's dialect, plus the kojibox commands built on them.
 */
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { python, ROOT, startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { adminSession, importBuilt, type BuiltRpms } from '../helpers/repo-fixtures.ts';

setDefaultTimeout(120_000);

const SPEC = resolve(ROOT, 'test/fixtures/compat/changelog.spec');
let hub: TestHub;
let clog: BuiltRpms;
let volumeDir: string;
/** CHANGELOGTIME of the srpm as rpm reads it, newest first. */
let clTimes: number[];

async function run(args: string[]): Promise<string> {
  const p = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`${args.join(' ')} failed:\n${err}`);
  return out;
}

async function buildClog(): Promise<BuiltRpms> {
  const top = mkdtempSync(join(tmpdir(), 'clog-'));
  await run(['rpmbuild', '-ba', '--define', `_topdir ${top}`, SPEC]);
  const rpms = readdirSync(join(top, 'RPMS', 'noarch')).map((f) => join(top, 'RPMS', 'noarch', f));
  return { nvr: 'clog-1.1-1', srpm: join(top, 'SRPMS', 'clog-1.1-1.src.rpm'), rpms };
}

const utc = (ts: number) => new Date(ts * 1000).toISOString().slice(0, 19).replace('T', ' ');

async function py(code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, code);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.json;
}

beforeAll(async () => {
  volumeDir = mkdtempSync(join(tmpdir(), 'compat-vol-'));
  hub = await startHub({
    allInOne: true,
    config: { 'koji-hub/hub.conf': `[hub]\n\n[volumes]\narchive = ${volumeDir}\n\n[policy]\ntag =\n    tag no-moves :: deny No moves here\n    all :: allow\n` },
  });
  clog = await buildClog();
  clTimes = (await run(['rpm', '-qp', '--qf', '[%{CHANGELOGTIME}\\n]', clog.srpm])).trim().split('\n').map(Number);
  const s = await adminSession(hub);
  await importBuilt(hub, s, clog);
  await s.logout();
  await py(`
p = login('admin', 'admin-test-password')
for t in ('src-tag', 'dst-tag', 'no-moves', 'gone-tag'):
    p.createTag(t)
for t in ('src-tag', 'dst-tag', 'no-moves'):
    p.packageListAdd(t, 'mover', 'admin')
p.packageListAdd('src-tag', 'other', 'admin')
p.packageListAdd('src-tag', 'my_pkg', 'admin')
p.packageListAdd('src-tag', 'myxpkg', 'admin')
for r in ('1', '2', '3', '4'):
    p.createEmptyBuild('mover', '1.0', r, None)
    p.tagBuildBypass('src-tag', 'mover-1.0-' + r)
p.createEmptyBuild('other', '2.0', '1', None)
p.tagBuildBypass('src-tag', 'other-2.0-1')
p.createEmptyBuild('gone', '1', '1', None)
p.deleteBuild('gone-1-1')
p.deleteTag('gone-tag')
p.createBuildTarget('mover-target', 'src-tag', 'dst-tag')
p.createUser('bob', None, None, 'bob-pw-123')
p.newGroup('packagers')
p.addGroupMember('packagers', 'bob')
p.grantPermission('packagers', 'repo', True)
p.grantPermission('bob', 'repo')
p.grantPermission('bob', 'build', True)
out(None)
`);
});
afterAll(() => stopHub(hub));

describe('getMavenBuild and getWinBuild', () => {
  it('give None for a kojibox build and Koji\'s errors when strict or the build is unknown', async () => {
    const r = await py(`
b = hub.getBuild('clog-1.1-1')
out({
  'maven': [hub.getMavenBuild('clog-1.1-1'), hub.getMavenBuild(b['id'])],
  'win': [hub.getWinBuild('clog-1.1-1'), hub.getWinBuild(b['id'])],
  'mstrict': fault(lambda: hub.getMavenBuild('clog-1.1-1', True)),
  'wstrict': fault(lambda: hub.getWinBuild(b['id'], kw(strict=True))),
  'unknown': [hub.getMavenBuild('nope-1-1'), hub.getWinBuild('nope-1-1')],
  'unknown_strict': fault(lambda: hub.getMavenBuild('nope-1-1', True)),
})`);
    expect(r).toEqual({
      maven: [null, null],
      win: [null, null],
      mstrict: { faultCode: 1000, faultString: 'no such maven build: clog-1.1-1' },
      wstrict: { faultCode: 1000, faultString: expect.stringMatching(/^no such Windows build: \d+$/) },
      unknown: [null, null],
      unknown_strict: { faultCode: 1000, faultString: "No such build: 'nope-1-1'" },
    });
  });
});

describe('queryRPMSigs', () => {
  it('finds no signatures (kojibox records none) and takes Koji\'s forms of rpm_id', async () => {
    const r = await py(`
rpm = hub.listRPMs(hub.getBuild('clog-1.1-1')['id'])[0]
nvra = '%(name)s-%(version)s-%(release)s.%(arch)s' % rpm
out({
  'byid': hub.queryRPMSigs(rpm['id']),
  'bynvra': hub.queryRPMSigs(nvra, 'abcd1234'),
  'bymap': hub.queryRPMSigs(kw(rpm_id={'name': rpm['name'], 'version': rpm['version'], 'release': rpm['release'], 'arch': rpm['arch']})),
  'unknown': hub.queryRPMSigs('nope-1-1.noarch'),
  'all': hub.queryRPMSigs(),
  'count': hub.queryRPMSigs(None, None, {'countOnly': True}),
  'badkey': fault(lambda: hub.queryRPMSigs(None, 5)),
})`);
    expect(r).toMatchObject({ byid: [], bynvra: [], bymap: [], unknown: [], all: [], count: 0 });
    expect((r as { badkey: { faultString: string } }).badkey.faultString).toContain("expected type <class 'str'>");
  });
});

describe('getChangelogEntries', () => {
  it('reads the srpm header of a build, newest first, in Koji\'s shape', async () => {
    const r = (await py(`out(hub.getChangelogEntries(hub.getBuild('clog-1.1-1')['id']))`)) as Array<Record<string, unknown>>;
    expect(clTimes.length).toBe(3);
    expect(r).toEqual([
      { date: utc(clTimes[0]!), date_ts: clTimes[0]!, author: 'Carol Tester <carol@example.invalid> - 1.1-1', text: '- third entry' },
      { date: utc(clTimes[1]!), date_ts: clTimes[1]!, author: 'Bob Tester <bob@example.invalid> - 1.0-2', text: '- second entry\n- with two lines' },
      { date: utc(clTimes[2]!), date_ts: clTimes[2]!, author: 'Alice Tester <alice@example.invalid> - 1.0-1', text: '- first package' },
    ]);
  });

  it('filters by author, before and after, and applies queryOpts', async () => {
    const r = (await py(`
bid = hub.getBuild('clog-1.1-1')['id']
a = lambda e: [x['author'].split()[0] for x in e]
out({
  'author': a(hub.getChangelogEntries(bid, kw(author='Bob Tester <bob@example.invalid> - 1.0-2'))),
  'before': a(hub.getChangelogEntries(kw(buildID=bid, before='2024-02-10'))),
  'after': a(hub.getChangelogEntries(kw(buildID=bid, after='2024-01-15 00:00:00'))),
  'after_int': a(hub.getChangelogEntries(kw(buildID=bid, after=${clTimes[1]}))),
  'asc': a(hub.getChangelogEntries(kw(buildID=bid, queryOpts={'order': 'date'}))),
  'limit': a(hub.getChangelogEntries(kw(buildID=bid, queryOpts={'limit': 1}))),
  'count': hub.getChangelogEntries(kw(buildID=bid, queryOpts={'countOnly': True})),
  'aslist': hub.getChangelogEntries(kw(buildID=bid, queryOpts={'asList': True, 'limit': 1})),
  'badtype': fault(lambda: hub.getChangelogEntries(kw(buildID=bid, before=1.5))),
})`)) as Record<string, unknown>;
    expect(r).toEqual({
      author: ['Bob'],
      before: ['Bob', 'Alice'],
      after: ['Carol', 'Bob'],
      after_int: ['Carol'],
      asc: ['Alice', 'Bob', 'Carol'],
      limit: ['Carol'],
      count: 3,
      aslist: [[utc(clTimes[0]!), 'Carol Tester <carol@example.invalid> - 1.1-1', '- third entry']],
      badtype: { faultCode: 1000, faultString: "Invalid type for before: <class 'float'>" },
    });
  });

  it('gives [] for unknown builds and builds without an srpm, and Koji\'s errors when strict', async () => {
    const r = await py(`
m = hub.getBuild('mover-1.0-1')['id']
out({
  'unknown': hub.getChangelogEntries(999999),
  'unknown_strict': fault(lambda: hub.getChangelogEntries(999999, kw(strict=True))),
  'nosrpm': hub.getChangelogEntries(m),
  'nosrpm_strict': fault(lambda: hub.getChangelogEntries(kw(buildID=m, strict=True))),
  'neither': fault(lambda: hub.getChangelogEntries()),
})`);
    expect(r).toEqual({
      unknown: [],
      unknown_strict: { faultCode: 1000, faultString: 'No such build: 999999' },
      nosrpm: [],
      nosrpm_strict: { faultCode: 1000, faultString: expect.stringMatching(/^Build \d+ doesn't have srpms$/) },
      neither: { faultCode: 1000, faultString: 'either buildID or taskID and filepath must be specified' },
    });
  });

  it('reads an srpm in a task\'s output and refuses paths that leave it', async () => {
    const taskId = 12345;
    const dir = join(hub.dataDir, 'topdir', 'work', 'tasks', String(taskId % 10000), String(taskId));
    mkdirSync(join(dir, 'sub'), { recursive: true });
    copyFileSync(clog.srpm, join(dir, 'sub', 'clog.src.rpm'));
    const r = (await py(`
f = lambda fp, **k: fault(lambda: hub.getChangelogEntries(kw(taskID=${taskId}, filepath=fp, **k)))
out({
  'ok': [e['author'].split()[0] for e in hub.getChangelogEntries(kw(taskID=${taskId}, filepath='sub/clog.src.rpm'))],
  'missing': f('sub/none.src.rpm'),
  'missing_strict': f('sub/none.src.rpm', strict=True),
  'up': f('../12344/x.src.rpm'),
  'abs': f('/etc/passwd'),
  'dotdot': f('sub/../..'),
  'nopath': f(None),
})`)) as Record<string, unknown>;
    expect(r.ok).toEqual(['Carol', 'Bob', 'Alice']);
    expect(r.missing).toEqual({ ok: [] });
    expect(r.missing_strict).toEqual({ faultCode: 1000, faultString: `SRPM ${join(dir, 'sub/none.src.rpm')} doesn't exist` });
    expect(r.up).toEqual({ faultCode: 1000, faultString: 'Invalid filepath: ../12344/x.src.rpm' });
    expect(r.abs).toEqual({ faultCode: 1000, faultString: 'Invalid filepath: /etc/passwd' });
    expect(r.dotdot).toEqual({ faultCode: 1000, faultString: 'Invalid filepath: sub/../..' });
    expect(r.nopath).toEqual({ faultCode: 1000, faultString: 'filepath must be specified with taskID' });
  });

  it('is what kojibox buildinfo --changelog prints, after the RPMs', async () => {
    const r = await hub.cli(['buildinfo', '--changelog', 'clog-1.1-1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const day = (ts: number) => {
      const d = new Date(ts * 1000);
      const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
      const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
      return `${wd} ${mon} ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()}`;
    };
    expect(r.stdout).toContain('/mnt/koji/packages/clog/1.1/1/src/clog-1.1-1.src.rpm\n');
    expect(r.stdout).toMatch(/\.rpm\nChangelog:\n/);
    expect(r.stdout.endsWith(
      `Changelog:\n* ${day(clTimes[0]!)} Carol Tester <carol@example.invalid> - 1.1-1\n- third entry\n\n` +
        `* ${day(clTimes[1]!)} Bob Tester <bob@example.invalid> - 1.0-2\n- second entry\n- with two lines\n\n` +
        `* ${day(clTimes[2]!)} Alice Tester <alice@example.invalid> - 1.0-1\n- first package\n\n\n`,
    )).toBe(true);
  });
});

describe('search', () => {
  it('matches case-insensitive globs with literal underscores, regexps and exact names', async () => {
    const r = await py(`
n = lambda rows: [x['name'] for x in rows]
out({
  'glob': n(hub.search('CLO?', 'package', 'glob')),
  'underscore': n(hub.search('my_pkg', 'package', 'glob')),
  'star': n(hub.search('my*pkg', 'package', 'glob')),
  'build': n(hub.search('clog-*', 'build', 'glob')),
  'rpm': sorted(n(hub.search('clog-1.1-1.*', 'rpm', 'glob'))),
  'regexp': n(hub.search('^MOVER-1\\\\.0-[12]$', 'build', 'regexp')),
  'exact': n(hub.search('clog', 'package', 'exact')),
  'exact_case': n(hub.search('CLOG', 'package', 'exact')),
  'tag': n(hub.search('*-tag', 'tag', 'glob')),
  'target': n(hub.search('mover-*', 'target', 'glob')),
  'user': n(hub.search('bob', 'user', 'exact')),
  'host': n(hub.search('aio-*', 'host', 'glob')),
  'none': [hub.search('*', t, 'glob') for t in ('maven', 'win', 'file')],
  'keys': sorted(hub.search('clog', 'package', 'exact')[0].keys()),
})`);
    expect(r).toEqual({
      glob: ['clog'],
      underscore: ['my_pkg'],
      star: ['my_pkg', 'myxpkg'],
      build: ['clog-1.1-1'],
      rpm: ['clog-1.1-1.noarch.rpm', 'clog-1.1-1.src.rpm'],
      regexp: ['mover-1.0-1', 'mover-1.0-2'],
      exact: ['clog'],
      exact_case: [],
      tag: ['src-tag', 'dst-tag'],
      target: ['mover-target'],
      user: ['bob'],
      host: ['aio-builder'],
      none: [[], [], []],
      keys: ['id', 'name'],
    });
  });

  it('limits and orders by queryOpts and gives Koji\'s errors', async () => {
    const r = (await py(`
out({
  'limited': hub.search('mover-*', 'build', 'glob', {'limit': 2, 'order': '-id'}),
  'all': hub.search('mover-*', 'build', 'glob'),
  'count': hub.search('mover-*', 'build', 'glob', {'countOnly': True}),
  'badtype': fault(lambda: hub.search('x', 'bogus', 'glob')),
  'empty': fault(lambda: hub.search('', 'package', 'glob')),
  'badre': fault(lambda: hub.search('(', 'package', 'regexp')),
})`)) as Record<string, any>;
    expect(r.all.map((x: { name: string }) => x.name)).toEqual(['mover-1.0-1', 'mover-1.0-2', 'mover-1.0-3', 'mover-1.0-4']);
    expect(r.limited).toEqual([r.all[3], r.all[2]]);
    expect(r.count).toBe(4);
    expect(r.badtype).toEqual({ faultCode: 1000, faultString: 'No such search type: bogus' });
    expect(r.empty).toEqual({ faultCode: 1000, faultString: 'empty search terms' });
    expect(r.badre.faultCode).toBe(1000);
    expect(r.badre.faultString).toMatch(/^invalid regular expression: /);
  });

  it('is kojibox search with koji\'s options and output', async () => {
    let r = await hub.cli(['search', 'package', 'my*']);
    expect(r.stdout).toBe('my_pkg\nmyxpkg\n');
    r = await hub.cli(['search', '-r', 'build', 'mover-1\\.0-[34]']);
    expect(r.stdout).toBe('mover-1.0-3\nmover-1.0-4\n');
    r = await hub.cli(['search', '--exact', 'package', 'my*']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    r = await hub.cli(['search', 'bogus', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No such search type: bogus');
    r = await hub.cli(['search', 'package']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Please specify search pattern');
  });

  it('stops a costly regular expression and keeps answering other calls meanwhile', async () => {
    // names on which (a+)+$ backtracks for about half a second each
    await py(`
p = login('admin', 'admin-test-password')
p.createTag('redos-tag')
p.multiCall([{'methodName': 'packageListAdd', 'params': ['redos-tag', 'a' * 28 + 'x%02d' % i, 'admin']} for i in range(16)])
out(1)`);
    const slow = py(`out(fault(lambda: hub.search('(a+)+$', 'package', 'regexp')))`);
    await Bun.sleep(300);
    const t0 = performance.now();
    const hello = await py(`out(hub.getAPIVersion())`);
    const answeredIn = performance.now() - t0;
    expect(hello).toBe(1);
    // python's start-up is most of this; a hub busy matching would take seconds
    expect(answeredIn).toBeLessThan(2000);
    const r = (await slow) as { faultCode: number; faultString: string };
    expect(r.faultCode).toBe(1000);
    expect(r.faultString).toContain('regular expression too costly');
  });
});

describe('untaggedBuilds', () => {
  it('lists complete builds in no tag as {id, name, version, release}', async () => {
    const r = await py(`
out({
  'all': hub.untaggedBuilds(),
  'named': [b['name'] for b in hub.untaggedBuilds('clog')],
  'other': hub.untaggedBuilds(kw(name='mover')),
  'count': hub.untaggedBuilds(kw(queryOpts={'countOnly': True})),
})`);
    expect(r).toEqual({
      all: [{ id: expect.any(Number), name: 'clog', version: '1.1', release: '1' }],
      named: ['clog'],
      other: [],
      count: 1,
    });
  });

  it('is kojibox list-untagged with --paths and --show-references', async () => {
    let r = await hub.cli(['list-untagged']);
    expect(r.stdout).toBe('clog-1.1-1\n');
    r = await hub.cli(['list-untagged', '--paths', 'clog']);
    expect(r.stdout).toBe('/mnt/koji/packages/clog/1.1/1\n');
    r = await hub.cli(['list-untagged', '--show-references']);
    expect(r.stdout).toBe('(Showing build references)\nclog-1.1-1 \n');
    r = await hub.cli(['list-untagged', 'nosuchpkg']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('No such package: nosuchpkg\n');
    r = await hub.cli(['list-untagged', 'a', 'b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Only one package name may be specified');
  });
});

describe('listVolumes and getVolume', () => {
  it('give the volume table, hub.conf volumes included', async () => {
    const r = await py(`
out({
  'list': hub.listVolumes(),
  'byname': hub.getVolume('archive'),
  'byid': hub.getVolume(0),
  'bydict': hub.getVolume({'name': 'archive'}),
  'none': hub.getVolume('nope'),
  'strict': fault(lambda: hub.getVolume('nope', True)),
})`);
    expect(r).toEqual({
      list: [{ id: 0, name: 'DEFAULT' }, { id: 1, name: 'archive' }],
      byname: { id: 1, name: 'archive' },
      byid: { id: 0, name: 'DEFAULT' },
      bydict: { id: 1, name: 'archive' },
      none: null,
      strict: { faultCode: 1000, faultString: 'No such volume: nope' },
    });
    const cli = await hub.cli(['list-volumes']);
    expect(cli.stdout).toBe('DEFAULT\narchive\n');
  });
});

describe('getUserPermsInheritance', () => {
  it('gives each permission with None for a direct grant and the granting groups', async () => {
    const r = await py(`
out({
  'bob': hub.getUserPermsInheritance('bob'),
  'plain': hub.getUserPerms('bob'),
  'unknown': fault(lambda: hub.getUserPermsInheritance('nobody')),
})`);
    expect(r).toEqual({
      bob: { build: [null], repo: [null, 'packagers'] },
      plain: ['build', 'repo'],
      unknown: { faultCode: 1000, faultString: 'No such user: nobody' },
    });
  });
});

describe('moveBuild and moveAllBuilds', () => {
  const tagged = async (tag: string) => (await py(`out([b['nvr'] for b in hub.listTagged('${tag}')])`)) as string[];

  it('need a login, tag access and the tag policy', async () => {
    const r = await py(`
bob = login('bob', 'bob-pw-123')
adm = login('admin', 'admin-test-password')
adm.editTag2('dst-tag', kw(perm='admin'))
res = {
  'anon': fault(lambda: hub.moveBuild('src-tag', 'dst-tag', 'mover-1.0-1')),
  'anon_all': fault(lambda: hub.moveAllBuilds('src-tag', 'dst-tag', 'mover')),
  'perm': fault(lambda: bob.moveBuild('src-tag', 'dst-tag', 'mover-1.0-1')),
  'perm_all': fault(lambda: bob.moveAllBuilds('src-tag', 'dst-tag', 'mover')),
  'policy': fault(lambda: adm.moveBuild('src-tag', 'no-moves', 'mover-1.0-1')),
  'policy_all_force': fault(lambda: adm.moveAllBuilds('src-tag', 'no-moves', 'mover', True)),
  'notlisted': fault(lambda: adm.moveAllBuilds('src-tag', 'dst-tag', 'other')),
  'nopkg': fault(lambda: adm.moveAllBuilds('src-tag', 'dst-tag', 'nopkg')),
}
adm.editTag2('dst-tag', kw(perm=None))
out(res)`);
    expect(r).toEqual({
      anon: { faultCode: 1004, faultString: 'you must be logged in for this operation' },
      anon_all: { faultCode: 1004, faultString: 'you must be logged in for this operation' },
      perm: { faultCode: 1004, faultString: 'tag requires admin permission' },
      perm_all: { faultCode: 1004, faultString: 'tag requires admin permission' },
      policy: { faultCode: 1004, faultString: expect.stringContaining('No moves here') },
      policy_all_force: { faultCode: 1004, faultString: expect.stringContaining('No moves here') },
      notlisted: { faultCode: 1003, faultString: 'Package other not in list for tag dst-tag' },
      nopkg: { faultCode: 1000, faultString: 'No such entry in table package: nopkg' },
    });
    expect(await tagged('no-moves')).toEqual([]);
  });

  it('kojibox move-build moves one build through a tagBuild task and waits for it', async () => {
    const r = await hub.cli(['move-build', '--wait', 'src-tag', 'dst-tag', 'mover-1.0-1', 'nope-1-1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No such build: nope-1-1, skipping\.\nCreated task (\d+), moving mover-1\.0-1\n/);
    expect(r.stdout).toContain('tagBuild (noarch) completed successfully');
    expect(await tagged('dst-tag')).toEqual(['mover-1.0-1']);
    expect(await tagged('src-tag')).not.toContain('mover-1.0-1');
    const nowait = await hub.cli(['move-build', '--nowait', 'src-tag', 'dst-tag']);
    expect(nowait.code).toBe(2);
    expect(nowait.stderr).toContain("This command takes at least three arguments: two tags and one or more package n-v-r's");
  });

  it('moveAllBuilds chains dependantTasks that move the oldest tagging first', async () => {
    const r = (await py(`
adm = login('admin', 'admin-test-password')
ids = adm.moveAllBuilds('src-tag', 'dst-tag', 'mover')
out({'ids': ids, 'tasks': [[t['method'], t['request']] for t in (hub.getTaskInfo(i, True) for i in ids)]})`)) as { ids: number[]; tasks: Array<[string, unknown[]]> };
    expect(r.ids.length).toBe(3);
    const ids = await py(`out([hub.getBuild('mover-1.0-' + x)['id'] for x in ('2', '3', '4')])`) as number[];
    const tagIds = await py(`out([hub.getTag('dst-tag')['id'], hub.getTag('src-tag')['id']])`) as number[];
    expect(r.tasks).toEqual(ids.map((bid, i) => ['dependantTask', [i ? [r.ids[i - 1]] : [], [['tagBuild', [tagIds[0], bid, false, tagIds[1]], { priority: 15 }]]]]));
    const w = await hub.cli(['watch-task', ...r.ids.map(String)]);
    expect(w.code).toBe(0);
    // listTagged is newest first: the moves kept the source's order
    expect(await tagged('dst-tag')).toEqual(['mover-1.0-4', 'mover-1.0-3', 'mover-1.0-2', 'mover-1.0-1']);
    expect(await tagged('src-tag')).toEqual(['other-2.0-1']);
  });

  it('kojibox move-build --all skips unknown packages and moves the rest', async () => {
    const r = await hub.cli(['move-build', '--all', '--wait', 'dst-tag', 'no-moves', 'nopkg']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('No such package: nopkg, skipping.\n');
    const denied = await hub.cli(['move-build', '--all', '--nowait', 'dst-tag', 'no-moves', 'mover']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('No moves here');
  });
});
