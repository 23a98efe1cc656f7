/**
 * @module
 * Tags: the name table, the versioned config and extra rows, listing, and
 * the "last change" query repo freshness depends on. A tag exists while it
 * has an active tag_config row; deleting revokes rows, never removes them.
 */
import type { Params, Store } from './db.ts';
import { eventClause, insertVersioned, revokeVersioned } from './versioned.ts';

export interface TagConfigRow {
  id: number;
  name: string;
  perm_id: number | null;
  perm: string | null;
  arches: string | null;
  locked: number;
  maven_support: number;
  maven_include_all: number;
  create_event: number;
  revoke_event: number | null;
}

export interface TagConfig {
  arches: string | null;
  perm_id: number | null;
  locked: boolean;
  maven_support: boolean;
  maven_include_all: boolean;
}

const refClause = (ref: number | string) => (typeof ref === 'number' ? 'tag.id = ?' : 'tag.name = ?');

/** The tag table entry (exists even for deleted tags). */
export function findTagName(store: Store, ref: number | string): { id: number; name: string } | null {
  return store.get(`SELECT id, name FROM tag WHERE ${refClause(ref)}`, [ref]);
}

/** Id for a tag name, creating the name row if needed (a deleted tag's id is reused). */
export function ensureTagName(store: Store, name: string): number {
  const row = store.get<{ id: number }>('SELECT id FROM tag WHERE name = ?', [name]);
  return row ? row.id : store.run('INSERT INTO tag (name) VALUES (?)', [name]).lastId;
}

export function renameTag(store: Store, tagId: number, name: string): void {
  store.run('UPDATE tag SET name = ? WHERE id = ?', [name, tagId]);
}

// Scalar subqueries rather than joins: bun:sqlite runs this hot lookup
// (every getTag) about three times faster that way.
const CONFIG_SELECT = `SELECT tc.tag_id AS id, (SELECT name FROM tag WHERE id = tc.tag_id) AS name, tc.perm_id,
    (SELECT name FROM permissions WHERE id = tc.perm_id) AS perm, tc.arches, tc.locked, tc.maven_support,
    tc.maven_include_all, tc.create_event, tc.revoke_event
  FROM tag_config tc`;

/** tag_config rows of the tag named or numbered by ref. */
const configRefClause = (ref: number | string) =>
  typeof ref === 'number' ? 'tc.tag_id = ?' : 'tc.tag_id = (SELECT id FROM tag WHERE name = ?)';

export function tagConfigAt(store: Store, ref: number | string, event: number | null): TagConfigRow | null {
  return store.get<TagConfigRow>(`${CONFIG_SELECT} WHERE ${configRefClause(ref)} AND ${eventClause('tc', event)}`, [ref]);
}

/** Events of the newest config row of a tag, deleted or not (getTag(event="auto")). */
export function newestTagConfigEvents(store: Store, ref: number | string): { create_event: number; revoke_event: number | null } | null {
  return store.get(
    `SELECT tc.create_event, tc.revoke_event FROM tag_config tc JOIN tag ON tag.id = tc.tag_id
     WHERE ${refClause(ref)} ORDER BY tc.create_event DESC LIMIT 1`,
    [ref],
  );
}

export function insertTagConfig(store: Store, tagId: number, cfg: TagConfig, event: number, user: number | null): void {
  insertVersioned(
    store,
    'tag_config',
    {
      tag_id: tagId,
      arches: cfg.arches,
      perm_id: cfg.perm_id,
      locked: cfg.locked ? 1 : 0,
      maven_support: cfg.maven_support ? 1 : 0,
      maven_include_all: cfg.maven_include_all ? 1 : 0,
    },
    event,
    user,
  );
}

export function revokeTagConfig(store: Store, tagId: number, event: number, user: number | null): number {
  return revokeVersioned(store, 'tag_config', { tag_id: tagId }, event, user);
}

/** Extra rows at an event; value is JSON text, NULL for a blocked key. */
export function tagExtraRows(store: Store, tagId: number, event: number | null, withBlocked: boolean): Array<{ key: string; value: string | null }> {
  return store.all(
    `SELECT key, value FROM tag_extra WHERE tag_id = ? AND ${eventClause('', event)}${withBlocked ? '' : ' AND value IS NOT NULL'} ORDER BY key`,
    [tagId],
  );
}

/** Replace an extra key's value (JSON text, or null to block it). */
export function setTagExtra(store: Store, tagId: number, key: string, value: string | null, event: number, user: number | null): void {
  revokeVersioned(store, 'tag_extra', { tag_id: tagId, key }, event, user);
  insertVersioned(store, 'tag_extra', { tag_id: tagId, key, value }, event, user);
}

