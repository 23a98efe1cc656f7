/**
 * @module
 * Evaluates a parsed selector against one message with SQL's three-valued
 * logic: a missing property is NULL, anything involving NULL (or mixing
 * types) is UNKNOWN, and only a TRUE result selects the message.
 */

import type { SelectorExpr } from './selector.ts';

/** A selector value; `null` is SQL's NULL / UNKNOWN. */
export type SelectorValue = string | number | boolean | null;

/** Resolves an identifier (a property or header name) for one message. */
export type SelectorLookup = (name: string) => unknown;

/** True when the selector evaluates to TRUE for the message behind `lookup`. */
export function matchesSelector(expr: SelectorExpr, lookup: SelectorLookup): boolean {
  return evaluate(expr, lookup) === true;
}

/** Property values arrive from the AMQP decoder; only scalars take part in a selector. */
function toSelectorValue(raw: unknown): SelectorValue {
  switch (typeof raw) {
    case 'string':
    case 'boolean':
      return raw;
    case 'number':
      return Number.isNaN(raw) ? null : raw;
    case 'bigint':
      return Number.isSafeInteger(Number(raw)) ? Number(raw) : null;
    default:
      return null;
  }
}

const likeCache = new WeakMap<SelectorExpr, RegExp>();

function likeRegExp(node: Extract<SelectorExpr, { kind: 'like' }>): RegExp {
  let re = likeCache.get(node);
  if (re) return re;
  let source = '';
  const { pattern, escape } = node;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (escape !== null && ch === escape && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i]!);
    } else if (ch === '%') {
      source += '[\\s\\S]*';
    } else if (ch === '_') {
      source += '[\\s\\S]';
    } else {
      source += escapeRegExp(ch);
    }
  }
  re = new RegExp(`^${source}$`, 'u');
  likeCache.set(node, re);
  return re;
}

function escapeRegExp(ch: string): string {
  // Only characters special outside a class: the 'u' flag forbids needless escapes.
  return ch.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

function not(v: SelectorValue): SelectorValue {
  return typeof v === 'boolean' ? !v : null;
}

function compare(op: string, l: SelectorValue, r: SelectorValue): SelectorValue {
  if (l === null || r === null) return null;
  if (typeof l !== typeof r) return null;
  if (typeof l === 'boolean') {
    // Booleans have no order, only (in)equality.
    if (op === '=') return l === r;
    if (op === '<>') return l !== r;
    return null;
  }
  // Strings order by code unit, an extension over JMS (which allows only = and <>).
  switch (op) {
    case '=':
      return l === r;
    case '<>':
      return l !== r;
    case '<':
      return l < r;
    case '>':
      return l > r;
    case '<=':
      return l <= r;
    case '>=':
      return l >= r;
    default:
      return null;
  }
}

function arithmetic(op: string, l: SelectorValue, r: SelectorValue): SelectorValue {
  if (typeof l !== 'number' || typeof r !== 'number') return null;
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return r === 0 ? null : l / r;
    default:
      return null;
  }
}

function evaluate(expr: SelectorExpr, lookup: SelectorLookup): SelectorValue {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'identifier':
      return toSelectorValue(lookup(expr.name));
    case 'and': {
      const l = evaluate(expr.left, lookup);
      if (l === false) return false;
      const r = evaluate(expr.right, lookup);
      if (r === false) return false;
      return l === true && r === true ? true : null;
    }
    case 'or': {
      const l = evaluate(expr.left, lookup);
      if (l === true) return true;
      const r = evaluate(expr.right, lookup);
      if (r === true) return true;
      return l === false && r === false ? false : null;
    }
    case 'not':
      return not(evaluate(expr.operand, lookup));
    case 'compare':
      return compare(expr.op, evaluate(expr.left, lookup), evaluate(expr.right, lookup));
    case 'arithmetic':
      return arithmetic(expr.op, evaluate(expr.left, lookup), evaluate(expr.right, lookup));
    case 'negate': {
      const v = evaluate(expr.operand, lookup);
      return typeof v === 'number' ? -v : null;
    }
    case 'like': {
      const v = evaluate(expr.operand, lookup);
      if (typeof v !== 'string') return null;
      const found = likeRegExp(expr).test(v);
      return expr.negated ? !found : found;
    }
    case 'in': {
      const v = evaluate(expr.operand, lookup);
      if (v === null || typeof v === 'boolean') return null;
      const found = expr.values.includes(v);
      return expr.negated ? !found : found;
    }
    case 'isNull': {
      const isNull = evaluate(expr.operand, lookup) === null;
      return expr.negated ? !isNull : isNull;
    }
    case 'between': {
      const v = evaluate(expr.operand, lookup);
      const low = compare('>=', v, evaluate(expr.low, lookup));
      const high = compare('<=', v, evaluate(expr.high, lookup));
      const within = low === false || high === false ? false : low === true && high === true ? true : null;
      return expr.negated ? not(within) : within;
    }
  }
}
