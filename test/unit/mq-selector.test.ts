import { describe, expect, it } from 'bun:test';
import { parseSelector, SelectorSyntaxError } from '../../src/mq/selector.ts';
import { matchesSelector } from '../../src/mq/selector-eval.ts';

/** Evaluates a selector against a plain property map. */
function selects(selector: string, props: Record<string, unknown>): boolean {
  return matchesSelector(parseSelector(selector), (name) => (name in props ? props[name] : null));
}

function syntaxError(selector: string): SelectorSyntaxError {
  try {
    parseSelector(selector);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) return err;
    throw err;
  }
  throw new Error(`selector parsed: ${selector}`);
}

describe('parseSelector', () => {
  it('builds an AST with AND binding tighter than OR', () => {
    expect(parseSelector("a = 1 OR b = 'x' AND c <> 2")).toEqual({
      kind: 'or',
      left: { kind: 'compare', op: '=', left: { kind: 'identifier', name: 'a' }, right: { kind: 'literal', value: 1 } },
      right: {
        kind: 'and',
        left: { kind: 'compare', op: '=', left: { kind: 'identifier', name: 'b' }, right: { kind: 'literal', value: 'x' } },
        right: { kind: 'compare', op: '<>', left: { kind: 'identifier', name: 'c' }, right: { kind: 'literal', value: 2 } },
      },
    });
  });

  it('parses LIKE with ESCAPE, NOT IN, IS NOT NULL and NOT BETWEEN', () => {
    expect(parseSelector("tag LIKE 'f\\_%' ESCAPE '\\'")).toEqual({
      kind: 'like',
      operand: { kind: 'identifier', name: 'tag' },
      pattern: 'f\\_%',
      escape: '\\',
      negated: false,
    });
    expect(parseSelector("x NOT IN ('a', 'b', -3)")).toMatchObject({ kind: 'in', values: ['a', 'b', -3], negated: true });
    expect(parseSelector('x IS NOT NULL')).toMatchObject({ kind: 'isNull', negated: true });
    expect(parseSelector('x NOT BETWEEN 1 AND 2 + 3')).toMatchObject({
      kind: 'between',
      negated: true,
      high: { kind: 'arithmetic', op: '+' },
    });
  });

  it('reads keywords in any case and numbers in every literal form', () => {
    expect(parseSelector('x = true and Y = FaLsE')).toMatchObject({
      kind: 'and',
      left: { right: { value: true } },
      right: { right: { value: false } },
    });
    expect(parseSelector('a = 10L')).toMatchObject({ right: { value: 10 } });
    expect(parseSelector('a = 0x1F')).toMatchObject({ right: { value: 31 } });
    expect(parseSelector('a = 1.5e2')).toMatchObject({ right: { value: 150 } });
    expect(parseSelector('a = .5')).toMatchObject({ right: { value: 0.5 } });
    expect(parseSelector("a = 'it''s'")).toMatchObject({ right: { value: "it's" } });
  });

  it('accepts double-quoted identifiers for odd property names', () => {
    expect(parseSelector('"build-id" = 3')).toMatchObject({ left: { kind: 'identifier', name: 'build-id' } });
  });

  it('reports the column of a missing operand', () => {
    const err = syntaxError('name = ');
    expect(err.position).toBe(7);
    expect(err.message).toContain('column 8');
    expect(err.message).toContain('expected a value');
  });

  it('refuses unbalanced parentheses, stray tokens and empty text', () => {
    expect(syntaxError('(a = 1').reason).toContain("expected ')'");
    expect(syntaxError('a = 1 b').reason).toContain("unexpected identifier 'b'");
    expect(syntaxError('   ').reason).toContain('empty');
    expect(syntaxError("a = 'open").reason).toContain('unterminated string');
    expect(syntaxError('a # 1').reason).toContain("unexpected character '#'");
  });

  it('refuses values where a condition belongs and conditions in arithmetic', () => {
    expect(syntaxError('a + 1').reason).toContain('must be a condition');
    expect(syntaxError("a = 1 AND 'x'").reason).toContain('must be a condition');
    expect(syntaxError('(a = 1) + 2').reason).toContain('must be a value');
  });

  it('refuses a bad LIKE escape', () => {
    expect(syntaxError("a LIKE 'x' ESCAPE 'ab'").reason).toContain('single character');
    expect(syntaxError("a LIKE 'x!y' ESCAPE '!'").reason).toContain('must be followed by');
    expect(syntaxError('a LIKE 5').reason).toContain('string pattern');
  });

  it('refuses non-literals in an IN list', () => {
    expect(syntaxError('a IN (b)').reason).toContain('literals only');
  });
});

