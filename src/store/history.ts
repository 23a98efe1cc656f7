/**
 * @module
 * History of the versioned tables (queryHistory): each row with who and
 * when it was created and revoked, plus the names of what it points at,
 * keyed as Koji keys them ("tag.name", "parent.name", ...). Which tables a
 * filter applies to follows from the name joins each table has, as in Koji.
 */
import type { Params, Store } from './db.ts';

/** Koji's versioned tables and their own columns. */
export const HISTORY_TABLE_FIELDS: Record<string, string[]> = {
  user_perms: ['user_id', 'perm_id'],
  user_groups: ['user_id', 'group_id'],
  cg_users: ['user_id', 'cg_id'],
  tag_inheritance: ['tag_id', 'parent_id', 'priority', 'maxdepth', 'intransitive', 'noconfig', 'pkg_filter'],
  tag_config: ['tag_id', 'arches', 'perm_id', 'locked', 'maven_support', 'maven_include_all'],
  tag_extra: ['tag_id', 'key', 'value'],
  build_target_config: ['build_target_id', 'build_tag', 'dest_tag'],
  external_repo_config: ['external_repo_id', 'url'],
  external_repo_data: ['external_repo_id', 'data'],
  host_config: ['host_id', 'arches', 'capacity', 'description', 'comment', 'enabled'],
  host_channels: ['host_id', 'channel_id'],
  tag_external_repos: ['tag_id', 'external_repo_id', 'priority', 'merge_mode', 'arches'],
  tag_listing: ['build_id', 'tag_id'],
  tag_packages: ['package_id', 'tag_id', 'blocked', 'extra_arches'],
  tag_package_owners: ['package_id', 'tag_id', 'owner'],
  group_config: ['group_id', 'tag_id', 'blocked', 'exported', 'display_name', 'is_default', 'uservisible', 'description', 'langonly', 'biarchonly'],
  group_req_listing: ['group_id', 'tag_id', 'req_id', 'blocked', 'type', 'is_metapkg'],
  group_package_listing: ['group_id', 'tag_id', 'package', 'blocked', 'type', 'basearchonly', 'requires'],
};

/** Tables kojibox does not have (no content generators' users, no external repos): always empty. */
export const ABSENT_HISTORY_TABLES = new Set(['cg_users', 'external_repo_config', 'external_repo_data', 'tag_external_repos']);

/** Columns stored as 0/1 that Koji returns as booleans. */
export const HISTORY_BOOL_FIELDS = new Set(['intransitive', 'noconfig', 'locked', 'maven_support', 'maven_include_all', 'enabled', 'blocked', 'exported', 'is_default', 'uservisible', 'biarchonly', 'is_metapkg', 'basearchonly', 'active']);

/** field -> [table, join alias, result alias] for the name of what the field points at. */
const NAME_JOINS: Record<string, [string, string?, string?]> = {
  user_id: ['users', 'users', 'user'],
  perm_id: ['permissions', 'permission'],
  cg_id: ['content_generator'],
  tag_id: ['tag'],
  host_id: ['host'],
  channel_id: ['channels'],
  parent_id: ['tag', 'parent'],
  build_target_id: ['build_target'],
  build_tag: ['tag', 'build_tag'],
  dest_tag: ['tag', 'dest_tag'],
  external_repo_id: ['external_repo'],
  package_id: ['package'],
  owner: ['users', 'owner'],
  req_id: ['groups', 'req'],
};

interface TablePlan {
  cols: string[];
  joins: string[];
  /** join table name -> alias it was joined as (the last one wins, as in Koji). */
  joined: Map<string, string>;
}

function plan(table: string): TablePlan {
  const cols = [
    `${table}.active AS active`,
    `${table}.create_event AS create_event`,
    `${table}.revoke_event AS revoke_event`,
    `${table}.creator_id AS creator_id`,
    `${table}.revoker_id AS revoker_id`,
    'creator.name AS creator_name',
    'revoker.name AS revoker_name',
    'ev1.time AS create_ts',
    'ev2.time AS revoke_ts',
  ];
  const joins = [
    `JOIN events ev1 ON ev1.id = ${table}.create_event`,
    `LEFT JOIN events ev2 ON ev2.id = ${table}.revoke_event`,
    // bootstrap rows may have no creator; keep them
    `LEFT JOIN users creator ON creator.id = ${table}.creator_id`,
    `LEFT JOIN users revoker ON revoker.id = ${table}.revoker_id`,
  ];
  const joined = new Map<string, string>();
  for (const field of HISTORY_TABLE_FIELDS[table]!) {
    cols.push(`${table}.${field} AS "${field}"`);
    const nj = NAME_JOINS[field];
    if (nj) {
      const [tbl, as = tbl, alias] = nj;
      joined.set(tbl, as);
      cols.push(`${as}.name AS "${alias ? `${alias}.name` : `${as}.name`}"`);
      joins.push(`LEFT JOIN ${tbl}${as === tbl ? '' : ` AS ${as}`} ON ${table}.${field} = ${as}.id`);
    } else if (field === 'build_id') {
      cols.push('package.name AS name', 'build.version AS version', 'build.release AS release', 'build.epoch AS epoch', 'build.state AS "build.state"');
      joins.push(`JOIN build ON ${table}.build_id = build.id`, 'JOIN package ON build.pkg_id = package.id');
      joined.set('build', 'build');
      joined.set('package', 'package');
    } else if (field === 'group_id') {
      if (table.startsWith('group_')) {
        cols.push('groups.name AS "group.name"');
        joins.push(`JOIN groups ON ${table}.group_id = groups.id`);
        joined.set('groups', 'groups');
      } else if (table === 'user_groups') {
        cols.push('usergroup.name AS "group.name"');
        joins.push(`JOIN users AS usergroup ON ${table}.group_id = usergroup.id`);
        joined.set('users', 'usergroup');
      }
    }
  }
  return { cols, joins, joined };
}

