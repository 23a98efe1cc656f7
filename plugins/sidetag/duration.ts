/**
 * @module
 * Durations as people read them ("3d 4h", "12m 5s", "45s"), for the hub
 * log and `list-sidetags --verbose`.
 */

const STEPS: Array<[string, number]> = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];

/** The two largest non-zero units of a number of seconds; negative counts as 0. */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.floor(seconds));
  const parts: string[] = [];
  for (const [unit, size] of STEPS) {
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      if (n > 0 || parts.length === 0) parts.push(`${n}${unit}`);
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
