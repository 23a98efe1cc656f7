/**
 * @module
 * The policy language: parsing rule text into a rule tree and evaluating it.
 *
 * A rule is `test args && test args :: action` (fires when every test is
 * true) or `... !! action` (fires when they are not all true). The last `::`
 * on the line splits tests from action; `!!` counts only when there is no
 * `::`. An action of `{` opens a block closed by a lone `}`; a block whose
 * rules all miss lets evaluation continue after it. `#` starts a comment.
 */

import { GenericError, KojiError } from '../../core/faults.ts';
import type { PolicyRegistry } from './registry.ts';
import type { PolicyData, PolicyEnv, PolicyResult, PolicyTest } from './types.ts';

/** A syntax or configuration error in a policy's text, with its 1-based line. */
export class PolicyError extends KojiError {
  readonly policy: string;
  readonly line: number;
  readonly detail: string;
  constructor(policy: string, line: number, detail: string) {
    super('GenericError', `policy ${policy}, line ${line}: ${detail}`);
    this.policy = policy;
    this.line = line;
    this.detail = detail;
  }
}

interface TestCall {
  test: PolicyTest;
  args: string[];
  /** The test as written, for rule reports. */
  text: string;
}

interface Rule {
  tests: TestCall[];
  negate: boolean;
  /** A final action, or the rules of a block. */
  action: string | Rule[];
}

/** A parsed policy; evaluate it with {@link Policy.evaluate}. */
export class Policy {
  readonly name: string;
  private readonly rules: Rule[];

  /** Use {@link parsePolicy} to build one. */
  constructor(name: string, rules: Rule[]) {
    this.name = name;
    this.rules = rules;
  }

  /**
   * Run the rules against `data`. The first matching rule decides; a policy
   * already being evaluated further up `env.stack` is a loop and an error.
   */
  evaluate(data: PolicyData, env: PolicyEnv): PolicyResult {
    if (env.stack.includes(this.name)) {
      const chain = [...env.stack, this.name].join(' -> ');
      throw GenericError(`encountered policy loop at policy ${this.name} (${chain})`);
    }
    env.stack.push(this.name);
    try {
      const match = applyRules(this.rules, data, env);
      if (!match) return { action: null, reason: '', text: null, rule: null };
      const [verdict, reason] = splitAction(match.action);
      return { action: verdict, reason, text: match.action, rule: match.rule };
    } finally {
      env.stack.pop();
    }
  }
}

/** Split an action into its lowercased first word and the rest. */
function splitAction(text: string): [string, string] {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text);
  return m ? [m[1].toLowerCase(), m[2]] : ['', ''];
}

function ruleHead(rule: Rule): string {
  return `${rule.tests.map((t) => t.text).join(' && ')} ${rule.negate ? '!!' : '::'}`;
}

/** Evaluate `rules` in order; the first match gives its action and the rule path to it. */
function applyRules(
  rules: Rule[],
  data: PolicyData,
  env: PolicyEnv,
): { action: string; rule: string } | null {
  for (const rule of rules) {
    // every() stops at the first false test, as koji does.
    let value = rule.tests.every((t) => t.test.run(t.args, data, env));
    if (rule.negate) value = !value;
    if (!value) continue;
    if (typeof rule.action === 'string') return { action: rule.action, rule: `${ruleHead(rule)} ${rule.action}` };
    const inner = applyRules(rule.action, data, env);
    // A block where nothing matched lets evaluation go on after the block.
    if (inner) return { action: inner.action, rule: `${ruleHead(rule)} ... ${inner.rule}` };
  }
  return null;
}

/** Split on whitespace, dropping empty words (Python's `str.split()`). */
function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w !== '');
}

/**
 * Parse policy text (the value of a hub.conf `[policy]` entry) into a Policy.
 * Line numbers in errors count from 1 at the first line of `text`.
 *
 * @throws PolicyError on a line without `::`/`!!`, an empty test or action,
 *   an unknown test, bad test arguments, or unbalanced braces.
 */
export function parsePolicy(name: string, text: string, registry: PolicyRegistry): Policy {
  const top: Rule[] = [];
  let cursor = top;
  const open: { rules: Rule[]; line: number }[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const fail = (detail: string) => new PolicyError(name, lineNo, detail);
    const hash = lines[i].indexOf('#');
    const line = (hash >= 0 ? lines[i].slice(0, hash) : lines[i]).trim();
    if (line === '') continue;
    if (line === '}') {
      const outer = open.pop();
      if (!outer) throw fail('nesting error in rule set: } without matching {');
      cursor = outer.rules;
      continue;
    }
    let pos = line.lastIndexOf('::');
    let negate = false;
    if (pos < 0) {
      pos = line.lastIndexOf('!!');
      negate = true;
      if (pos < 0) throw fail(`bad policy line (no :: or !!): ${line}`);
    }
    const action = line.slice(pos + 2).trim();
    if (action === '') throw fail(`missing action: ${line}`);
    if (action === '}') throw fail('a closing brace must be on a line by itself');
    const tests = line.slice(0, pos).split('&&').map((part) => {
      const [testName, ...args] = words(part);
      if (testName === undefined) throw fail(`empty test in: ${line}`);
      const test = registry.get(testName, name);
      if (!test) throw fail(`missing test handler: ${testName}`);
      try {
        test.validate?.(args);
      } catch (err) {
        throw fail(`${testName}: ${err instanceof Error ? err.message : String(err)}`);
      }
      return { test, args, text: [testName, ...args].join(' ') };
    });
    if (action === '{') {
      const block: Rule[] = [];
      cursor.push({ tests, negate, action: block });
      open.push({ rules: cursor, line: lineNo });
      cursor = block;
    } else {
      cursor.push({ tests, negate, action });
    }
  }
  const unclosed = open.pop();
  if (unclosed) throw new PolicyError(name, unclosed.line, 'nesting error in rule set: { is never closed');
  return new Policy(name, top);
}
