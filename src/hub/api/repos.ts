/**
 * @module
 * Repo API: getRepo, repoInfo, getActiveRepos, newRepo, repoExpire,
 * repoDelete, repoProblem, tagFirstChangeEvent, tagChangedSinceEvent,
 * Koji 1.35's `repo.*` calls (request, get, checkRequest, query, ...), and
 * the builder's host.repoInit / host.repoDone. The logic lives in
 * ../repos/; this module checks arguments and access.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ActionNotAllowed, GenericError, ParameterError } from '../../core/faults.ts';
import { RpcDouble } from '../../core/xmlrpc.ts';
import { REPO_STATES } from '../../core/states.ts';
import type { Row } from '../../store/db.ts';
import * as repos from '../../store/repos.ts';
import { queryViewOpts } from '../../store/query-view.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import { getTagInfo } from './lookups.ts';
import { createTask } from '../tasks/create.ts';
import { encodeArgs } from '../../core/task-params.ts';
import { repoInit } from '../repos/init.ts';
import { repoDone } from '../repos/done.ts';
import { REPO_TASK_PRIORITY, checkRepoQueue } from '../repos/queue.ts';
import { cloneInHub } from '../repos/clone.ts';
import { autoRequests, updateEndEvents } from '../repos/maintenance.ts';
import { shapeRow } from '../repos/shape.ts';
import { TASK_CHANGE } from '../tasks/events.ts';
import {
  checkRequest, getRepo, oldGetRepo, optInt, repoDelete, repoInfo, repoReferences, repoSetState, requestRepo, setRequestPriority,
  tagFirstChangeEvent, REPO_READY_TOPIC, REPO_REQUEST_TOPIC,
} from '../repos/requests.ts';

type Dict = Record<string, unknown>;

function shaped(rows: Row[] | number): unknown {
  return typeof rows === 'number' ? rows : rows.map(shapeRow);
}

/** Koji's newRepo: a newRepo task in the createrepo channel; returns its id. */
function newRepo(ctx: CallContext, a: Record<string, unknown>): number {
  if (!ctx.hub.config.AllowNewRepo) throw ActionNotAllowed('newRepo api call is disabled');
  if (!ctx.hasPerm('repo')) ctx.assertPerm('regen-repo');
  const event = optInt(a.event, 'event');
  getTagInfo(ctx, a.tag, { strict: true, event });
  mkdirSync(join(ctx.hub.topdir, 'repos'), { recursive: true });
  const kwargs: Record<string, unknown> = {};
  if (event !== null) kwargs.event = event;
  if (asBool(a.src)) kwargs.src = true;
  if (asBool(a.separate_src)) kwargs.separate_src = true;
  if (asBool(a.debuginfo)) kwargs.debuginfo = true;
  return createTask(ctx, { method: 'newRepo', params: encodeArgs([a.tag], kwargs), opts: { priority: REPO_TASK_PRIORITY, channel: 'createrepo' } });
}

const WATCHED = ['task_id', 'task_state', 'repo_id', 'active', 'tries'];

/** The fields of a request a watcher follows, as the wire shows them; null when there is no such request. */
function requestState(ctx: CallContext, id: number): Dict | null {
  const rows = repos.queryRequests(ctx.store, [['id', '=', id]], WATCHED) as Row[];
  return rows[0] ? (shapeRow(rows[0]) as Dict) : null;
}

const sameState = (a: Dict, b: Dict) => WATCHED.every((k) => (a[k] ?? null) === (b[k] ?? null));

/**
 * kojibox's long poll for repo watchers: resolves true as soon as the
 * request gets its repo, ends, or its task changes (or differs from what
 * the caller last saw), false after the timeout.
 */
