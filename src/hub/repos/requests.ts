/**
 * @module
 * Koji 1.35 repo requests: asking for a repo of a tag that is at least as
 * new as an event (or exactly at one), finding an existing READY repo that
 * satisfies it, de-duplicating requests, and marking requests fulfilled
 * when a repo becomes READY. The queue itself is worked by
 * ./queue.ts in the hub's repo service.
 */
import { ActionNotAllowed, GenericError, ParameterError } from '../../core/faults.ts';
import { BR_STATES, PRIO_DEFAULT, REPO_STATES } from '../../core/states.ts';
import { now } from '../../core/time.ts';
import type { Row } from '../../store/db.ts';
import { getEvent, lastEvent } from '../../store/events.ts';
import * as repos from '../../store/repos.ts';
import * as tasks from '../../store/tasks.ts';
import type { CallContext } from '../context.ts';
import { asInt } from '../rpc/args.ts';
import { getTagInfo, type TagInfo } from '../api/lookups.ts';
import { fullInheritance, tagLastChangeEventInTx } from '../api/tags.ts';
import { taskShape } from '../tasks/shape.ts';
import { convertRepoOpts, type RepoOpts } from './opts.ts';
import { shapeRow } from './shape.ts';

/** Koji's convert_value(v, int, none_allowed): ints, int-like text, or None. */
export function optInt(v: unknown, name: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && !Number.isInteger(v)) return Math.trunc(v);
  return asInt(v, name);
}

export function tagIdStrict(ctx: CallContext, tag: unknown): number {
  return getTagInfo(ctx, tag, { strict: true })!.id;
}

/** Koji's tag_first_change_event. */
export function tagFirstChangeEvent(ctx: CallContext, tag: unknown, after: number | null, inherit = true): number | null {
  const tagId = tagIdOfAny(ctx, tag);
  const ids = [tagId, ...(inherit && after !== null ? fullInheritance(ctx, tagId, after).map((l) => l.parent_id) : [])];
  return repos.firstChangeEvent(ctx.store, tagId, ids, after);
}

/** get_tag_id(strict): any tag name ever created, deleted or not. */
function tagIdOfAny(ctx: CallContext, tag: unknown): number {
  const info = getTagInfo(ctx, tag, { strict: false, event: 'auto' });
  if (!info) throw GenericError(`No such tag: ${String(tag)}`);
  return info.id;
}

/** Koji's get_repo (repo.get): the newest READY repo matching the events and opts, or null. */
export function getRepo(ctx: CallContext, tag: unknown, minEvent: unknown, atEvent: unknown, opts: unknown): Record<string, unknown> | null {
  const tagId = tagIdStrict(ctx, tag);
  const min = optInt(minEvent, 'min_event');
  const at = optInt(atEvent, 'at_event');
  const o = convertRepoOpts(opts, true);
  const row = findRepo(ctx, tagId, min, at, o);
  return row ? shapeRow(row) : null;
}

function findRepo(ctx: CallContext, tagId: number, min: number | null, at: number | null, opts: RepoOpts): Row | null {
  const clauses: unknown[] = [
    ['tag_id', '=', tagId],
    ['dist', 'IS', false],
    ['state', '=', REPO_STATES.READY],
    ['opts', '@>', opts],
    ['custom_opts', '<@', opts],
  ];
  if (at !== null) clauses.push(['create_event', '=', at]);
  else if (min !== null) clauses.push(['create_event', '>=', min]);
  const rows = repos.queryRepos(ctx.store, clauses, '**', { order: '-create_event', limit: 1 }) as Row[];
  return rows[0] ?? null;
}

/** Koji's old getRepo: newest repo of a tag in a state (READY by default), or before an event. */
export function oldGetRepo(ctx: CallContext, tag: unknown, state: unknown, event: unknown, dist: unknown, minEvent: unknown): Record<string, unknown> | null {
  const tagId = tagIdOfAny(ctx, tag);
  let st = optInt(state, 'state');
  const ev = optInt(event, 'event');
  const min = optInt(minEvent, 'min_event');
  const clauses: unknown[] = [['tag_id', '=', tagId], ['dist', 'IS', Boolean(dist)]];
  if (ev) clauses.push(['create_event', '<=', ev]);
  else {
    if (st === null) st = REPO_STATES.READY;
    clauses.push(['state', '=', st]);
  }
  if (min !== null) clauses.push(['create_event', '>=', min]);
  const rows = repos.queryRepos(ctx.store, clauses, '**', { order: '-creation_time', limit: 1 }) as Row[];
  return rows[0] ? shapeRow(rows[0]) : null;
}

/** Koji's repo_info. */
export function repoInfo(ctx: CallContext, repoId: unknown, strict: boolean): Record<string, unknown> | null {
  const id = optInt(repoId, 'repo_id');
  const rows = repos.queryRepos(ctx.store, [['id', '=', id]], '**') as Row[];
  if (!rows.length) {
    if (strict) throw GenericError('query returned no rows');
    return null;
  }
  return shapeRow(rows[0]!);
}

