/**
 * @module
 * Koji's QueryView: clauses `[field, op, value]` (or `[field, value]`),
 * field lists with `*` (fields needing no join) and `**` (all), and the
 * order/limit/offset/countOnly options, turned into one SQL query over a
 * view that maps Koji's field names to columns. The repo tables
 * (./repos.ts: `repo.query`, `repo.queryQueue`, the hub's own repo
 * lookups) and the scheduler's (./scheduler.ts: `scheduler.getTaskRuns`
 * and friends) are queried this way, so the field names are Koji's.
 */
import { ParameterError } from '../core/faults.ts';
import type { Params, Row, Store } from './db.ts';

export interface FieldSpec {
  /** SQL expression. */
  sql: string;
  /** Join key from the view's joins, or null. */
  join: string | null;
  /** Stored as JSON text (opts): compared with the containment operators. */
  json?: boolean;
}

export interface ViewSpec {
  table: string;
  /** key -> JOIN clause text. */
  joins: Record<string, string>;
  fields: Record<string, FieldSpec>;
  defaultFields: string[];
}

export interface QueryViewOpts {
  order?: string;
  limit?: number;
  offset?: number;
  countOnly?: boolean;
}

/** A query's opts as a client sends them (Koji's queryOpts: order, limit, offset, countOnly). */
export function queryViewOpts(v: unknown): QueryViewOpts | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw ParameterError('Invalid query options');
  const o = v as Record<string, unknown>;
  const out: QueryViewOpts = {};
  if (typeof o.order === 'string') out.order = o.order;
  if (o.limit !== undefined && o.limit !== null) out.limit = Number(o.limit);
  if (o.offset !== undefined && o.offset !== null) out.offset = Number(o.offset);
  if (o.countOnly) out.countOnly = true;
  return out;
}

const OPS = new Set(['IN', '=', '!=', '>', '<', '>=', '<=', 'IS', 'IS NOT', '@>', '<@']);

/** A Python repr-ish text for error messages. */
function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** Bind values as SQLite stores them: booleans as 0/1. */
function bindValue(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  return JSON.stringify(v);
}

/** Canonical JSON of a flat dict (sorted keys), how opts are stored. */
export function canonicalJson(v: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) sorted[k] = v[k];
  return JSON.stringify(sorted);
}