async function waitRequest(ctx: CallContext, reqId: unknown, timeout: unknown, known: unknown): Promise<boolean> {
  const id = optInt(reqId, 'req_id')!;
  const seconds = timeout === null || timeout === undefined ? 60 : Math.min(60, Math.max(0, Number(timeout instanceof RpcDouble ? timeout.value : timeout)));
  if (!Number.isFinite(seconds)) throw ParameterError(`Invalid timeout: ${String(timeout)}`);
  const start = ctx.store.tx(() => requestState(ctx, id));
  if (!start) throw GenericError('No such request');
  if (isStruct(known) && !sameState(start, known)) return true;
  const hub = ctx.hub;
  return new Promise<boolean>((resolve) => {
    const finish = (changed: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(changed);
    };
    const unsubscribe = hub.subscribe((topic) => {
      if (topic !== REPO_READY_TOPIC && topic !== TASK_CHANGE && topic !== REPO_REQUEST_TOPIC) return;
      const now = requestState(ctx, id);
      if (!now || !sameState(now, start)) finish(true);
    });
    const timer = setTimeout(() => finish(false), seconds * 1000);
  });
}

/** Koji's tag_changed_since_event: any change to these tags (no inheritance) after the event. */
function tagChangedSinceEvent(ctx: CallContext, event: unknown, taglist: unknown): boolean {
  const ev = optInt(event, 'event')!;
  if (!Array.isArray(taglist)) throw ParameterError('taglist must be a list');
  const ids = taglist.map((t) => optInt(t, 'tag')!);
  if (!ids.length) return false;
  return repos.firstChangeEvent(ctx.store, ids[0]!, ids, ev) !== null;
}

