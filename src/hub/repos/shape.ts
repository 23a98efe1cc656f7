/**
 * @module
 * Repo and repo request rows on the wire, field by field as Koji returns
 * them (which columns are times, timestamps, flags and JSON; the
 * conversion is ../rpc/row-shape.ts), and repo opts as plain values.
 */
import type { Row } from '../../store/db.ts';
import { parseJson, shapeColumns, type ColumnKinds } from '../rpc/row-shape.ts';

const REPO_COLUMNS: ColumnKinds = {
  time: new Set(['creation_time', 'state_time', 'create_time', 'update_time']),
  ts: new Set(['creation_ts', 'state_ts', 'create_ts', 'begin_ts', 'end_ts', 'update_ts']),
  flags: new Set(['dist', 'active']),
  json: new Set(['opts', 'custom_opts']),
};

/** One repo or repo_queue row as Koji sends it. */
export function shapeRow(row: Row): Record<string, unknown> {
  return shapeColumns(row, REPO_COLUMNS);
}

/** Repo opts from a stored JSON text or an already parsed value ({} when absent). */
export function plainOpts(v: unknown): Record<string, boolean> {
  const o = typeof v === 'string' ? parseJson(v) : v;
  return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, boolean>) : {};
}
