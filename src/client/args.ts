/**
 * @module
 * Koji's CLI argument conversions: `call` and `-x key=value` turn text into
 * int, float, None/True/False or (for edit-tag extras) JSON, else keep text.
 */

/** koji's arg_filter: int -> float -> None/True/False -> [JSON] -> str. */
export function argFilter(text: string, parseJson = false): unknown {
  if (/^[+-]?\d+$/.test(text.trim())) return Number(text);
  if (/^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/.test(text.trim())) return Number(text);
  if (text === 'None') return null;
  if (text === 'True') return true;
  if (text === 'False') return false;
  if (parseJson) {
    try {
      return JSON.parse(text);
    } catch {
      // not JSON: keep the text as it is
    }
  }
  return text;
}

/** Split `key=value` arguments (call, -x) into positional and keyword parts. */
export function splitKeyValues(items: string[], parseJson = false): { args: unknown[]; kwargs: Record<string, unknown> } {
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  for (const item of items) {
    const m = /^([A-Za-z_]\w*)=(.*)$/s.exec(item);
    if (m) kwargs[m[1]!] = argFilter(m[2]!, parseJson);
    else args.push(argFilter(item, parseJson));
  }
  return { args, kwargs };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
