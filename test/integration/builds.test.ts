/**
 * Builds and tagging against the real binary: build records with Koji's
 * getBuild keys, listings, next release, tag/untag with access checks and
 * the tag policy, the builds of a tag through inheritance and package
 * lists, history, and the build commands' output, over the kojibox CLI and
 * Python's xmlrpc.client.
 */
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';

// each test drives several CLI processes against the hub
setDefaultTimeout(120_000);

let hub: TestHub;

// admins do anything; others may only untag from the scratch tag
const HUB_CONF = `[hub]
[policy]
tag =
    has_perm admin :: allow
    operation untag && fromtag scratch :: allow
    all :: deny tagging needs admin
`;

const BUILD_KEYS = [
  'build_id', 'cg_id', 'cg_name', 'completion_time', 'completion_ts', 'creation_event_id', 'creation_time', 'creation_ts', 'draft', 'epoch',
  'extra', 'id', 'name', 'nvr', 'owner_id', 'owner_name', 'package_id', 'package_name', 'promoter_id', 'promoter_name', 'promotion_time',
  'promotion_ts', 'release', 'source', 'start_time', 'start_ts', 'state', 'task_id', 'version', 'volume_id', 'volume_name',
];

const TAGGED_KEYS = [
  'build_id', 'completion_time', 'create_event', 'creation_event_id', 'creation_time', 'draft', 'epoch', 'id', 'name', 'nvr', 'owner_id',
  'owner_name', 'package_id', 'package_name', 'promoter_id', 'promoter_name', 'promotion_time', 'release', 'start_time', 'state', 'tag_id',
  'tag_name', 'task_id', 'version', 'volume_id', 'volume_name',
];

const ADMIN = `p = login('admin', 'admin-test-password')\n`;

async function py(code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, code);
  if (r.code !== 0) throw new Error(`python failed:\n${r.stderr}\n${r.stdout}`);
  return r.json;
}

const cli = (args: string[], opts: { user?: string } = {}) => hub.cli(args, opts);

beforeAll(async () => {
  hub = await startHub({ config: { 'koji-hub/hub.conf': HUB_CONF } });
  for (const u of ['bob', 'tagger']) {
    expect((await hub.cli(['add-user', u, '--password-stdin'], { stdin: `${u}-pw-123\n` })).stderr).toBe('');
  }
  expect((await cli(['grant-permission', 'tag', 'tagger'])).code).toBe(0);
  await py(`${ADMIN}
p.createTag('base', kw(arches='x86_64'))
p.createTag('leaf', kw(parent='base'))
p.createTag('scratch')
for pkg in ('bash', 'zsh', 'fish'):
    p.packageListAdd('base', pkg, 'admin')
p.packageListAdd('scratch', 'bash', 'admin')
out(None)
`);
});
afterAll(() => stopHub(hub));

