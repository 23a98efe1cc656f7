/**
 * @module
 * Message bodies as Python's `json.dumps` writes them, since Koji's
 * consumers (fedora-messaging schemas, CI bots) have only ever seen that
 * text: `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`,
 * floats in Python's repr, NaN/Infinity bare, and datetimes turned into
 * ISO text with a space (Koji's convert_datetime) before encoding.
 * Values JSON cannot carry become Koji's `{"error": "Can't serialize", ...}`.
 */
import { formatDouble, RpcDouble } from '../../src/core/xmlrpc.ts';

/** A `{error, type}` placeholder, as Koji's json_serialize writes for unknown objects. */
function unserializable(pythonType: string): string {
  return `{"error": "Can't serialize", "type": "<class '${pythonType}'>"}`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A string literal with ensure_ascii: everything outside printable ASCII as \uXXXX (UTF-16 units). */
export function pyJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = s.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short) out += short;
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Python's float repr in JSON: NaN and Infinity are written bare, as json.dumps does. */
function pyJsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return formatDouble(x);
}

function pyJsonNumber(n: number): string {
  // JavaScript cannot tell 2 from 2.0; integral numbers are ints, as Koji's ids and counts are.
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  return pyJsonFloat(n);
}

/** Python's `datetime.isoformat(' ')` in UTC: microseconds only when non-zero. */
export function pyIsoformat(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  return ms ? `${base}.${p(ms * 1000, 6)}` : base;
}

/**
 * Encode a value as Python's `json.dumps(value, default=json_serialize)`
 * after Koji's convert_datetime. Object members that are `undefined` are
 * left out (Python has no such value); Sets become lists as in Koji.
 */
export function pyJsonDumps(value: unknown): string {
  const seen = new Set<object>();
  const enc = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        return pyJsonNumber(v);
      case 'bigint':
        return v.toString();
      case 'string':
        return pyJsonString(v);
      case 'object':
        break;
      default:
        return unserializable(typeof v);
    }
    if (v instanceof RpcDouble) return pyJsonFloat(v.value);
    if (v instanceof Date) return pyJsonString(pyIsoformat(v));
    if (v instanceof Uint8Array) return unserializable('bytes');
    if (seen.has(v)) throw new TypeError('Circular reference detected');
    seen.add(v);
    try {
      if (Array.isArray(v) || v instanceof Set) return '[' + [...v].map(enc).join(', ') + ']';
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
      const parts: string[] = [];
      for (const [k, item] of entries) {
        if (item === undefined) continue;
        parts.push(pyJsonString(String(k)) + ': ' + enc(item));
      }
      return '{' + parts.join(', ') + '}';
    } finally {
      seen.delete(v);
    }
  };
  return enc(value);
}
