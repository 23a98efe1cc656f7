/**
 * @module
 * Time formats on the wire. The store keeps epoch seconds; Koji's hub sends
 * `*_time` as ISO strings with microseconds and offset ("2024-05-01
 * 12:00:00.123456+00:00") and `*_ts` as floats.
 */

export function now(): number {
  return Date.now() / 1000;
}

/** Epoch seconds to Koji's timestamp text; null stays null. */
export function isoTime(ts: number | null | undefined): string | null {
  if (ts === null || ts === undefined) return null;
  const d = new Date(Math.floor(ts * 1000));
  const micros = String(Math.round((ts % 1) * 1e6) % 1e6).padStart(6, '0');
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${micros}+00:00`;
}
