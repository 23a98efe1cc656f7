import { describe, expect, it } from 'bun:test';
import { KojiError } from '../../src/core/faults.ts';
import {
  Policy,
  PolicyError,
  PolicySet,
  parsePolicy,
  standardRegistry,
  type PolicyData,
  type PolicyLookups,
  type PolicyTest,
} from '../../src/hub/policy/index.ts';

/** A small koji: tags, builds and their tags, enough for the documented tag policy. */
const TAGS: Record<number, string> = {
  1: 'f30-build',
  2: 'f30-updates-candidate',
  3: 'f30-updates',
  4: 'epel8-build',
  5: 'epel8',
  6: 'f30-updates-testing',
  7: 'f30',
};
const TAG_IDS = Object.fromEntries(Object.entries(TAGS).map(([id, name]) => [name, Number(id)]));
const BUILD_ROOT_TAGS: Record<number, string[]> = { 100: ['f30-build'], 101: ['epel8-build'], 102: ['f30-build'] };
const BUILD_TAGS: Record<number, string[]> = { 100: ['f30-updates-candidate'], 101: [], 102: ['f30'] };

const lookups: PolicyLookups = {
  userName: (id) => ({ 1: 'alice', 3: 'root' })[id] ?? null,
  userPerms: (id) => (id === 3 ? ['admin'] : []),
  userGroups: () => [],
  tagName: (tag) => (typeof tag === 'number' ? (TAGS[tag] ?? null) : tag in TAG_IDS ? tag : null),
  tagsOfBuild: (build) => BUILD_TAGS[build] ?? [],
  tagAncestors: () => [],
  buildInfo: () => null,
  buildRootTags: (build) => BUILD_ROOT_TAGS[Number(build)] ?? [],
};

const registry = standardRegistry();

function evaluate(text: string, data: PolicyData, reg = registry) {
  const policies = new PolicySet(reg, { under_test: text });
  return policies.evaluate('under_test', data, lookups);
}

/** The nested example from koji's "Defining Hub Policies" document. */
const DOCUMENTED_TAG_POLICY = `
    buildtag *epel* :: {
        tag *epel* !! deny
    }
    tag *-updates :: {
        operation move :: {
            fromtag *-updates-candidate :: allow
            fromtag *-updates-testing :: allow
            all :: deny Tagging from some tags to *-updates is forbidden.
        }
        operation tag && hastag *-updates-candidate *-updates-testing :: deny
    }
    all :: allow
`;

