/**
 * @module
 * The sidetag plugin's own queries. Sidetags are ordinary tags marked in
 * tag_extra (`sidetag` = true, `sidetag_user_id` = the owner's id as JSON),
 * so the plugin has no tables; these read the core tables the way only
 * sidetags need (counts per owner, the listing, the facts the lifetime
 * rules and `list-sidetags --verbose` use).
 */
import type { Params, Store } from '../../src/store/db.ts';
import { lastChangeEvent } from '../../src/store/tags.ts';
import { getEvent } from '../../src/store/events.ts';
import { TASK_STATES } from '../../src/core/states.ts';

/**
 * Take the next tag id for a new sidetag under a placeholder name the
 * caller replaces with the real one (renameTag) in the same transaction, so
 * the name can contain the id without guessing a sequence value.
 */
export function reserveTagId(store: Store): number {
  const placeholder = `.sidetag-pending-${crypto.randomUUID()}`;
  return store.run('INSERT INTO tag (name) VALUES (?)', [placeholder]).lastId;
}

/** Sidetags a user holds now (the `number_of_tags` of the sidetag policy). */
export function countUserSidetags(store: Store, userId: number): number {
  const row = store.get<{ n: number }>(
    "SELECT COUNT(*) AS n FROM tag_extra WHERE key = 'sidetag_user_id' AND value = ? AND active = 1",
    [String(userId)],
  );
  return row?.n ?? 0;
}

export interface SidetagRow extends Record<string, unknown> {
  id: number;
  name: string;
  /** The owner's id as stored: text, as Koji returns it. */
  user_id: string;
  user_name: string | null;
}

/** Current sidetags, optionally of one owner and/or with a given direct parent (listSideTags). */
export function listSidetags(store: Store, f: { basetagId?: number | null; userId?: number | null } = {}): SidetagRow[] {
  const joins = [
    "JOIN tag_extra te1 ON te1.tag_id = tag.id AND te1.active = 1 AND te1.key = 'sidetag' AND te1.value = 'true'",
    "JOIN tag_extra te2 ON te2.tag_id = tag.id AND te2.active = 1 AND te2.key = 'sidetag_user_id'",
    'LEFT JOIN users ON users.id = CAST(te2.value AS INTEGER)',
  ];
  const where: string[] = [];
  const params: Params = [];
  if (f.userId !== undefined && f.userId !== null) {
    where.push('te2.value = ?');
    params.push(String(f.userId));
  }
  if (f.basetagId !== undefined && f.basetagId !== null) {
    joins.push('JOIN tag_inheritance ti ON ti.tag_id = tag.id AND ti.active = 1');
    where.push('ti.parent_id = ?');
    params.push(f.basetagId);
  }
  return store.all<SidetagRow>(
    `SELECT tag.id, tag.name, te2.value AS user_id, users.name AS user_name FROM tag ${joins.join(' ')}
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY tag.id`,
    params,
  );
}

/** How many builds are tagged into a tag now. */
export function countTagged(store: Store, tagId: number): number {
  return store.get<{ n: number }>('SELECT COUNT(*) AS n FROM tag_listing WHERE tag_id = ? AND active = 1', [tagId])?.n ?? 0;
}

/** The direct parents of a tag, highest priority first (the base tag is the first). */
export function parentIds(store: Store, tagId: number): number[] {
  return store
    .all<{ parent_id: number }>('SELECT parent_id FROM tag_inheritance WHERE tag_id = ? AND active = 1 ORDER BY priority, parent_id', [tagId])
    .map((r) => r.parent_id);
}

export interface SidetagFacts {
  /** When the tag was created (its first config row). */
  createdTs: number;
  /**
   * The last time something happened in it: a change to its own content
   * or config (tagging, untagging, edits) or a buildroot made from its
   * repos (a build ran in it). Creation counts.
   */
  lastActivityTs: number;
  builds: number;
  /** Newest repo of the tag, if any. */
  repoId: number | null;
  repoState: number | null;
  /** A build runs in it or a task waits to (e.g. a build for its target). */
  inUse: boolean;
}

const OPEN_TASK_STATES = [TASK_STATES.FREE, TASK_STATES.OPEN, TASK_STATES.ASSIGNED];

function eventTime(store: Store, event: number | null): number {
  return event === null ? 0 : (getEvent(store, event)?.ts ?? 0);
}

/** What the lifetime rules and the verbose listing need to know about one sidetag. */
export function sidetagFacts(store: Store, tagId: number): SidetagFacts {
  const created = store.get<{ ev: number | null }>('SELECT MIN(create_event) AS ev FROM tag_config WHERE tag_id = ?', [tagId])?.ev ?? null;
  const createdTs = eventTime(store, created);
  const changedTs = eventTime(store, lastChangeEvent(store, [tagId], null));
  const brTs =
    store.get<{ ts: number | null }>(
      `SELECT MAX(e.time) AS ts FROM standard_buildroot sb JOIN repo r ON r.id = sb.repo_id
       JOIN events e ON e.id = sb.create_event WHERE r.tag_id = ?`,
      [tagId],
    )?.ts ?? 0;
  const repo = store.get<{ id: number; state: number }>('SELECT id, state FROM repo WHERE tag_id = ? AND dist = 0 ORDER BY id DESC LIMIT 1', [tagId]);
  const marks = OPEN_TASK_STATES.map(() => '?').join(', ');
  const name = store.get<{ name: string }>('SELECT name FROM tag WHERE id = ?', [tagId])?.name ?? '';
  // a build's buildroot made from its repo, or a task (build, chainbuild...) naming it
  // in its request, which kojibox stores as XML-RPC; newRepo tasks do not count, so a
  // repo the hub asked for on its own cannot keep a sidetag alive
  const busy = store.get<{ n: number }>(
    `SELECT
       (SELECT COUNT(*) FROM standard_buildroot sb JOIN repo r ON r.id = sb.repo_id JOIN task t ON t.id = sb.task_id
        WHERE r.tag_id = ? AND t.state IN (${marks}))
     + (SELECT COUNT(*) FROM task t WHERE t.state IN (${marks}) AND t.method <> 'newRepo' AND t.request LIKE ? ESCAPE '\\') AS n`,
    [tagId, ...OPEN_TASK_STATES, ...OPEN_TASK_STATES, `%>${name.replace(/[\\%_]/g, (c) => `\\${c}`)}<%`],
  );
  return {
    createdTs,
    lastActivityTs: Math.max(createdTs, changedTs, brTs),
    builds: countTagged(store, tagId),
    repoId: repo?.id ?? null,
    repoState: repo?.state ?? null,
    inUse: (busy?.n ?? 0) > 0,
  };
}
