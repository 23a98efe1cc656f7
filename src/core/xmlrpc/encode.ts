/**
 * @module
 * XML-RPC encoding in the dialect of Python's xmlrpc.client with koji's
 * extensions: <nil/> for null and <i8> for integers beyond 32 bits. Output is
 * built by string concatenation of whole pieces, which JavaScriptCore turns
 * into ropes, so large responses cost one flattening at the end.
 */

import { RpcDouble } from './values.ts';
import type { RpcValue } from './values.ts';

const HEADER = "<?xml version='1.0'?>\n";
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2 ** 63);
const INT64_LIMIT = 2 ** 63;
const INT64_MIN_BIG = -(2n ** 63n);
const INT64_MAX_BIG = 2n ** 63n - 1n;
/** Arrays/structs nested deeper than this are taken to be cyclic. */
const MAX_ENCODE_DEPTH = 500;

const NIL = '<value><nil/></value>';
const TRUE = '<value><boolean>1</boolean></value>';
const FALSE = '<value><boolean>0</boolean></value>';

/** Encodes one value as `<value>…</value>`. */
export function encodeValue(v: RpcValue): string {
  return encode(v, 0);
}

/** Encodes a request the way Python's xmlrpc.client.dumps does. */
export function encodeMethodCall(methodName: string, params: RpcValue[]): string {
  let out = HEADER + '<methodCall>\n<methodName>' + escapeText(methodName) + '</methodName>\n<params>\n';
  for (const param of params) out += '<param>\n' + encode(param, 0) + '\n</param>\n';
  return out + '</params>\n</methodCall>\n';
}

/** Encodes a successful response holding one value. */
export function encodeResponse(value: RpcValue): string {
  return HEADER + '<methodResponse>\n<params>\n<param>\n' + encode(value, 0) + '\n</param>\n</params>\n</methodResponse>\n';
}

/** Encodes a fault response. */
export function encodeFault(faultCode: number, faultString: string): string {
  if (!Number.isInteger(faultCode) || faultCode < INT32_MIN || faultCode > INT32_MAX) {
    throw new RangeError(`fault code must be a 32-bit integer, not ${faultCode}`);
  }
  return (
    HEADER +
    '<methodResponse>\n<fault>\n<value><struct><member><name>faultCode</name><value><int>' +
    faultCode +
    '</int></value></member><member><name>faultString</name><value><string>' +
    escapeText(String(faultString)) +
    '</string></value></member></struct></value>\n</fault>\n</methodResponse>\n'
  );
}

function encode(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return '<value><string>' + escapeText(v) + '</string></value>';
    case 'number':
      return encodeNumber(v);
    case 'boolean':
      return v ? TRUE : FALSE;
    case 'bigint':
      if (v < INT64_MIN_BIG || v > INT64_MAX_BIG) throw new RangeError(`integer ${v} exceeds XML-RPC limits`);
      return '<value><i8>' + v + '</i8></value>';
    case 'undefined':
      return NIL;
    case 'object':
      if (v === null) return NIL;
      if (depth >= MAX_ENCODE_DEPTH) throw new RangeError('value nested too deeply to encode (is it cyclic?)');
      if (Array.isArray(v)) {
        let out = '<value><array><data>';
        for (const item of v) out += encode(item, depth + 1);
        return out + '</data></array></value>';
      }
      if (v instanceof RpcDouble) return '<value><double>' + formatDouble(v.value) + '</double></value>';
      if (v instanceof Uint8Array) return '<value><base64>' + v.toBase64() + '</base64></value>';
      if (v instanceof Date) return '<value><dateTime.iso8601>' + formatDate(v) + '</dateTime.iso8601></value>';
      if (v instanceof Map) return encodeMembers(v.entries(), depth);
      {
        const proto: unknown = Object.getPrototypeOf(v);
        if (proto === Object.prototype || proto === null) return encodeMembers(Object.entries(v), depth);
        const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        throw new TypeError(`cannot marshal ${name} objects`);
      }
    default:
      throw new TypeError(`cannot marshal ${typeof v} values`);
  }
}

function encodeMembers(entries: Iterable<[unknown, unknown]>, depth: number): string {
  let out = '<value><struct>';
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    if (typeof key !== 'string') throw new TypeError('struct keys must be strings');
    out += '<member><name>' + escapeText(key) + '</name>' + encode(value, depth + 1) + '</member>';
  }
  return out + '</struct></value>';
}

function encodeNumber(n: number): string {
  if (Number.isInteger(n)) {
    if (n >= INT32_MIN && n <= INT32_MAX) return '<value><int>' + n + '</int></value>';
    // String() would round unsafe integers to 17 significant digits
    if (n >= INT64_MIN && n < INT64_LIMIT) return '<value><i8>' + BigInt(n) + '</i8></value>';
    // integral but beyond int64: only a float can hold it, so send it as one
  }
  return '<value><double>' + formatDouble(n) + '</double></value>';
}

/** Formats a double like Python's repr(): "1.0", "1e-05", "1.5e+300", "nan". */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) throw new RangeError('cannot marshal an infinite double');
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e16) {
    // both languages print the shortest round-tripping digits in this range
    const s = String(x);
    return s.includes('.') ? s : s + '.0';
  }
  const s = x.toExponential();
  const e = s.indexOf('e');
  const exponent = s.slice(e + 2);
  return s.slice(0, e + 2) + (exponent.length < 2 ? '0' + exponent : exponent);
}

function formatDate(d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new RangeError('cannot marshal an invalid Date');
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} is outside what dateTime.iso8601 can carry`);
  return (
    String(year).padStart(4, '0') +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    'T' +
    two(d.getUTCHours()) +
    ':' +
    two(d.getUTCMinutes()) +
    ':' +
    two(d.getUTCSeconds())
  );
}

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

const NEEDS_ESCAPE = /[&<>\r]/;
const ESCAPES = /[&<>\r]/g;
const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

/**
 * Escapes text content. Python escapes only & < >; CR is also written as a
 * reference because XML parsers turn a raw CR into LF.
 */
export function escapeText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPES, (c) => ESCAPED[c] as string) : s;
}
