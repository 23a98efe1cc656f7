/**
 * @module
 * Read-only queries the policy tests need (permissions, groups, a build's
 * tags, a tag's ancestors), answered from current data.
 */
import type { Store } from './db.ts';
import { readFullInheritance } from './inheritance.ts';

export function tagNameOf(store: Store, ref: number | string): string | null {
  const row =
    typeof ref === 'number'
      ? store.get<{ name: string }>('SELECT name FROM tag WHERE id = ?', [ref])
      : store.get<{ name: string }>('SELECT name FROM tag WHERE name = ?', [ref]);
  return row?.name ?? null;
}

export function tagNamesOfBuild(store: Store, buildId: number): string[] {
  return store
    .all<{ name: string }>(
      'SELECT t.name FROM tag_listing tl JOIN tag t ON t.id = tl.tag_id WHERE tl.build_id = ? AND tl.active = 1 ORDER BY t.name',
      [buildId],
    )
    .map((r) => r.name);
}

/**
 * Names of the tags the given tag inherits from, as its full inheritance
 * walk finds them (maxdepth and intransitive links honoured, as Koji's
 * buildtag_inherits_from reads readFullInheritance).
 */
export function ancestorTagNames(store: Store, ref: number | string): string[] {
  const start =
    typeof ref === 'number' ? ref : store.get<{ id: number }>('SELECT id FROM tag WHERE name = ?', [ref])?.id;
  if (start === undefined || start === null) return [];
  return [...new Set(readFullInheritance(store, start, null).map((l) => l.name))];
}

export interface PolicyBuildInfo {
  id: number;
  name: string;
  version: string;
  release: string;
  owner_id: number;
  volume_name: string;
  draft: boolean;
  source: string | null;
  cg_names: string[];
  btypes: string[];
  imported: boolean;
}

export function policyBuildInfo(store: Store, ref: number | string): PolicyBuildInfo | null {
  let row: Record<string, unknown> | null;
  const base = `SELECT b.id, p.name, b.version, b.release, b.owner, b.draft, b.source, b.task_id, b.cg_id, v.name AS volume_name
    FROM build b JOIN package p ON p.id = b.pkg_id JOIN volume v ON v.id = b.volume_id`;
  if (typeof ref === 'number') row = store.get(`${base} WHERE b.id = ?`, [ref]);
  else {
    const m = /^(.+)-([^-]+)-([^-]+)$/.exec(ref);
    if (!m) return null;
    row = store.get(`${base} WHERE p.name = ? AND b.version = ? AND b.release = ? ORDER BY b.draft, b.id LIMIT 1`, [m[1]!, m[2]!, m[3]!]);
  }
  if (!row) return null;
  const id = row.id as number;
  const cg = store.all<{ name: string }>('SELECT c.name FROM build b JOIN content_generator c ON c.id = b.cg_id WHERE b.id = ?', [id]);
  const btypes = store.all<{ name: string }>('SELECT t.name FROM build_types bt JOIN btype t ON t.id = bt.btype_id WHERE bt.build_id = ?', [id]);
  return {
    id,
    name: row.name as string,
    version: row.version as string,
    release: row.release as string,
    owner_id: row.owner as number,
    volume_name: row.volume_name as string,
    draft: Boolean(row.draft),
    source: (row.source as string | null) ?? taskSource(store, row.task_id as number | null),
    cg_names: cg.map((r) => r.name),
    btypes: btypes.map((r) => r.name),
    // Koji calls a build "imported" when no task built it and no CG imported it
    imported: row.task_id === null && row.cg_id === null,
  };
}

/** Koji's is_new_package: no package of this name exists anywhere yet. */
export function packageIsNew(store: Store, pkg: string): boolean {
  return !store.get('SELECT 1 FROM package WHERE name = ?', [pkg]);
}

export function packageNameOf(store: Store, id: number): string | null {
  return store.get<{ name: string }>('SELECT name FROM package WHERE id = ?', [id])?.name ?? null;
}

export function volumeNameOf(store: Store, id: number): string | null {
  return store.get<{ name: string }>('SELECT name FROM volume WHERE id = ?', [id])?.name ?? null;
}

/** Name of a target's build tag. */
export function targetBuildTagName(store: Store, target: number | string): string | null {
  const r = store.get<{ name: string }>(
    `SELECT t.name FROM build_target bt JOIN build_target_config c ON c.build_target_id = bt.id AND c.active = 1
     JOIN tag t ON t.id = c.build_tag WHERE ${typeof target === 'number' ? 'bt.id' : 'bt.name'} = ?`,
    [target],
  );
  return r?.name ?? null;
}

/**
 * Tags of the buildroots that built a build's rpms and archives; null for a
 * component without a buildroot (imported) or a buildroot without a tag.
 */
export function buildRootTagNames(store: Store, buildId: number): (string | null)[] {
  const rows = store.all<{ name: string | null }>(
    `SELECT t.name FROM (
        SELECT buildroot_id FROM rpminfo WHERE build_id = ?
        UNION ALL SELECT buildroot_id FROM archiveinfo WHERE build_id = ?
     ) c
     LEFT JOIN standard_buildroot sb ON sb.buildroot_id = c.buildroot_id
     LEFT JOIN repo r ON r.id = sb.repo_id
     LEFT JOIN tag t ON t.id = r.tag_id`,
    [buildId, buildId],
  );
  return [...new Set(rows.map((r) => r.name))];
}

/**
 * A build's source when the build row has none: the first argument of the
 * task that built it (an SCM URL or an SRPM path), as Koji reads it.
 */
function taskSource(store: Store, taskId: number | null): string | null {
  if (taskId === null) return null;
  const t = store.get<{ request: string }>('SELECT request FROM task WHERE id = ?', [taskId]);
  if (!t) return null;
  const m = /<param>\s*<value>\s*(?:<string>)?([^<]*)/.exec(t.request);
  return m ? decodeEntities(m[1]!) : null;
}

function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
