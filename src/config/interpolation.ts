/**
 * @module
 * ConfigParser's BasicInterpolation: `%(name)s` is replaced by another option
 * of the same section (or [DEFAULT]) and `%%` is a literal `%`. koji reads
 * koji.conf and several plugin files with the interpolating parser, so a `%`
 * there means what it means to Python, including the errors.
 */

/** Python's MAX_INTERPOLATION_DEPTH. */
const MAX_DEPTH = 10;

const REFERENCE = /^%\(([^)]+)\)s/;

/**
 * Expand `value` using `lookup` (raw values by lowercased option name).
 * Throws a plain Error whose message says what is wrong; the caller adds the
 * option's location.
 */
export function interpolate(value: string, lookup: (key: string) => string | undefined): string {
  const out: string[] = [];
  expand(value, lookup, out, 1);
  return out.join('');
}

function expand(rest: string, lookup: (key: string) => string | undefined, out: string[], depth: number): void {
  if (depth > MAX_DEPTH) {
    throw new Error(`interpolation nested more than ${MAX_DEPTH} levels deep (a reference loop?)`);
  }
  while (rest !== '') {
    const p = rest.indexOf('%');
    if (p < 0) {
      out.push(rest);
      return;
    }
    out.push(rest.slice(0, p));
    rest = rest.slice(p);
    const next = rest.slice(1, 2);
    if (next === '%') {
      out.push('%');
      rest = rest.slice(2);
    } else if (next === '(') {
      const m = REFERENCE.exec(rest);
      if (!m) throw new Error(`bad interpolation variable reference '${rest}'`);
      const name = m[1]!.toLowerCase();
      rest = rest.slice(m[0].length);
      const referenced = lookup(name);
      if (referenced === undefined) throw new Error(`'%(${name})s' refers to no option '${name}'`);
      if (referenced.includes('%')) expand(referenced, lookup, out, depth + 1);
      else out.push(referenced);
    } else {
      throw new Error(`'%' must be followed by '%' or '(', found: '${rest}'`);
    }
  }
}
