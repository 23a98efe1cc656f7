/**
 * @module
 * Query rows on the wire, column by column as Koji sends them: `*_time` as
 * ISO text, `*_ts` as doubles, flags (stored 0/1) as booleans, JSON text
 * as structs. Each caller names which of its columns are which; the rest
 * go as they are. Works on any subset of columns (QueryView callers pick
 * their fields).
 */
import { RpcDouble } from '../../core/xmlrpc.ts';
import { isoTime } from '../../core/time.ts';
import type { Row } from '../../store/db.ts';

export interface ColumnKinds {
  time?: ReadonlySet<string>;
  ts?: ReadonlySet<string>;
  flags?: ReadonlySet<string>;
  json?: ReadonlySet<string>;
}

/** Stored JSON text as a value; null for none or for text that does not parse. */
export function parseJson(text: unknown): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(String(text));
  } catch {
    return null;
  }
}

/** One row with its columns converted per `kinds`. */
export function shapeColumns(row: Row, kinds: ColumnKinds): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (kinds.time?.has(k)) out[k] = typeof v === 'number' ? isoTime(v) : null;
    else if (kinds.ts?.has(k)) out[k] = typeof v === 'number' ? new RpcDouble(v) : null;
    else if (kinds.flags?.has(k)) out[k] = v === null || v === undefined ? null : v === 1 || v === true;
    else if (kinds.json?.has(k)) out[k] = parseJson(v);
    else out[k] = v;
  }
  return out;
}
