/**
 * @module
 * Tests that only look at the policy data itself: constants, field
 * presence/truth, glob matches on a field, numeric comparison, and
 * `policy NAME`, which asks another policy.
 */

import { GenericError } from '../../core/faults.ts';
import { fnmatchAny } from '../../core/fnmatch.ts';
import { listItems, matchText, truthy, valueMatches } from './data.ts';
import type { PolicyData, PolicyTest } from './types.ts';

/** A test that matches one fixed data field against its glob arguments. */
export function fieldMatchTest(name: string, field: string): PolicyTest {
  return {
    name,
    run: (patterns, data) => field in data && valueMatches(data[field], patterns),
  };
}

/** A test that is the truth of one fixed data field. */
export function fieldBoolTest(name: string, field: string): PolicyTest {
  return { name, run: (_args, data) => truthy(data[field]) };
}

function requireField(args: string[]): void {
  if (args.length < 1) throw new Error('missing field name');
}

const constant = (name: string, value: boolean): PolicyTest => ({ name, run: () => value });

const has: PolicyTest = {
  name: 'has',
  validate: requireField,
  run: ([field], data) => field in data,
};

const bool: PolicyTest = {
  name: 'bool',
  validate: requireField,
  run: ([field], data) => truthy(data[field]),
};

const match: PolicyTest = {
  name: 'match',
  validate: requireField,
  run: ([field, ...patterns], data) => field in data && valueMatches(data[field], patterns),
};

/** Non-null items of a list field as text; null when the field is missing, empty or not a list. */
function listTexts(data: PolicyData, field: string): (string | null)[] | null {
  const items = listItems(data[field]);
  if (!items || items.length === 0) return null;
  return items.map((i) => (i === null || i === undefined ? null : (matchText(i) ?? String(i))));
}

const matchAny: PolicyTest = {
  name: 'match_any',
  validate: requireField,
  run: ([field, ...patterns], data) => {
    const items = listTexts(data, field);
    return items !== null && items.some((i) => i !== null && fnmatchAny(i, patterns));
  },
};

const matchAll: PolicyTest = {
  name: 'match_all',
  validate: requireField,
  run: ([field, ...patterns], data) => {
    const items = listTexts(data, field);
    return items !== null && items.every((i) => i !== null && fnmatchAny(i, patterns));
  },
};

const COMPARISONS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '>=': (a, b) => a >= b,
  '=': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const compare: PolicyTest = {
  name: 'compare',
  validate: (args) => {
    if (args.length !== 3) throw new Error('expected: compare FIELD OP NUMBER');
    if (!(args[1] in COMPARISONS)) throw new Error(`invalid comparison: ${args[1]}`);
    if (!NUMBER.test(args[2])) throw new Error(`not a number: ${args[2]}`);
  },
  run: ([field, op, num], data) => {
    if (!(field in data)) return false;
    let value = data[field];
    // Python compares booleans as 0/1.
    if (typeof value === 'boolean') value = value ? 1 : 0;
    if (typeof value !== 'number') {
      throw GenericError(`policy test compare: field ${field} is not a number`);
    }
    return COMPARISONS[op](value, Number(num));
  },
};

const policy: PolicyTest = {
  name: 'policy',
  validate: (args) => {
    if (args.length !== 1) throw new Error('expected: policy NAME');
  },
  run: ([name], data, env) => {
    const other = env.policies.get(name);
    if (!other) throw GenericError(`no such policy: ${name}`);
    // The whole action must be the word: `allow because...` does not count, as in koji.
    const text = other.evaluate(data, env).text;
    return text !== null && ['yes', 'true', 'allow'].includes(text.toLowerCase());
  },
};

/** The tests that need nothing but the data (and other policies). */
export function genericTests(): PolicyTest[] {
  return [
    constant('true', true),
    constant('all', true),
    constant('false', false),
    constant('none', false),
    has,
    bool,
    match,
    matchAny,
    matchAll,
    compare,
    fieldMatchTest('target', 'target'),
    policy,
  ];
}
