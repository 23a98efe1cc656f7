/**
 * @module
 * Name-version-release and arch-list parsing with Koji's rules and error
 * texts, shared by the hub (build lookups) and the client (untag-build).
 */
import { GenericError } from './faults.ts';

export interface NVR {
  name: string;
  version: string;
  release: string;
  /** Text before a `:` in the name part, '' when there is none (as koji.parse_NVR). */
  epoch: string;
}

/** Split `name-version-release` from the right; `GenericError('invalid format: X')` otherwise. */
export function parseNVR(nvr: string): NVR {
  const p2 = nvr.lastIndexOf('-');
  if (p2 <= -1 || p2 === nvr.length - 1) throw GenericError(`invalid format: ${nvr}`);
  const p1 = p2 === 0 ? -1 : nvr.lastIndexOf('-', p2 - 1);
  if (p1 === -1 || p1 === p2 - 1) throw GenericError(`invalid format: ${nvr}`);
  let name = nvr.slice(0, p1);
  let epoch = '';
  const colon = name.indexOf(':');
  if (colon >= 0) {
    epoch = name.slice(0, colon);
    name = name.slice(colon + 1);
  }
  return { name, version: nvr.slice(p1 + 1, p2), release: nvr.slice(p2 + 1), epoch };
}

const ARCH = /^[a-zA-Z0-9_-]*$/;

/**
 * koji.parse_arches: a comma- or space-separated string (or a list) to one
 * space-separated string. `strict` (hub input) splits on whitespace only;
 * `allowNone` turns null into ''.
 */
export function parseArches(arches: unknown, opts: { strict?: boolean; allowNone?: boolean } = {}): string {
  return parseArchList(arches, opts).join(' ');
}

export function parseArchList(arches: unknown, opts: { strict?: boolean; allowNone?: boolean } = {}): string[] {
  let list: unknown[];
  if ((arches === null || arches === undefined) && opts.allowNone) list = [];
  else if (Array.isArray(arches)) list = arches;
  else if (typeof arches === 'string') list = (opts.strict ? arches : arches.replace(/,/g, ' ')).split(/\s+/).filter(Boolean);
  else throw GenericError(`Invalid type for arches: ${String(arches)}`);
  for (const a of list) {
    if (typeof a !== 'string' || !ARCH.test(a)) throw GenericError('Architecture can be only [a-zA-Z0-9_-]');
  }
  return list as string[];
}
