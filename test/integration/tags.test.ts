/**
 * Tags, inheritance and build targets against the real binary, driven by
 * the kojibox CLI and by Python's xmlrpc.client: Koji's result shapes,
 * history at older events, inheritance walks and edits, permission
 * refusals and Koji's error texts.
 */
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';

// each test drives several CLI processes against the hub
setDefaultTimeout(120_000);

let hub: TestHub;

const TAG_KEYS = ['arches', 'extra', 'id', 'locked', 'maven_include_all', 'maven_support', 'name', 'perm', 'perm_id'];

async function py(code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, code);
  if (r.code !== 0) throw new Error(`python failed:\n${r.stderr}\n${r.stdout}`);
  return r.json;
}

async function cli(args: string[], opts: { user?: string } = {}) {
  return hub.cli(args, opts);
}

beforeAll(async () => {
  hub = await startHub();
  for (const u of ['bob', 'tagger']) {
    const r = await hub.cli(['add-user', u, '--password-stdin'], { stdin: `${u}-pw-123\n` });
    expect(r.stderr).toBe('');
  }
  expect((await cli(['grant-permission', 'tag', 'tagger'])).code).toBe(0);
});
afterAll(() => stopHub(hub));

describe('createTag and getTag', () => {
  it('creates tags with the CLI and returns Koji\'s getTag keys over the foreign client', async () => {
    let r = await cli(['add-tag', 'base', '--arches', 'x86_64,aarch64', '-x', 'mock.package_manager=dnf', '-x', 'rpm.macro.dist=.fc30', '-x', 'answer=42']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    r = await cli(['add-tag', 'f30-build', '--parent', 'base']);
    expect(r.code).toBe(0);
    const out = (await py(`
t = hub.getTag('base')
out({'keys': sorted(t.keys()), 'tag': t, 'byid': hub.getTag(t['id'])['name'], 'bydict': hub.getTag({'name': 'base'})['id'] == t['id']})
`)) as { keys: string[]; tag: Record<string, unknown>; byid: string; bydict: boolean };
    expect(out.keys).toEqual(TAG_KEYS);
    expect(out.tag).toMatchObject({
      name: 'base',
      arches: 'x86_64 aarch64',
      locked: false,
      perm: null,
      perm_id: null,
      maven_support: false,
      maven_include_all: false,
      extra: { 'mock.package_manager': 'dnf', 'rpm.macro.dist': '.fc30', answer: 42 },
    });
    expect(out.byid).toBe('base');
    expect(out.bydict).toBe(true);
  });

  it('refuses duplicate names, bad names and unknown parents with Koji\'s texts', async () => {
    const out = await py(`
p = login('admin', ${JSON.stringify(process.env.KOJIBOX_ADMIN_PASSWORD ?? 'admin-test-password')})
out([fault(lambda: p.createTag('base')), fault(lambda: p.createTag('bad name')), fault(lambda: p.createTag('x1', kw(parent='nope'))),
     fault(lambda: p.createTag('x2', kw(arches='x86_64;rm'))), fault(lambda: p.createTag('x3', kw(maven_support=True))),
     fault(lambda: p.createTag('x4', kw(perm='no-such-perm')))])
`);
    expect(out).toEqual([
      { faultCode: 1000, faultString: "A tag with the name 'base' already exists" },
      { faultCode: 1000, faultString: 'Name bad name does not match RegexNameInternal value' },
      { faultCode: 1000, faultString: "Parent tag 'nope' could not be found" },
      { faultCode: 1000, faultString: 'Architecture can be only [a-zA-Z0-9_-]' },
      { faultCode: 1000, faultString: 'Maven support not enabled' },
      { faultCode: 1000, faultString: 'No such entry in table permissions: no-such-perm' },
    ]);
  });

  it('answers unknown tags with None or, strictly, "No such tagInfo" and rejects bad argument types', async () => {
    const out = await py(`
out([hub.getTag('nope'), fault(lambda: hub.getTag('nope', kw(strict=True))), fault(lambda: hub.getTag(99999, True)),
     fault(lambda: hub.getTag(1.5)), fault(lambda: hub.getTag({'foo': 1})), fault(lambda: hub.getTag('base', kw(bogus=1))),
     fault(lambda: hub.getTag('base', False, 'yesterday'))])
`);
    expect(out).toEqual([
      null,
      { faultCode: 1000, faultString: "No such tagInfo: 'nope'" },
      { faultCode: 1000, faultString: 'No such tagInfo: 99999' },
      { faultCode: 1019, faultString: 'Invalid name or id value: 1.5' },
      { faultCode: 1019, faultString: "Invalid name or id value: {'foo': 1}" },
      { faultCode: 1019, faultString: "getTag() got an unexpected keyword argument 'bogus'" },
      { faultCode: 1000, faultString: "Invalid event: 'yesterday'" },
    ]);
  });
});

describe('permissions', () => {
  it('refuses anonymous callers with AuthError and users without the tag permission with ActionNotAllowed', async () => {
    const out = await py(`
bob = login('bob', 'bob-pw-123')
out([fault(lambda: hub.createTag('anon-tag')), fault(lambda: bob.createTag('bob-tag')), fault(lambda: bob.editTag2('base', kw(locked=True))),
     fault(lambda: bob.deleteTag('base')), fault(lambda: bob.setInheritanceData('f30-build', [])),
     fault(lambda: bob.createBuildTarget('t', 'base', 'base')), fault(lambda: hub.setInheritanceData('nope', []))])
`);
    expect(out).toEqual([
      { faultCode: 1004, faultString: 'tag permission required (user not logged in)' },
      { faultCode: 1004, faultString: 'tag permission required (logged in as bob)' },
      { faultCode: 1004, faultString: 'tag permission required (logged in as bob)' },
      { faultCode: 1004, faultString: 'tag permission required (logged in as bob)' },
      { faultCode: 1004, faultString: 'tag permission required (logged in as bob)' },
      { faultCode: 1004, faultString: 'target permission required (logged in as bob)' },
      // the tag is looked up before the permission check, as in Koji
      { faultCode: 1000, faultString: 'No such entry in table tag: nope' },
    ]);
    const r = await cli(['add-tag', 'bob-tag'], { user: 'bob' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('This action requires tag or admin privileges');
  });

  it('lets a user with the tag permission create and edit tags', async () => {
    const r = await cli(['add-tag', 'tagger-tag'], { user: 'tagger' });
    expect(r.stderr).toBe('');
    expect((await cli(['edit-tag', 'tagger-tag', '--arches', 'ppc64le'], { user: 'tagger' })).code).toBe(0);
    expect(await py(`out(hub.getTag('tagger-tag')['arches'])`)).toBe('ppc64le');
  });
});

describe('editTag2 and history', () => {
  it('edits config and extra, and getTag at an older event shows the old state', async () => {
    const out = (await py(`
p = login('admin', 'admin-test-password')
before = p.getLastEvent()['id']
p.editTag2('base', kw(locked=True, perm='admin', extra={'answer': 43, 'new.key': [1, 'two']}, remove_extra=['rpm.macro.dist']))
now = p.getTag('base')
old = p.getTag('base', kw(event=before))
out({'now': now, 'old': old, 'before': before})
`)) as { now: Record<string, unknown>; old: Record<string, unknown>; before: number };
    expect(out.now).toMatchObject({ locked: true, perm: 'admin', extra: { 'mock.package_manager': 'dnf', answer: 43, 'new.key': [1, 'two'] } });
    expect(out.now.perm_id).toBeNumber();
    expect(out.old).toMatchObject({ locked: false, perm: null, query_event: out.before, extra: { answer: 42, 'rpm.macro.dist': '.fc30' } });
    const r = await cli(['edit-tag', 'base', '--unlock', '--no-perm']);
    expect(r.stderr).toBe('');
    expect(await py(`t = hub.getTag('base'); out([t['locked'], t['perm']])`)).toEqual([false, null]);
  });

  it('reports extra conflicts and missing keys with Koji\'s texts', async () => {
    const out = await py(`
p = login('admin', 'admin-test-password')
out([fault(lambda: p.editTag2('base', kw(extra={'a': 1}, remove_extra=['a']))), fault(lambda: p.editTag2('base', kw(remove_extra=['zzz']))),
     fault(lambda: p.editTag2('base', kw(name='f30-build')))])
`);
    expect(out).toEqual([
      { faultCode: 1000, faultString: "Can not both add/update and remove tag-extra: 'a'" },
      { faultCode: 1000, faultString: "Tag: base doesn't have extra: zzz" },
      { faultCode: 1000, faultString: 'Name f30-build already taken by tag 2' },
    ]);
  });

  it('inherits arches-less config through getBuildConfig and honours blocked extra', async () => {
    const out = (await py(`
p = login('admin', 'admin-test-password')
p.editTag2('f30-build', kw(block_extra=['answer']))
c = p.getBuildConfig('f30-build')
raw = p.getTag('f30-build', kw(blocked=True))
out({'extra': c['extra'], 'ci': c['config_inheritance'], 'raw': raw['extra']})
`)) as Record<string, Record<string, unknown>>;
    expect(out.extra).toEqual({ 'mock.package_manager': 'dnf', 'new.key': [1, 'two'] });
    expect(out.ci).toEqual({ arches: null, extra: { 'mock.package_manager': { id: 1, name: 'base' }, 'new.key': { id: 1, name: 'base' } } });
    expect(out.raw).toEqual({ answer: [true, null] });
  });

  it('queries tag_config and tag_extra history', async () => {
    const out = (await py(`
h = hub.queryHistory(['tag_config', 'tag_extra'], kw(tag='base'))
out({'cfg': h['tag_config'], 'extra': [(e['key'], e['value'], e['active']) for e in h['tag_extra']]})
`)) as { cfg: Array<Record<string, unknown>>; extra: Array<[string, string, boolean | null]> };
    expect(out.cfg.length).toBe(3);
    expect(Object.keys(out.cfg[0]!).sort()).toEqual(
      ['active', 'arches', 'create_event', 'create_ts', 'creator_id', 'creator_name', 'locked', 'maven_include_all', 'maven_support', 'perm_id',
        'permission.name', 'revoke_event', 'revoke_ts', 'revoker_id', 'revoker_name', 'tag.name', 'tag_id'].sort(),
    );
    expect(out.cfg.map((c) => [c.locked, c.active, c['permission.name']])).toEqual([[false, null, null], [true, null, 'admin'], [false, true, null]]);
    expect(out.cfg[0]!.creator_name).toBe('admin');
    expect(out.extra).toContainEqual(['rpm.macro.dist', '".fc30"', null]);
    expect(out.extra).toContainEqual(['answer', '43', true]);
  });
});

describe('inheritance', () => {
  beforeAll(async () => {
    for (const t of ['a', 'b', 'c', 'd']) expect((await cli(['add-tag', t])).code).toBe(0);
  });

  it('adds links with the CLI, refuses duplicate priorities, and prints the tree', async () => {
    expect((await cli(['add-tag-inheritance', 'a', 'b', '--priority', '10'])).stderr).toBe('');
    expect((await cli(['add-tag-inheritance', 'a', 'c', '--priority', '20', '--pkg-filter', '^(foo|bar)'])).stderr).toBe('');
    expect((await cli(['add-tag-inheritance', 'b', 'd', '--intransitive'])).code).toBe(0);
    expect((await cli(['add-tag-inheritance', 'c', 'd', '--noconfig'])).code).toBe(0);
    const dup = await cli(['add-tag-inheritance', 'a', 'd', '--priority', '10']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('There is already an active inheritance with that priority on a');
    const tree = await cli(['list-tag-inheritance', 'a']);
    // b's link to d is intransitive, so d comes in through c only
    expect(tree.stdout).toBe('     a (4)\n' + '....  ├─b (5)\n' + '.F..  └─c (6)\n' + '...N     └─d (7)\n');
    const rev = await cli(['list-tag-inheritance', 'd', '--reverse']);
    // going down, an intransitive link is listed but not followed
    expect(rev.stdout).toBe('     d (7)\n' + '..I.  ├─b (5)\n' + '...N  └─c (6)\n' + '.F..     └─a (4)\n');
  });

  it('returns Koji\'s link keys and walk state from getInheritanceData and getFullInheritance', async () => {
    const out = (await py(`
p = login('admin', 'admin-test-password')
r = {'data': hub.getInheritanceData('a'), 'full': hub.getFullInheritance('a'), 'bad': fault(lambda: hub.getFullInheritance('a', kw(stops={'x': 1}))),
     'bad2': fault(lambda: hub.getFullInheritance('a', kw(foo=1)))}
links = hub.getInheritanceData('a')
links[1]['maxdepth'] = 1
p.setInheritanceData('a', links)
r['limited'] = [(l['name'], l['nextdepth']) for l in hub.getFullInheritance('a')]
links[1]['maxdepth'] = None
p.setInheritanceData('a', links)
out(r)
`)) as { data: Array<Record<string, unknown>>; full: Array<Record<string, unknown>>; bad: unknown; bad2: unknown; limited: unknown };
    expect(out.data).toEqual([
      { parent_id: 5, name: 'b', priority: 10, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: '', child_id: 4 },
      { parent_id: 6, name: 'c', priority: 20, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: '^(foo|bar)', child_id: 4 },
    ]);
    expect(out.full.map((l) => [l.name, l.currdepth, l.nextdepth, l.filter, l.noconfig])).toEqual([
      ['b', 1, null, [], false],
      ['c', 1, null, ['^(foo|bar)'], false],
      ['d', 2, null, ['^(foo|bar)'], true],
    ]);
    // maxdepth 1 on a -> c stops the walk below c
    expect(out.limited).toEqual([['b', null], ['c', 0]]);
    expect(out.bad).toEqual({ faultCode: 1019, faultString: 'stops option has been removed since 1.26' });
    expect(out.bad2).toEqual({ faultCode: 1019, faultString: "getFullInheritance() got an unexpected keyword argument 'foo'" });
  });

  it('validates setInheritanceData like Koji: missing fields, duplicate priorities, clear and delete link', async () => {
    const out = (await py(`
p = login('admin', 'admin-test-password')
link = {'parent_id': 7, 'priority': 10, 'maxdepth': None, 'intransitive': False, 'noconfig': False, 'pkg_filter': ''}
r = [fault(lambda: p.setInheritanceData('a', [{'parent_id': 7}])), fault(lambda: p.setInheritanceData('a', [link])),
     fault(lambda: p.setInheritanceData('a', [dict(link, parent_id=424242)]))]
p.setInheritanceData('a', [dict(link, priority='30')])
r.append([(l['name'], l['priority']) for l in p.getInheritanceData('a')])
p.setInheritanceData('a', {'parent_id': 7, 'delete link': True})
r.append([l['name'] for l in p.getInheritanceData('a')])
p.setInheritanceData('a', [dict(link, priority=5)], kw(clear=True))
r.append([(l['name'], l['priority']) for l in p.getInheritanceData('a')])
out(r)
`)) as unknown[];
    expect(out[0]).toEqual({ faultCode: 1000, faultString: 'No value for priority' });
    expect(out[1]).toEqual({ faultCode: 1000, faultString: 'Multiple parent tags ([5, 7]) cannot have the same priority value (10) on child tag 4' });
    expect(out[2]).toEqual({ faultCode: 1000, faultString: 'No such tagInfo: 424242' });
    expect(out[3]).toEqual([['b', 10], ['c', 20], ['d', 30]]);
    expect(out[4]).toEqual(['b', 'c']);
    expect(out[5]).toEqual([['d', 5]]);
  });

  it('edits and removes links with the CLI', async () => {
    let r = await cli(['add-tag-inheritance', 'a', 'b', '--priority', '10']);
    expect(r.stderr).toBe('');
    r = await cli(['edit-tag-inheritance', 'a', 'b', '--priority', '15', '--maxdepth', '3']);
    expect(r.stderr).toBe('');
    expect(await py(`out([(l['name'], l['priority'], l['maxdepth']) for l in hub.getInheritanceData('a')])`)).toEqual([['d', 5, null], ['b', 15, 3]]);
    r = await cli(['remove-tag-inheritance', 'a', 'd']);
    expect(r.stderr).toBe('');
    expect(await py(`out([l['name'] for l in hub.getInheritanceData('a')])`)).toEqual(['b']);
    r = await cli(['remove-tag-inheritance', 'a', 'c']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No inheritance link found to remove.  Please check your arguments');
  });

  it('prunes inheritance loops instead of following them', async () => {
    expect((await cli(['add-tag-inheritance', 'd', 'a'])).code).toBe(0);
    expect((await cli(['add-tag-inheritance', 'b', 'd', '--force', '--priority', '5'])).code).toBe(0);
    const out = await py(`out([(l['name'], l['currdepth']) for l in hub.getFullInheritance('a')])`);
    // a -> b -> d -> (a pruned)
    expect(out).toEqual([['b', 1], ['d', 2]]);
  });
});

describe('listTags, taginfo, deleteTag and tagLastChangeEvent', () => {
  it('lists tags by glob pattern with queryOpts, and prints list-tags like koji', async () => {
    const out = await py(`out([[t['name'] for t in hub.listTags(kw(pattern='f30*'))], hub.listTags(kw(pattern='?', queryOpts={'countOnly': True})),
      [t['name'] for t in hub.listTags(kw(queryOpts={'order': '-name', 'limit': 2}))], sorted(hub.listTags(kw(perms=False))[0].keys())])`);
    expect(out).toEqual([['f30-build'], 4, ['tagger-tag', 'f30-build'], ['arches', 'id', 'locked', 'maven_include_all', 'maven_support', 'name']]);
    expect((await cli(['edit-tag', 'd', '--lock'])).code).toBe(0);
    const r = await cli(['list-tags', '--verbose', '?']);
    expect(r.stdout).toBe('a\nb\nc\nd [LOCKED]\n');
    expect((await cli(['list-tags', '--show-id', 'base'])).stdout).toBe('base [1]\n');
  });

  it('prints taginfo with inherited options, targets and inheritance', async () => {
    expect((await cli(['add-tag', 'f30'])).code).toBe(0);
    expect((await cli(['add-target', 'f30', 'base'])).stderr).toBe('');
    const r = await cli(['taginfo', 'f30-build']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Tag: f30-build [2]\nArches: \nGroups: \nTag options:\n');
    // koji pads the option line to 30 columns before naming the tag it came from
    expect(r.stdout).toContain("  mock.package_manager : 'dnf' [base]\n  new.key : [1, 'two']         [base]\n");
    expect(r.stdout).toContain('Inheritance:\n  0    .... base [1]\n');
    const base = await cli(['taginfo', 'base']);
    expect(base.stdout).toContain('This tag is a buildroot for one or more targets');
    expect(base.stdout).toContain('Targets that build from this tag:\n  f30\n');
  });

  it('deletes a tag, keeps it visible at older events and reports the deletion event', async () => {
    const out = (await py(`
p = login('admin', 'admin-test-password')
p.createTag('doomed')
ev = p.getLastEvent()['id']
p.deleteTag('doomed')
auto = p.getTag('doomed', kw(event='auto'))
out({'now': p.getTag('doomed'), 'then': p.getTag('doomed', kw(event=ev))['name'], 'auto': [auto['name'], auto['revoke_event']],
     'last': p.tagLastChangeEvent('doomed'), 'lastev': p.getLastEvent()['id'], 'again': fault(lambda: p.deleteTag('doomed'))})
`)) as Record<string, unknown>;
    expect(out.now).toBeNull();
    expect(out.then).toBe('doomed');
    expect(out.auto).toEqual(['doomed', out.lastev]);
    expect(out.last).toBe(out.lastev);
    expect(out.again).toEqual({ faultCode: 1000, faultString: "No such tagInfo: 'doomed'" });
    const r = await cli(['remove-tag', 'doomed']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No such tag: doomed');
  });

  it('finds the last change of a tag through its parents', async () => {
    const out = (await py(`
p = login('admin', 'admin-test-password')
before = p.tagLastChangeEvent('f30-build')
p.editTag2('base', kw(extra={'touch': 1}))
after = p.tagLastChangeEvent('f30-build')
out([before, after, p.tagLastChangeEvent('f30-build', kw(inherit=False)), p.getLastEvent()['id'], p.tagLastChangeEvent('f30-build', before)])
`)) as number[];
    expect(out[1]).toBe(out[3]!);
    expect(out[1]).toBeGreaterThan(out[0]!);
    expect(out[2]).toBeLessThan(out[1]!);
    expect(out[4]).toBeLessThan(out[0]!);
  });
});

describe('build targets', () => {
  it('creates, edits, renames and deletes targets with Koji\'s shapes and texts', async () => {
    const out = (await py(`
p = login('admin', 'admin-test-password')
r = {'create': p.createBuildTarget('t1', 'base', 'f30')}
r['get'] = p.getBuildTarget('t1')
r['dup'] = fault(lambda: p.createBuildTarget('t1', 'base', 'f30'))
r['nobt'] = fault(lambda: p.createBuildTarget('t2', 'nope', 'f30'))
r['nodt'] = fault(lambda: p.createBuildTarget('t2', 'base', 'nope'))
ev = p.getLastEvent()['id']
p.editBuildTarget('t1', 't1-new', 'f30-build', 'f30')
r['edited'] = p.getBuildTarget('t1-new')
# names are not versioned: the old config is found under the new name
r['old'] = p.getBuildTarget('t1-new', kw(event=ev))
r['oldname'] = p.getBuildTarget('t1', kw(event=ev))
r['bybuild'] = [t['name'] for t in p.getBuildTargets(kw(buildTagID='f30-build'))]
r['bydest'] = sorted(t['name'] for t in p.getBuildTargets(kw(destTagID='f30')))
r['unknown'] = p.getBuildTargets(kw(buildTagID='no-such-tag'))
r['taken'] = fault(lambda: p.editBuildTarget('t1-new', 'f30', 'base', 'f30'))
p.deleteBuildTarget('t1-new')
r['deleted'] = p.getBuildTarget('t1-new')
r['strict'] = fault(lambda: p.getBuildTarget('t1-new', kw(strict=True)))
r['nodel'] = fault(lambda: p.deleteBuildTarget('zzz'))
out(r)
`)) as Record<string, unknown>;
    expect(out.create).toBeNull();
    expect(out.get).toEqual({ id: 2, name: 't1', build_tag: 1, build_tag_name: 'base', dest_tag: 8, dest_tag_name: 'f30' });
    expect(out.dup).toEqual({ faultCode: 1000, faultString: "A build target with the name 't1' already exists" });
    expect(out.nobt).toEqual({ faultCode: 1000, faultString: "build tag 'nope' does not exist" });
    expect(out.nodt).toEqual({ faultCode: 1000, faultString: "destination tag 'nope' does not exist" });
    expect(out.edited).toMatchObject({ id: 2, name: 't1-new', build_tag_name: 'f30-build' });
    expect(out.old).toMatchObject({ id: 2, name: 't1-new', build_tag_name: 'base' });
    expect(out.oldname).toBeNull();
    expect(out.bybuild).toEqual(['t1-new']);
    expect(out.bydest).toEqual(['f30', 't1-new']);
    expect(out.unknown).toEqual([]);
    expect(out.taken).toEqual({ faultCode: 1000, faultString: 'name "f30" is already taken by build target 1' });
    expect(out.deleted).toBeNull();
    expect(out.strict).toEqual({ faultCode: 1000, faultString: 'No such build target: t1-new' });
    expect(out.nodel).toEqual({ faultCode: 1000, faultString: 'No such build target: zzz' });
  });

  it('manages targets with the CLI and prints list-targets like koji', async () => {
    let r = await cli(['add-target', 'tx', 'f30-build', 'f30']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Build tag has no arches: f30-build');
    r = await cli(['add-target', 'tx', 'base', 'f30']);
    expect(r.stderr).toBe('');
    r = await cli(['edit-target', 'tx', '--rename', 'ty', '--dest-tag', 'base']);
    expect(r.stderr).toBe('');
    r = await cli(['list-targets']);
    expect(r.stdout).toBe(
      `${'Name'.padEnd(30)} ${'Buildroot'.padEnd(30)} ${'Destination'.padEnd(30)}\n${'-'.repeat(93)}\n` +
        `${'f30'.padEnd(30)} ${'base'.padEnd(30)} ${'f30'.padEnd(30)}\n${'ty'.padEnd(30)} ${'base'.padEnd(30)} ${'base'.padEnd(30)}\n`,
    );
    r = await cli(['remove-target', 'ty']);
    expect(r.stderr).toBe('');
    r = await cli(['list-targets', '--name', 'ty']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No such build target: ty');
    r = await cli(['add-target', 'tz', 'base'], { user: 'tagger' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('This action requires target or admin privileges');
  });
});
