/**
 * @module
 * Leaf values: the typed elements inside <value> other than array and struct.
 * Accepts what Python's xmlrpc.client accepts (including its namespaced
 * extension types such as <ex:nil/> and <ex:i8>), and nothing it would reject
 * silently differently.
 */

import { TagKind } from './scanner.ts';
import type { Scanner } from './scanner.ts';
import type { RpcValue } from './values.ts';

const INTEGER = /^[+-]?[0-9]+$/;
const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL_DOUBLE = /^([+-]?)(inf|infinity|nan)$/i;
const DATETIME = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses the typed element whose start tag (`rawType`, possibly namespaced)
 * the scanner has just read, through its end tag.
 */
export function parseScalar(sc: Scanner, rawType: string, empty: boolean): RpcValue {
  const colon = rawType.lastIndexOf(':');
  const type = colon === -1 ? rawType : rawType.slice(colon + 1);
  const at = sc.tagStart;
  let text = '';
  if (!empty) {
    text = sc.readText();
    sc.expectCloseHere(rawType);
  }
  switch (type) {
    case 'string':
      return text;
    case 'int':
    case 'i4':
    case 'i8':
    case 'i1':
    case 'i2':
    case 'biginteger':
      return parseInteger(sc, text, at);
    case 'boolean':
      if (text === '1') return true;
      if (text === '0') return false;
      return sc.fail(`bad boolean value ${JSON.stringify(text)}`, at);
    case 'double':
    case 'float':
      return parseDouble(sc, text, at);
    case 'nil':
      if (text.trim() !== '') sc.fail('<nil> must be empty', at);
      return null;
    case 'base64':
      return parseBase64(sc, text, at);
    case 'dateTime.iso8601':
    case 'dateTime':
      return parseDateTime(sc, text, at);
    default:
      return sc.fail(`unknown element <${rawType}${sc.tagKind === TagKind.Empty ? '/' : ''}>`, at);
  }
}

function parseInteger(sc: Scanner, raw: string, at: number): number | bigint {
  const text = raw.trim();
  if (!INTEGER.test(text)) sc.fail(`bad integer value ${JSON.stringify(raw)}`, at);
  if (text.length <= 16) {
    const n = Number(text);
    // "+ 0" folds -0 into 0: Python has no negative integer zero
    if (Number.isSafeInteger(n)) return n + 0;
  }
  const big = BigInt(text);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function parseDouble(sc: Scanner, raw: string, at: number): number {
  const text = raw.trim();
  if (DECIMAL.test(text)) return Number(text);
  const special = SPECIAL_DOUBLE.exec(text);
  if (special !== null) {
    if (special[2]?.toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return sc.fail(`bad double value ${JSON.stringify(raw)}`, at);
}

function parseBase64(sc: Scanner, text: string, at: number): Uint8Array {
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    return sc.fail('bad base64 data', at);
  }
}

function parseDateTime(sc: Scanner, raw: string, at: number): Date {
  const m = DATETIME.exec(raw.trim());
  if (m === null) return sc.fail(`bad dateTime.iso8601 value ${JSON.stringify(raw)}`, at);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  // setUTCFullYear rather than Date.UTC, which reads years below 100 as 19xx
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  // Date rolls 31 February over into March; Python's strptime refuses it
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) {
    sc.fail(`bad dateTime.iso8601 value ${JSON.stringify(raw)}`, at);
  }
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    date.setTime(date.getTime() - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000);
  }
  return date;
}
