/**
 * The sidetag plugin against the real binary: the seed's session end to
 * end (its [policy] block in hub.conf, add-sidetag --wait, list-api, the
 * policy limit, remove, list, edit, remove_empty, suffixes), Koji's shapes
 * over Python's xmlrpc.client, the name_template check at start-up, and
 * kojibox's lifetime rules.
 */
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_PASSWORD, python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';

/** The seed's policy block, plus a tag policy built on the plugin's tests. */
const HUB_CONF = `[hub]
Plugins = sidetag_hub

[policy]
sidetag =
    # allow maximum of 10 sidetags per user for f30-build tag
    tag f30-build && compare number_of_tags <= 10 :: allow
    # forbid everything else
    all :: deny

package_list =
    # allow blocking for owners in their sidetags
    match action block && is_sidetag_owner :: allow
    all :: deny

tag =
    operation untag && is_sidetag_owner fromtag :: allow
    operation move && is_sidetag_owner both :: allow
    operation tag && is_sidetag :: allow
    has_perm admin :: allow
    all :: deny
`;

// each test starts CLI and Python processes against a real hub
setDefaultTimeout(180_000);

/** An age as list-sidetags --verbose prints it: "45s", "1m 2s". */
const DURATION = /^\d+[smhd]( \d+[smhd])?$/;

const SIDETAG_CONF = '[sidetag]\nremove_empty = on\nallowed_suffixes = test, debug\n';

async function addUser(hub: TestHub, name: string): Promise<void> {
  const r = await hub.cli(['add-user', name, '--password-stdin'], { stdin: `${name}-pw-123\n` });
  if (r.code !== 0) throw new Error(r.stderr);
}

/** Run Python as a logged-in user (`p`); returns the script's last out(). */
async function py(hub: TestHub, user: string, code: string): Promise<unknown> {
  const pw = user === 'admin' ? ADMIN_PASSWORD : `${user}-pw-123`;
  const r = await python(hub.hubUrl, `p = login(${JSON.stringify(user)}, ${JSON.stringify(pw)})\n${code}`);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.json;
}

async function sidetagOf(hub: TestHub, user: string, args: string[] = []): Promise<string> {
  const r = await hub.cli(['add-sidetag', 'f30-build', ...args], { user });
  if (r.code !== 0) throw new Error(`add-sidetag failed: ${r.stderr}`);
  return r.stdout.trim();
}

