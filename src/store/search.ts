/**
 * @module
 * The rows Koji's `search` call looks through: {id, name} per searchable
 * kind, where a build's name is its N-V-R and an rpm's its file name. Tags
 * and targets count only while they exist (an active config row).
 */
import type { Store } from './db.ts';

export type SearchKind = 'package' | 'build' | 'tag' | 'target' | 'user' | 'host' | 'rpm';

const SOURCES: Record<SearchKind, string> = {
  package: 'SELECT id, name FROM package',
  build: "SELECT b.id, p.name || '-' || b.version || '-' || b.release AS name FROM build b JOIN package p ON p.id = b.pkg_id",
  tag: 'SELECT t.id, t.name FROM tag t JOIN tag_config c ON c.tag_id = t.id AND c.active = 1',
  target: 'SELECT t.id, t.name FROM build_target t JOIN build_target_config c ON c.build_target_id = t.id AND c.active = 1',
  user: 'SELECT id, name FROM users',
  host: 'SELECT id, name FROM host',
  rpm: "SELECT id, name || '-' || version || '-' || release || '.' || arch || '.rpm' AS name FROM rpminfo",
};

export const SEARCH_KINDS = Object.keys(SOURCES) as SearchKind[];

/**
 * {id, name} rows of a kind by id: all of them, those whose name equals
 * `exact` (case-sensitive), or those matching a LIKE pattern with `\` as
 * its escape (ASCII case-insensitive, like Koji's ILIKE for ASCII names).
 */
export function searchRows(store: Store, kind: SearchKind, match: { exact: string } | { like: string } | null): Array<{ id: number; name: string }> {
  const base = `SELECT id, name FROM (${SOURCES[kind]})`;
  if (match === null) return store.all(`${base} ORDER BY id`);
  if ('exact' in match) return store.all(`${base} WHERE name = ? ORDER BY id`, [match.exact]);
  return store.all(`${base} WHERE name LIKE ? ESCAPE '\\' ORDER BY id`, [match.like]);
}
