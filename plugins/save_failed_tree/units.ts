/**
 * @module
 * Durations and sizes as people write them in config files: `2 weeks`,
 * `36h`, `1 day 12 hours`, `3600` (seconds); `20 GiB`, `500M`, `1048576`
 * (bytes). Units are binary (K = KiB = 1024), as disk usage tools print.
 */

const TIME_UNITS: ReadonlyArray<[number, string[]]> = [
  [604800, ['weeks', 'week', 'wks', 'wk', 'w']],
  [86400, ['days', 'day', 'd']],
  [3600, ['hours', 'hour', 'hrs', 'hr', 'h']],
  [60, ['minutes', 'minute', 'mins', 'min', 'm']],
  [1, ['seconds', 'second', 'secs', 'sec', 's']],
];

const SIZE_UNITS: ReadonlyArray<[number, string[]]> = [
  [1024 ** 4, ['tib', 'tb', 't']],
  [1024 ** 3, ['gib', 'gb', 'g']],
  [1024 ** 2, ['mib', 'mb', 'm']],
  [1024, ['kib', 'kb', 'k']],
  [1, ['bytes', 'byte', 'b']],
];

const NUMBER = /^(\d+(?:\.\d*)?|\.\d+)/;

function parseAmounts(text: string, units: ReadonlyArray<[number, string[]]>, what: string): number {
  const tokens = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) throw new Error(`empty ${what}`);
  let total = 0;
  let i = 0;
  while (i < tokens.length) {
    const m = NUMBER.exec(tokens[i]!);
    if (!m) throw new Error(`invalid ${what}: '${text}'`);
    const n = Number(m[1]);
    // The unit may be glued to the number (`36h`) or the next word (`36 hours`).
    let unit = tokens[i]!.slice(m[1]!.length);
    i++;
    if (!unit && i < tokens.length && !NUMBER.test(tokens[i]!)) unit = tokens[i++]!;
    let factor = 1;
    if (unit) {
      const found = units.find(([, names]) => names.includes(unit));
      if (!found) throw new Error(`invalid ${what}: unknown unit '${unit}' in '${text}'`);
      factor = found[0];
    }
    total += n * factor;
  }
  return total;
}

/** Seconds in a duration such as `2 weeks`, `36h`, `1 day 12 hours` or `90` (seconds). */
export function parseDuration(text: string): number {
  return parseAmounts(text, TIME_UNITS, 'duration');
}

/** Bytes in a size such as `20 GiB`, `500M` or `1048576`; whole bytes. */
export function parseSize(text: string): number {
  return Math.floor(parseAmounts(text, SIZE_UNITS, 'size'));
}

/** `1536` -> `1.5 KiB`: for logs and warnings. */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[u]}`;
}
