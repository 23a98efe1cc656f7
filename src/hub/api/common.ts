/**
 * @module
 * Small pieces the tag, package, group and build APIs share: Python-style
 * repr for error texts (Koji formats many messages with %r), name-or-id
 * argument checks, event arguments, and Koji's queryOpts applied to rows.
 */
import { GenericError, ParameterError } from '../../core/faults.ts';
import { RpcDouble } from '../../core/xmlrpc.ts';
import { isoTime } from '../../core/time.ts';
import { isStruct } from '../rpc/args.ts';

/** Python's repr() of a wire value, for messages Koji formats with %r. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v);
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return pyStr(v);
  if (v instanceof RpcDouble) return pyFloat(v.value);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isStruct(v)) return `{${Object.entries(v).map(([k, x]) => `${pyStr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

function pyFloat(n: number): string {
  const s = String(n);
  return /[.eE]|Infinity|NaN/.test(s) ? s : `${s}.0`;
}

function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
}

/**
 * Koji's name_or_id_clause: an int is an id, a string a name, a dict one of
 * its id/name keys; anything else is a ParameterError.
 */
export function nameOrId(info: unknown): number | string {
  let v = info;
  if (isStruct(v)) {
    if ('id' in v) {
      const id = v.id;
      if (typeof id === 'number' && Number.isInteger(id)) return id;
      if (typeof id === 'string' && /^-?\d+$/.test(id.trim())) return Number(id.trim());
      throw ParameterError(`Invalid name or id value: ${pyRepr(info)}`);
    }
    if ('name' in v) v = v.name;
    else throw ParameterError(`Invalid name or id value: ${pyRepr(info)}`);
  }
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return v;
  throw ParameterError(`Invalid name or id value: ${pyRepr(v)}`);
}

/** An `event` argument: None or an event id (Koji's eventCondition rejects the rest). */
export function asEvent(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw GenericError(`Invalid event: ${pyRepr(v)}`);
}

/** SQLite 0/1 (or NULL) to the booleans Koji returns. */
export const bool = (v: unknown): boolean => v === 1 || v === true || v === '1';

/** Nullable flag columns (is_default, uservisible...) keep None as None. */
export const optBool = (v: unknown): boolean | null => (v === null || v === undefined ? null : bool(v));

export const tsValue = (ts: unknown): RpcDouble | null => (typeof ts === 'number' ? new RpcDouble(ts) : null);
export const timeValue = (ts: unknown): string | null => (typeof ts === 'number' ? isoTime(ts) : null);

/** Parse stored JSON text (tag extra, build extra); null stays null. */
export function parseJson(text: unknown, what: string): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(String(text));
  } catch {
    throw GenericError(what);
  }
}

/**
 * Koji's queryOpts applied to result rows: order ("a,-b"), offset, limit,
 * countOnly (an int) and asList (rows as value lists in key order). An
 * order field the rows do not have is Koji's "Invalid order" error.
 */
export function applyQueryOpts<T extends object>(rows: T[], queryOpts: unknown): T[] | number | unknown[][] {
  if (queryOpts === null || queryOpts === undefined) return rows;
  if (!isStruct(queryOpts)) throw ParameterError(`Invalid type for queryOpts: ${pyRepr(queryOpts)}`);
  let out = rows.slice();
  const order = queryOpts.order;
  if (typeof order === 'string' && order) {
    const keys = order.split(',').map((k) => k.trim()).filter(Boolean).map((k) => (k.startsWith('-') ? { k: k.slice(1), desc: true } : { k, desc: false }));
    for (const { k } of keys) {
      if (out.length && !(k in (out[0] as Record<string, unknown>))) throw GenericError(`Invalid order field: ${k}`);
    }
    out.sort((a, b) => {
      for (const { k, desc } of keys) {
        const c = compareValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
        if (c) return desc ? -c : c;
      }
      return 0;
    });
  }
  const offset = typeof queryOpts.offset === 'number' ? queryOpts.offset : 0;
  if (offset) out = out.slice(offset);
  const limit = typeof queryOpts.limit === 'number' ? queryOpts.limit : 0;
  if (limit) out = out.slice(0, limit);
  if (queryOpts.countOnly) return out.length;
  if (queryOpts.asList) return out.map((r) => Object.values(r as Record<string, unknown>));
  return out;
}

function compareValues(a: unknown, b: unknown): number {
  // NULLs sort last ascending, as PostgreSQL does
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  const x = a instanceof RpcDouble ? a.value : a;
  const y = b instanceof RpcDouble ? b.value : b;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  const sx = String(x);
  const sy = String(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

/** Glob (Koji's _prepareSearchTerms 'glob') to an SQL LIKE pattern with `\` as escape. */
export function globToLike(glob: string): string {
  return glob.replace(/\\/g, '\\\\').replace(/%/g, '\\%').replace(/_/g, '\\_').replace(/\?/g, '_').replace(/\*/g, '%');
}

/** A prefix to an SQL LIKE pattern (escaped). */
export function prefixLike(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}
