/**
 * @module
 * Repos the hub makes itself, without a newRepo task: a tag that adds
 * nothing of its own to a parent whose READY repo has the same content (a
 * new sidetag, a new child tag) gets that repo's repodata hard-linked in
 * the same pass that sees the request — milliseconds instead of a trip
 * through the scheduler and a builder. The new repo is checked as the
 * builder checks reuse (options, comps, per-arch package and block lists,
 * arches) before anything is written; when it differs, the request gets
 * its newRepo task as usual.
 *
 * Working out the tag's content costs a few milliseconds per thousand
 * RPMs. When the tag's inheritance alone makes its content the parent's,
 * and the parent has not changed since its repo was made, the repo's own
 * lists are taken instead (`inheritsRepo`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_STATES } from '../../core/states.ts';
import type { Row } from '../../store/db.ts';
import type { FullLink } from '../../store/inheritance.ts';
import * as repos from '../../store/repos.ts';
import type { CallContext } from '../context.ts';
import type { Hub } from '../hub.ts';
import { getTagInfo, type TagInfo } from '../api/lookups.ts';
import { fullInheritance, tagLastChangeEventInTx } from '../api/tags.ts';
import { symlinkIfLatest } from './done.ts';
import { prepareRepo, repoArches, repoEventRange, writeRepo, type ArchLists, type PreparedRepo } from './init.ts';
import { linkTree } from './link.ts';
import { repoOptsFor, type RepoOpts } from './opts.ts';
import { repoDir } from './paths.ts';
import { repoInfo, repoSetState } from './requests.ts';
import { plainOpts } from './shape.ts';

/** Parents whose repos are compared, nearest first. */
const MAX_CANDIDATES = 3;

/** Per hub: the newest event at which a request was found not clonable (no second look until something changes). */
const triedAt = new WeakMap<Hub, Map<number, number>>();

const readText = (p: string): string | null => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};

/** Whether the repo in `dir` holds exactly what `p` would. */
function sameContent(p: PreparedRepo, dir: string): boolean {
  if (readText(join(dir, 'groups', 'comps.xml')) !== p.comps) return false;
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f !== 'groups' && existsSync(join(dir, f, 'pkglist')));
  } catch {
    return false;
  }
  if (names.length !== p.lists.size || names.some((a) => !p.lists.has(a))) return false;
  for (const [arch, l] of p.lists) {
    if (readText(join(dir, arch, 'pkglist')) !== l.pkglist) return false;
    if (readText(join(dir, arch, 'blocklist')) !== l.blocklist) return false;
    if (!existsSync(join(dir, arch, 'repodata', 'repomd.xml'))) return false;
  }
  return true;
}

/** A link as it bears on content: which tag, from which child, at what depth, under which filters. */
const linkKey = (l: FullLink, depthOffset: number) => JSON.stringify([l.parent_id, (l as { child_id?: number }).child_id, l.currdepth - depthOffset, l.filter, l.pkg_filter]);

/**
 * Whether the tag holds, by inheritance alone, exactly what `repo` (the
 * newest READY repo of its parent) holds. The tag adds nothing of its own
 * (checked by the caller); its one direct link, without filter or depth
 * limit, leads to the repo's tag; below that it sees the same ancestors,
 * in the same order and under the same filters, as that tag does (so no
 * intransitive link or depth limit cuts differently); both tags ask for
 * the same RPMs (repo_include_all) in the same arches; and nothing the
 * parent's content depends on has changed since the repo's event.
 */
function inheritsRepo(ctx: CallContext, tinfo: TagInfo, chain: FullLink[], repo: Row, opts: RepoOpts): boolean {
  const direct = chain.filter((l) => l.currdepth === 1);
  const link = direct[0];
  if (direct.length !== 1 || !link || link.parent_id !== repo.tag_id || link.pkg_filter || link.maxdepth !== null) return false;
  const parent = getTagInfo(ctx, link.parent_id, { strict: false });
  if (!parent) return false;
  if (Boolean(parent.extra.repo_include_all) !== Boolean(tinfo.extra.repo_include_all)) return false;
  if (repoArches(parent, opts).sort().join(' ') !== repoArches(tinfo, opts).sort().join(' ')) return false;
  const below = chain.filter((l) => l !== link).map((l) => linkKey(l, 1));
  const theirs = fullInheritance(ctx, parent.id, null).map((l) => linkKey(l, 0));
  if (below.length !== theirs.length || below.some((k, i) => k !== theirs[i])) return false;
  const changed = tagLastChangeEventInTx(ctx, parent.id, null);
  return changed !== null && changed <= (repo.create_event as number);
}

