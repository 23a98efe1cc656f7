/**
 * @module
 * Tag inheritance: the direct links (tag_inheritance rows) and the walk
 * that turns them into a tag's full, ordered ancestry (or descendants),
 * honouring maxdepth, intransitive links, noconfig and package filters as
 * Koji's readFullInheritance does. Loops are pruned, not followed.
 */
import type { Store } from './db.ts';
import { eventClause, insertVersioned, revokeVersioned } from './versioned.ts';

export interface InheritanceLink {
  parent_id: number;
  name: string;
  priority: number;
  maxdepth: number | null;
  intransitive: boolean;
  noconfig: boolean;
  pkg_filter: string;
  child_id: number;
}

export interface DescendantLink {
  tag_id: number;
  parent_id: number;
  name: string;
  priority: number;
  maxdepth: number | null;
  intransitive: boolean;
  noconfig: boolean;
  pkg_filter: string;
}

/** A link as getFullInheritance returns it: the direct link plus walk state. */
export type FullLink = (InheritanceLink | DescendantLink) & {
  nextdepth: number | null;
  currdepth: number;
  /** The package filters in force below this link (all must match). */
  filter: string[];
};

interface RawLink {
  tag_id: number;
  parent_id: number;
  name: string;
  priority: number;
  maxdepth: number | null;
  intransitive: number;
  noconfig: number;
  pkg_filter: string;
}

/** A tag's direct parents at an event, by priority (getInheritanceData). */
export function readInheritanceData(store: Store, tagId: number, event: number | null): InheritanceLink[] {
  const rows = store.all<RawLink>(
    `SELECT ti.tag_id, ti.parent_id, t.name, ti.priority, ti.maxdepth, ti.intransitive, ti.noconfig, ti.pkg_filter
     FROM tag_inheritance ti JOIN tag t ON t.id = ti.parent_id
     WHERE ti.tag_id = ? AND ${eventClause('ti', event)} ORDER BY ti.priority, ti.parent_id`,
    [tagId],
  );
  return rows.map((r) => ({ parent_id: r.parent_id, ...linkSettings(r), child_id: tagId }));
}

/** A tag's direct children at an event; `name` is the child's. */
export function readDescendantsData(store: Store, tagId: number, event: number | null): DescendantLink[] {
  const rows = store.all<RawLink>(
    `SELECT ti.tag_id, ti.parent_id, t.name, ti.priority, ti.maxdepth, ti.intransitive, ti.noconfig, ti.pkg_filter
     FROM tag_inheritance ti JOIN tag t ON t.id = ti.tag_id
     WHERE ti.parent_id = ? AND ${eventClause('ti', event)} ORDER BY ti.priority, ti.tag_id`,
    [tagId],
  );
  return rows.map((r) => ({ tag_id: r.tag_id, parent_id: r.parent_id, ...linkSettings(r) }));
}

/** The link's name and settings, with SQLite's 0/1 flags as booleans. */
function linkSettings(r: RawLink) {
  return {
    name: r.name,
    priority: r.priority,
    maxdepth: r.maxdepth,
    intransitive: r.intransitive === 1,
    noconfig: r.noconfig === 1,
    pkg_filter: r.pkg_filter,
  };
}

export interface NewLink {
  parent_id: number;
  priority: number;
  maxdepth: number | null;
  intransitive: boolean;
  noconfig: boolean;
  pkg_filter: string;
}

export function insertInheritance(store: Store, tagId: number, link: NewLink, event: number, user: number | null): void {
  insertVersioned(
    store,
    'tag_inheritance',
    {
      tag_id: tagId,
      parent_id: link.parent_id,
      priority: link.priority,
      maxdepth: link.maxdepth,
      intransitive: link.intransitive ? 1 : 0,
      noconfig: link.noconfig ? 1 : 0,
      pkg_filter: link.pkg_filter,
    },
    event,
    user,
  );
}

export function revokeInheritance(store: Store, tagId: number, parentId: number, event: number, user: number | null): number {
  return revokeVersioned(store, 'tag_inheritance', { tag_id: tagId, parent_id: parentId }, event, user);
}

/**
 * The full inheritance of a tag, in search order. `onLoop` hears about a
 * link back into the current path (pruned).
 */
export function readFullInheritance(
  store: Store,
  tagId: number,
  event: number | null,
  reverse = false,
  onLoop?: (from: number, to: number) => void,
): FullLink[] {
  const order: FullLink[] = [];
  walk(store, tagId, event, reverse, order, new Set(), new Map(), 0, null, false, [], onLoop);
  return order;
}

function walk(
  store: Store,
  tagId: number,
  event: number | null,
  reverse: boolean,
  order: FullLink[],
  path: Set<number>,
  seen: Map<number, FullLink[]>,
  depth: number,
  maxdepth: number | null,
  noconfigAbove: boolean,
  filterAbove: string[],
  onLoop?: (from: number, to: number) => void,
): void {
  if (maxdepth !== null && maxdepth < 1) return;
  // maxdepth is relative to this node, currdepth absolute from the start
  const currdepth = depth + 1;
  const onPath = new Set(path).add(tagId);
  const links: Array<InheritanceLink | DescendantLink> = reverse ? readDescendantsData(store, tagId, event) : readInheritanceData(store, tagId, event);
  let noconfig = noconfigAbove;
  for (const link of links) {
    const next = reverse ? (link as DescendantLink).tag_id : link.parent_id;
    if (onPath.has(next)) {
      onLoop?.(tagId, next);
      continue;
    }
    // intransitive links count only from the starting tag
    if (link.intransitive && onPath.size > 1 && !reverse) continue;
    let nextdepth: number | null;
    if (reverse) {
      // going down, maxdepth limits how far below the parent a child may sit
      if (link.maxdepth !== null && link.maxdepth < currdepth - 1) continue;
      nextdepth = null;
    } else if (link.maxdepth === null) nextdepth = maxdepth === null ? null : maxdepth - 1;
    else nextdepth = (maxdepth === null ? link.maxdepth : Math.min(link.maxdepth, maxdepth)) - 1;
    // noconfig sticks for the rest of this node's links, as in Koji
    if (link.noconfig) noconfig = true;
    const filter = link.pkg_filter ? [...filterAbove, link.pkg_filter] : [...filterAbove];
    const full: FullLink = { ...link, nextdepth, currdepth, filter };
    const previous = seen.get(next);
    if (previous) {
      // a second route to a tag matters only if it reaches further or with fewer limits
      const covered = previous.some((p) => {
        if (nextdepth === null ? p.nextdepth !== null : p.nextdepth !== null && p.nextdepth < nextdepth) return false;
        if (p.noconfig && !noconfig) return false;
        return p.filter.length === 0;
      });
      if (covered) continue;
      previous.push(full);
    } else seen.set(next, [full]);
    order.push(full);
    if (link.intransitive && reverse) continue;
    walk(store, next, event, reverse, order, onPath, seen, currdepth, nextdepth, noconfig, filter, onLoop);
  }
}