export function removeTagExtra(store: Store, tagId: number, key: string, event: number, user: number | null): number {
  return revokeVersioned(store, 'tag_extra', { tag_id: tagId, key }, event, user);
}

export interface ListTagsFilter {
  buildId?: number | null;
  packageId?: number | null;
  /** SQL LIKE pattern with `\` escapes. */
  like?: string | null;
}

export interface ListedTagRow {
  id: number;
  name: string;
  arches: string | null;
  locked: number;
  maven_support: number;
  maven_include_all: number;
  perm_id: number | null;
  perm: string | null;
  owner_id?: number;
  owner_name?: string;
  blocked?: number;
  extra_arches?: string | null;
}

/** Current tags, optionally those holding a build or listing a package (listTags). */
export function listTags(store: Store, f: ListTagsFilter): ListedTagRow[] {
  const cols = ['tag.id', 'tag.name', 'tc.arches', 'tc.locked', 'tc.maven_support', 'tc.maven_include_all', 'tc.perm_id', 'p.name AS perm'];
  const joins = ['JOIN tag ON tag.id = tc.tag_id', 'LEFT JOIN permissions p ON p.id = tc.perm_id'];
  const where = ['tc.active = 1'];
  const params: Params = [];
  if (f.buildId !== undefined && f.buildId !== null) {
    joins.push('JOIN tag_listing tl ON tl.tag_id = tag.id AND tl.active = 1');
    where.push('tl.build_id = ?');
    params.push(f.buildId);
  } else if (f.packageId !== undefined && f.packageId !== null) {
    cols.push('u.id AS owner_id', 'u.name AS owner_name', 'tp.blocked', 'tp.extra_arches');
    joins.push(
      'JOIN tag_packages tp ON tp.tag_id = tag.id AND tp.active = 1',
      'JOIN tag_package_owners tpo ON tpo.tag_id = tp.tag_id AND tpo.package_id = tp.package_id AND tpo.active = 1',
      'JOIN users u ON u.id = tpo.owner',
    );
    where.push('tp.package_id = ?');
    params.push(f.packageId);
  }
  if (f.like) {
    where.push("tag.name LIKE ? ESCAPE '\\'");
    params.push(f.like);
  }
  return store.all<ListedTagRow>(`SELECT ${cols.join(', ')} FROM tag_config tc ${joins.join(' ')} WHERE ${where.join(' AND ')} ORDER BY tag.id`, params);
}

/**
 * Revoke everything that belongs to a tag (deleteTag): its config, extra,
 * inheritance both ways, targets using it, builds, package and group lists.
 */
export function revokeTagEverywhere(store: Store, tagId: number, event: number, user: number | null): void {
  const byColumn: Array<[string, string]> = [
    ['tag_config', 'tag_id'],
    ['tag_extra', 'tag_id'],
    ['tag_inheritance', 'tag_id'],
    ['tag_inheritance', 'parent_id'],
    ['build_target_config', 'build_tag'],
    ['build_target_config', 'dest_tag'],
    ['tag_listing', 'tag_id'],
    ['tag_packages', 'tag_id'],
    ['tag_package_owners', 'tag_id'],
    ['group_config', 'tag_id'],
    ['group_req_listing', 'tag_id'],
    ['group_package_listing', 'tag_id'],
  ];
  for (const [table, column] of byColumn) revokeVersioned(store, table, { [column]: tagId }, event, user);
}

/** Versioned tables whose changes alter what a tag's repo would contain. */
const TAG_CONTENT_TABLES = [
  'tag_listing', 'tag_inheritance', 'tag_config', 'tag_packages', 'tag_extra',
  'group_package_listing', 'group_req_listing', 'group_config',
];

/**
 * Newest create or revoke event touching any of the tags (before `before`
 * when given), or null (tagLastChangeEvent).
 */
export function lastChangeEvent(store: Store, tagIds: number[], before: number | null): number | null {
  if (!tagIds.length) return null;
  const marks = tagIds.map(() => '?').join(', ');
  let best: number | null = null;
  for (const table of TAG_CONTENT_TABLES) {
    for (const col of ['create_event', 'revoke_event']) {
      const cond = before === null ? '' : ` AND ${col} < ?`;
      const params = before === null ? [...tagIds] : [...tagIds, before];
      const r = store.get<{ ev: number | null }>(`SELECT MAX(${col}) AS ev FROM ${table} WHERE tag_id IN (${marks})${cond}`, params);
      if (r?.ev !== null && r?.ev !== undefined && (best === null || r.ev > best)) best = r.ev;
    }
  }
  return best;
}
