/**
 * @module
 * Repo and repo request rows on the wire, field by field as Koji returns
 * them: `*_time` as ISO text, `*_ts` as doubles, flags as booleans, opts
 * as structs. Works on any field subset (repo.query asks for some).
 */
import { RpcDouble } from '../../core/xmlrpc.ts';
import { isoTime } from '../../core/time.ts';
import type { Row } from '../../store/db.ts';

const TIME = new Set(['creation_time', 'state_time', 'create_time', 'update_time']);
const TS = new Set(['creation_ts', 'state_ts', 'create_ts', 'begin_ts', 'end_ts', 'update_ts']);
const FLAGS = new Set(['dist', 'active']);
const JSON_FIELDS = new Set(['opts', 'custom_opts']);

function parse(text: unknown): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(String(text));
  } catch {
    return null;
  }
}

/** One repo or repo_queue row as Koji sends it. */
export function shapeRow(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (TIME.has(k)) out[k] = typeof v === 'number' ? isoTime(v) : null;
    else if (TS.has(k)) out[k] = typeof v === 'number' ? new RpcDouble(v) : null;
    else if (FLAGS.has(k)) out[k] = v === null || v === undefined ? null : v === 1 || v === true;
    else if (JSON_FIELDS.has(k)) out[k] = parse(v);
    else out[k] = v;
  }
  return out;
}

/** Repo opts from a stored JSON text or an already parsed value ({} when absent). */
export function plainOpts(v: unknown): Record<string, boolean> {
  const o = typeof v === 'string' ? parse(v) : v;
  return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, boolean>) : {};
}
