/**
 * @module
 * Working the repo request queue (Koji's check_repo_queue, which kojira
 * triggers; kojibox's hub runs it itself): finished newRepo tasks settle
 * their requests, failed ones are retried up to RepoRetries, and waiting
 * requests get newRepo tasks in the createrepo channel, at most
 * MaxRepoTasks at once — unless the hub can make the repo itself from a
 * parent's (./clone.ts). kojibox also keeps to one running task per tag and
 * options, so a burst of tagging makes one repo after the running one
 * instead of a pile of overlapping ones.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_STATES, TASK_STATES } from '../../core/states.ts';
import { now } from '../../core/time.ts';
import type { Row } from '../../store/db.ts';
import { canonicalJson } from '../../store/query-view.ts';
import * as repos from '../../store/repos.ts';
import * as tasks from '../../store/tasks.ts';
import { findUser } from '../../store/users.ts';
import type { CallContext } from '../context.ts';
import { createTask } from '../tasks/create.ts';
import { decodeResult } from '../tasks/shape.ts';
import { encodeArgs } from '../../core/task-params.ts';
import { convertRepoOpts } from './opts.ts';
import { plainOpts } from './shape.ts';
import { cloneInHub } from './clone.ts';

/** Priority of newRepo tasks made for requests (Koji's). */
export const REPO_TASK_PRIORITY = 15;

function repoFromTask(ctx: CallContext, taskId: number): Row | null {
  const row = tasks.getTaskRow(ctx.store, taskId, false, true);
  if (!row?.result) return null;
  try {
    const r = decodeResult(row.result);
    if (!r.ok || !Array.isArray(r.value)) return null;
    const repoId = Number(r.value[0]);
    const found = repos.queryRepos(ctx.store, [['id', '=', repoId]], '**') as Row[];
    if (!found.length) ctx.hub.log.error(`Task ${taskId} reported invalid repo: ${repoId}`);
    return found[0] ?? null;
  } catch (err) {
    ctx.hub.log.error(`Error reading result for task ${taskId}: ${(err as Error).message}`);
    return null;
  }
}

/** Koji's valid_repo: the repo a task made satisfies the request. */
function validRepo(ctx: CallContext, req: Row, repo: Row): boolean {
  const fail = (why: string) => {
    ctx.hub.log.error(`Request ${req.id} got repo ${repo.id}: ${why}`);
    return false;
  };
  if (repo.tag_id !== req.tag_id) return fail(`wrong tag: got ${repo.tag_id}, expected ${req.tag_id}`);
  if (repo.state !== REPO_STATES.READY) return fail(`wrong state: got ${repo.state}`);
  if (req.at_event !== null) {
    if (repo.create_event !== req.at_event) return fail(`at wrong event: ${repo.create_event} != ${req.at_event}`);
  } else if ((repo.create_event as number) < (req.min_event as number)) return fail(`before min_event: ${repo.create_event} < ${req.min_event}`);
  const ropts = plainOpts(repo.opts);
  const qopts = plainOpts(req.opts);
  const custom = plainOpts(repo.custom_opts);
  for (const [k, v] of Object.entries(qopts)) if (ropts[k] !== v) return fail('wrong opts');
  for (const [k, v] of Object.entries(custom)) if (qopts[k] !== v) return fail('wrong opts');
  return true;
}

/** The user newRepo tasks run as: RepoQueueUser if it exists, else the requester, else admin. */
function taskOwner(ctx: CallContext, req: Row): number | null {
  const named = findUser(ctx.store, ctx.hub.config.RepoQueueUser);
  if (named) return named.id;
  if (typeof req.owner === 'number') return req.owner;
  return findUser(ctx.store, 'admin')?.id ?? null;
}

function queueTask(ctx: CallContext, req: Row): number {
  const opts = convertRepoOpts(plainOpts(req.opts), true);
  const kwargs: Record<string, unknown> = { opts };
  if (req.at_event !== null) kwargs.event = req.at_event;
  mkdirSync(join(ctx.hub.topdir, 'repos'), { recursive: true });
  const owner = taskOwner(ctx, req);
  return createTask(ctx, {
    method: 'newRepo',
    params: encodeArgs([{ id: req.tag_id, name: req.tag_name }], kwargs),
    opts: { priority: REPO_TASK_PRIORITY, channel: 'createrepo', owner },
  });
}

const runKey = (r: Row) => `${r.tag_id}|${canonicalJson(plainOpts(r.opts))}|${r.at_event ?? ''}`;

/**
 * One pass over the queue. Returns the number of tasks created. Runs in
 * the caller's transaction.
 */
export function checkRepoQueue(ctx: CallContext): number {
  const cfg = ctx.hub.config;
  const waiting = repos.queryRequests(ctx.store, [['repo_id', 'IS', null], ['active', 'IS', true]], ['*', 'task_state', 'tag_name'], { order: 'priority,id' }) as Row[];
  let nTasks = 0;
  let nMaven = 0;
  const running = new Set<string>();
  const updates = new Map<number, repos.RequestUpdate>();
  const upd = (id: number) => {
    let u = updates.get(id);
    if (!u) updates.set(id, (u = {}));
    return u;
  };

  for (const req of waiting) {
    if (!req.task_id) continue;
    let retry = false;
    const state = req.task_state as number | null;
    if (state === TASK_STATES.CLOSED) {
      const repo = repoFromTask(ctx, req.task_id as number);
      if (repo && validRepo(ctx, req, repo)) Object.assign(upd(req.id as number), { repo_id: repo.id as number, active: false });
      else retry = true;
    } else if (state === TASK_STATES.CANCELED || state === TASK_STATES.FAILED || state === null) {
      ctx.hub.log.warn(`Repo task did not complete: ${req.task_id}`);
      retry = true;
    } else {
      nTasks++;
      if (plainOpts(req.opts).maven) nMaven++;
      running.add(runKey(req));
    }
    if (retry) {
      if ((req.tries as number) > cfg.RepoRetries) {
        ctx.hub.log.error(`Retries exhausted for repo request ${req.id}`);
        upd(req.id as number).active = false;
      } else {
        upd(req.id as number).task_id = null;
        req.task_id = null;
      }
    }
  }

  let created = 0;
  for (const req of waiting) {
    if (req.task_id || updates.get(req.id as number)?.active === false) continue;
    const key = runKey(req);
    if (running.has(key)) continue;
    // a tag that only inherits gets its parent's repodata here, no task needed
    if (cloneInHub(ctx, req) !== null) continue;
    if (nTasks >= cfg.MaxRepoTasks) continue;
    const maven = Boolean(plainOpts(req.opts).maven);
    if (maven && nMaven >= cfg.MaxRepoTasksMaven) continue;
    const taskId = queueTask(ctx, req);
    running.add(key);
    nTasks++;
    if (maven) nMaven++;
    created++;
    Object.assign(upd(req.id as number), { task_id: taskId, tries: ((req.tries as number) ?? 0) + 1 });
    ctx.hub.log.info(`Created task ${taskId} for repo request ${req.id}`);
  }

  const time = now();
  for (const [id, u] of updates) repos.updateRequest(ctx.store, id, u, time);
  if (updates.size) repos.deleteOldRequests(ctx.store, time - cfg.RequestCleanTime * 60);
  return created;
}
