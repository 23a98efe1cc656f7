import { describe, expect, it } from 'bun:test';
import {
  PolicySet,
  standardRegistry,
  type PolicyBuildInfo,
  type PolicyData,
  type PolicyLookups,
} from '../../src/hub/policy/index.ts';

/**
 * A fake hub: users (10 is a group), tags with inheritance, builds with the
 * facts tests derive from them.
 */
const USERS: Record<number, string> = { 1: 'alice', 2: 'bob', 3: 'root', 10: 'devs' };
const PERMS: Record<number, string[]> = { 2: ['tag', 'repo'], 3: ['admin'] };
const GROUPS: Record<number, string[]> = { 1: ['devs', 'qa'] };
const TAGS: Record<number, string> = { 1: 'f30-build', 2: 'f30-updates-candidate', 4: 'epel8-build', 7: 'f30' };
const PARENTS: Record<string, string[]> = { 'f30-build': ['f30', 'fedora-base'], 'epel8-build': ['epel8'] };
const BUILDS: Record<number, PolicyBuildInfo> = {
  100: {
    name: 'foo', version: '1.0', release: '1.fc30', owner_id: 1, volume_name: 'DEFAULT', draft: false,
    source: 'git+https://src.example.com/rpms/foo#abc', cg_names: [], btypes: ['rpm'], imported: false,
  },
  101: {
    name: 'bar', version: '2.1', release: '3.el8', owner_id: 10, volume_name: 'archive', draft: false,
    source: null, btypes: ['rpm', 'maven'], imported: true,
  },
  103: { name: 'baz', version: '0.1', release: '0.1', owner_id: 2, volume_name: 'DEFAULT', draft: true },
  104: { name: 'img', version: '1', release: '1', owner_id: 2, volume_name: 'DEFAULT', draft: false, cg_names: ['osbs'] },
};
const BUILD_ROOT_TAGS: Record<number, (string | null)[]> = { 100: ['f30-build'], 101: ['epel8-build'], 104: [null] };
const BUILD_TAGS: Record<number, string[]> = { 100: ['f30-updates-candidate', 'f30'] };
const PACKAGES: Record<number, string> = { 7: 'bar' };
const EXISTING_PACKAGES = new Set(['foo', 'bar', 'baz', 'img']);

function world(extra: Partial<PolicyLookups> = {}): PolicyLookups {
  const tagName = (tag: number | string) =>
    typeof tag === 'number' ? (TAGS[tag] ?? null) : Object.values(TAGS).includes(tag) ? tag : null;
  return {
    userName: (id) => USERS[id] ?? null,
    userPerms: (id) => PERMS[id] ?? [],
    userGroups: (id) => GROUPS[id] ?? [],
    tagName,
    tagsOfBuild: (build) => BUILD_TAGS[build] ?? [],
    tagAncestors: (tag) => PARENTS[tagName(tag) ?? ''] ?? [],
    buildInfo: (build) => BUILDS[Number(build)] ?? null,
    isNewPackage: (_tag, pkg) => !EXISTING_PACKAGES.has(pkg),
    packageName: (id) => PACKAGES[id] ?? null,
    volumeName: (id) => ({ 0: 'DEFAULT', 2: 'archive' })[id] ?? null,
    targetBuildTag: (target) => ({ 'f30-candidate': 'f30-build' })[String(target)] ?? null,
    buildRootTags: (build) => BUILD_ROOT_TAGS[Number(build)] ?? [],
    ...extra,
  };
}

const registry = standardRegistry();

/** Whether `tests` (the left side of a rule) hold for `data`. */
function holds(tests: string, data: PolicyData, lookups = world()): boolean {
  const set = new PolicySet(registry, { probe: `${tests} :: yes` });
  return set.evaluate('probe', data, lookups).action === 'yes';
}

type Row = [tests: string, data: PolicyData, expected: boolean];

function table(title: string, rows: Row[]) {
  describe(title, () => {
    it.each(rows)('%s with %j is %p', (tests, data, expected) => {
      expect(holds(tests, data)).toBe(expected);
    });
  });
}

