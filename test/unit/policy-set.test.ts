import { describe, expect, it } from 'bun:test';
import { KojiError } from '../../src/core/faults.ts';
import {
  DEFAULT_POLICIES,
  PolicyError,
  PolicySet,
  policyUser,
  standardRegistry,
  type PolicyData,
  type PolicyLookups,
  type PolicyTest,
} from '../../src/hub/policy/index.ts';

/** Users: 1 alice (plain), 2 tagger (tag), 3 root (admin), 4 winnie (win-admin), 5 promoter (draft-promoter). */
const USERS: Record<number, string> = { 1: 'alice', 2: 'tagger', 3: 'root', 4: 'winnie', 5: 'promoter' };
const PERMS: Record<number, string[]> = { 2: ['tag'], 3: ['admin'], 4: ['win-admin'], 5: ['draft-promoter'] };
const TAGS: Record<number, string> = { 1: 'f30-build', 2: 'el9-build', 50: 'f30-build-side-50', 51: 'f30-build-side-51' };

const lookups: PolicyLookups = {
  userName: (id) => USERS[id] ?? null,
  userPerms: (id) => PERMS[id] ?? [],
  userGroups: () => [],
  tagName: (tag) => (typeof tag === 'number' ? (TAGS[tag] ?? null) : tag),
  tagsOfBuild: () => [],
  tagAncestors: () => [],
  buildInfo: (build) =>
    build === 900
      ? { name: 'foo', version: '1', release: '1', owner_id: 1, volume_name: 'DEFAULT', draft: true }
      : null,
};

describe('PolicySet defaults', () => {
  const policies = new PolicySet(standardRegistry(), {});

  it('has koji\'s default policies', () => {
    expect(policies.names()).toEqual(
      [
        'build_from_repo_id', 'build_from_scm', 'build_from_srpm', 'build_rpm', 'cg_import', 'channel',
        'draft_promotion', 'package_list', 'priority', 'vm', 'volume',
      ],
    );
    expect(Object.keys(DEFAULT_POLICIES).sort()).toEqual(policies.names());
  });

  it.each([
    ['build_rpm', { user_id: 1 }, true, ''],
    ['cg_import', { user_id: 1 }, true, ''],
    ['build_from_srpm', { user_id: 3 }, true, ''],
    ['build_from_srpm', { user_id: 1 }, false, 'Only admin can do this via default policy'],
    ['build_from_repo_id', { user_id: 1 }, false, 'Only admin can do this via default policy'],
    ['build_from_scm', { user_id: 3 }, true, ''],
    ['build_from_scm', { user_id: 2 }, false, 'Only admin can do this via default policy'],
    ['package_list', { user_id: 2 }, true, ''],
    ['package_list', { user_id: 3 }, true, ''],
    ['package_list', { user_id: 1 }, false, 'Only admin/tag can do this via default policy'],
    ['vm', { user_id: 4 }, true, ''],
    ['vm', { user_id: 1 }, false, 'Only admin/win-admin can do this via default policy'],
    ['draft_promotion', { user_id: 5, build: 900 }, true, ''],
    ['draft_promotion', { user_id: 1, build: 900 }, true, ''],
    ['draft_promotion', { user_id: 2, build: 900 }, false, 'Only draft-promoter and build owner can do this via default policy'],
  ])('%s with %j allows: %p', (name, data, allowed, reason) => {
    const result = policies.check(name, data, lookups);
    expect(result.allowed).toBe(allowed);
    expect(result.reason).toBe(reason);
  });

  it.each([
    [{ req_channel: 'createrepo' }, 'req', ''],
    [{ parent: 12 }, 'parent', ''],
    [{ method: 'build' }, 'use', 'default'],
  ])('routes a task with %j by the channel policy to %s %s', (data, action, reason) => {
    const result = policies.evaluate('channel', data, lookups);
    expect([result.action, result.reason]).toEqual([action, reason]);
  });

  it('keeps the priority and puts content on the DEFAULT volume, case kept', () => {
    expect(policies.evaluate('priority', { method: 'build' }, lookups).action).toBe('stay');
    expect(policies.evaluate('volume', { package: 'foo' }, lookups).text).toBe('DEFAULT');
  });

  it('has no tag policy, so tagging is left to tag permissions', () => {
    expect(policies.get('tag')).toBeUndefined();
    expect(policies.check('tag', { tag: 1, user_id: 1 }, lookups)).toEqual({
      allowed: true,
      reason: 'missing policy',
      rule: null,
    });
  });
});

