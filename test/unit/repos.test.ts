import { describe, expect, it } from 'bun:test';
import { Store } from '../../src/store/db.ts';
import { queryView, canonicalJson } from '../../src/store/query-view.ts';
import { REPO_VIEW, REPO_QUEUE_VIEW } from '../../src/store/repos.ts';
import { insertRepo, insertRequest, requestsFulfilledBy, firstChangeEvent } from '../../src/store/repos.ts';
import { generateComps } from '../../src/hub/repos/comps.ts';
import { convertRepoOpts, repoOptsFor } from '../../src/hub/repos/opts.ts';
import { buildRelDir, canonArch, isDebuginfo, rpmRelPath } from '../../src/hub/repos/paths.ts';
import { HUB_DEFAULTS } from '../../src/config/hub.ts';
import { KojiError } from '../../src/core/faults.ts';

function store(): Store {
  const s = new Store(':memory:');
  s.migrate();
  s.run('INSERT INTO events (id, time) VALUES (1, 100), (2, 200), (3, 300), (4, 400)');
  s.run("INSERT INTO tag (id, name) VALUES (1, 'a'), (2, 'b')");
  s.run("INSERT INTO users (id, name) VALUES (1, 'admin')");
  return s;
}

const OPTS = { src: false, debuginfo: false, separate_src: false, maven: false };

function repo(s: Store, tag: number, event: number, state: number, opts = OPTS, custom = {}): number {
  return insertRepo(s, { create_event: event, creation_time: event, tag_id: tag, state, dist: false, opts, custom_opts: custom, task_id: null, begin_event: null, end_event: null });
}

describe('queryView', () => {
  it('selects Koji\'s fields with implicit joins and orders and limits', () => {
    const s = store();
    repo(s, 1, 1, 1);
    const r2 = repo(s, 1, 3, 1);
    repo(s, 2, 2, 0);
    const rows = queryView(s, REPO_VIEW, [['tag_id', '=', 1]], ['id', 'tag_name', 'create_ts'], { order: '-create_event', limit: 1 });
    expect(rows).toEqual([{ id: r2, tag_name: 'a', create_ts: 300 }]);
    expect(queryView(s, REPO_VIEW, [['state', 'IN', [0, 1]]], null, { countOnly: true })).toBe(3);
    expect(queryView(s, REPO_VIEW, [['tag_id', [2]]], ['id'])).toHaveLength(1);
    expect(queryView(s, REPO_VIEW, [['dist', 'IS', false], ['task_id', 'IS', null]], ['id'], { countOnly: true })).toBe(3);
  });

  it('compares opts by containment as jsonb does', () => {
    const s = store();
    const plain = repo(s, 1, 1, 1);
    const debug = repo(s, 1, 2, 1, { ...OPTS, debuginfo: true }, { debuginfo: true });
    const ids = (clauses: unknown[]) => (queryView(s, REPO_VIEW, clauses, ['id']) as Array<{ id: number }>).map((r) => r.id);
    // what repo.get asks: all options asked for, no custom ones not asked for
    expect(ids([['opts', '@>', {}], ['custom_opts', '<@', {}]])).toEqual([plain]);
    expect(ids([['opts', '@>', { debuginfo: true }], ['custom_opts', '<@', { debuginfo: true }]])).toEqual([debug]);
    expect(ids([['custom_opts', '=', {}]])).toEqual([plain]);
    expect(ids([['custom_opts', '=', { debuginfo: true }]])).toEqual([debug]);
    expect(ids([['opts', '@>', { debuginfo: false, src: false }]])).toEqual([plain]);
  });

  it('refuses unknown fields, operators and malformed clauses with ParameterError', () => {
    const s = store();
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return [(e as KojiError).faultName, (e as Error).message];
      }
      return null;
    };
    expect(err(() => queryView(s, REPO_VIEW, [['nope', '=', 1]], null))).toEqual(['ParameterError', 'Invalid field for query nope']);
    expect(err(() => queryView(s, REPO_VIEW, [['id', 'LIKE', 1]], null))).toEqual(['ParameterError', 'Invalid operator: LIKE']);
    expect(err(() => queryView(s, REPO_VIEW, [['id']], null))).toEqual(['ParameterError', 'Invalid clause: ["id"]']);
  });

  it('finds the requests a new repo fulfils, by event and options', () => {
    const s = store();
    const base = { owner: 1, priority: 20, tag_id: 1, at_event: null, opts: {}, create_time: 1 };
    const early = insertRequest(s, { ...base, min_event: 2 });
    insertRequest(s, { ...base, min_event: 4 });
    const exact = insertRequest(s, { ...base, min_event: null, at_event: 3 });
    const wantsDebug = insertRequest(s, { ...base, min_event: 1, opts: { debuginfo: true } });
    const plain = requestsFulfilledBy(s, { tag_id: 1, create_event: 3, opts: OPTS, custom_opts: {} });
    expect(plain.sort()).toEqual([early, exact].sort());
    const debug = requestsFulfilledBy(s, { tag_id: 1, create_event: 3, opts: { ...OPTS, debuginfo: true }, custom_opts: { debuginfo: true } });
    // a repo with custom options serves only requests that asked for them
    expect(debug).toEqual([wantsDebug]);
    expect(queryView(s, REPO_QUEUE_VIEW, [['id', '=', early]], ['owner_name', 'active', 'opts'])).toEqual([{ owner_name: 'admin', active: 1, opts: '{}' }]);
  });

  it('keeps opts as canonical JSON', () => {
    expect(canonicalJson({ src: true, debuginfo: false })).toBe('{"debuginfo":false,"src":true}');
  });
});