/**
 * Koji's default_min_event: the tag's last change, unless that is recent,
 * then the last event before now minus the lag (tag extra `repo.lag`, else
 * RepoLag), rounded down to RepoLagWindow so close requests share events.
 */
export function defaultMinEvent(ctx: CallContext, tag: TagInfo, lagSeconds?: number): number {
  const last = tagLastChangeEventInTx(ctx, tag.id, null);
  let lag = lagSeconds;
  if (lag === undefined) {
    const extraLag = tag.extra['repo.lag'];
    if (extraLag !== undefined && extraLag !== null && !Number.isInteger(extraLag)) ctx.hub.log.warn(`Invalid repo.lag setting for tag ${tag.name}: ${JSON.stringify(extraLag)}`);
    lag = Number.isInteger(extraLag) ? (extraLag as number) : ctx.hub.config.RepoLag;
  }
  const window = Math.max(1, ctx.hub.config.RepoLagWindow);
  const baseTs = Math.floor((now() - lag) / window) * window;
  const baseEv = lastEvent(ctx.store, baseTs);
  const base = baseEv ? baseEv.id : (tagFirstChangeEvent(ctx, tag.id, null) ?? 0);
  return last === null ? base : Math.min(base, last);
}

export interface RequestResult {
  repo: Record<string, unknown> | null;
  request: Record<string, unknown> | null;
  duplicate: boolean;
}

export interface RequestArgs {
  minEvent?: unknown;
  atEvent?: unknown;
  opts?: unknown;
  priority?: unknown;
  force?: boolean;
  /** Owner of a new request; the caller when undefined. */
  owner?: number | null;
  /**
   * Makes the repo of a new request within this call if it can (the hub's
   * clone of a parent's repodata); returns the repo id, or null to leave
   * the request to the repo service.
   */
  fulfil?: (ctx: CallContext, request: Row) => number | null;
}

/** Koji's request_repo: an existing repo, a duplicate request, or a new request. */
export function requestRepo(ctx: CallContext, tag: unknown, a: RequestArgs): RequestResult {
  const taginfo = getTagInfo(ctx, tag, { strict: true })!;
  const opts = convertRepoOpts(a.opts, true);
  if (opts.maven && !ctx.hub.config.EnableMaven) throw GenericError('Maven support not enabled');
  let minEvent: number | null = null;
  let atEvent: number | null = null;
  if (a.atEvent !== null && a.atEvent !== undefined) {
    if (a.minEvent !== null && a.minEvent !== undefined) throw ParameterError('The min_event and at_event options conflict');
    atEvent = optInt(a.atEvent, 'at_event')!;
    if (!getEvent(ctx.store, atEvent)) throw ParameterError(`Invalid event: ${atEvent}`);
  } else if (a.minEvent === 'last') {
    minEvent = tagLastChangeEventInTx(ctx, taginfo.id, null);
  } else if (a.minEvent === null || a.minEvent === undefined) {
    minEvent = defaultMinEvent(ctx, taginfo);
  } else {
    minEvent = optInt(a.minEvent, 'min_event')!;
    if (!getEvent(ctx.store, minEvent)) throw ParameterError(`Invalid event: ${minEvent}`);
  }
  let priority = PRIO_DEFAULT;
  if (a.priority !== null && a.priority !== undefined) {
    const rel = optInt(a.priority, 'priority')!;
    // relative, as with builds: below zero is ahead of normal requests
    if (rel < 0 && !ctx.hasPerm('admin')) throw ActionNotAllowed('only admins may create high-priority requests');
    priority = PRIO_DEFAULT + rel;
  }

  if (!a.force) {
    const repo = findRepo(ctx, taginfo.id, minEvent, atEvent, opts);
    if (repo) return { repo: shapeRow(repo), request: null, duplicate: false };
  }

  const clauses: unknown[] = [['tag_id', '=', taginfo.id], ['active', 'IS', true], ['opts', '=', opts]];
  if (atEvent !== null) clauses.push(['at_event', '=', atEvent]);
  else clauses.push(['min_event', '>=', minEvent]);
  const dups = repos.queryRequests(ctx.store, clauses, '**', { order: 'priority,id' }) as Row[];
  if (dups.length) {
    const req = dups[0]!;
    if ((req.priority as number) > priority) {
      repos.updateRequest(ctx.store, req.id as number, { priority }, now());
      req.priority = priority;
    }
    return { repo: null, request: shapeRow(req), duplicate: true };
  }

  const id = repos.insertRequest(ctx.store, {
    owner: a.owner === undefined ? ctx.userId : a.owner,
    priority,
    tag_id: taginfo.id,
    at_event: atEvent,
    min_event: minEvent,
    opts,
    create_time: now(),
  });
  ctx.hub.log.info(`New repo request for ${taginfo.name}`);
  const request = requestById(ctx, id)!;
  const repoId = a.fulfil?.(ctx, request as Row) ?? null;
  // already fulfilled: nobody waits, so the repo service need not hurry
  if (repoId !== null) return { repo: repoInfo(ctx, repoId, true), request: requestById(ctx, id), duplicate: false };
  ctx.afterCommit(() => ctx.hub.notify(REPO_REQUEST_TOPIC, { request: id, tag_id: taginfo.id }));
  return { repo: null, request, duplicate: false };
}

