/**
 * @module
 * `IN (?, ?, …)` lists whose SQL text repeats. The store prepares each
 * distinct statement once and keeps it, so lists are padded to a few fixed
 * lengths (repeating their first value, which changes neither IN nor NOT
 * IN) instead of producing a new statement for every length.
 */

const SIZES = [1, 4, 16, 64, 256] as const;
export const MAX_IN = SIZES[SIZES.length - 1];

/** Split values into chunks of at most MAX_IN, each padded to a fixed length. */
export function inChunks<T extends string | number>(values: readonly T[]): Array<{ sql: string; params: T[] }> {
  const out: Array<{ sql: string; params: T[] }> = [];
  for (let i = 0; i < values.length; i += MAX_IN) {
    const chunk = values.slice(i, i + MAX_IN);
    const size = SIZES.find((n) => n >= chunk.length)!;
    const params = [...chunk];
    while (params.length < size) params.push(chunk[0]!);
    out.push({ sql: `(${params.map(() => '?').join(', ')})`, params });
  }
  return out;
}