function parseJsonDict(v: unknown, field: string): Record<string, unknown> {
  let obj = v;
  if (typeof v === 'string') {
    try {
      obj = JSON.parse(v);
    } catch {
      throw ParameterError(`Invalid value for ${field}: ${v}`);
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw ParameterError(`Invalid value for ${field}: ${show(v)}`);
  return obj as Record<string, unknown>;
}

/** `col` holds every key of `value` with the same value (jsonb @>). */
function containsSql(col: string, value: Record<string, unknown>, params: unknown[]): string {
  const keys = Object.keys(value);
  if (!keys.length) return `${col} IS NOT NULL`;
  const parts = keys.map((k) => {
    params.push(JSON.stringify(value), `$."${k.replace(/"/g, '')}"`, `$."${k.replace(/"/g, '')}"`);
    return `json_extract(?, ?) IS json_extract(${col}, ?)`;
  });
  return `(${col} IS NOT NULL AND ${parts.join(' AND ')})`;
}

/** Every key of `col` is in `value` with the same value (jsonb <@). */
function containedSql(col: string, value: Record<string, unknown>, params: unknown[]): string {
  params.push(JSON.stringify(value));
  return `(${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM json_each(${col}) j WHERE json_extract(?, '$."' || j.key || '"') IS NOT j.value))`;
}

/**
 * Run a QueryView query. Rows come back with raw column values (epoch
 * seconds, 0/1, JSON text); callers shape them. With countOnly the count.
 */
export function queryView(store: Store, view: ViewSpec, clauses: unknown, fields: unknown, opts: QueryViewOpts | null = null): Row[] | number {
  const joins: string[] = [];
  const useJoin = (key: string | null) => {
    if (key && !joins.includes(key)) joins.push(key);
  };
  const mapField = (name: string): FieldSpec => {
    const f = view.fields[name];
    if (!f) throw ParameterError(`Invalid field for query ${name}`);
    useJoin(f.join);
    return f;
  };

  // order first: it may add joins, as in Koji
  const order: string[] = [];
  if (opts?.order) {
    for (const raw of String(opts.order).split(',')) {
      const desc = raw.startsWith('-');
      const name = desc ? raw.slice(1) : raw;
      order.push(`${mapField(name).sql}${desc ? ' DESC' : ''}`);
    }
  }

  const where: string[] = [];
  const params: unknown[] = [];
  if (clauses !== null && clauses !== undefined && !Array.isArray(clauses)) throw ParameterError(`Invalid clauses: ${show(clauses)}`);
  for (const clause of (clauses as unknown[] | null) ?? []) {
    if (!Array.isArray(clause) || (clause.length !== 2 && clause.length !== 3)) throw ParameterError(`Invalid clause: ${show(clause)}`);
    let field: unknown;
    let op: string;
    let value: unknown;
    if (clause.length === 2) {
      [field, value] = clause;
      op = Array.isArray(value) ? 'IN' : '=';
    } else {
      [field, op, value] = clause as [unknown, string, unknown];
      op = String(op).toUpperCase();
      if (!OPS.has(op)) throw ParameterError(`Invalid operator: ${op}`);
    }
    const f = mapField(String(field));
    if (op === 'IN') {
      const list = Array.isArray(value) ? value : [value];
      if (!list.length) where.push('0');
      else {
        where.push(`${f.sql} IN (${list.map(() => '?').join(', ')})`);
        params.push(...list.map(bindValue));
      }
    } else if (op === '@>' || op === '<@') {
      const dict = parseJsonDict(value, String(field));
      where.push(op === '@>' ? containsSql(f.sql, dict, params) : containedSql(f.sql, dict, params));
    } else if (f.json && (op === '=' || op === '!=')) {
      const dict = parseJsonDict(value, String(field));
      const both = `(${containsSql(f.sql, dict, params)} AND ${containedSql(f.sql, dict, params)})`;
      where.push(op === '=' ? both : `NOT ${both}`);
    } else {
      where.push(`${f.sql} ${op} ?`);
      params.push(bindValue(value));
    }
  }

  const wanted = fields === null || fields === undefined || (Array.isArray(fields) && !fields.length) ? view.defaultFields : typeof fields === 'string' ? [fields] : fields;
  if (!Array.isArray(wanted)) throw ParameterError(`Invalid fields: ${show(fields)}`);
  const list: string[] = [];
  for (const name of wanted.map(String)) {
    if (name === '*') {
      for (const [k, f] of Object.entries(view.fields)) if (f.join === null || joins.includes(f.join)) list.push(k);
    } else if (name === '**') list.push(...Object.keys(view.fields));
    else list.push(name);
  }
  const names = [...new Set(list)];
  const columns = names.map((n) => `${mapField(n).sql} AS "${n}"`);

  const joinSql = joins.map((k) => view.joins[k]).join(' ');
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  if (opts?.countOnly) {
    const r = store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${view.table} ${joinSql}${whereSql}`, params as Params);
    return r?.n ?? 0;
  }
  let sql = `SELECT ${columns.join(', ')} FROM ${view.table} ${joinSql}${whereSql}`;
  if (order.length) sql += ` ORDER BY ${order.join(', ')}`;
  if (opts?.limit !== undefined && opts.limit !== null) sql += ` LIMIT ${Math.max(0, Math.trunc(Number(opts.limit)))}`;
  if (opts?.offset !== undefined && opts.offset !== null) {
    if (opts.limit === undefined || opts.limit === null) sql += ' LIMIT -1';
    sql += ` OFFSET ${Math.max(0, Math.trunc(Number(opts.offset)))}`;
  }
  return store.all(sql, params as Params);
}
