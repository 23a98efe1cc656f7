/**
 * Package lists and comps groups of tags against the real binary: adding,
 * blocking, unblocking, owners and arches through inheritance, the
 * package_list policy with Koji's data, listPackages options, group lists,
 * and the CLI output, over the kojibox CLI and Python's xmlrpc.client.
 */
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';

// each test drives several CLI processes against the hub
setDefaultTimeout(120_000);

let hub: TestHub;

// bob may add and remove his own packages; blocking and everything else is refused
const HUB_CONF = `[hub]
[policy]
package_list =
    has_perm admin :: allow
    match action block :: deny blocking is for admins
    user bob && package bob-* :: allow
    all :: deny not your package
`;

async function py(code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, code);
  if (r.code !== 0) throw new Error(`python failed:\n${r.stderr}\n${r.stdout}`);
  return r.json;
}

const cli = (args: string[], opts: { user?: string } = {}) => hub.cli(args, opts);

beforeAll(async () => {
  hub = await startHub({ config: { 'koji-hub/hub.conf': HUB_CONF } });
  const r = await hub.cli(['add-user', 'bob', '--password-stdin'], { stdin: 'bob-pw-123\n' });
  expect(r.stderr).toBe('');
  for (const args of [['add-tag', 'base'], ['add-tag', 'mid', '--parent', 'base'], ['add-tag', 'leaf', '--parent', 'mid']]) {
    expect((await cli(args)).stderr).toBe('');
  }
});
afterAll(() => stopHub(hub));