/** A repo's lists as written in its directory, for a tag that holds the same. */
function listsOf(dir: string, arches: string[]): { comps: string; lists: Map<string, ArchLists> } | null {
  const comps = readText(join(dir, 'groups', 'comps.xml'));
  if (comps === null) return null;
  const lists = new Map<string, ArchLists>();
  for (const arch of arches) {
    const [pkglist, rpmlist, blocklist] = ['pkglist', 'rpmlist.jsonl', 'blocklist'].map((f) => readText(join(dir, arch, f)));
    if (pkglist === null || rpmlist === null || blocklist === null || !existsSync(join(dir, arch, 'repodata', 'repomd.xml'))) return null;
    lists.set(arch, { pkglist, rpmlist, blocklist });
  }
  return { comps, lists };
}

/**
 * Make the request's repo by reusing a parent's, if the tag adds nothing
 * of its own; returns the new READY repo's id, or null to leave the
 * request to a newRepo task.
 */
export function cloneInHub(ctx: CallContext, req: Row): number | null {
  if (req.at_event !== null && req.at_event !== undefined) return null;
  const tagId = req.tag_id as number;
  const eventId = ctx.currentEvent ?? repos.maxEventId(ctx.store);
  let tried = triedAt.get(ctx.hub);
  if (!tried) triedAt.set(ctx.hub, (tried = new Map()));
  if (tried.get(req.id as number) === eventId) return null;
  tried.set(req.id as number, eventId);
  if (tried.size > 1000) tried.delete(tried.keys().next().value!);

  if (repos.tagHasOwnContent(ctx.store, tagId)) return null;
  const tinfo = getTagInfo(ctx, tagId, { strict: false });
  if (!tinfo) return null;
  const { opts, custom } = repoOptsFor(ctx.hub.config, tinfo, plainOpts(req.opts), ctx.hub.log);
  if (opts.maven || eventId < ((req.min_event as number | null) ?? 0)) return null;
  const chain = fullInheritance(ctx, tagId, null);
  const parents = [...chain].sort((a, b) => a.currdepth - b.currdepth);
  const candidates: Row[] = [];
  for (const link of parents) {
    const rows = repos.queryRepos(
      ctx.store,
      [['tag_id', '=', link.parent_id], ['state', '=', REPO_STATES.READY], ['dist', 'IS', false], ['opts', '=', opts]],
      ['id', 'tag_id', 'tag_name', 'create_event'],
      { order: '-create_event', limit: 1 },
    ) as Row[];
    if (rows[0]) candidates.push(rows[0]);
    if (candidates.length >= MAX_CANDIDATES) break;
  }
  if (!candidates.length) return null;

  let prepared: PreparedRepo | null = null;
  let from: Row | undefined;
  // recorded in repo.json: how the hub knew the content was the same
  let because = 'inheritance';
  const nearest = candidates[0]!;
  if (inheritsRepo(ctx, tinfo, chain, nearest, opts)) {
    const arches = repoArches(tinfo, opts);
    const same = listsOf(repoDir(ctx.hub.topdir, String(nearest.tag_name), nearest.id as number), arches);
    if (same) {
      prepared = { tinfo, opts, custom, eventId, ...repoEventRange(ctx, tinfo, eventId), ...same };
      from = nearest;
    }
  }
  if (!prepared) {
    because = 'same content';
    prepared = prepareRepo(ctx, tinfo, eventId, opts, custom);
    const p = prepared;
    from = candidates.find((c) => sameContent(p, repoDir(ctx.hub.topdir, String(c.tag_name), c.id as number)));
  }
  if (!from) return null;

  const fromDir = repoDir(ctx.hub.topdir, String(from.tag_name), from.id as number);
  const arches = [...prepared.lists.keys()];
  ctx.callback('preRepoInit', { tag: tinfo, event: null, repo_id: null, task_id: null, opts });
  const repoId = writeRepo(ctx, prepared, null, { cloned_from_repo_id: from.id, cloned_archs: arches, cloned_because: because });
  ctx.callback('postRepoInit', { tag: tinfo, event: null, repo_id: repoId, task_id: null, opts });
  const rinfo = repoInfo(ctx, repoId, true)!;
  ctx.callback('preRepoDone', { repo: rinfo, data: {}, expire: false });
  const dir = repoDir(ctx.hub.topdir, tinfo.name, repoId);
  for (const arch of arches) linkTree(join(fromDir, arch, 'repodata'), join(dir, arch, 'repodata'));
  repoSetState(ctx, repoId, REPO_STATES.READY);
  symlinkIfLatest(ctx, rinfo);
  ctx.callback('postRepoDone', { repo: rinfo, data: {}, expire: false });
  ctx.hub.log.info(`Repo ${repoId} for ${tinfo.name} reuses the repodata of repo ${from.id} (${from.tag_name})`);
  tried.delete(req.id as number);
  return repoId;
}
