/**
 * @module
 * Checks for wire arguments. Koji's hub raises ParameterError or
 * GenericError with a readable text when an argument has the wrong type;
 * these helpers give handlers the same in one line.
 */
import { GenericError, ParameterError } from '../../core/faults.ts';

export function isStruct(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

export function asString(v: unknown, name: string): string {
  if (typeof v !== 'string') throw ParameterError(`Invalid type for value '${String(v)}': ${pyType(v)}, expected type <class 'str'>`);
  return v;
}

export function asOptString(v: unknown, name: string): string | null {
  return v === null || v === undefined ? null : asString(v, name);
}

export function asInt(v: unknown, name: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  throw ParameterError(`Invalid type for value '${String(v)}': ${pyType(v)}, expected type <class 'int'>`);
}

export function asOptInt(v: unknown, name: string): number | null {
  return v === null || v === undefined ? null : asInt(v, name);
}

export function asNumber(v: unknown, name: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw ParameterError(`Invalid type for value '${String(v)}': ${pyType(v)}, expected type <class 'float'>`);
}

export function asBool(v: unknown): boolean {
  return Boolean(v) && v !== 0 && v !== '';
}

export function asStringList(v: unknown, name: string): string[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw ParameterError(`Invalid type for ${name}: ${pyType(v)}, expected a list`);
  return v.map((x) => asString(x, name));
}

export function asStruct(v: unknown, name: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (!isStruct(v)) throw ParameterError(`Invalid type for ${name}: ${pyType(v)}, expected a dict`);
  return v;
}

/** A tag/build/user reference: a name or an id (Koji accepts both, and dicts with id/name). */
export function asRef(v: unknown, what: string): number | string {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') return v;
  if (isStruct(v)) {
    if (typeof v.id === 'number') return v.id;
    if (typeof v.name === 'string') return v.name;
  }
  throw GenericError(`Invalid type for ${what} info: ${String(v)}`);
}

/** Python's name for a wire value's type, for error texts. */
export function pyType(v: unknown): string {
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (typeof v === 'boolean') return "<class 'bool'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (typeof v === 'bigint') return "<class 'int'>";
  if (typeof v === 'string') return "<class 'str'>";
  if (Array.isArray(v)) return "<class 'list'>";
  if (v instanceof Uint8Array) return "<class 'bytes'>";
  if (v instanceof Date) return "<class 'datetime.datetime'>";
  return "<class 'dict'>";
}