describe('firstChangeEvent', () => {
  it('is the tag\'s creation without `after`, else the first change to any of the tags after it', () => {
    const s = store();
    s.run('INSERT INTO tag_config (tag_id, create_event, active) VALUES (1, 1, 1), (2, 1, 1)');
    s.run('INSERT INTO build_target (id, name) VALUES (1, \'t\')');
    s.run("INSERT INTO package (id, name) VALUES (1, 'p')");
    s.run('INSERT INTO tag_packages (package_id, tag_id, create_event, active) VALUES (1, 2, 3, 1)');
    expect(firstChangeEvent(s, 1, [1], null)).toBe(1);
    expect(firstChangeEvent(s, 1, [1], 1)).toBeNull();
    expect(firstChangeEvent(s, 1, [1, 2], 1)).toBe(3);
  });
});

describe('generateComps', () => {
  it('writes groups sorted, expands required groups and escapes text', () => {
    const xml = generateComps([
      { name: 'build', display_name: 'Build & co', description: null, is_default: true, uservisible: true, packagelist: [{ package: 'make', type: 'mandatory' }], grouplist: [{ name: 'core' }, { name: 'gone' }] },
      { name: 'core', display_name: 'Core', description: 'base', is_default: false, uservisible: false, packagelist: [{ package: 'bash', type: 'mandatory' }, { package: 'make', type: 'default', basearchonly: true }], grouplist: [] },
    ]);
    expect(xml.indexOf('<id>build</id>')).toBeLessThan(xml.indexOf('<id>core</id>'));
    expect(xml).toContain('<name>Build &amp; co</name>');
    expect(xml).toContain('<!-- Expanding Group: core -->\n      <packagereq type="mandatory">bash</packagereq>\n');
    expect(xml).toContain('<!-- MISSING GROUP: gone -->');
    // a package the group already has is not repeated from a required group
    expect(xml.match(/>make</g)).toHaveLength(2);
    expect(xml).toContain('<packagereq type="default" basearchonly="true">make</packagereq>');
    expect(xml.endsWith('</comps>\n')).toBe(true);
  });

  it('lists requirements instead of expanding them when asked', () => {
    const xml = generateComps([{ name: 'a', display_name: 'A', packagelist: [], grouplist: [{ name: 'b', type: 'mandatory', is_metapkg: true }] }], false);
    expect(xml).toContain('<grouplist>\n      <metapkg type="mandatory">b</metapkg>\n    </grouplist>');
  });
});

describe('repo options', () => {
  it('checks what callers pass as Koji\'s convert_repo_opts does', () => {
    expect(convertRepoOpts({ src: 1, debuginfo: null }, true)).toEqual({ src: true });
    expect(() => convertRepoOpts({ bogus: true }, true)).toThrow('Invalid repo option: bogus');
    expect(() => convertRepoOpts([1], true)).toThrow('Repo opts must be a dictionary');
    expect(convertRepoOpts({ bogus: true, src: false }, false)).toEqual({ src: false });
  });

  it('takes defaults from hub.conf patterns and tag extra, and reports overrides as custom', () => {
    const cfg = { ...HUB_DEFAULTS, DebuginfoTags: ['*-debug'], SourceTags: ['src-*'] };
    const tag = (name: string, extra: Record<string, unknown> = {}) => ({ name, maven_support: false, extra });
    expect(repoOptsFor(cfg, tag('f-debug'), null).opts).toMatchObject({ debuginfo: true, src: false });
    expect(repoOptsFor(cfg, tag('src-x'), null).opts).toMatchObject({ src: true });
    expect(repoOptsFor(cfg, tag('x', { with_debuginfo: true }), null).opts.debuginfo).toBe(true);
    expect(repoOptsFor(cfg, tag('x', { 'repo.opts': { separate_src: true }, with_debuginfo: true }), null).opts).toMatchObject({ separate_src: true, debuginfo: false });
    const r = repoOptsFor(cfg, tag('f-debug'), { debuginfo: true, src: true });
    expect(r.custom).toEqual({ src: true });
    expect(r.opts).toEqual({ src: true, debuginfo: true, separate_src: false, maven: false });
  });
});

describe('repo paths', () => {
  it('lays packages out as Koji\'s PathInfo does, volumes included', () => {
    expect(buildRelDir({ package_name: 'foo', version: '1', release: '2', volume_name: 'DEFAULT' })).toBe('packages/foo/1/2');
    expect(buildRelDir({ package_name: 'foo', version: '1', release: '2', volume_name: 'archive' })).toBe('vol/archive/packages/foo/1/2');
    expect(rpmRelPath({ name: 'foo', version: '1', release: '2', arch: 'noarch' })).toBe('noarch/foo-1-2.noarch.rpm');
    expect(canonArch('i686')).toBe('i386');
    expect(isDebuginfo('foo-debuginfo')).toBe(true);
    expect(isDebuginfo('foo-debugsource')).toBe(true);
    expect(isDebuginfo('foo-debuginfo-common')).toBe(true);
    expect(isDebuginfo('debuginfod')).toBe(false);
  });
});