describe('parsePolicy and Policy.evaluate', () => {
  describe('the simple documented tag policy', () => {
    const text = `
      has_perm admin :: allow
      tag *-candidate :: allow
      all :: deny
    `;
    it.each([
      ['an admin tagging anywhere', { user_id: 3, tag: 7 }, 'allow'],
      ['a user tagging into a -candidate tag', { user_id: 1, tag: 2 }, 'allow'],
      ['a user tagging elsewhere', { user_id: 1, tag: 7 }, 'deny'],
    ])('decides %s', (_what, data, verdict) => {
      expect(evaluate(text, data).action).toBe(verdict);
    });
  });

  describe('the nested documented tag policy', () => {
    const t = TAG_IDS;
    it.each([
      ['an epel build tagged outside epel is denied', { build: 101, tag: t['f30-updates'], operation: 'tag' }, 'deny', ''],
      ['an epel build tagged into epel passes the block and is allowed', { build: 101, tag: t.epel8, operation: 'tag' }, 'allow', ''],
      ['a move from -updates-candidate is allowed', { build: 100, tag: t['f30-updates'], fromtag: t['f30-updates-candidate'], operation: 'move' }, 'allow', ''],
      ['a move from -updates-testing is allowed', { build: 100, tag: t['f30-updates'], fromtag: t['f30-updates-testing'], operation: 'move' }, 'allow', ''],
      ['a move from another tag is denied with the reason', { build: 100, tag: t['f30-updates'], fromtag: t.f30, operation: 'move' }, 'deny', 'Tagging from some tags to *-updates is forbidden.'],
      ['a plain tag of a build already in -updates-candidate is denied', { build: 100, tag: t['f30-updates'], operation: 'tag' }, 'deny', ''],
      ['a plain tag of another build falls out of the block and is allowed', { build: 102, tag: t['f30-updates'], operation: 'tag' }, 'allow', ''],
      ['an untag has a nil tag, so tag tests are false', { build: 100, tag: null, fromtag: t['f30-updates'], operation: 'untag' }, 'allow', ''],
    ])('%s', (_what, data, verdict, reason) => {
      const result = evaluate(DOCUMENTED_TAG_POLICY, data);
      expect(result.action).toBe(verdict);
      expect(result.reason).toBe(reason);
    });

    it('reports the path of block heads that led to the action', () => {
      const result = evaluate(DOCUMENTED_TAG_POLICY, { build: 100, tag: 3, fromtag: 7, operation: 'move' });
      expect(result.rule).toBe(
        'tag *-updates :: ... operation move :: ... all :: deny Tagging from some tags to *-updates is forbidden.',
      );
    });
  });

  it('splits tests from action at the last ::', () => {
    const text = 'match x a::b :: allow';
    expect(evaluate(text, { x: 'a::b' }).action).toBe('allow');
    expect(evaluate(text, { x: 'a' }).action).toBeNull();
  });

  it('treats !! as the separator only when the line has no ::', () => {
    expect(evaluate('match x a!!b :: allow', { x: 'a!!b' }).action).toBe('allow');
    expect(evaluate('match x foo !! deny not foo', { x: 'bar' }).text).toBe('deny not foo');
    expect(evaluate('match x foo !! deny not foo', { x: 'foo' }).action).toBeNull();
  });

  it('negates the whole conjunction with !!', () => {
    const text = 'match a 1 && match b 1 !! deny';
    expect(evaluate(text, { a: '1', b: '2' }).action).toBe('deny');
    expect(evaluate(text, { a: '1', b: '1' }).action).toBeNull();
  });

  it('ignores comments and blank lines', () => {
    const text = `
      # leading comment

      match x a :: allow   # trailing comment
      all :: deny # also here
    `;
    expect(evaluate(text, { x: 'a' }).text).toBe('allow');
    expect(evaluate(text, { x: 'b' }).text).toBe('deny');
  });

  it('lowercases the first word into the verdict and keeps the rest as the reason', () => {
    const result = evaluate('all :: DENY   Not Today', {});
    expect(result).toEqual({ action: 'deny', reason: 'Not Today', text: 'DENY   Not Today', rule: 'all :: DENY   Not Today' });
  });

  it('returns no action and no rule when nothing matches', () => {
    expect(evaluate('none :: allow', {})).toEqual({ action: null, reason: '', text: null, rule: null });
  });

  it('takes the first matching rule', () => {
    expect(evaluate('all :: first\nall :: second', {}).action).toBe('first');
  });

  it('stops running tests at the first false one', () => {
    const calls: string[] = [];
    const reg = standardRegistry();
    reg.register({ name: 'spy', run: (args) => (calls.push(args[0]), args[0] === 'yes') });
    const result = evaluate('spy no && spy after :: x\nspy yes && spy no && spy later :: y\nspy yes :: z', {}, reg);
    expect(result.action).toBe('z');
    expect(calls).toEqual(['no', 'yes', 'no', 'yes']);
  });

  it('enters a negated block when its tests fail', () => {
    const text = `
      match x a !! {
        all :: inside
      }
      all :: outside
    `;
    expect(evaluate(text, { x: 'b' }).action).toBe('inside');
    expect(evaluate(text, { x: 'a' }).action).toBe('outside');
  });

  it('continues after a nested block whose rules all miss, at every depth', () => {
    const text = `
      all :: {
        all :: {
          match x deep :: deep
        }
        match x mid :: mid
      }
      all :: top
    `;
    expect(evaluate(text, { x: 'deep' }).action).toBe('deep');
    expect(evaluate(text, { x: 'mid' }).action).toBe('mid');
    expect(evaluate(text, { x: 'other' }).action).toBe('top');
    expect(evaluate(text, { x: 'deep' }).rule).toBe('all :: ... all :: ... match x deep :: deep');
  });

  it('accepts CRLF line endings', () => {
    expect(evaluate('none :: a\r\nall :: b\r\n', {}).action).toBe('b');
  });

  it('gives an empty policy that matches nothing', () => {
    expect(evaluate('  \n # nothing\n', {}).action).toBeNull();
  });
});

describe('parsePolicy syntax errors', () => {
  function errorOf(text: string): PolicyError {
    try {
      parsePolicy('demo', text, registry);
    } catch (err) {
      if (err instanceof PolicyError) return err;
      throw err;
    }
    throw new Error('expected a PolicyError');
  }

  it.each([
    ['a line without :: or !!', 'all :: allow\nall allow', 2, 'bad policy line (no :: or !!): all allow'],
    ['an unknown test', '\n\nfrobnicate x :: allow', 3, 'missing test handler: frobnicate'],
    ['a stray closing brace', 'all :: {\n}\n}', 3, 'nesting error in rule set: } without matching {'],
    ['an unclosed block, at its opening line', 'all :: allow\nall :: {\n  all :: {\n  }\n', 2, 'nesting error in rule set: { is never closed'],
    ['a missing action', 'all ::   # nothing', 1, 'missing action: all ::'],
    ['a rule without tests', ':: allow', 1, 'empty test in: :: allow'],
    ['an empty test between &&', 'all && && true :: allow', 1, 'empty test in: all && && true :: allow'],
    ['a closing brace used as an action', 'all :: {\nall :: }', 2, 'a closing brace must be on a line by itself'],
    ['a bad comparison operator', 'compare n << 5 :: allow', 1, 'compare: invalid comparison: <<'],
    ['a comparison with a non-number', 'compare n < five :: allow', 1, 'compare: not a number: five'],
    ['a comparison with too many words', 'compare n < 5 6 :: allow', 1, 'compare: expected: compare FIELD OP NUMBER'],
    ['has without a field', 'has :: allow', 1, 'has: missing field name'],
    ['policy without a name', 'policy :: allow', 1, 'policy: expected: policy NAME'],
  ])('reports %s with its line number', (_what, text, line, detail) => {
    const err = errorOf(text);
    expect(err.line).toBe(line);
    expect(err.detail).toBe(detail);
    expect(err.policy).toBe('demo');
    expect(err.message).toBe(`policy demo, line ${line}: ${detail}`);
  });

  it('is a koji GenericError on the wire', () => {
    const err = errorOf('bogus');
    expect(err).toBeInstanceOf(KojiError);
    expect(err.faultCode).toBe(1000);
  });

  it('returns a Policy for valid text', () => {
    expect(parsePolicy('ok', 'all :: allow', registry)).toBeInstanceOf(Policy);
  });
});