describe('matchesSelector', () => {
  const tagMessage = { name: 'ansible', type: 'Tag', tag: 'f40-build', build_id: 7 };

  it('selects the koji tag message from the issue example', () => {
    const selector = "name = 'ansible' AND type = 'Tag' AND tag LIKE 'f40%'";
    expect(selects(selector, tagMessage)).toBe(true);
    expect(selects(selector, { ...tagMessage, tag: 'f39-build' })).toBe(false);
    expect(selects(selector, { ...tagMessage, name: 'bash' })).toBe(false);
  });

  it('compares numbers across integer and decimal literals', () => {
    expect(selects('build_id = 7.0', tagMessage)).toBe(true);
    expect(selects('build_id >= 7 AND build_id < 8', tagMessage)).toBe(true);
    expect(selects('build_id > 7', tagMessage)).toBe(false);
    expect(selects('build_id <= 6', tagMessage)).toBe(false);
    expect(selects('build_id * 2 - 4 = 10', tagMessage)).toBe(true);
    expect(selects('-build_id = -7', tagMessage)).toBe(true);
  });

  it('treats a missing property as NULL, which is neither equal nor unequal', () => {
    expect(selects("owner = 'x'", tagMessage)).toBe(false);
    expect(selects("owner <> 'x'", tagMessage)).toBe(false);
    expect(selects("NOT (owner = 'x')", tagMessage)).toBe(false);
    expect(selects('owner IS NULL', tagMessage)).toBe(true);
    expect(selects('name IS NOT NULL', tagMessage)).toBe(true);
  });

  it('uses three-valued AND and OR', () => {
    expect(selects("owner = 'x' OR name = 'ansible'", tagMessage)).toBe(true);
    expect(selects("owner = 'x' AND name = 'ansible'", tagMessage)).toBe(false);
    expect(selects("NOT (owner = 'x' AND name = 'bash')", tagMessage)).toBe(true);
    expect(selects("NOT (owner = 'x' OR name = 'bash')", tagMessage)).toBe(false);
  });

  it('does not convert between strings and numbers', () => {
    expect(selects("build_id = '7'", tagMessage)).toBe(false);
    expect(selects("build_id <> '7'", tagMessage)).toBe(false);
  });

  it('matches LIKE wildcards and escaped wildcards', () => {
    expect(selects("tag LIKE 'f4_-build'", tagMessage)).toBe(true);
    expect(selects("tag LIKE 'f4_'", tagMessage)).toBe(false);
    expect(selects("tag NOT LIKE '%-updates'", tagMessage)).toBe(true);
    expect(selects("v LIKE '100!%' ESCAPE '!'", { v: '100%' })).toBe(true);
    expect(selects("v LIKE '100!%' ESCAPE '!'", { v: '1000' })).toBe(false);
    expect(selects("v LIKE 'a.c'", { v: 'abc' })).toBe(false);
    expect(selects("missing NOT LIKE 'a%'", tagMessage)).toBe(false);
  });

  it('matches IN lists and BETWEEN ranges', () => {
    expect(selects("type IN ('Tag', 'Untag')", tagMessage)).toBe(true);
    expect(selects("type NOT IN ('Tag', 'Untag')", tagMessage)).toBe(false);
    expect(selects('build_id IN (1, 7)', tagMessage)).toBe(true);
    expect(selects("missing NOT IN ('a')", tagMessage)).toBe(false);
    expect(selects('build_id BETWEEN 7 AND 9', tagMessage)).toBe(true);
    expect(selects('build_id NOT BETWEEN 1 AND 6', tagMessage)).toBe(true);
    expect(selects('build_id BETWEEN 8 AND 9', tagMessage)).toBe(false);
  });

  it('reads boolean properties as conditions and compares them with literals', () => {
    expect(selects('private', { private: true })).toBe(true);
    expect(selects('NOT private', { private: false })).toBe(true);
    expect(selects('private = TRUE', { private: true })).toBe(true);
    expect(selects('private', { private: 'yes' })).toBe(false);
    expect(selects('TRUE', {})).toBe(true);
  });

  it('orders strings by code unit', () => {
    expect(selects("release > 'fc39'", { release: 'fc40' })).toBe(true);
    expect(selects("release < 'fc39'", { release: 'fc40' })).toBe(false);
  });

  it('treats division by zero as UNKNOWN', () => {
    expect(selects('x / 0 = 1', { x: 1 })).toBe(false);
    expect(selects('NOT (x / 0 = 1)', { x: 1 })).toBe(false);
  });
});