describe("the seed's sidetag session", () => {
  let hub: TestHub;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    hub = await startHub({ config: { 'koji-hub/hub.conf': HUB_CONF, 'koji-hub/plugins/sidetag.conf': SIDETAG_CONF } });
    for (const u of ['bob', 'carol', 'dave', 'erin']) await addUser(hub, u);
    const users = (await py(hub, 'admin', `
p.createTag('f30-build', kw(arches='x86_64'))
p.createTag('f31-build', kw(arches='x86_64'))
out({u: p.getUser(u)['id'] for u in ['bob', 'carol', 'dave', 'erin']})
`)) as Record<string, number>;
    Object.assign(ids, users);
  });
  afterAll(() => stopHub(hub));

  it('shows createSideTag in list-api once the plugin is enabled', async () => {
    const r = await hub.cli(['list-api']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('createSideTag(basetag, debuginfo=False, suffix=None)');
    expect(lines).toContain('removeSideTag(sidetag)');
    expect(lines).toContain('listSideTags(basetag=None, user=None, queryOpts=None)');
    expect(lines).toContain('editSideTag(sidetag, debuginfo=None, rpm_macros=None, remove_rpm_macros=None, extra=None, remove_extra=None)');
  });

  it('add-sidetag prints the new name; the tag inherits from the base and has a target of its own', async () => {
    const r = await hub.cli(['add-sidetag', 'f30-build'], { user: 'bob' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = /^f30-build-side-(\d+)\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    const name = r.stdout.trim();
    const info = (await py(hub, 'bob', `
t = p.getTag(${JSON.stringify(name)})
out({'tag': t, 'parents': p.getInheritanceData(t['id']), 'target': p.getBuildTarget(${JSON.stringify(name)})})
`)) as { tag: Record<string, unknown>; parents: Array<Record<string, unknown>>; target: Record<string, unknown> };
    expect(info.tag.id).toBe(Number(m![1]));
    expect(info.tag.arches).toBe('x86_64');
    expect(info.tag.extra).toEqual({ sidetag: true, sidetag_user: 'bob', sidetag_user_id: ids.bob });
    expect(info.parents.map((p) => [p.name, p.priority])).toEqual([['f30-build', 0]]);
    expect(info.target).toMatchObject({ name, build_tag: info.tag.id, dest_tag: info.tag.id, build_tag_name: name, dest_tag_name: name });
  });

  it('refuses the twelfth sidetag of a user with "Policy violation" (number_of_tags counts those held before)', async () => {
    for (let i = 0; i < 11; i++) await sidetagOf(hub, 'dave', ['-q']);
    const r = await hub.cli(['add-sidetag', 'f30-build'], { user: 'dave' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Policy violation');
    const list = await hub.cli(['list-sidetags', '--user', 'dave']);
    expect(list.stdout.trim().split('\n')).toHaveLength(11);
  });

  it('refuses a base tag the policy does not name', async () => {
    const r = await hub.cli(['add-sidetag', 'f31-build'], { user: 'bob' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Policy violation');
  });

  it("returns Koji's shapes to a foreign XML-RPC client", async () => {
    const r = (await py(hub, 'erin', `
made = p.createSideTag('f30-build')
listed = p.listSideTags(kw(user='erin'))
tagged = p.listSideTags(kw(basetag='f30-build', user=${ids.erin}))
denied = fault(lambda: p.createSideTag('f31-build'))
counted = p.listSideTags(kw(user='erin', queryOpts={'countOnly': True}))
out({'made': made, 'listed': listed, 'tagged': tagged, 'denied': denied, 'counted': counted})
`)) as Record<string, unknown>;
    const made = r.made as Record<string, unknown>;
    expect(Object.keys(made).sort()).toEqual(['id', 'name', 'request', 'task_id']);
    expect(made.name).toBe(`f30-build-side-${made.id}`);
    expect(made.task_id).toBeNull();
    expect(made.request).toBeNull();
    expect(r.listed).toEqual([{ id: made.id, name: made.name, user_id: String(ids.erin), user_name: 'erin' }]);
    expect(r.tagged).toEqual(r.listed);
    expect(r.denied).toMatchObject({ faultCode: 1004 });
    expect(String((r.denied as Record<string, unknown>).faultString)).toStartWith('policy violation (sidetag)');
    expect(r.counted).toBe(1);
  });

  it('names every sidetag after its own id, also when many are made at once', async () => {
    const script = (user: string) => `
import threading
names = []
def make():
    q = login(${JSON.stringify(user)}, ${JSON.stringify(`${user}-pw-123`)})
    r = q.createSideTag('f30-build')
    names.append([r['id'], r['name']])
threads = [threading.Thread(target=make) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
out(names)
`;
    const admin = py(hub, 'admin', `
for i in range(8):
    p.createTag('plain-%d' % i)
out(True)
`);
    const [carol, erin] = await Promise.all([python(hub.hubUrl, script('carol')), python(hub.hubUrl, script('erin')), admin]);
    const pairs = [carol, erin].flatMap((r) => r.json as Array<[number, string]>);
    expect(pairs).toHaveLength(8);
    for (const [id, name] of pairs) expect(name).toBe(`f30-build-side-${id}`);
  });

  it('lists sidetags by base tag, by user and with --mine', async () => {
    // a sidetag of f31-build made by hand, as an admin could (the policy allows none)
    await py(hub, 'admin', `
p.createTag('f31-build-manual', kw(parent='f31-build', extra={'sidetag': True, 'sidetag_user': 'carol', 'sidetag_user_id': ${ids.carol}}))
out(True)
`);
    const byBase = await hub.cli(['list-sidetags', '--basetag', 'f31-build']);
    expect(byBase.stdout).toBe('f31-build-manual\n');
    const bob = await hub.cli(['list-sidetags', '--user', 'bob']);
    const mine = await hub.cli(['list-sidetags', '--mine'], { user: 'bob' });
    expect(bob.stdout).toMatch(/^(f30-build-side-\d+\n)+$/);
    expect(mine.stdout).toBe(bob.stdout);
    const all = await hub.cli(['list-sidetags']);
    const f30 = await hub.cli(['list-sidetags', '--basetag', 'f30-build']);
    expect(all.stdout.split('\n').length).toBe(f30.stdout.split('\n').length + 1);
    const both = await hub.cli(['list-sidetags', '--user', 'bob', '--mine'], { user: 'bob' });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Specify only one from --user --mine');
    const unknown = await hub.cli(['list-sidetags', '--user', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No such user: nobody');
  });

  it('list-sidetags --verbose shows owner, age, builds, repo and expiry', async () => {
    await sidetagOf(hub, 'bob');
    const r = await hub.cli(['list-sidetags', '--verbose', '--user', 'bob']);
    expect(r.code).toBe(0);
    const [header, rule, ...rows] = r.stdout.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['Sidetag', 'Base', 'Owner', 'Age', 'Idle', 'Builds', 'Repo', 'Expires']);
    expect(rule).toMatch(/^[- ]+$/);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.split(/\s{2,}/).slice(1)).toEqual(['f30-build', 'bob', expect.stringMatching(DURATION), expect.stringMatching(DURATION), '0', '-', 'never']);
  });

  it('lets the owner remove a sidetag (several in one call) and refuses anyone else', async () => {
    const a = await sidetagOf(hub, 'bob');
    const b = await sidetagOf(hub, 'bob');
    const other = await hub.cli(['remove-sidetag', a], { user: 'carol' });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('ActionNotAllowed: This is not your sidetag');
    const notSide = await hub.cli(['remove-sidetag', 'f30-build'], { user: 'bob' });
    expect(notSide.stderr).toContain('GenericError: Not a sidetag: f30-build');
    const ok = await hub.cli(['remove-sidetag', a, b], { user: 'bob' });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const gone = await py(hub, 'bob', `out([p.getTag(${JSON.stringify(a)}), p.getBuildTarget(${JSON.stringify(a)}), p.getTag(${JSON.stringify(b)}), p.getBuildTarget(${JSON.stringify(b)})])`);
    expect(gone).toEqual([null, null, null, null]);
    const c = await sidetagOf(hub, 'bob');
    const byAdmin = await hub.cli(['remove-sidetag', c]);
    expect(byAdmin.code).toBe(0);
  });

  it("edit-sidetag changes what the parent allows, and refuses the rest with Koji's texts", async () => {
    const name = await sidetagOf(hub, 'bob');
    const edit = (args: string[], user = 'bob') => hub.cli(['edit-sidetag', name, ...args], { user });
    const none = await edit([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('At least one option needs to be specified');
    expect((await edit(['--debuginfo'])).stderr).toContain('GenericError: Debuginfo setting is not allowed in parent tag.');
    expect((await edit(['--rpm-macro', 'dist=.fc30'])).stderr).toContain('GenericError: RPM macros change is not allowed in parent tag.');

    const base = await hub.cli(['edit-tag', 'f30-build', '-x', 'sidetag_debuginfo_allowed=1', '-x', 'sidetag_rpm_macros_allowed=dist with_*']);
    expect(base.code).toBe(0);
    const ok = await edit(['--debuginfo', '--rpm-macro', 'dist=.fc30', '--rpm-macro', 'with_foo=1']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const extra = async () => ((await py(hub, 'bob', `out(p.getTag(${JSON.stringify(name)})['extra'])`)) as Record<string, unknown>);
    expect(await extra()).toMatchObject({ with_debuginfo: true, 'rpm.macro.dist': '.fc30', 'rpm.macro.with_foo': 1 });

    expect((await edit(['--rpm-macro', 'optflags=-O2'])).stderr).toContain('GenericError: RPM macro optflags editing is not allowed via parent tag');
    expect((await edit(['--rpm-macro', 'd=1'])).stderr).toContain("GenericError: Invalid macro name 'd'");
    expect((await edit(['--remove-rpm-macro', 'dist', '--no-debuginfo'])).code).toBe(0);
    const after = await extra();
    expect(after.with_debuginfo).toBe(false);
    expect('rpm.macro.dist' in after).toBe(false);
    expect((await edit(['--debuginfo'], 'carol')).stderr).toContain('ActionNotAllowed: This is not your sidetag');

    const raw = (await py(hub, 'bob', `out(fault(lambda: p.editSideTag(${JSON.stringify(name)}, kw(extra={'x': 1}))))`)) as Record<string, unknown>;
    expect(raw.faultString).toBe('Extra can be modified only with sidetag_admin or admin permissions.');
    const asAdmin = await py(hub, 'admin', `
p.editSideTag(${JSON.stringify(name)}, kw(extra={'sidetag_keep': True}))
out(p.getTag(${JSON.stringify(name)})['extra']['sidetag_keep'])
`);
    expect(asAdmin).toBe(true);
  });

  it('applies is_sidetag_owner in the package_list policy: owners may block in their sidetags', async () => {
    const name = await sidetagOf(hub, 'bob');
    const r = (await py(hub, 'admin', `
p.packageListAdd('f30-build', 'foo', 'admin', kw(force=True))
bob = login('bob', 'bob-pw-123')
carol = login('carol', 'carol-pw-123')
out({
  'carol': fault(lambda: carol.packageListBlock(${JSON.stringify(name)}, 'foo')),
  'bob_base': fault(lambda: bob.packageListBlock('f30-build', 'foo')),
  'bob': fault(lambda: bob.packageListBlock(${JSON.stringify(name)}, 'foo')),
  'blocked': [x['package_name'] for x in p.listPackages(kw(tagID=${JSON.stringify(name)}, inherited=True)) if x['blocked']],
})
`)) as Record<string, Record<string, unknown> | string[]>;
    expect((r.carol as Record<string, unknown>).faultCode).toBe(1004);
    expect((r.bob_base as Record<string, unknown>).faultCode).toBe(1004);
    expect(r.bob).toEqual({ ok: null });
    expect(r.blocked).toEqual(['foo']);
  });

  it('removes a sidetag when its last build is untagged (remove_empty)', async () => {
    const name = await sidetagOf(hub, 'bob');
    const r = (await py(hub, 'admin', `
b1 = p.createEmptyBuild('bar', '1.0', '1', None)
b2 = p.createEmptyBuild('bar', '1.0', '2', None)
p.packageListAdd('f30-build', 'bar', 'admin', kw(force=True))
p.tagBuildBypass(${JSON.stringify(name)}, b1)
p.tagBuildBypass(${JSON.stringify(name)}, b2)
bob = login('bob', 'bob-pw-123')
carol = login('carol', 'carol-pw-123')
denied = fault(lambda: carol.untagBuild(${JSON.stringify(name)}, b1))
bob.untagBuild(${JSON.stringify(name)}, b1)
still = p.getTag(${JSON.stringify(name)}) is not None
bob.untagBuild(${JSON.stringify(name)}, b2)
out({'denied': denied, 'still': still, 'tag': p.getTag(${JSON.stringify(name)}), 'target': p.getBuildTarget(${JSON.stringify(name)}),
     'listed': [t['name'] for t in p.listSideTags()]})
`)) as Record<string, unknown>;
    expect((r.denied as Record<string, unknown>).faultCode).toBe(1004);
    expect(r.still).toBe(true);
    expect(r.tag).toBeNull();
    expect(r.target).toBeNull();
    expect(r.listed as string[]).not.toContain(name);
  });

  it('allows the configured suffixes and refuses others', async () => {
    const ok = await hub.cli(['add-sidetag', 'f30-build', '--suffix', 'test'], { user: 'carol' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^f30-build-side-\d+-test\n$/);
    const bad = await hub.cli(['add-sidetag', 'f30-build', '--suffix', 'nope'], { user: 'carol' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('GenericError: nope suffix is not allowed for sidetag');
  });

  it('applies is_sidetag and is_sidetag_owner [tag|fromtag|both] in the tag policy', async () => {
    const a = await sidetagOf(hub, 'bob');
    const b = await sidetagOf(hub, 'bob');
    const c = await sidetagOf(hub, 'carol');
    const r = (await py(hub, 'admin', `
b1 = p.createEmptyBuild('qux', '1.0', '1', None)
p.packageListAdd('f30-build', 'qux', 'admin', kw(force=True))
p.tagBuildBypass(${JSON.stringify(a)}, b1)
bob = login('bob', 'bob-pw-123')
carol = login('carol', 'carol-pw-123')
ok = lambda r: r if 'faultCode' in r else {'ok': isinstance(r['ok'], int)}
out({
  'tag_into_sidetag': ok(fault(lambda: carol.tagBuild(${JSON.stringify(c)}, b1))),
  'tag_into_base': fault(lambda: carol.tagBuild('f30-build', b1))['faultCode'],
  'move_own': ok(fault(lambda: bob.tagBuild(${JSON.stringify(b)}, b1, kw(fromtag=${JSON.stringify(a)})))),
  'move_foreign': fault(lambda: carol.tagBuild(${JSON.stringify(c)}, b1, kw(fromtag=${JSON.stringify(a)})))['faultCode'],
  'untag_foreign': fault(lambda: carol.untagBuild(${JSON.stringify(a)}, b1))['faultCode'],
  'untag_base': fault(lambda: bob.untagBuild('f30-build', b1))['faultCode'],
})
`)) as Record<string, unknown>;
    expect(r).toEqual({
      tag_into_sidetag: { ok: true },
      tag_into_base: 1004,
      move_own: { ok: true },
      move_foreign: 1004,
      untag_foreign: 1004,
      untag_base: 1004,
    });
  });

  it('rejects bad is_sidetag_owner arguments when the policy is read', async () => {
    let error = '';
    try {
      const bad = await startHub({ config: { 'koji-hub/hub.conf': '[hub]\nPlugins = sidetag_hub\n[policy]\ntag =\n    is_sidetag_owner parent :: allow\n' } });
      await stopHub(bad);
    } catch (err) {
      error = (err as Error).message;
    }
    expect(error).toContain('Policy test is_sidetag_owner has only /tag/fromtag/both options (got parent)');
  });
});

describe('sidetag.conf checks at start-up', () => {
  it('stops the hub with a clear message when name_template lacks a placeholder', async () => {
    let error = '';
    try {
      const hub = await startHub({
        config: { 'koji-hub/hub.conf': '[hub]\nPlugins = sidetag_hub\n', 'koji-hub/plugins/sidetag.conf': '[sidetag]\nname_template = {basetag}-side\n' },
      });
      await stopHub(hub);
    } catch (err) {
      error = (err as Error).message;
    }
    expect(error).toContain('hub exited with 1 before ready');
    expect(error).toContain("koji-hub/plugins/sidetag.conf: [sidetag] name_template: '{basetag}-side' must contain both {basetag} and {tag_id} (missing {tag_id})");
  });

  it('names sidetags by a custom template', async () => {
    const hub = await startHub({
      config: {
        'koji-hub/hub.conf': '[hub]\nPlugins = sidetag\n',
        'koji-hub/plugins/sidetag.conf': '[sidetag]\nname_template = side-{tag_id:04d}-of-{basetag}\n',
      },
    });
    try {
      const r = (await py(hub, 'admin', `
p.createTag('base')
out(p.createSideTag('base'))
`)) as Record<string, unknown>;
      expect(r.name).toBe(`side-${String(r.id).padStart(4, '0')}-of-base`);
    } finally {
      await stopHub(hub);
    }
  });

  it('requests the first repo and returns the request and its newRepo task with trigger_new_repo', async () => {
    const hub = await startHub({
      config: { 'koji-hub/hub.conf': '[hub]\nPlugins = sidetag_hub\n', 'koji-hub/plugins/sidetag.conf': '[sidetag]\ntrigger_new_repo = True\n' },
    });
    try {
      const r = (await py(hub, 'admin', `
p.createTag('base', kw(arches='x86_64'))
made = p.createSideTag('base')
out({'made': made, 'task': p.getTaskInfo(made['task_id'], kw(request=True)) if made['task_id'] else None})
`)) as { made: Record<string, unknown>; task: Record<string, unknown> | null };
      const request = r.made.request as Record<string, unknown>;
      expect(request).toMatchObject({ tag_id: r.made.id, active: true, task_id: r.made.task_id });
      expect(typeof r.made.task_id).toBe('number');
      expect(r.task).toMatchObject({ id: r.made.task_id, method: 'newRepo' });
      expect((r.task!.request as unknown[])[0]).toMatchObject({ id: r.made.id, name: r.made.name });
    } finally {
      await stopHub(hub);
    }
  });
});

describe('sidetag lifetimes', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub({
      config: {
        'koji-hub/hub.conf': '[hub]\nPlugins = sidetag_hub\n',
        'koji-hub/plugins/sidetag.conf': '[sidetag]\nmax_idle = 4s\nmax_empty_age = 2s\nsweep_interval = 0.5\n',
      },
    });
    await addUser(hub, 'bob');
  });
  afterAll(() => stopHub(hub));

  it('removes idle and empty sidetags with their targets, logs why, and spares kept and busy ones', async () => {
    const made = (await py(hub, 'admin', `
p.createTag('f30-build', kw(arches='x86_64'))
bob = login('bob', 'bob-pw-123')
names = {k: bob.createSideTag('f30-build')['name'] for k in ['empty', 'used', 'kept', 'busy']}
b = p.createEmptyBuild('baz', '1', '1', None)
p.packageListAdd('f30-build', 'baz', 'admin')
p.tagBuildBypass(names['used'], b)
p.editSideTag(names['kept'], kw(extra={'sidetag_keep': True}))
# a build for the busy sidetag's target waits for a builder that never comes
task = p.build('git://example.com/hello.git#0123abcd', names['busy'])
out({'names': names, 'task': task})
`)) as { names: Record<string, string>; task: number };
    const { names } = made;
    const live = async () => ((await py(hub, 'admin', `out([t['name'] for t in p.listSideTags()])`)) as string[]);

    // max_empty_age (2s) takes the empty one first; the one holding a build lasts until max_idle (4s)
    const deadline = Date.now() + 15000;
    let seenUsedAfterEmpty = false;
    while (Date.now() < deadline) {
      const now = await live();
      if (!now.includes(names.empty!) && now.includes(names.used!)) seenUsedAfterEmpty = true;
      if (!now.includes(names.used!)) break;
      await Bun.sleep(250);
    }
    expect(seenUsedAfterEmpty).toBe(true);
    const left = await live();
    expect(left).not.toContain(names.empty);
    expect(left).not.toContain(names.used);
    expect(left).toContain(names.kept);
    expect(left).toContain(names.busy);

    const gone = await py(hub, 'admin', `out([p.getBuildTarget(${JSON.stringify(names.empty)}), p.getTag(${JSON.stringify(names.used)})])`);
    expect(gone).toEqual([null, null]);
    const log = hub.log();
    expect(log).toMatch(new RegExp(`removed sidetag ${names.empty} \\(id \\d+, owner bob\\) with its target and repos: max_empty_age 2s`));
    expect(log).toMatch(new RegExp(`removed sidetag ${names.used} \\(id \\d+, owner bob\\) with its target and repos: max_idle 4s .*1 build\\)`));

    const verbose = await hub.cli(['list-sidetags', '--verbose']);
    const row = (n: string) => verbose.stdout.split('\n').find((l) => l.startsWith(n + ' '))!;
    expect(row(names.kept!)).toMatch(/kept$/);
    expect(row(names.busy!)).toMatch(/due \(in use\)$/);

    // once the build is gone, the busy one goes too
    await py(hub, 'admin', `p.cancelTask(${made.task})\nout(True)`);
    const until = Date.now() + 10000;
    while (Date.now() < until && (await live()).includes(names.busy!)) await Bun.sleep(250);
    expect(await live()).not.toContain(names.busy);
  });
});

describe('add-sidetag --wait', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub({
      allInOne: true,
      config: { 'koji-hub/hub.conf': HUB_CONF, 'koji-hub/plugins/sidetag.conf': SIDETAG_CONF },
    });
    await addUser(hub, 'bob');
    const r = await hub.cli(['add-tag', 'f30-build', '--arches', 'x86_64']);
    if (r.code !== 0) throw new Error(r.stderr);
  });
  afterAll(() => stopHub(hub));

  it('prints the name, returns once the repo is READY and says how long it waited', async () => {
    const r = await hub.cli(['add-sidetag', 'f30-build', '--wait'], { user: 'bob' });
    expect(r.code).toBe(0);
    const m = /^(f30-build-side-\d+)\nSuccessfully waited \d+:\d\d for a new (f30-build-side-\d+) repo\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(m![2]).toBe(m![1]);
    const repo = (await py(hub, 'bob', `out(p.getRepo(${JSON.stringify(m![1])}))`)) as Record<string, unknown>;
    expect(repo.state).toBe(1);
    expect(repo.tag_name).toBe(m![1]);
  });

  it('prints nothing with -q and still waits', async () => {
    const r = await hub.cli(['add-sidetag', '-q', '-w', 'f30-build'], { user: 'bob' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const tags = (await py(hub, 'bob', `out([p.getRepo(t['name']) is not None for t in p.listSideTags(kw(user='bob'))])`)) as boolean[];
    expect(tags).toEqual([true, true]);
  });

  it('takes the repos and their directories away with a removed sidetag', async () => {
    const made = await hub.cli(['add-sidetag', 'f30-build', '--wait', '-q'], { user: 'bob' });
    expect(made.code).toBe(0);
    const name = ((await py(hub, 'bob', `out(p.listSideTags(kw(user='bob'))[-1]['name'])`)) as string);
    const repo = (await py(hub, 'bob', `out(p.getRepo(${JSON.stringify(name)}))`)) as Record<string, unknown>;
    const dir = join(hub.dataDir, 'topdir', 'repos', name);
    expect(existsSync(join(dir, String(repo.id)))).toBe(true);
    const r = await hub.cli(['remove-sidetag', name], { user: 'bob' });
    expect(r.code).toBe(0);
    const after = (await py(hub, 'bob', `out(p.repoInfo(${repo.id as number})['state'])`)) as number;
    expect(after).toBe(3);
    expect(existsSync(dir)).toBe(false);
  });
});