export const repoMethods: ApiMethod[] = [
  api('getRepo(tag, state=None, event=None, dist=False, min_event=None)', 'The newest repo of a tag: READY unless another state is given; with event, the newest created at or before it.', { access: 'anon' }, (ctx, a) =>
    oldGetRepo(ctx, a.tag, a.state, a.event, asBool(a.dist), a.min_event),
  ),
  api('repoInfo(repo_id, strict=False)', 'A repo: {id, tag_id, tag_name, state, create_event, create_ts, creation_time, opts, task_id, ...}.', { access: 'anon' }, (ctx, a) =>
    repoInfo(ctx, a.repo_id, asBool(a.strict)),
  ),
  api('getActiveRepos()', 'Every repo that is not DELETED.', { access: 'anon' }, (ctx) =>
    shaped(
      repos.queryRepos(ctx.store, [['state', '!=', REPO_STATES.DELETED]], [
        'id', 'tag_id', 'create_event', 'create_ts', 'state', 'dist', 'task_id', 'tag_name', 'creation_ts', 'state_ts', 'end_event', 'opts',
      ]),
    ),
  ),
  api('newRepo(tag, event=None, src=False, debuginfo=False, separate_src=False)', 'Create a newRepo task (repo or regen-repo permission); returns its id.', { access: 'login' }, (ctx, a) =>
    newRepo(ctx, a),
  ),
  api('repoExpire(repo_id)', 'Mark a repo expired (repo permission).', { access: 'repo', noCallnumCheck: true }, (ctx, a) => {
    repoSetState(ctx, a.repo_id, REPO_STATES.EXPIRED);
  }),
  api('repoDelete(repo_id)', 'Mark a repo deleted unless buildroots use it; returns the number of such buildroots (repo permission).', { access: 'repo', noCallnumCheck: true }, (ctx, a) =>
    repoDelete(ctx, a.repo_id),
  ),
  api('repoProblem(repo_id)', 'Mark a repo as broken (repo permission).', { access: 'repo', noCallnumCheck: true }, (ctx, a) => {
    repoSetState(ctx, a.repo_id, REPO_STATES.PROBLEM);
  }),
  api('tagFirstChangeEvent(tag, after=None, inherit=True)', 'The first event that changed the tag (after an event, following inheritance), or None.', { access: 'anon' }, (ctx, a) =>
    tagFirstChangeEvent(ctx, a.tag, optInt(a.after, 'after'), asBool(a.inherit)),
  ),
  api('tagChangedSinceEvent(event, taglist)', 'Whether any of these tags changed after the event (no inheritance).', { access: 'anon' }, (ctx, a) =>
    tagChangedSinceEvent(ctx, a.event, a.taglist),
  ),

  api('repo.request(tag, min_event=None, at_event=None, opts=None, priority=None, force=False)', 'Request a repo of a tag: {repo, request, duplicate}. min_event may be "last".', { access: 'login' }, (ctx, a) =>
    // a tag that only inherits gets its parent's repodata within the call: the caller has `repo` at once
    requestRepo(ctx, a.tag, { minEvent: a.min_event, atEvent: a.at_event, opts: a.opts, priority: a.priority, force: asBool(a.force), fulfil: cloneInHub }),
  ),
  api('repo.get(tag, min_event=None, at_event=None, opts=None)', 'The best READY repo for the requirements, or None.', { access: 'anon' }, (ctx, a) =>
    getRepo(ctx, a.tag, a.min_event, a.at_event, a.opts),
  ),
  api('repo.checkRequest(req_id)', 'Status of a repo request: {request, repo} (and task while it runs).', { access: 'anon' }, (ctx, a) => checkRequest(ctx, a.req_id)),
  api(
    'repo.waitRequest(req_id, timeout=None, known=None)',
    'kojibox: wait (at most timeout seconds, default and limit 60) until a repo request gets its repo, ends, or its newRepo task changes; True if it did. known ({task_id, task_state, repo_id, active, tries}) is what the caller saw last: any difference returns at once. Lets wait-repo follow a request without polling.',
    { access: 'anon', async: true },
    (ctx, a) => waitRequest(ctx, a.req_id, a.timeout, a.known),
  ),
  api('repo.setRequestPriority(req_id, priority)', 'Set the priority of a repo request (admin).', { access: 'admin' }, (ctx, a) => {
    setRequestPriority(ctx, a.req_id, a.priority);
  }),
  api('repo.references(repo_id)', 'Buildroots that use the repo.', { access: 'anon' }, (ctx, a) => repoReferences(ctx, optInt(a.repo_id, 'repo_id')!)),
  api('repo.setState(repo_id, state)', 'Set a repo\'s state (repo permission).', { access: 'repo' }, (ctx, a) => {
    repoSetState(ctx, a.repo_id, a.state);
  }),
  api('repo.query(clauses, fields=None, opts=None)', 'Query repos: clauses [[field, op, value]...], fields, opts {order, limit, offset, countOnly}.', { access: 'anon' }, (ctx, a) =>
    shaped(repos.queryRepos(ctx.store, a.clauses, a.fields, queryViewOpts(a.opts))),
  ),
  api('repo.queryQueue(clauses=None, fields=None, opts=None)', 'Query repo requests like repo.query.', { access: 'anon' }, (ctx, a) =>
    shaped(repos.queryRequests(ctx.store, a.clauses, a.fields, queryViewOpts(a.opts))),
  ),
  api('repo.autoRequests()', 'Make the automatic repo requests now (repo permission; the hub also does this itself).', { access: 'repo' }, (ctx) => {
    autoRequests(ctx);
  }),
  api('repo.checkQueue()', 'Work the repo request queue now (repo permission; the hub also does this itself).', { access: 'repo' }, (ctx) => {
    checkRepoQueue(ctx);
  }),
  api('repo.updateEndEvents()', 'Record end events of repos whose tags changed (repo permission).', { access: 'repo' }, (ctx) => {
    updateEndEvents(ctx);
  }),

  api('host.repoInit(tag, task_id=None, event=None, opts=None)', 'Start a repo for a tag: the repo row in INIT and its package lists on disk; returns [repo_id, event_id].', { access: 'host' }, (ctx, a) =>
    repoInit(ctx, a.tag, optInt(a.task_id, 'task_id'), optInt(a.event, 'event'), a.opts),
  ),
  api('host.repoDone(repo_id, data, expire=False, repo_json_updates=None)', 'Finish a repo: move the uploaded repodata of each arch into place and mark it READY.', { access: 'host' }, (ctx, a) => {
    repoDone(ctx, a.repo_id, a.data, asBool(a.expire), a.repo_json_updates);
  }),
];