table('generic tests', [
  ['true', {}, true],
  ['all', {}, true],
  ['false', {}, false],
  ['none', {}, false],
  ['has x', { x: null }, true],
  ['has x', {}, false],
  ['bool x', { x: 'a' }, true],
  ['bool x', { x: [1] }, true],
  ['bool x', { x: 0 }, false],
  ['bool x', { x: [] }, false],
  ['bool x', { x: '' }, false],
  ['bool x', { x: {} }, false],
  ['bool x', {}, false],
  ['match action block', { action: 'block' }, true],
  ['match action block unblock', { action: 'unblock' }, true],
  ['match action block', { action: 'add' }, false],
  ['match action block', {}, false],
  ['match action *', { action: null }, false],
  ['match n 5', { n: 5 }, true],
  ['match flag True', { flag: true }, true],
  ['match list *', { list: ['a'] }, false],
  ['match_any arches x86_64', { arches: ['noarch', 'x86_64'] }, true],
  ['match_any arches x86_64', { arches: [null, 'x86_64'] }, true],
  ['match_any arches x86_64', { arches: 'x86_64' }, false],
  ['match_any arches *', { arches: [] }, false],
  ['match_any arches *', {}, false],
  ['match_any ids 4*', { ids: [12, 42] }, true],
  ['match_all arches x86_64 noarch', { arches: ['noarch', 'x86_64'] }, true],
  ['match_all arches x86_64 noarch', { arches: new Set(['noarch']) }, true],
  ['match_all arches x86_64 noarch', { arches: ['noarch', 'ppc64le'] }, false],
  ['match_all arches *', { arches: [null, 'noarch'] }, false],
  ['match_all arches *', { arches: [] }, false],
  ['match_all arches *', {}, false],
  ['compare number_of_tags <= 10', { number_of_tags: 10 }, true],
  ['compare number_of_tags <= 10', { number_of_tags: 11 }, false],
  ['compare number_of_tags < 10', { number_of_tags: 10 }, false],
  ['compare number_of_tags > 2.5', { number_of_tags: 3 }, true],
  ['compare number_of_tags >= 3', { number_of_tags: 3 }, true],
  ['compare number_of_tags = 3', { number_of_tags: 3 }, true],
  ['compare number_of_tags != 3', { number_of_tags: 3 }, false],
  ['compare number_of_tags = 1', { number_of_tags: true }, true],
  ['compare number_of_tags > 0', {}, false],
  ['target f30-*', { target: 'f30-candidate' }, true],
  ['target f30-*', { target: 'el8-candidate' }, false],
  ['target *', { target: null }, false],
]);

table('tag and build tests', [
  ['operation tag', { operation: 'tag' }, true],
  ['operation tag', { operation: 'move' }, false],
  ['operation *', {}, false],
  ['package f*', { package: 'foo' }, true],
  ['package foo', { build: 100 }, true],
  ['package bar', { package: 7 }, true],
  ['package foo', { package: 'bar', build: 100 }, false],
  ['version 1.*', { version: '1.0' }, true],
  ['version 1.0', { build: 100 }, true],
  ['version *', { version: null }, false],
  ['release *.fc30', { build: 100 }, true],
  ['release *.fc30', { release: '3.el8', build: 100 }, false],
  ['volume DEF*', { volume: 'DEFAULT' }, true],
  ['volume archive', { volume: 2 }, true],
  ['volume archive', { build: 101 }, true],
  ['volume *', { volume: 99 }, false],
  ['volume *', {}, false],
  ['tag f30-*', { tag: 1 }, true],
  ['tag f30-*', { tag: 'f30-build' }, true],
  ['tag f30-*', { tag: 7 }, false],
  ['tag *', { tag: null }, false],
  ['tag *', { tag: 999 }, false],
  ['tag *', {}, false],
  ['fromtag *-candidate', { fromtag: 2 }, true],
  ['fromtag *-candidate', { tag: 2 }, false],
  ['hastag *-candidate', { build: 100 }, true],
  ['hastag epel*', { build: 100 }, false],
  ['hastag *', {}, false],
  ['buildtag f30-build', { build_tag: 1 }, true],
  ['buildtag epel*', { build_tags: [1, 4] }, true],
  ['buildtag f30-build', { target: 'f30-candidate' }, true],
  ['buildtag *', { target: 'no-such-target' }, false],
  ['buildtag f30-build', { build: 100 }, true],
  ['buildtag epel*', { build_tag: 1, build: 101 }, false],
  ['buildtag *', { build: 104 }, false],
  ['buildtag *', {}, false],
  ['buildtag_inherits_from fedora-*', { build_tag: 'f30-build' }, true],
  ['buildtag_inherits_from f30-build', { build_tag: 'f30-build' }, false],
  ['buildtag_inherits_from epel8', { build: 101 }, true],
  ['buildtype maven', { btypes: ['maven'] }, true],
  ['buildtype maven', { build: 101 }, true],
  ['buildtype maven', { build: 100 }, false],
  ['buildtype *', {}, false],
  ['skip_tag', { skip_tag: true }, true],
  ['skip_tag', { skip_tag: false }, false],
  ['skip_tag', {}, false],
  ['imported', { build: 101 }, true],
  ['imported', { build: 100 }, false],
  ['is_draft', { draft: true }, true],
  ['is_draft', { build: 103 }, true],
  ['is_draft', { build: 103, draft: false }, false],
  ['is_draft', { build: 100 }, false],
  ['is_draft', {}, false],
  ['source git+https://src.example.com/*', { source: 'git+https://src.example.com/rpms/foo#abc' }, true],
  ['source git+https://src.example.com/*', { build: 100 }, true],
  ['source *', { build: 101 }, false],
  ['source *', { source: null }, false],
  ['source *', {}, false],
  ['cg_match_any osbs', { cg_list: ['osbs', 'pungi'] }, true],
  ['cg_match_all osbs', { cg_list: ['osbs', 'pungi'] }, false],
  ['cg_match_all osbs pungi', { cg_list: ['osbs', 'pungi'] }, true],
  ['cg_match_all osbs', { build: 104 }, true],
  ['cg_match_any *', { build: 100 }, false],
  ['cg_match_all *', { build: 100 }, false],
  ['cg_match_all *', { cg_list: ['osbs', null] }, false],
  ['cg_match_any *', {}, false],
  ['is_new_package', { package: 'newpkg', tag: 1 }, true],
  ['is_new_package', { package: 'foo', tag: 1 }, false],
  ['is_new_package', { package: 7, tag: 1 }, false],
  ['is_new_package', { build: 100 }, false],
]);