describe('PolicySet with hub.conf policies', () => {
  it('replaces a default policy with the configured one', () => {
    const policies = new PolicySet(standardRegistry(), { package_list: 'all :: deny package lists are frozen' });
    expect(policies.check('package_list', { user_id: 3 }, lookups)).toEqual({
      allowed: false,
      reason: 'package lists are frozen',
      rule: 'all :: deny package lists are frozen',
    });
    expect(policies.check('build_from_srpm', { user_id: 3 }, lookups).allowed).toBe(true);
  });

  it('adds policies koji has no default for', () => {
    const policies = new PolicySet(standardRegistry(), { tag: 'tag f30-* :: allow' });
    expect(policies.check('tag', { tag: 1, user_id: 1 }, lookups).allowed).toBe(true);
  });

  it('fails to start on a policy that does not parse, naming policy and line', () => {
    let error: unknown;
    try {
      new PolicySet(standardRegistry(), { tag: '\n    has_perm admin :: allow\n    all :: {\n' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toBe('policy tag, line 3: nesting error in rule set: { is never closed');
  });

  it('refuses to evaluate a policy that does not exist', () => {
    expect(() => new PolicySet(standardRegistry(), {}).evaluate('dist_repo', {}, lookups)).toThrow(
      'no such policy: dist_repo',
    );
  });
});

describe('PolicySet.check', () => {
  const policies = new PolicySet(standardRegistry(), {
    tag: `
      tag el9-* :: deny el9 is closed
      tag f30-build :: allow
      tag f30-build-side-* :: maybe
    `,
    strict: 'none :: allow',
  });

  it('denies what no rule covers, unless the caller gives another default', () => {
    expect(policies.check('strict', {}, lookups)).toEqual({ allowed: false, reason: 'not covered by policy', rule: null });
    expect(policies.check('strict', {}, lookups, { default: 'allow' }).allowed).toBe(true);
  });

  it('denies a missing policy when MissingPolicyOk is off', () => {
    expect(policies.check('sidetag', {}, lookups, { missingPolicyOk: false })).toEqual({
      allowed: false,
      reason: 'missing policy',
      rule: null,
    });
  });

  it('treats an action other than allow or deny as an error in the policy', () => {
    expect(policies.check('tag', { tag: 50 }, lookups)).toEqual({
      allowed: false,
      reason: 'error in policy',
      rule: 'tag f30-build-side-* :: maybe',
    });
  });

  it('lets an admin force past a deny', () => {
    expect(policies.check('tag', { tag: 2, user_id: 1 }, lookups, { force: true, isAdmin: true })).toEqual({
      allowed: true,
      reason: 'overriden by force',
      rule: 'tag el9-* :: deny el9 is closed',
      forced: true,
    });
  });

  it('does not let a non-admin force', () => {
    const result = policies.check('tag', { tag: 2, user_id: 1 }, lookups, { force: true, isAdmin: false });
    expect(result).toEqual({ allowed: false, reason: 'el9 is closed', rule: 'tag el9-* :: deny el9 is closed' });
  });

  it('works out whether the acting user is an admin when the caller does not say', () => {
    expect(policies.check('tag', { tag: 2, user_id: 3 }, lookups, { force: true }).allowed).toBe(true);
    expect(policies.check('tag', { tag: 2, user_id: 1 }, lookups, { force: true }).allowed).toBe(false);
    expect(policies.check('tag', { tag: 2 }, { ...lookups, sessionUserId: 3 }, { force: true }).allowed).toBe(true);
  });

  it('needs force for an admin to pass a deny', () => {
    expect(policies.check('tag', { tag: 2, user_id: 3 }, lookups).allowed).toBe(false);
  });
});

describe('PolicySet.assert', () => {
  const policies = new PolicySet(standardRegistry(), {
    tag: `
      tag el9-* :: deny el9 is closed
      tag f30-build :: allow
      match operation untag :: deny
    `,
  });

  function violation(data: PolicyData, opts = {}): KojiError {
    try {
      policies.assert('tag', data, lookups, opts);
    } catch (err) {
      if (err instanceof KojiError) return err;
      throw err;
    }
    throw new Error('expected ActionNotAllowed');
  }

  it('returns quietly when allowed', () => {
    expect(policies.assert('tag', { tag: 1 }, lookups)).toBeUndefined();
  });

  it('raises ActionNotAllowed (1004) naming the policy and the reason', () => {
    const err = violation({ tag: 2 });
    expect(err.faultName).toBe('ActionNotAllowed');
    expect(err.faultCode).toBe(1004);
    expect(err.message).toBe('policy violation (tag): el9 is closed');
  });

  it('leaves the reason out when the deny has none', () => {
    expect(violation({ operation: 'untag' }).message).toBe('policy violation (tag)');
  });

  it('says when no rule covered the data', () => {
    expect(violation({ tag: 50 }).message).toBe('policy violation (tag): not covered by policy');
  });

  it('names the deciding rule when verbose', () => {
    expect(violation({ tag: 2 }, { verbose: true }).message).toBe(
      'policy violation (tag): el9 is closed [rule: tag el9-* :: deny el9 is closed]',
    );
    expect(violation({ tag: 50 }, { verbose: true }).message).toBe(
      'policy violation (tag): not covered by policy [rule: (no match)]',
    );
  });

  it('lets an admin force through', () => {
    expect(policies.assert('tag', { tag: 2, user_id: 3 }, lookups, { force: true })).toBeUndefined();
  });
});

describe('policies with plugin tests (the sidetag example from koji\'s docs)', () => {
  /** Side tags as the sidetag plugin would know them: tag id -> owner user id. */
  const SIDETAG_OWNERS: Record<number, number> = { 50: 1, 51: 2 };

  /** Registered the way a plugin registers its tests, reading its own data through a closure. */
  const isSidetag: PolicyTest = {
    name: 'is_sidetag',
    run: (_args, data) => typeof data.tag === 'number' && data.tag in SIDETAG_OWNERS,
  };
  const isSidetagOwner: PolicyTest = {
    name: 'is_sidetag_owner',
    validate: (args) => {
      if (args.length > 1) throw new Error('Just one argument is allowed for this test.');
      if (args.length === 1 && !['tag', 'fromtag', 'both'].includes(args[0])) {
        throw new Error(`Policy test is_sidetag_owner has only /tag/fromtag/both options (got ${args[0]})`);
      }
    },
    run: (args, data, env) => {
      const fields = args[0] === 'both' ? ['tag', 'fromtag'] : [args[0] ?? 'tag'];
      const user = policyUser(data, env.lookups);
      return fields.every((f) => {
        const tag = data[f];
        return typeof tag === 'number' && user !== null && SIDETAG_OWNERS[tag] === user.id;
      });
    },
  };

  const registry = standardRegistry();
  registry.register([isSidetag, isSidetagOwner]);

  const policies = new PolicySet(registry, {
    sidetag: `
    # allow maximum of 10 sidetags per user for f30-build tag
    tag f30-build && compare number_of_tags <= 10 :: allow
    # forbid everything else
    all :: deny
`,
    package_list: `
    # allow blocking for owners in their sidetags
    match action block && is_sidetag_owner :: allow
    all :: deny
`,
  });

  it.each([
    [{ tag: 1, number_of_tags: 3, user_id: 1 }, true],
    [{ tag: 1, number_of_tags: 10, user_id: 1 }, true],
    [{ tag: 1, number_of_tags: 11, user_id: 1 }, false],
    [{ tag: 2, number_of_tags: 0, user_id: 1 }, false],
  ])('decides createSideTag with %j: %p', (data, allowed) => {
    expect(policies.check('sidetag', data, lookups).allowed).toBe(allowed);
  });

  it.each([
    [{ action: 'block', tag: 50, package: 'foo', user_id: 1 }, true],
    [{ action: 'block', tag: 51, package: 'foo', user_id: 1 }, false],
    [{ action: 'add', tag: 50, package: 'foo', user_id: 1 }, false],
    [{ action: 'block', tag: 1, package: 'foo', user_id: 1 }, false],
  ])('decides a package list change with %j: %p', (data, allowed) => {
    expect(policies.check('package_list', data, lookups).allowed).toBe(allowed);
  });

  it('checks both tags of a move with is_sidetag_owner both', () => {
    const set = new PolicySet(registry, { tag: 'is_sidetag && is_sidetag_owner both :: allow\nall :: deny' });
    expect(set.check('tag', { tag: 50, fromtag: 50, user_id: 1 }, lookups).allowed).toBe(true);
    expect(set.check('tag', { tag: 50, fromtag: 51, user_id: 1 }, lookups).allowed).toBe(false);
    expect(set.check('tag', { tag: 50, user_id: 1 }, lookups).allowed).toBe(false);
  });

  it('rejects bad plugin test arguments when the policy is parsed', () => {
    expect(() => new PolicySet(registry, { tag: 'all :: allow\nis_sidetag_owner nonsense :: allow' })).toThrow(
      'policy tag, line 2: is_sidetag_owner: Policy test is_sidetag_owner has only /tag/fromtag/both options (got nonsense)',
    );
  });

  it('does not know the plugin tests without the plugin', () => {
    expect(() => new PolicySet(standardRegistry(), { tag: 'is_sidetag :: allow' })).toThrow(
      'policy tag, line 1: missing test handler: is_sidetag',
    );
  });
});