describe('package lists', () => {
  it('adds packages with the CLI and lists them through inheritance', async () => {
    let r = await cli(['add-pkg', '--owner', 'admin', 'base', 'bash', 'zsh', 'fish']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Adding 3 packages to tag base\n');
    r = await cli(['add-pkg', '--owner', 'admin', 'base', 'bash', 'tcsh']);
    expect(r.stdout).toBe('Package bash already exists in tag base\nAdding 1 packages to tag base\n');
    r = await cli(['add-pkg', '--owner', 'nobody', 'base', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No such user: nobody');
    r = await cli(['list-pkgs', '--tag', 'leaf']);
    expect(r.stdout).toBe(
      'Package                 Tag                     Extra Arches     Owner          \n' +
        '----------------------- ----------------------- ---------------- ---------------\n' +
        // koji prints the hub's order (package ids), not sorted
        ['bash', 'zsh', 'fish', 'tcsh'].map((p) => `${p.padEnd(23)} ${'base'.padEnd(23)} ${''.padEnd(16)} ${'admin'.padEnd(15)}\n`).join(''),
    );
    const out = (await py(`
rows = hub.listPackages(kw(tagID='leaf', inherited=True))
out({'keys': sorted(rows[0].keys()), 'noinherit': hub.listPackages(kw(tagID='leaf')), 'all': [p['package_name'] for p in hub.listPackages()],
     'simple': sorted(hub.listPackagesSimple(kw(prefix='BA'))[0].keys()), 'prefix': [p['package_name'] for p in hub.listPackages(kw(tagID='base', prefix='z'))],
     'count': hub.listPackages(kw(tagID='base', queryOpts={'countOnly': True})), 'noowner': sorted(hub.listPackages(kw(tagID='base', with_owners=False))[0].keys()),
     'bad': fault(lambda: hub.listPackages(kw(userID='admin', with_owners=False))), 'badtag': fault(lambda: hub.listPackages(kw(tagID='nope')))})
`)) as Record<string, unknown>;
    expect(out.keys).toEqual(['blocked', 'extra_arches', 'owner_id', 'owner_name', 'package_id', 'package_name', 'tag_id', 'tag_name']);
    expect(out.noinherit).toEqual([]);
    expect(out.all).toEqual(['bash', 'zsh', 'fish', 'tcsh']);
    expect(out.simple).toEqual(['package_id', 'package_name']);
    expect(out.prefix).toEqual(['zsh']);
    expect(out.count).toBe(4);
    expect(out.noowner).toEqual(['blocked', 'extra_arches', 'package_id', 'package_name', 'tag_id', 'tag_name']);
    expect(out.bad).toEqual({ faultCode: 1000, faultString: "userID and with_owners=False can't be used together" });
    expect(out.badtag).toEqual({ faultCode: 1000, faultString: 'No such entry in table tag: nope' });
  });

  it('blocks in a child tag, shows the block with --show-blocked and unblocks it', async () => {
    let r = await cli(['block-pkg', 'mid', 'zsh']);
    expect(r.stderr).toBe('');
    r = await cli(['block-pkg', 'mid', 'nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Package nosuch doesn't exist in tag mid");
    const out = (await py(`
p = login('admin', 'admin-test-password')
leaf = dict((x['package_name'], x) for x in p.listPackages(kw(tagID='leaf', inherited=True)))
dups = [(x['package_name'], x['tag_name'], x['blocked']) for x in p.listPackages(kw(tagID='leaf', inherited=True, with_dups=True, pkgID='zsh'))]
out({'zsh': [leaf['zsh']['tag_name'], leaf['zsh']['blocked']], 'dups': dups, 'unblocked': [x['package_name'] for x in p.listPackages(kw(tagID='leaf', inherited=True, with_blocked=False))],
     'check': [p.checkTagPackage('leaf', 'zsh'), p.checkTagPackage('leaf', 'bash'), p.checkTagPackage('base', 'zsh'), p.checkTagPackage('nope', 'bash')],
     'again': fault(lambda: p.packageListUnblock('leaf', 'bash')), 'none': fault(lambda: p.packageListUnblock('leaf', 'nosuchpkg')),
     'add': fault(lambda: p.packageListAdd('leaf', 'zsh', 'admin', kw(block=False))), 'same': fault(lambda: p.packageListAdd('leaf', 'zsh', 'admin'))})
`)) as Record<string, unknown>;
    expect(out.zsh).toEqual(['mid', true]);
    expect(out.dups).toEqual([['zsh', 'mid', true], ['zsh', 'base', false]]);
    // with_blocked=False drops blocked rows before inheritance is resolved, so base's entry shows through (as in Koji)
    expect(out.unblocked).toEqual(['bash', 'zsh', 'fish', 'tcsh']);
    expect(out.check).toEqual([false, true, true, false]);
    expect(out.again).toEqual({ faultCode: 1000, faultString: 'package bash NOT blocked in tag leaf' });
    expect(out.none).toEqual({ faultCode: 1000, faultString: 'No such entry in table package: nosuchpkg' });
    expect(out.add).toEqual({ faultCode: 1000, faultString: 'package zsh is blocked in tag leaf' });
    // block=None keeps the inherited block: nothing changes, nothing fails
    expect(out.same).toEqual({ ok: null });
    r = await cli(['list-pkgs', '--tag', 'leaf', '--show-blocked', '--quiet', '--package', 'zsh']);
    expect(r.stdout).toBe(`${'zsh'.padEnd(23)} ${'mid'.padEnd(23)} ${''.padEnd(16)} ${'admin'.padEnd(15)} [BLOCKED]\n`);
    // unblocking in leaf adds an unblocked override there; in mid it removes the block itself
    expect((await cli(['unblock-pkg', 'leaf', 'zsh'])).stderr).toBe('');
    expect(await py(`out([(x['tag_name'], x['blocked']) for x in hub.listPackages(kw(tagID='leaf', inherited=True, with_dups=True, pkgID='zsh'))])`)).toEqual([
      ['leaf', false], ['mid', true], ['base', false],
    ]);
    expect((await cli(['unblock-pkg', 'mid', 'zsh'])).stderr).toBe('');
    expect(await py(`out([(x['tag_name'], x['blocked']) for x in hub.listPackages(kw(tagID='mid', inherited=True, with_dups=True, pkgID='zsh'))])`)).toEqual([['base', false]]);
  });

  it('sets owners and extra arches, refuses updates without data, and removes entries', async () => {
    expect((await cli(['set-pkg-owner', 'bob', 'base', 'bash'])).stderr).toBe('');
    expect((await cli(['set-pkg-arches', 'x86_64,aarch64', 'base', 'bash'])).stderr).toBe('');
    const out = (await py(`
p = login('admin', 'admin-test-password')
b = p.getPackageConfig('leaf', 'bash')
out({'cfg': [b['owner_name'], b['extra_arches'], b['tag_name']], 'upd': fault(lambda: p.packageListSetOwner('leaf', 'newpkg2', 'admin')),
     'inh': fault(lambda: p.packageListSetOwner('leaf', 'bash', 'admin')), 'leafcfg': p.getPackageConfig('leaf', 'bash')['tag_name'],
     'created': p.getPackage('newpkg2'),
     'arch': fault(lambda: p.packageListSetArches('base', 'bash', 'x86_64;')), 'byuser': [x['package_name'] for x in p.listPackages(kw(userID='bob'))],
     'nopkg': fault(lambda: p.packageListAdd('base', 12345, 'admin')), 'noowner': fault(lambda: p.packageListAdd('base', 'newpkg'))})
`)) as Record<string, unknown>;
    expect(out.cfg).toEqual(['bob', 'x86_64 aarch64', 'base']);
    expect(out.upd).toEqual({ faultCode: 1000, faultString: 'cannot update: tag leaf has no data for package newpkg2' });
    // the failed call created no package
    expect(out.created).toBeNull();
    // an inherited entry counts as data; an owner-only change records just the owner (as Koji does)
    expect(out.inh).toEqual({ ok: null });
    expect(out.leafcfg).toBe('base');
    expect(out.arch).toEqual({ faultCode: 1000, faultString: 'Architecture can be only [a-zA-Z0-9_-]' });
    expect(out.byuser).toEqual(['bash']);
    expect(out.nopkg).toEqual({ faultCode: 1000, faultString: 'No such package: 12345' });
    expect(out.noowner).toEqual({ faultCode: 1000, faultString: 'owner not specified' });
    let r = await cli(['remove-pkg', 'base', 'fish']);
    expect(r.stderr).toBe('');
    r = await cli(['remove-pkg', 'leaf', 'bash']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Package bash is not in tag leaf');
    expect(await py(`out([x['package_name'] for x in hub.listPackages(kw(tagID='base'))])`)).toEqual(['bash', 'zsh', 'tcsh']);
  });

  it('answers list-pkgs at an older event', async () => {
    const ev = (await py(`out(hub.getLastEvent()['id'])`)) as number;
    expect((await cli(['add-pkg', '--owner', 'admin', 'base', 'later'])).code).toBe(0);
    const r = await cli(['list-pkgs', '--tag', 'base', '--quiet', '--event', String(ev)]);
    expect(r.stdout.split('\n')[0]).toStartWith(`Querying at event ${ev} (`);
    expect(r.stdout).not.toContain('later');
    expect((await cli(['list-pkgs', '--tag', 'base', '--quiet'])).stdout).toContain('later');
  });
});

describe('package_list policy', () => {
  it('passes Koji\'s data {tag, action, package, force} to the policy', async () => {
    const out = (await py(`
bob = login('bob', 'bob-pw-123')
out([fault(lambda: bob.packageListAdd('base', 'bob-tools', 'bob')), fault(lambda: bob.packageListAdd('base', 'other', 'bob')),
     fault(lambda: bob.packageListBlock('base', 'bob-tools')), fault(lambda: bob.packageListRemove('base', 'bob-tools')),
     fault(lambda: bob.packageListAdd('base', 'bob-x', 'bob', kw(force=True))),
     fault(lambda: hub.packageListAdd('base', 'bob-y', 'bob'))])
`)) as unknown[];
    expect(out[0]).toEqual({ ok: null });
    expect(out[1]).toEqual({ faultCode: 1004, faultString: 'policy violation (package_list): not your package' });
    expect(out[2]).toEqual({ faultCode: 1004, faultString: 'policy violation (package_list): blocking is for admins' });
    // remove sends the package id; the package test resolves it to the name
    expect(out[3]).toEqual({ ok: null });
    // force only helps admins
    expect(out[4]).toEqual({ ok: null });
    expect(out[5]).toEqual({ faultCode: 1004, faultString: 'you must be logged in for this operation' });
    const r = await cli(['add-pkg', '--owner', 'bob', 'base', 'nope-pkg'], { user: 'bob' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ActionNotAllowed: policy violation (package_list): not your package');
  });
});

describe('groups', () => {
  it('adds groups and group packages with the CLI and lists them through inheritance', async () => {
    for (const args of [['add-group', 'base', 'build'], ['add-group', 'base', 'srpm-build'], ['add-group-pkg', 'base', 'build', 'bash', 'make', 'gcc'],
      ['add-group-pkg', 'base', 'srpm-build', 'rpm-build'], ['add-group-req', 'base', 'build', 'srpm-build'], ['block-group-pkg', 'mid', 'build', 'gcc']]) {
      const r = await cli(args);
      expect(r.stderr).toBe('');
    }
    let r = await cli(['add-group', 'base', 'build']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Group build already exists for tag base');
    r = await cli(['list-groups', 'leaf']);
    expect(r.stdout).toBe(
      'build  [base]\n  @srpm-build  [base]\n  bash: None, mandatory  [base]\n  make: None, mandatory  [base]\n' +
        'srpm-build  [base]\n  rpm-build: None, mandatory  [base]\n',
    );
    r = await cli(['list-groups', 'leaf', 'build', '--show-blocked']);
    expect(r.stdout).toContain('  gcc: None, mandatory  [mid] [BLOCKED]\n');
    const out = (await py(`
g = hub.getTagGroups('leaf')
b = [x for x in g if x['name'] == 'build'][0]
out({'keys': sorted(b.keys()), 'pkgkeys': sorted(b['packagelist'][0].keys()), 'reqkeys': sorted(b['grouplist'][0].keys()),
     'own': hub.getTagGroups('leaf', kw(inherit=False)), 'nopkgs': 'packagelist' in hub.getTagGroups('base', kw(incl_pkgs=False))[0]})
`)) as Record<string, unknown>;
    expect(out.keys).toEqual(['biarchonly', 'blocked', 'description', 'display_name', 'exported', 'group_id', 'grouplist', 'is_default', 'langonly', 'name', 'packagelist', 'tag_id', 'uservisible']);
    expect(out.pkgkeys).toEqual(['basearchonly', 'blocked', 'group_id', 'package', 'requires', 'tag_id', 'type']);
    expect(out.reqkeys).toEqual(['blocked', 'group_id', 'is_metapkg', 'name', 'req_id', 'tag_id', 'type']);
    expect(out.own).toEqual([]);
    expect(out.nopkgs).toBe(false);
  });

  it('blocks, unblocks and removes groups with Koji\'s checks', async () => {
    // a block in mid hides the group (and requirements on it) from mid and leaf
    let groups = await py(`p = login('admin', 'admin-test-password'); p.groupListBlock('mid', 'srpm-build'); out([(g['name'], [r['name'] for r in g['grouplist']]) for g in hub.getTagGroups('leaf')])`);
    expect(groups).toEqual([['build', []]]);
    const out = (await py(`
p = login('admin', 'admin-test-password')
bob = login('bob', 'bob-pw-123')
out([fault(lambda: p.groupListUnblock('base', 'build')), fault(lambda: p.groupPackageListAdd('leaf', 'srpm-build', 'x')),
     fault(lambda: p.groupPackageListAdd('base', 'nogroup', 'x')), fault(lambda: p.groupListRemove('leaf', 'build')),
     fault(lambda: bob.groupListAdd('base', 'bobs')), fault(lambda: p.groupPackageListUnblock('base', 'build', 'bash')),
     fault(lambda: p.groupListAdd('leaf', 'srpm-build'))])
`)) as unknown[];
    expect(out).toEqual([
      { faultCode: 1000, faultString: 'group build is NOT blocked in tag base' },
      { faultCode: 1000, faultString: 'group srpm-build is blocked in tag leaf' },
      { faultCode: 1000, faultString: 'No such entry in table groups: nogroup' },
      { faultCode: 1000, faultString: 'No group: build found for tag: leaf' },
      { faultCode: 1004, faultString: 'tag permission required (logged in as bob)' },
      { faultCode: 1000, faultString: 'package bash is NOT blocked in group 1, tag 1' },
      { faultCode: 1000, faultString: 'group srpm-build is blocked in tag leaf' },
    ]);
    groups = await py(`p = login('admin', 'admin-test-password'); p.groupListUnblock('mid', 'srpm-build'); out(sorted(g['name'] for g in p.getTagGroups('leaf')))`);
    expect(groups).toEqual(['build', 'srpm-build']);
    // blocking a group in the tag that defines it (block-group only acts on a tag's own groups)
    expect((await cli(['block-group', 'base', 'srpm-build'])).stderr).toBe('');
    expect(await py(`out([(g['name'], g['blocked']) for g in hub.getTagGroups('base', kw(incl_blocked=True))])`)).toEqual([['build', false], ['srpm-build', true]]);
    let r = await cli(['block-group', 'leaf', 'build']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Group build doesn't exist within tag leaf");
    expect((await cli(['remove-group-pkg', 'base', 'build', 'make'])).stderr).toBe('');
    // the CLI sees only unblocked own groups; the API removes the blocked entry
    r = await cli(['remove-group', 'base', 'srpm-build']);
    expect(r.stderr).toContain("Group srpm-build doesn't exist within tag base");
    await py(`p = login('admin', 'admin-test-password'); p.groupListRemove('base', 'srpm-build'); out(None)`);
    groups = await py(`out([(g['name'], sorted(p['package'] for p in g['packagelist'])) for g in hub.getTagGroups('base')])`);
    expect(groups).toEqual([['build', ['bash', 'gcc']]]);
    expect(await py(`out(hub.getTagGroups('base', kw(incl_blocked=True, incl_pkgs=False, incl_reqs=False))[1:])`)).toEqual([]);
    expect((await cli(['remove-group', 'base', 'build'])).stderr).toBe('');
    expect(await py(`out(hub.getTagGroups('leaf'))`)).toEqual([]);
  });

  it('keeps group history queryable', async () => {
    const out = (await py(`
h = hub.queryHistory(kw(tag='base', group='build'))
out(sorted(h.keys()))
`)) as string[];
    expect(out).toEqual(['group_config', 'group_package_listing', 'group_req_listing']);
  });
});