describe('PolicyRegistry', () => {
  it('lets a later test override a built-in of the same name', () => {
    const reg = standardRegistry();
    reg.register({ name: 'true', run: () => false });
    expect(evaluate('true :: yes', {}, reg).action).toBeNull();
  });

  it('offers a test restricted to some policies only to those policies', () => {
    const reg = standardRegistry();
    const onlyTag: PolicyTest = { name: 'only_in_tag', policies: ['tag'], run: () => true };
    reg.register(onlyTag);
    expect(parsePolicy('tag', 'only_in_tag :: allow', reg)).toBeInstanceOf(Policy);
    expect(() => parsePolicy('channel', 'only_in_tag :: allow', reg)).toThrow('missing test handler: only_in_tag');
  });

  it('falls back to the unrestricted test when the override is for other policies', () => {
    const reg = standardRegistry();
    reg.register({ name: 'true', policies: ['tag'], run: () => false });
    expect(new PolicySet(reg, { tag: 'true :: a', other: 'true :: a' }).evaluate('other', {}, lookups).action).toBe('a');
    expect(new PolicySet(reg, { tag: 'true :: a' }).evaluate('tag', {}, lookups).action).toBeNull();
  });

  it('lists every test named in the policy language reference', () => {
    const documented = [
      'true', 'all', 'false', 'none', 'has', 'bool', 'match', 'match_any', 'match_all', 'compare', 'target',
      'operation', 'package', 'version', 'release', 'volume', 'tag', 'fromtag', 'hastag', 'buildtag',
      'buildtag_inherits_from', 'buildtype', 'skip_tag', 'imported', 'is_draft', 'source', 'cg_match_any',
      'cg_match_all', 'is_new_package', 'is_child_task', 'method', 'vm_name', 'user', 'is_build_owner',
      'user_in_group', 'has_perm', 'policy',
    ];
    expect(registry.names()).toEqual([...documented].sort());
  });

  it('refuses a test name with whitespace', () => {
    expect(() => standardRegistry().register({ name: 'two words', run: () => true })).toThrow();
  });
});

describe('the policy test', () => {
  function policiesOf(configured: Record<string, string>) {
    return new PolicySet(registry, configured);
  }

  it.each([
    ['allow', true],
    ['Yes', true],
    ['TRUE', true],
    ['deny', false],
    ['allow but with a reason', false],
  ])('is %p -> %p for the other policy\'s action', (action, expected) => {
    const set = policiesOf({ inner: `all :: ${action}`, outer: 'policy inner :: yes' });
    expect(set.evaluate('outer', {}, lookups).action === 'yes').toBe(expected);
  });

  it('is false when the other policy matches nothing', () => {
    const set = policiesOf({ inner: 'none :: allow', outer: 'policy inner :: yes' });
    expect(set.evaluate('outer', {}, lookups).action).toBeNull();
  });

  it('sees the same data as the calling policy', () => {
    const set = policiesOf({ inner: 'match who admin :: allow', outer: 'policy inner :: yes' });
    expect(set.evaluate('outer', { who: 'admin' }, lookups).action).toBe('yes');
    expect(set.evaluate('outer', { who: 'guest' }, lookups).action).toBeNull();
  });

  it('detects a loop through other policies', () => {
    const set = policiesOf({ a: 'policy b :: allow', b: 'policy c :: allow', c: 'policy a :: allow' });
    expect(() => set.evaluate('a', {}, lookups)).toThrow('encountered policy loop at policy a (a -> b -> c -> a)');
  });

  it('detects a policy that asks itself', () => {
    const set = policiesOf({ a: 'policy a :: allow' });
    expect(() => set.evaluate('a', {}, lookups)).toThrow('encountered policy loop at policy a');
  });

  it('allows the same policy twice when it is not nested in itself', () => {
    const set = policiesOf({ inner: 'all :: allow', outer: 'policy inner && policy inner :: yes' });
    expect(set.evaluate('outer', {}, lookups).action).toBe('yes');
  });

  it('fails at evaluation when the named policy does not exist', () => {
    const set = policiesOf({ outer: 'policy ghost :: yes' });
    expect(() => set.evaluate('outer', {}, lookups)).toThrow('no such policy: ghost');
  });
});