/**
 * A filter argument, resolved on first use by the API layer (so an unknown
 * tag is an error only when some table takes the tag filter, as in Koji).
 */
export type HistoryResolver = (arg: string, value: unknown) => unknown;

/**
 * Rows of one table under the filters, or null when a filter does not apply
 * to the table (the table is then left out of the result).
 */
export function historyRows(store: Store, table: string, filters: Array<[string, unknown]>, resolve: HistoryResolver): Record<string, unknown>[] | null {
  const p = plan(table);
  const where: string[] = [];
  const params: Params = [];
  const extraCols: string[] = [];
  const extraParams: Params = [];
  const fields = HISTORY_TABLE_FIELDS[table]!;
  const needs = (joinTable: string) => p.joined.get(joinTable);
  for (const [arg, value] of filters) {
    switch (arg) {
      case 'tag': {
        const alias = needs('tag');
        if (!alias) return null;
        const id = resolve('tag', value) as number;
        if (table === 'tag_inheritance') {
          where.push(`(${table}.tag_id = ? OR ${table}.parent_id = ?)`);
          params.push(id, id);
        } else {
          where.push(`${alias}.id = ?`);
          params.push(id);
        }
        break;
      }
      case 'build':
      case 'host':
      case 'channel':
      case 'user':
      case 'permission':
      case 'cg':
      case 'external_repo':
      case 'build_target':
      case 'group': {
        const joinTable = ({ build: 'build', host: 'host', channel: 'channels', user: 'users', permission: 'permissions', cg: 'content_generator', external_repo: 'external_repo', build_target: 'build_target', group: 'groups' } as Record<string, string>)[arg]!;
        const alias = needs(joinTable);
        if (!alias) return null;
        const id = resolve(arg, value) as number | null;
        // an unknown host or channel compares with NULL and matches nothing, as in Koji
        where.push(id === null ? '0' : `${alias}.id = ?`);
        if (id !== null) params.push(id);
        break;
      }
      case 'package': {
        if (needs('package')) {
          where.push('package.id = ?');
          params.push(resolve('package', value) as number);
        } else if (fields.includes('package')) {
          where.push(`${table}.package = ?`);
          params.push(String(value));
        } else return null;
        break;
      }
      case 'active':
        if (value) where.push(`${table}.active = 1`);
        else if (value !== null && value !== undefined) where.push(`${table}.active IS NULL`);
        break;
      case 'editor': {
        const id = resolve('editor', value) as number;
        where.push('(creator.id = ? OR revoker.id = ?)');
        params.push(id, id);
        extraCols.push('(creator.id IS ? ) AS _created_by', '(revoker.id IS ?) AS _revoked_by');
        extraParams.push(id, id);
        break;
      }
      case 'after':
      case 'before': {
        const ts = resolve(arg, value) as number;
        const op = arg === 'after' ? '>' : '<';
        where.push(`(ev1.time ${op} ? OR ev2.time ${op} ?)`);
        params.push(ts, ts);
        extraCols.push(`(ev1.time ${op} ?) AS _created_${arg}`, `(ev2.time ${op} ?) AS _revoked_${arg}`);
        extraParams.push(ts, ts);
        break;
      }
      case 'afterEvent':
      case 'beforeEvent': {
        const ev = resolve(arg, value) as number;
        const op = arg === 'afterEvent' ? '>' : '<';
        const word = arg === 'afterEvent' ? 'after' : 'before';
        where.push(`(${table}.create_event ${op} ? OR ${table}.revoke_event ${op} ?)`);
        params.push(ev, ev);
        extraCols.push(`(${table}.create_event ${op} ?) AS _created_${word}_event`, `(${table}.revoke_event ${op} ?) AS _revoked_${word}_event`);
        extraParams.push(ev, ev);
        break;
      }
      case 'xkey':
        if (!fields.includes('key')) return null;
        where.push(`${table}.key = ?`);
        params.push(String(value));
        break;
      default:
        // Koji ignores arguments it does not know (the CLI's untag-build sends pkg=)
        break;
    }
  }
  if (ABSENT_HISTORY_TABLES.has(table)) return [];
  const sql = `SELECT ${[...p.cols, ...extraCols].join(', ')} FROM ${table} ${p.joins.join(' ')}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${table}.create_event, ${table}.rowid`;
  return store.all<Record<string, unknown>>(sql, [...extraParams, ...params]);
}

const NAMED_TABLES = new Set(['host', 'channels', 'content_generator', 'build_target', 'groups']);

/** Id of a row of a name table (host, channels, content_generator, build_target, groups). */
export function lookupNamedId(store: Store, table: string, ref: number | string): number | null {
  if (!NAMED_TABLES.has(table)) throw new Error(`not a name table: ${table}`);
  const r = store.get<{ id: number }>(`SELECT id FROM ${table} WHERE ${typeof ref === 'number' ? 'id' : 'name'} = ?`, [ref]);
  return r?.id ?? null;
}