table('task tests', [
  ['is_child_task', { parent: 5 }, true],
  ['is_child_task', { parent: null }, false],
  ['is_child_task', {}, false],
  ['method build', { method: 'build' }, true],
  ['method new*', { method: 'newRepo' }, true],
  ['method build', { method: 'buildArch' }, false],
  ['vm_name win-*', { vm_name: 'win-2019' }, true],
  ['vm_name win-*', {}, false],
]);

table('user tests', [
  ['user alice', { user_id: 1 }, true],
  ['user alice', { user_id: 2 }, false],
  ['user *', { user_id: 999 }, false],
  ['user *', {}, false],
  ['has_perm admin', { user_id: 3 }, true],
  ['has_perm admin tag', { user_id: 2 }, true],
  ['has_perm re*', { user_id: 2 }, true],
  ['has_perm admin', { user_id: 1 }, false],
  ['has_perm *', {}, false],
  ['user_in_group devs', { user_id: 1 }, true],
  ['user_in_group q?', { user_id: 1 }, true],
  ['user_in_group devs', { user_id: 2 }, false],
  ['is_build_owner', { build: 100, user_id: 1 }, true],
  ['is_build_owner', { build: 100, user_id: 2 }, false],
  ['is_build_owner', { build: 101, user_id: 1 }, true],
  ['is_build_owner', { build: 101, user_id: 2 }, false],
  ['is_build_owner', { build: 100 }, false],
]);

describe('user tests without user_id in the data', () => {
  it('fall back to the logged-in user', () => {
    const asAlice = world({ sessionUserId: 1 });
    expect(holds('user alice', {}, asAlice)).toBe(true);
    expect(holds('user_in_group devs', {}, asAlice)).toBe(true);
    expect(holds('is_build_owner', { build: 100 }, asAlice)).toBe(true);
  });

  it('prefer user_id from the data over the logged-in user', () => {
    expect(holds('user alice', { user_id: 2 }, world({ sessionUserId: 1 }))).toBe(false);
  });
});

describe('tests that cannot decide without their data', () => {
  it.each([
    ['package foo', {}, 'policy requires package data'],
    ['package foo', { package: 999 }, 'No such package: 999'],
    ['package foo', { build: 999 }, 'No such build: 999'],
    ['version *', {}, 'policy requires version data'],
    ['release *', {}, 'policy requires release data'],
    ['imported', {}, 'policy data must contain a build'],
    ['imported', { build: 999 }, 'No such build: 999'],
    ['is_build_owner', { user_id: 1 }, 'policy data must contain a build'],
    ['buildtag *', { build_tag: 999 }, 'No such tagInfo: 999'],
    ['hastag *', { build: 'foo-1.0-1' }, 'policy test hastag needs a build id'],
    ['is_new_package', { package: 'newpkg' }, 'policy test is_new_package needs a tag'],
    ['compare n < 5', { n: '3' }, 'policy test compare: field n is not a number'],
  ])('%s with %j fails: %s', (tests, data, message) => {
    expect(() => holds(tests, data)).toThrow(message);
  });

  it('is_new_package fails when the hub gives no package lookup', () => {
    expect(() => holds('is_new_package', { package: 'x', tag: 1 }, world({ isNewPackage: undefined }))).toThrow(
      'policy lookups cannot tell whether a package is new',
    );
  });
});
