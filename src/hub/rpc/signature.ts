/**
 * @module
 * Python-style call signatures for API methods. Koji's clients pass
 * positional arguments plus keyword arguments (a trailing `__starstar`
 * struct), and rely on Python's exact TypeError texts (the CLI greps
 * "got an unexpected keyword argument" to retry without a kwarg), so binding
 * follows Python's rules and messages.
 */
import { ParameterError } from '../../core/faults.ts';

export interface Param {
  name: string;
  required: boolean;
  default?: unknown;
}

export interface Signature {
  name: string;
  params: Param[];
  varargs?: string;
  varkw?: string;
  /** The signature as written, e.g. `getTag(tagInfo, strict=False)`; shown by list-api. */
  text: string;
}

/** Parse `name(a, b=None, *args, **kw)`; defaults are Python literals. */
export function parseSignature(text: string): Signature {
  const m = /^\s*([\w.]+)\s*\((.*)\)\s*$/s.exec(text);
  if (!m) throw new Error(`bad API signature: ${text}`);
  const sig: Signature = { name: m[1]!, params: [], text: text.trim() };
  for (const raw of splitTopLevel(m[2]!)) {
    const part = raw.trim();
    if (!part) continue;
    if (part.startsWith('**')) sig.varkw = part.slice(2);
    else if (part.startsWith('*')) sig.varargs = part.slice(1);
    else {
      const eq = part.indexOf('=');
      if (eq < 0) sig.params.push({ name: part, required: true });
      else sig.params.push({ name: part.slice(0, eq).trim(), required: false, default: pyLiteral(part.slice(eq + 1).trim()) });
    }
  }
  return sig;
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quote = '';
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

function pyLiteral(s: string): unknown {
  if (s === 'None') return null;
  if (s === 'True') return true;
  if (s === 'False') return false;
  if (s === '[]') return [];
  if (s === '{}') return {};
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^-?\d*\.\d+$/.test(s)) return Number(s);
  const q = /^(['"])(.*)\1$/s.exec(s);
  if (q) return q[2];
  throw new Error(`unsupported default literal: ${s}`);
}

export type BoundArgs = Record<string, unknown>;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function quoteList(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

/**
 * Bind wire arguments to parameter names, with Python's TypeError texts as
 * ParameterError. Defaults are copied so a handler may not mutate them.
 */
export function bindArgs(sig: Signature, positional: unknown[], kwargs: Record<string, unknown> | null): BoundArgs {
  const out: BoundArgs = {};
  const fn = sig.name.split('.').pop();
  const maxPos = sig.params.length;
  if (positional.length > maxPos && !sig.varargs) {
    const minPos = sig.params.filter((p) => p.required).length;
    const takes = minPos === maxPos ? `${maxPos}` : `from ${minPos} to ${maxPos}`;
    throw ParameterError(
      `${fn}() takes ${takes} positional argument${maxPos === 1 && minPos === maxPos ? '' : 's'} but ${positional.length} ${positional.length === 1 ? 'was' : 'were'} given`,
    );
  }
  sig.params.forEach((p, i) => {
    if (i < positional.length) out[p.name] = positional[i];
  });
  if (sig.varargs) out[sig.varargs] = positional.slice(maxPos);
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs ?? {})) {
    const param = sig.params.find((p) => p.name === key);
    if (param) {
      if (key in out) throw ParameterError(`${fn}() got multiple values for argument '${key}'`);
      out[key] = value;
    } else if (sig.varkw) extra[key] = value;
    else throw ParameterError(`${fn}() got an unexpected keyword argument '${key}'`);
  }
  const missing = sig.params.filter((p) => p.required && !(p.name in out)).map((p) => p.name);
  if (missing.length) {
    throw ParameterError(`${fn}() missing ${plural(missing.length, 'required positional argument')}: ${quoteList(missing)}`);
  }
  for (const p of sig.params) {
    if (!(p.name in out)) out[p.name] = typeof p.default === 'object' && p.default !== null ? structuredClone(p.default) : p.default;
  }
  if (sig.varkw) out[sig.varkw] = extra;
  return out;
}
