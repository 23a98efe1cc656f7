/**
 * @module
 * Shell-style glob matching with the semantics of Python's `fnmatch.fnmatch`
 * on POSIX, because koji configs (hub policies, save-failed-tree filters)
 * are written against those rules:
 *
 * - `*` matches any run of characters, `/` and newlines included;
 * - `?` matches exactly one character;
 * - `[seq]` / `[!seq]` match one character in / not in the set, where `]`
 *   right after the opening bracket is a member, `a-z` is a range and a
 *   reversed range (`z-a`) is empty;
 * - a `[` without a closing `]` is an ordinary character;
 * - matching is case-sensitive and covers the whole name;
 * - backslash has no special meaning.
 */

const cache = new Map<string, RegExp>();

/** Characters that must be escaped outside a class in a `u`-mode RegExp. */
const SYNTAX = /[\\^$.*+?()[\]{}|/]/;
/** Characters that must be escaped inside a class in a `u`-mode RegExp. */
const CLASS_SYNTAX = /[\\\]\[^-]/;

function escapeChar(ch: string): string {
  return SYNTAX.test(ch) ? `\\${ch}` : ch;
}

function escapeClassChar(ch: string): string {
  return CLASS_SYNTAX.test(ch) ? `\\${ch}` : ch;
}

/**
 * Translate the members between the brackets of a `[...]` set (already
 * without the leading `!`) into RegExp class contents.
 */
function classBody(members: string[]): string {
  let out = '';
  let i = 0;
  while (i < members.length) {
    const first = members[i];
    // A hyphen between two members makes a range; at either end it is literal.
    if (i + 2 < members.length && members[i + 1] === '-') {
      const last = members[i + 2];
      if ((first.codePointAt(0) ?? 0) <= (last.codePointAt(0) ?? 0)) {
        out += `${escapeClassChar(first)}-${escapeClassChar(last)}`;
      }
      i += 3;
    } else {
      out += escapeClassChar(first);
      i += 1;
    }
  }
  return out;
}

/**
 * Find the end of a bracket set that opens just before `start`.
 * Returns the index of the closing `]`, or -1 when the set is unterminated.
 */
function findSetEnd(chars: string[], start: number): number {
  let j = start;
  if (chars[j] === '!') j++;
  // The first member may be `]` itself.
  if (chars[j] === ']') j++;
  while (j < chars.length && chars[j] !== ']') j++;
  return j < chars.length ? j : -1;
}

/** Translate a glob pattern into the source of an anchored RegExp. */
function translate(pattern: string): string {
  // Iterate by code point so astral characters count as one, as in Python.
  const chars = Array.from(pattern);
  let out = '';
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i++];
    if (ch === '*') {
      while (chars[i] === '*') i++;
      out += '.*';
    } else if (ch === '?') {
      out += '.';
    } else if (ch === '[') {
      const end = findSetEnd(chars, i);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      const negate = chars[i] === '!';
      const body = classBody(chars.slice(negate ? i + 1 : i, end));
      i = end + 1;
      if (body === '') {
        // Every member was an empty range: nothing matches, or with `!`, anything does.
        out += negate ? '.' : '(?!)';
      } else {
        out += negate ? `[^${body}]` : `[${body}]`;
      }
    } else {
      out += escapeChar(ch);
    }
  }
  return `^(?:${out})$`;
}

/** Compile a glob pattern into an anchored RegExp (cached per pattern). */
export function fnmatchToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    // Patterns mostly come from config, but callers may pass user input: keep the cache bounded.
    if (cache.size >= 4096) cache.clear();
    re = new RegExp(translate(pattern), 'su');
    cache.set(pattern, re);
  }
  return re;
}

/** True if `name` matches the glob `pattern` (Python `fnmatch.fnmatch` rules). */
export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchToRegExp(pattern).test(name);
}

/** True if `name` matches any of `patterns`. */
export function fnmatchAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => fnmatch(name, p));
}