describe('build records', () => {
  it('creates an empty build and returns Koji\'s getBuild keys and types', async () => {
    const out = (await py(`${ADMIN}
bid = p.createEmptyBuild('bash', '5.0', '1', None)
b = p.getBuild('bash-5.0-1')
out({'bid': bid, 'keys': sorted(b.keys()), 'b': b, 'floats': [isinstance(b[k], float) for k in ('creation_ts', 'start_ts', 'completion_ts')],
     'byid': p.getBuild(bid)['nvr'], 'bydict': p.getBuild({'name': 'bash', 'version': '5.0', 'release': '1'})['id'],
     'findid': p.findBuildID('bash-5.0-1'), 'type': p.getBuildType(bid)})
`)) as { bid: number; keys: string[]; b: Record<string, unknown>; floats: boolean[]; byid: string; bydict: number; findid: number; type: unknown };
    expect(out.keys).toEqual(BUILD_KEYS);
    expect(out.b).toMatchObject({
      id: out.bid, build_id: out.bid, name: 'bash', package_name: 'bash', version: '5.0', release: '1', epoch: null, nvr: 'bash-5.0-1',
      draft: false, state: 1, task_id: null, owner_name: 'admin', volume_id: 0, volume_name: 'DEFAULT', promoter_id: null,
      promotion_time: null, promotion_ts: null, source: null, extra: null, cg_id: null, cg_name: null,
    });
    expect(out.b.creation_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
    expect(out.floats).toEqual([true, true, true]);
    expect(out.byid).toBe('bash-5.0-1');
    expect(out.bydict).toBe(out.bid);
    expect(out.findid).toBe(out.bid);
    expect(out.type).toEqual({});
  });

  it('makes draft builds, sets owners, and refuses duplicates and bad input with Koji\'s texts', async () => {
    const out = (await py(`${ADMIN}
bob = login('bob', 'bob-pw-123')
d = p.getBuild(p.createEmptyBuild('bash', '5.0', '3', None, kw(draft=True)))
z = p.getBuild(p.createEmptyBuild('zsh', '5.9', '1.fc30', 1, kw(owner='bob')))
out({'draft': [d['release'], d['draft'], p.getBuild('bash-5.0-' + d['release'])['id'] == d['id']], 'zsh': [z['owner_name'], z['epoch']],
     'draftdup': fault(lambda: p.createEmptyBuild('bash', '5.0', '1', None, kw(draft=True))),
     'dup': fault(lambda: p.createEmptyBuild('bash', '5.0', '1', None)), 'bob': fault(lambda: bob.createEmptyBuild('x', '1', '1', None)),
     'anon': fault(lambda: hub.createEmptyBuild('x', '1', '1', None)), 'fmt': fault(lambda: hub.getBuild('nonvr')),
     'dict': fault(lambda: hub.getBuild({'name': 'bash'})), 'float': fault(lambda: hub.getBuild(1.5)), 'none': hub.getBuild('no-such-1'),
     'strict': fault(lambda: hub.getBuild('no-such-1', True)), 'badid': fault(lambda: hub.getBuild(9999, True)),
     'owner': fault(lambda: bob.setBuildOwner('zsh-5.9-1.fc30', 'bob'))})
p.setBuildOwner('zsh-5.9-1.fc30', 'tagger')
`)) as Record<string, unknown>;
    const draft = out.draft as [string, boolean, boolean];
    expect(draft[0]).toMatch(/^3,draft_\d+$/);
    // a draft may not shadow an existing build's NVR
    expect(out.draftdup).toEqual({ faultCode: 1000, faultString: 'Target build already exists: bash-5.0-1 (id=1)' });
    expect(draft.slice(1)).toEqual([true, true]);
    expect(out.zsh).toEqual(['bob', 1]);
    expect((out.dup as { faultString: string }).faultString).toStartWith('Build already exists (id=1, state=COMPLETE): ');
    expect(out.bob).toEqual({ faultCode: 1004, faultString: 'admin permission required (logged in as bob)' });
    expect(out.anon).toEqual({ faultCode: 1004, faultString: 'admin permission required (user not logged in)' });
    expect(out.fmt).toEqual({ faultCode: 1000, faultString: 'invalid format: nonvr' });
    expect(out.dict).toEqual({ faultCode: 1000, faultString: 'did not provide name, version, and release' });
    expect(out.float).toEqual({ faultCode: 1000, faultString: "Invalid type for argument: <class 'float'>" });
    expect(out.none).toBeNull();
    expect(out.strict).toEqual({ faultCode: 1000, faultString: "No such build: 'no-such-1'" });
    expect(out.badid).toEqual({ faultCode: 1000, faultString: 'No such build: 9999' });
    expect(out.owner).toEqual({ faultCode: 1004, faultString: 'admin permission required (logged in as bob)' });
    expect(await py(`out(hub.getBuild('zsh-5.9-1.fc30')['owner_name'])`)).toBe('tagger');
  });

  it('lists builds by package, owner, state, prefix, pattern and draft, with queryOpts', async () => {
    const out = (await py(`${ADMIN}
p.createEmptyBuild('fish', '3.0', '1', None)
names = lambda rows: [b['nvr'].split(',')[0] for b in rows]
out({'keys': sorted(p.listBuilds(kw(packageID='bash'))[0].keys()), 'pkg': names(p.listBuilds(kw(packageID='bash'))),
     'owner': names(p.listBuilds(kw(userID='tagger'))), 'nouser': p.listBuilds(kw(userID='nobody')), 'nopkg': p.listBuilds(kw(packageID='nopkg')),
     'prefix': names(p.listBuilds(kw(prefix='FI'))), 'pattern': names(p.listBuilds(kw(pattern='*-5.*'))),
     'draft': names(p.listBuilds(kw(draft=True))), 'state': len(p.listBuilds(kw(state=1))), 'deleted': p.listBuilds(kw(state=2)),
     'order': names(p.listBuilds(kw(queryOpts={'order': '-build_id', 'limit': 2}))), 'count': p.listBuilds(kw(queryOpts={'countOnly': True})),
     'type': p.listBuilds(kw(type='rpm')), 'badtype': fault(lambda: p.listBuilds(kw(type='bogus'))),
     'after': len(p.listBuilds(kw(completeAfter=1.0))), 'before': p.listBuilds(kw(completeBefore='2000-01-01 00:00:00')),
     'task': p.listBuilds(kw(taskID=-1))})
`)) as Record<string, unknown>;
    expect(out.keys).toEqual(BUILD_KEYS.filter((k) => !['id', 'cg_id', 'cg_name'].includes(k)));
    expect(out.pkg).toEqual(['bash-5.0-1', 'bash-5.0-3']);
    expect(out.owner).toEqual(['zsh-5.9-1.fc30']);
    expect(out.nouser).toEqual([]);
    expect(out.nopkg).toEqual([]);
    expect(out.prefix).toEqual(['fish-3.0-1']);
    expect(out.pattern).toEqual(['bash-5.0-1', 'bash-5.0-3', 'zsh-5.9-1.fc30']);
    expect(out.draft).toEqual(['bash-5.0-3']);
    expect(out.state).toBe(4);
    expect(out.deleted).toEqual([]);
    expect(out.order).toEqual(['fish-3.0-1', 'zsh-5.9-1.fc30']);
    expect(out.count).toBe(4);
    expect(out.type).toEqual([]);
    expect(out.badtype).toEqual({ faultCode: 1000, faultString: 'unsupported build type: bogus' });
    expect(out.after).toBe(4);
    expect(out.before).toEqual([]);
    expect(out.task).toEqual([]);
  });

  it('computes the next release as Koji does', async () => {
    const out = await py(`${ADMIN}
p.createEmptyBuild('odd', '1', 'rc.x', None)
out([hub.getNextRelease({'name': 'bash', 'version': '5.0'}), hub.getNextRelease({'name': 'zsh', 'version': '5.9'}),
     hub.getNextRelease({'name': 'zsh', 'version': '5.9'}, 3), hub.getNextRelease({'name': 'new', 'version': '1'}),
     fault(lambda: hub.getNextRelease({'name': 'odd', 'version': '1'})), fault(lambda: hub.getNextRelease({'name': 'bash', 'version': '5.0'}, 'x'))])
`);
    expect(out).toEqual([
      '2', '2.fc30', '4.fc30', '1',
      { faultCode: 1005, faultString: 'Unable to increment release value: rc.x' },
      { faultCode: 1000, faultString: 'incr parameter must be an integer' },
    ]);
  });
});

describe('tagging', () => {
  it('tags and untags with the bypass calls, with TagError for retagging and missing builds', async () => {
    const out = (await py(`${ADMIN}
r = {'tag': p.tagBuildBypass('base', 'bash-5.0-1')}
r['again'] = fault(lambda: p.tagBuildBypass('base', 'bash-5.0-1'))
r['force'] = p.tagBuildBypass('base', 'bash-5.0-1', True)
r['history'] = [(h['name'], h['version'], h['active'], h['tag.name']) for h in p.queryHistory(kw(tag='base', build='bash-5.0-1'))['tag_listing']]
p.untagBuildBypass('base', 'bash-5.0-1')
r['gone'] = fault(lambda: p.untagBuildBypass('base', 'bash-5.0-1'))
r['quiet'] = p.untagBuildBypass('base', 'bash-5.0-1', kw(strict=False))
r['nobuild'] = fault(lambda: p.tagBuildBypass('base', 'nope-1-1'))
r['notag'] = fault(lambda: p.tagBuildBypass('nope', 'bash-5.0-1'))
out(r)
`)) as Record<string, unknown>;
    expect(out.tag).toBeNull();
    expect(out.again).toEqual({ faultCode: 1003, faultString: 'build bash-5.0-1 already tagged (base)' });
    expect(out.force).toBeNull();
    expect(out.history).toEqual([['bash', '5.0', null, 'base'], ['bash', '5.0', true, 'base']]);
    expect(out.gone).toEqual({ faultCode: 1003, faultString: 'build bash-5.0-1 not in tag base' });
    expect(out.quiet).toBeNull();
    expect(out.nobuild).toEqual({ faultCode: 1000, faultString: "No such build: 'nope-1-1'" });
    expect(out.notag).toEqual({ faultCode: 1000, faultString: "No such tagInfo: 'nope'" });
  });

  it('enforces tag access: locked tags, tag permissions, and the tag permission for bypass calls', async () => {
    const out = (await py(`${ADMIN}
tagger = login('tagger', 'tagger-pw-123')
bob = login('bob', 'bob-pw-123')
r = {'bob': fault(lambda: bob.tagBuildBypass('base', 'fish-3.0-1')), 'anon': fault(lambda: hub.untagBuild('base', 'fish-3.0-1'))}
p.editTag2('base', kw(locked=True))
r['locked'] = fault(lambda: p.tagBuildBypass('base', 'fish-3.0-1'))
r['forced'] = fault(lambda: p.tagBuildBypass('base', 'fish-3.0-1', True))
p.editTag2('base', kw(locked=False, perm='admin'))
r['access'] = p.checkTagAccess('base', 'tagger')
r['perm'] = fault(lambda: tagger.tagBuildBypass('base', 'zsh-5.9-1.fc30'))
p.editTag2('base', kw(perm=None))
r['policy'] = fault(lambda: tagger.tagBuildBypass('base', 'zsh-5.9-1.fc30'))
out(r)
`)) as Record<string, unknown>;
    expect(out.bob).toEqual({ faultCode: 1004, faultString: 'tag permission required (logged in as bob)' });
    expect(out.anon).toEqual({ faultCode: 1004, faultString: 'you must be logged in for this operation' });
    expect(out.locked).toEqual({ faultCode: 1004, faultString: 'tag is locked' });
    expect(out.forced).toEqual({ ok: null });
    expect(out.access).toEqual([false, false, 'tag requires admin permission']);
    expect(out.perm).toEqual({ faultCode: 1004, faultString: 'policy violation (tag): tagging needs admin' });
    expect(out.policy).toEqual({ faultCode: 1004, faultString: 'policy violation (tag): tagging needs admin' });
  });

  it('untags with untagBuild under the tag policy (operation untag, fromtag)', async () => {
    const out = (await py(`${ADMIN}
bob = login('bob', 'bob-pw-123')
p.tagBuildBypass('scratch', 'bash-5.0-1')
out([fault(lambda: bob.untagBuild('base', 'fish-3.0-1')), fault(lambda: bob.untagBuild('scratch', 'bash-5.0-1')),
     [b['nvr'] for b in hub.listTagged('scratch')]])
`)) as unknown[];
    expect(out[0]).toEqual({ faultCode: 1004, faultString: 'policy violation (tag): tagging needs admin' });
    expect(out[1]).toEqual({ ok: null });
    expect(out[2]).toEqual([]);
  });

  it('refuses to tag builds that are not complete, and deletes only unreferenced builds', async () => {
    const out = (await py(`${ADMIN}
bid = p.createEmptyBuild('gone', '1', '1', None)
p.packageListAdd('base', 'gone', 'admin')
p.tagBuildBypass('base', bid)
r = {'tagged': fault(lambda: p.deleteBuild(bid)), 'lenient': p.deleteBuild(bid, False)}
p.untagBuildBypass('base', bid)
r['deleted'] = p.deleteBuild(bid)
r['state'] = p.getBuild(bid)['state']
r['again'] = p.deleteBuild(bid)
r['tag'] = fault(lambda: p.tagBuildBypass('base', bid))
r['bob'] = fault(lambda: login('bob', 'bob-pw-123').deleteBuild(bid))
out(r)
`)) as Record<string, unknown>;
    expect(out.tagged).toEqual({ faultCode: 1000, faultString: "Cannot delete build, tagged: [{'tag_id': 1, 'name': 'base'}]" });
    expect(out.lenient).toBe(false);
    expect(out.deleted).toBe(true);
    expect(out.state).toBe(2);
    expect(out.again).toBeNull();
    expect(out.tag).toEqual({ faultCode: 1003, faultString: 'build gone-1-1 not complete: state DELETED' });
    expect(out.bob).toEqual({ faultCode: 1004, faultString: 'admin permission required (logged in as bob)' });
  });
});

describe('builds of a tag', () => {
  beforeAll(async () => {
    await py(`${ADMIN}
for nvr in ('bash-5.0-2', 'bash-5.1-1', 'zsh-6.0-1', 'fish-4.0-1', 'unlisted-1-1'):
    n, v, r = nvr.rsplit('-', 2)
    p.createEmptyBuild(n, v, r, None)
# fish-3.0-1 is in base already (the access test tagged it)
for nvr in ('bash-5.0-1', 'bash-5.0-2', 'zsh-5.9-1.fc30'):
    p.tagBuildBypass('base', nvr)
p.packageListAdd('base', 'unlisted', 'admin')
p.tagBuildBypass('base', 'unlisted-1-1')
p.packageListRemove('base', 'unlisted')
p.tagBuildBypass('leaf', 'bash-5.1-1')
p.tagBuildBypass('leaf', 'zsh-6.0-1')
p.packageListBlock('leaf', 'fish')
out(None)
`);
  });

  it('lists tagged builds newest first, through inheritance and the package list', async () => {
    const out = (await py(`
nvrs = lambda rows: [b['nvr'] for b in rows]
t = hub.listTagged('base')
out({'keys': sorted(t[0].keys()), 'base': nvrs(t), 'leaf': nvrs(hub.listTagged('leaf')), 'inherit': nvrs(hub.listTagged('leaf', kw(inherit=True))),
     'latest': nvrs(hub.listTagged('leaf', kw(inherit=True, latest=True))), 'latest2': nvrs(hub.listTagged('base', kw(latest=2))),
     'pkg': nvrs(hub.listTagged('base', kw(package='zsh'))), 'prefix': nvrs(hub.listTagged('base', kw(prefix='B'))),
     'owner': nvrs(hub.listTagged('base', kw(owner='tagger'))), 'extra': 'extra' in hub.listTagged('base', kw(extra=True))[0],
     'lenient': hub.listTagged('nope', kw(strict=False)), 'strict': fault(lambda: hub.listTagged('nope')),
     'latestb': nvrs(hub.getLatestBuilds('leaf')), 'latestpkg': nvrs(hub.getLatestBuilds('base', kw(package='bash'))),
     'rpms': hub.listTaggedRPMS('base', kw(latest=True)), 'latestrpms': hub.getLatestRPMS('leaf', kw(package='zsh'))[1][0]['nvr']})
`)) as Record<string, unknown>;
    expect(out.keys).toEqual(TAGGED_KEYS);
    expect(out.base).toEqual(['zsh-5.9-1.fc30', 'bash-5.0-2', 'bash-5.0-1', 'fish-3.0-1']);
    expect(out.leaf).toEqual(['zsh-6.0-1', 'bash-5.1-1']);
    // fish is blocked in leaf, unlisted is in no package list
    expect(out.inherit).toEqual(['zsh-6.0-1', 'bash-5.1-1', 'zsh-5.9-1.fc30', 'bash-5.0-2', 'bash-5.0-1']);
    // the child's own builds win over newer taggings in the parent
    expect(out.latest).toEqual(['zsh-6.0-1', 'bash-5.1-1']);
    expect(out.latest2).toEqual(['zsh-5.9-1.fc30', 'bash-5.0-2', 'bash-5.0-1', 'fish-3.0-1']);
    expect(out.pkg).toEqual(['zsh-5.9-1.fc30']);
    expect(out.prefix).toEqual(['bash-5.0-2', 'bash-5.0-1']);
    expect(out.owner).toEqual(['zsh-5.9-1.fc30']);
    expect(out.extra).toBe(true);
    expect(out.lenient).toEqual([]);
    expect(out.strict).toEqual({ faultCode: 1000, faultString: "No such tagInfo: 'nope'" });
    expect(out.latestb).toEqual(['zsh-6.0-1', 'bash-5.1-1']);
    expect(out.latestpkg).toEqual(['bash-5.0-2']);
    expect((out.rpms as unknown[][])[0]).toEqual([]);
    expect(((out.rpms as unknown[][])[1] as Array<{ nvr: string }>).map((b) => b.nvr)).toEqual(['zsh-5.9-1.fc30', 'bash-5.0-2', 'fish-3.0-1']);
    expect(out.latestrpms).toBe('zsh-6.0-1');
  });

  it('answers listTagged at an older event', async () => {
    const out = (await py(`${ADMIN}
ev = p.getLastEvent()['id']
p.untagBuildBypass('base', 'fish-3.0-1')
p.tagBuildBypass('base', 'fish-4.0-1')
out([[b['nvr'] for b in p.listTagged('base', kw(package='fish'))], [b['nvr'] for b in p.listTagged('base', kw(package='fish', event=ev))]])
`)) as string[][];
    expect(out).toEqual([['fish-4.0-1'], ['fish-3.0-1']]);
  });

  it('prints list-tagged and latest-build like koji', async () => {
    const header = `${'Build'.padEnd(40)}  ${'Tag'.padEnd(20)}  Built by\n${'-'.repeat(40)}  ${'-'.repeat(20)}  ${'-'.repeat(16)}\n`;
    const row = (nvr: string, tag: string, owner = 'admin') => `${nvr.padEnd(40)}  ${tag.padEnd(20)}  ${owner}\n`;
    let r = await cli(['list-tagged', 'leaf', '--inherit', '--latest']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(header + row('bash-5.1-1', 'leaf') + row('zsh-6.0-1', 'leaf'));
    r = await cli(['list-tagged', 'base', 'bash', '--quiet', '--paths']);
    expect(r.stdout).toBe(row('/mnt/koji/packages/bash/5.0/1', 'base') + row('/mnt/koji/packages/bash/5.0/2', 'base'));
    r = await cli(['list-tagged', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No such tag: nope');
    r = await cli(['latest-build', 'leaf', 'bash', 'zsh']);
    expect(r.stdout).toBe(header + row('bash-5.1-1', 'leaf') + row('zsh-6.0-1', 'leaf'));
    r = await cli(['latest-build', '--all', '--quiet', 'base']);
    expect(r.stdout).toBe(row('bash-5.0-2', 'base') + row('fish-4.0-1', 'base') + row('zsh-5.9-1.fc30', 'base', 'tagger'));
  });

  it('tags with tag-build --bypass and untags with untag-build like koji', async () => {
    let r = await cli(['tag-build', '--bypass', 'scratch', 'bash-5.0-1', 'bash-5.0-2', 'bash-5.1-1']);
    expect(r.stderr).toBe('');
    r = await cli(['untag-build', '-n', 'scratch', 'bash-5.0-2']);
    expect(r.stdout).toBe('would have untagged bash-5.0-2\n');
    r = await cli(['untag-build', '-v', '--non-latest', 'scratch', 'bash']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Leaving latest build for package bash: bash-5.1-1\nuntagging bash-5.0-1\nuntagging bash-5.0-2\n');
    r = await cli(['untag-build', 'scratch', 'bash-5.0-1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Build bash-5.0-1 not in tag scratch');
    r = await cli(['untag-build', 'scratch', 'nope-1-1']);
    expect(r.stderr).toContain('No such build: nope-1-1');
    r = await cli(['untag-build', 'scratch', 'bash-5.1-1'], { user: 'bob' });
    expect(r.stderr).toBe('');
    expect(await py(`out(hub.listTagged('scratch'))`)).toEqual([]);
    r = await cli(['tag-build', '--bypass', 'scratch', 'bash-5.1-1'], { user: 'bob' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ActionNotAllowed: tag permission required (logged in as bob)');
    r = await cli(['untag-build', '--all', 'leaf', 'zsh']);
    expect(r.stderr).toBe('');
    expect(await py(`out([b['nvr'] for b in hub.listTagged('leaf')])`)).toEqual(['bash-5.1-1']);
  });

  it('prints list-builds and buildinfo like koji', async () => {
    let r = await cli(['list-builds', '--package', 'zsh']);
    expect(r.stdout).toBe(
      `${'Build'.padEnd(55)}  ${'Built by'.padEnd(16)}  State\n${'-'.repeat(55)}  ${'-'.repeat(16)}  ${'-'.repeat(16)}\n` +
        `${'zsh-5.9-1.fc30'.padEnd(55)}  ${'tagger'.padEnd(16)}  COMPLETE\n${'zsh-6.0-1'.padEnd(55)}  ${'admin'.padEnd(16)}  COMPLETE\n`,
    );
    r = await cli(['list-builds', '--state', 'DELETED', '--quiet']);
    expect(r.stdout).toBe(`${'gone-1-1'.padEnd(55)}  ${'admin'.padEnd(16)}  DELETED\n`);
    r = await cli(['list-builds']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Filter must be provided for list');
    r = await cli(['buildinfo', 'zsh-5.9-1.fc30']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^BUILD: zsh-5\.9-1\.fc30 \[\d+\]\nState: COMPLETE\nBuilt by: tagger\nVolume: DEFAULT\nTask: none\nFinished: .+\nTags: base\n$/);
    r = await cli(['buildinfo', 'nope-1-1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No such build: nope-1-1');
  });

  it('keeps the tagging history for queryHistory', async () => {
    const out = (await py(`
h = hub.queryHistory(kw(tag='leaf', package='zsh'))
rows = h['tag_listing']
out({'tables': sorted(h.keys()), 'rows': [(r['name'], r['version'], r['active'], r['revoker_name'], type(r['revoke_ts']).__name__) for r in rows],
     'keys': sorted(rows[0].keys()), 'bad': fault(lambda: hub.queryHistory(['no_table'])), 'after': hub.queryHistory(['tag_listing'], kw(afterEvent=10**9))})
`)) as Record<string, unknown>;
    // package= also applies to group package lists (by package name), as in Koji
    expect(out.tables).toEqual(['group_package_listing', 'tag_listing', 'tag_package_owners', 'tag_packages']);
    expect(out.rows).toEqual([['zsh', '6.0', null, 'admin', 'float']]);
    expect(out.keys).toEqual([
      'active', 'build.state', 'build_id', 'create_event', 'create_ts', 'creator_id', 'creator_name', 'epoch', 'name', 'release', 'revoke_event',
      'revoke_ts', 'revoker_id', 'revoker_name', 'tag.name', 'tag_id', 'version',
    ]);
    expect(out.bad).toEqual({ faultCode: 1000, faultString: 'No such history table: no_table' });
    expect(out.after).toEqual({ tag_listing: [] });
  });
});
