/**
 * @module
 * The few Python string rules configparser relies on. JavaScript's `trim()`
 * and `\s` use a different whitespace set (JS strips a byte-order mark,
 * Python does not; Python strips U+001C..U+001F and U+0085, JS does not), and
 * a file koji rejects must not parse here, so we spell Python's set out.
 */

/** Characters for which Python's `str.isspace()` is true. */
const PY_SPACE =
  '\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680' +
  '\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a' +
  '\u2028\u2029\u202f\u205f\u3000';

const SPACE_SET = new Set(PY_SPACE);

/** Python's `c.isspace()` for one character. */
export function isPySpace(c: string): boolean {
  return SPACE_SET.has(c);
}

/** Python's `s.strip()` with no argument. */
export function pyStrip(s: string): string {
  return pyRstrip(pyLstrip(s));
}

/** Python's `s.lstrip()` with no argument. */
export function pyLstrip(s: string): string {
  let start = 0;
  while (start < s.length && SPACE_SET.has(s[start]!)) start++;
  return s.slice(start);
}

/** Python's `s.rstrip()` with no argument. */
export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && SPACE_SET.has(s[end - 1]!)) end--;
  return s.slice(0, end);
}

/** Index of the first non-space character (Python's `re.search(r'\S')`), or -1. */
export function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) if (!SPACE_SET.has(s[i]!)) return i;
  return -1;
}

/**
 * Split text into lines the way Python's text-mode files do (universal
 * newlines: `\n`, `\r\n` and a lone `\r` end a line; nothing else does).
 */
export function splitPyLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  // A final newline ends the last line rather than starting an empty one.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