/** Announced after commit when a request is made (the repo service wakes up). */
export const REPO_REQUEST_TOPIC = 'repos.request';
/** Announced after commit when a repo becomes READY. */
export const REPO_READY_TOPIC = 'repos.ready';

export function requestById(ctx: CallContext, id: number): Record<string, unknown> | null {
  const rows = repos.queryRequests(ctx.store, [['id', '=', id]], '**') as Row[];
  return rows[0] ? shapeRow(rows[0]) : null;
}

/** Koji's check_repo_request: {request, repo} and, while it runs, the task. */
export function checkRequest(ctx: CallContext, reqId: unknown): Record<string, unknown> {
  const id = optInt(reqId, 'req_id');
  const req = id === null ? null : requestById(ctx, id);
  if (!req) throw GenericError('No such request');
  const out: Record<string, unknown> = { repo: null, request: req };
  if (req.repo_id) out.repo = repoInfo(ctx, req.repo_id, false);
  else if (req.task_id) {
    const t = tasks.getTaskRow(ctx.store, req.task_id as number);
    if (t) out.task = taskShape(t);
  }
  return out;
}

export function setRequestPriority(ctx: CallContext, reqId: unknown, priority: unknown): void {
  const id = optInt(reqId, 'req_id')!;
  const p = optInt(priority, 'priority')!;
  repos.updateRequest(ctx.store, id, { priority: p }, now());
}

/** Koji's repo_done_hook: requests that the now READY repo satisfies get it and go inactive. */
export function repoDoneHook(ctx: CallContext, repoId: number): void {
  const rows = repos.queryRepos(ctx.store, [['id', '=', repoId]], '**') as Row[];
  const repo = rows[0];
  if (!repo || repo.dist === 1) return;
  const opts = JSON.parse(String(repo.opts ?? 'null')) as Record<string, unknown> | null;
  const custom = JSON.parse(String(repo.custom_opts ?? 'null')) as Record<string, unknown> | null;
  if (!opts || !custom) {
    ctx.hub.log.error(`Repo with invalid opts values: ${repoId}`);
    return;
  }
  const ids = repos.requestsFulfilledBy(ctx.store, { tag_id: repo.tag_id as number, create_event: repo.create_event as number, opts, custom_opts: custom });
  repos.setRequestsDone(ctx.store, ids, repoId, now());
}

/** Koji's repo_set_state, with its transition checks; READY also fulfils requests. */
export function repoSetState(ctx: CallContext, repoId: unknown, state: unknown): void {
  const id = optInt(repoId, 'repo_id')!;
  const st = optInt(state, 'state')!;
  const name = REPO_STATES.nameOf(st);
  if (name === undefined || st < 0) throw ParameterError(`Unknown repo state: ${st}`);
  const old = repos.repoState(ctx.store, id);
  if (old === null) throw GenericError('query returned no rows');
  const oldName = REPO_STATES.nameOf(old);
  if (old > st && st !== REPO_STATES.DELETED) throw GenericError(`Invalid repo state transition for repo ${id}: ${oldName} -> ${name}`);
  if (old === st) {
    ctx.hub.log.warn(`Repo ${id} is already in state ${name}`);
    return;
  }
  if (old === REPO_STATES.DELETED) throw GenericError(`Repo ${id} is deleted`);
  repos.setRepoState(ctx.store, id, st, now());
  if (st === REPO_STATES.READY) {
    repoDoneHook(ctx, id);
    ctx.afterCommit(() => ctx.hub.notify(REPO_READY_TOPIC, { repo_id: id }));
  }
}

/** Koji's repo_delete: DELETED unless buildroots still use it; returns the number of references. */
export function repoDelete(ctx: CallContext, repoId: unknown): number {
  const id = optInt(repoId, 'repo_id')!;
  if (repos.repoState(ctx.store, id) === null) throw GenericError('query returned no rows');
  const refs = repoReferences(ctx, id);
  if (!refs.length) repoSetState(ctx, id, REPO_STATES.DELETED);
  return refs.length;
}

/** Koji's repo_references: live buildroots using the repo. */
export function repoReferences(ctx: CallContext, repoId: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const r of repos.repoReferences(ctx.store, repoId)) {
    if (r.state === BR_STATES.EXPIRED) {
      ctx.hub.log.error(`Error: buildroot ${r.id} expired, but has no retire_event`);
      continue;
    }
    out.push({ ...r });
  }
  return out;
}
