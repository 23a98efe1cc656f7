/**
 * @module
 * queryHistory: the change history of versioned data (tags, inheritance,
 * package lists, tagged builds, groups, targets, permissions, hosts), as
 * list-history and untag-build read it.
 */
import { GenericError } from '../../core/faults.ts';
import { RpcDouble } from '../../core/xmlrpc.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asInt, asStringList } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import { ABSENT_HISTORY_TABLES, HISTORY_BOOL_FIELDS, HISTORY_TABLE_FIELDS, historyRows, lookupNamedId } from '../../store/history.ts';
import { applyQueryOpts, nameOrId } from './common.ts';
import { getBuildInfo, lookupPackage, permIdOf, tagIdOf } from './lookups.ts';
import { lookupUser } from './users.ts';

function timeArg(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime() / 1000;
  if (typeof v === 'string') {
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  throw GenericError(`Invalid time: ${String(v)}`);
}

/** Resolve one filter value the way Koji does, once per call. */
function resolver(ctx: CallContext) {
  const memo = new Map<string, unknown>();
  return (arg: string, value: unknown): unknown => {
    if (memo.has(arg)) return memo.get(arg);
    let out: unknown;
    switch (arg) {
      case 'tag':
        out = tagIdOf(ctx, value, true);
        break;
      case 'build':
        out = getBuildInfo(ctx, value, true)!.id;
        break;
      case 'package':
        out = lookupPackage(ctx, value, true)!.id;
        break;
      case 'user':
      case 'editor':
        out = lookupUser(ctx, value, true)!.id;
        break;
      case 'permission':
        out = permIdOf(ctx, value);
        break;
      case 'host':
      case 'channel':
        // unknown hosts and channels match nothing rather than fail, as in Koji
        out = lookupNamedId(ctx.store, arg === 'host' ? 'host' : 'channels', nameOrId(value));
        break;
      case 'cg':
      case 'external_repo':
      case 'build_target':
      case 'group': {
        const table = ({ cg: 'content_generator', external_repo: 'external_repo', build_target: 'build_target', group: 'groups' } as Record<string, string>)[arg]!;
        const ref = nameOrId(value);
        out = table === 'external_repo' ? null : lookupNamedId(ctx.store, table, ref);
        if (out === null) throw GenericError(`No such entry in table ${table}: ${String(ref)}`);
        break;
      }
      case 'after':
      case 'before':
        out = timeArg(value);
        break;
      case 'afterEvent':
      case 'beforeEvent':
        out = asInt(value, arg);
        break;
      default:
        out = value;
    }
    memo.set(arg, out);
    return out;
  };
}

function shapeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === 'create_ts' || k === 'revoke_ts') out[k] = typeof v === 'number' ? new RpcDouble(v) : null;
    else if (k === 'active') out[k] = v === 1 ? true : null;
    else if (k.startsWith('_')) out[k] = v === null ? null : v === 1;
    else if (HISTORY_BOOL_FIELDS.has(k)) out[k] = v === null ? null : v === 1;
    else out[k] = v;
  }
  return out;
}

export const historyMethods: ApiMethod[] = [
  api(
    'queryHistory(tables=None, **kwargs)',
    'History of versioned tables: {table: [rows]}. Filters: tag, build, package, user, permission, host, channel, group, build_target, cg, external_repo, editor, active, before/after (time), beforeEvent/afterEvent, xkey; queryOpts applies per table.',
    { access: 'anon' },
    (ctx, a) => {
      const kwargs = { ...(a.kwargs as Record<string, unknown>) };
      const queryOpts = kwargs.queryOpts ?? null;
      delete kwargs.queryOpts;
      let tables: string[];
      if (a.tables === null) tables = Object.keys(HISTORY_TABLE_FIELDS).sort();
      else {
        tables = asStringList(a.tables, 'tables');
        for (const t of tables) if (!(t in HISTORY_TABLE_FIELDS)) throw GenericError(`No such history table: ${t}`);
      }
      const resolve = resolver(ctx);
      const filters = Object.entries(kwargs);
      const out: Record<string, unknown> = {};
      for (const table of tables) {
        const rows = historyRows(ctx.store, table, filters, resolve);
        if (rows === null) continue;
        out[table] = applyQueryOpts(ABSENT_HISTORY_TABLES.has(table) ? [] : rows.map(shapeRow), queryOpts);
      }
      return out;
    },
  ),
];
