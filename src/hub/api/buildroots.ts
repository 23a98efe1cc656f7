/**
 * @module
 * Buildroot records: getBuildroot/listBuildroots/getBuildrootListing for
 * everyone, and the host calls a builder makes around each buildroot it
 * runs (host.newBuildRoot, host.setBuildRootState, host.setBuildRootList,
 * host.updateBuildRootList). A host may only touch its own buildroots, and
 * with task_id only those of that task.
 */
import { ActionNotAllowed, GenericError, ParameterError } from '../../core/faults.ts';
import { BR_STATES } from '../../core/states.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asInt, isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import * as brs from '../../store/buildroots.ts';
import { applyQueryOpts, parseJson, pyRepr, timeValue, tsValue } from './common.ts';
import { getRpmInfo } from './rpms.ts';
import { assertHostOwns } from '../tasks/index.ts';
import { taskId } from './tasks.ts';
import { parseArches } from '../../core/nvr.ts';

type Dict = Record<string, unknown>;

/** A buildroot with Koji's keys (query_buildroots). */
export function buildrootShape(r: brs.BuildrootRow): Dict {
  return {
    id: r.id,
    br_type: r.br_type,
    cg_id: r.cg_id,
    cg_name: r.cg_name,
    cg_version: r.cg_version,
    container_arch: r.container_arch,
    arch: r.container_arch,
    container_type: r.container_type,
    host_os: r.host_os,
    host_arch: r.host_arch,
    extra: parseJson(r.extra, 'Invalid extra data'),
    state: r.state,
    task_id: r.task_id,
    host_id: r.host_id,
    host_name: r.host_name,
    repo_id: r.repo_id,
    repo_state: r.repo_state,
    tag_id: r.tag_id,
    tag_name: r.tag_name,
    create_event_id: r.create_event_id,
    create_event_time: timeValue(r.create_event_time),
    create_ts: tsValue(r.create_event_time),
    retire_event_id: r.retire_event_id,
    retire_event_time: timeValue(r.retire_event_time),
    retire_ts: tsValue(r.retire_event_time),
    repo_create_event_id: r.repo_create_event_id,
    repo_create_event_time: timeValue(r.repo_create_event_time),
  };
}

/** Koji's get_buildroot: by int id; null (or GenericError when strict) if unknown. */
export function getBuildrootInfo(ctx: CallContext, id: unknown, strict = false): Dict | null {
  const n = asInt(id, 'buildrootID');
  const row = brs.buildrootById(ctx.store, n);
  if (!row) {
    if (strict) throw GenericError(`No such buildroot: ${n}`);
    return null;
  }
  return buildrootShape(row);
}

function stateValue(state: unknown): number {
  if (typeof state === 'string') {
    const v = (BR_STATES as unknown as Record<string, number>)[state];
    if (v === undefined || !BR_STATES.names.includes(state as never)) throw GenericError(`Invalid buildroot state: ${state}`);
    return v;
  }
  const n = asInt(state, 'state');
  if (BR_STATES.nameOf(n) === undefined) throw GenericError(`Invalid buildroot state: ${n}`);
  return n;
}

/**
 * A standard buildroot the calling host may change: its own, and (with
 * task_id) belonging to that task, which the host must be running.
 */
function ownedBuildroot(ctx: CallContext, brootid: unknown, task: unknown): brs.StandardBuildroot {
  const hostId = ctx.requireHost();
  const tid = task === null || task === undefined ? null : taskId(task);
  if (tid !== null) assertHostOwns(ctx, tid, hostId);
  const id = asInt(brootid, 'brootid');
  if (!brs.buildrootExists(ctx.store, id)) throw GenericError(`no buildroot with ID: ${id}`);
  const br = brs.standardBuildroot(ctx.store, id);
  if (!br) throw GenericError(`Not a standard buildroot: ${id}`);
  if (br.host_id !== hostId) throw ActionNotAllowed(`Host ${hostId} not owner of buildroot ${id}`);
  if (tid !== null && br.task_id !== tid) throw ActionNotAllowed(`Task ${tid} does not have lock on buildroot ${id}`);
  return br;
}

/** Koji's BuildRoot.setState: never back to INIT; an EXPIRED buildroot stays so. */
export function setBuildrootStateInTx(ctx: CallContext, br: brs.StandardBuildroot, state: number): void {
  if (state === BR_STATES.INIT) throw GenericError('Cannot change buildroot state to INIT');
  if (br.state === BR_STATES.EXPIRED) {
    if (state === BR_STATES.EXPIRED) return;
    throw GenericError(`buildroot ${br.id} is EXPIRED`);
  }
  brs.setBuildrootState(ctx.store, br.id, state, state === BR_STATES.EXPIRED ? ctx.event() : null);
}

/** Record the rpms in a buildroot (Koji's _setList): each must be a known rpm. */
function setListInTx(ctx: CallContext, br: brs.StandardBuildroot, rpmlist: unknown, update: boolean): void {
  if (!Array.isArray(rpmlist)) throw ParameterError(`Invalid type for rpmlist: ${pyRepr(rpmlist)}, expected a list`);
  const current = update ? new Set(brs.buildrootListing(ctx.store, br.id).map((r) => r.rpm_id)) : new Set<number>();
  const ids: number[] = [];
  for (const entry of rpmlist) {
    if (isStruct(entry) && entry.location) throw GenericError(`No such external repo: ${String(entry.location)}`);
    const info = getRpmInfo(ctx, isStruct(entry) && entry.id !== undefined && entry.id !== null ? { id: entry.id } : entry, true) as Dict;
    const id = info.id as number;
    if (update && current.has(id)) continue;
    ids.push(id);
  }
  brs.addBuildrootListing(ctx.store, br.id, ids, update);
}

/** Koji orders by SQL columns (`buildroot.id`, `-standard_buildroot.state`); the rows use their aliases. */
function columnOrder(queryOpts: unknown): unknown {
  if (!isStruct(queryOpts) || typeof queryOpts.order !== 'string') return queryOpts;
  const order = queryOpts.order
    .split(',')
    .map((k) => k.trim().replace(/^(-?)(?:buildroot|standard_buildroot)\./, '$1'))
    .join(',');
  return { ...queryOpts, order };
}

export const buildrootMethods: ApiMethod[] = [
  api('getBuildroot(buildrootID, strict=False)', 'A buildroot: {id, br_type, arch, container_arch, container_type, state, task_id, host_id, host_name, repo_id, repo_state, tag_id, tag_name, create_event_id, create_ts, retire_event_id, retire_ts, repo_create_event_id, cg_id, cg_name, extra, ...}; None if unknown.', { access: 'anon' }, (ctx, a) =>
    getBuildrootInfo(ctx, a.buildrootID, Boolean(a.strict)),
  ),
  api('listBuildroots(hostID=None, tagID=None, state=None, rpmID=None, archiveID=None, taskID=None, buildrootID=None, repoID=None, queryOpts=None)', 'Buildroots on a host, for a tag, in a state (or list of states), using an rpm, of a task or repo.', { access: 'anon' }, (ctx, a) => {
    const opt = (v: unknown, name: string) => (v === null || v === undefined ? undefined : asInt(v, name));
    const f: brs.BuildrootFilter = {
      hostId: opt(a.hostID, 'hostID'),
      tagId: opt(a.tagID, 'tagID'),
      rpmId: opt(a.rpmID, 'rpmID'),
      taskId: opt(a.taskID, 'taskID'),
      // Koji ignores a repoID of 0 or None
      repoId: a.repoID ? asInt(a.repoID, 'repoID') : undefined,
    };
    if (a.state !== null && a.state !== undefined) f.states = (Array.isArray(a.state) ? a.state : [a.state]).map((s) => asInt(s, 'state'));
    if (a.buildrootID !== null && a.buildrootID !== undefined) {
      f.buildrootIds = (Array.isArray(a.buildrootID) ? a.buildrootID : [a.buildrootID]).map((s) => asInt(s, 'buildrootID'));
    }
    // kojibox keeps no archive listings of buildroots
    if (a.archiveID !== null && a.archiveID !== undefined) return applyQueryOpts([], a.queryOpts);
    return applyQueryOpts(brs.queryBuildroots(ctx.store, f).map(buildrootShape), columnOrder(a.queryOpts));
  }),
  api('getBuildrootListing(id)', 'The rpms installed in a buildroot: [{rpm_id, is_update, name, version, release, epoch, arch, build_id, draft, external_repo_id, external_repo_name}].', { access: 'anon' }, (ctx, a) => {
    const id = asInt(a.id, 'id');
    if (!brs.buildrootExists(ctx.store, id)) throw GenericError(`no buildroot with ID: ${id}`);
    return brs.buildrootListing(ctx.store, id).map((r) => ({
      ...r, is_update: Boolean(r.is_update), draft: Boolean(r.draft), external_repo_name: 'INTERNAL',
    }));
  }),
  api('host.newBuildRoot(repo, arch, task_id=None)', 'Record a new buildroot (state INIT) for this host\'s task on a repo and arch; returns its id.', { access: 'host' }, (ctx, a) => {
    const hostId = ctx.requireHost();
    if (a.task_id === null || a.task_id === undefined) throw ParameterError('host.newBuildRoot needs the task_id of the task the buildroot is for');
    const tid = taskId(a.task_id);
    assertHostOwns(ctx, tid, hostId);
    const repoId = asInt(a.repo, 'repo');
    if (!brs.repoExists(ctx.store, repoId)) throw GenericError(`No such repo: ${repoId}`);
    const arch = parseArches(a.arch, { strict: true, allowNone: true });
    if (!arch || arch.includes(' ')) throw GenericError(`Invalid buildroot arch: ${pyRepr(a.arch)}`);
    return brs.insertStandardBuildroot(ctx.store, { hostId, repoId, taskId: tid, arch, state: BR_STATES.INIT, event: ctx.event() });
  }),
  api('host.setBuildRootState(brootid, state, task_id=None)', 'Move one of this host\'s buildroots to WAITING, BUILDING or EXPIRED (a name or a number).', { access: 'host', noCallnumCheck: true }, (ctx, a) => {
    const br = ownedBuildroot(ctx, a.brootid, a.task_id);
    setBuildrootStateInTx(ctx, br, stateValue(a.state));
  }),
  api('host.setBuildRootList(brootid, rpmlist, task_id=None)', 'Record the rpms installed in one of this host\'s buildroots (each {name, version, release, arch, ...} must be a known rpm).', { access: 'host' }, (ctx, a) => {
    setListInTx(ctx, ownedBuildroot(ctx, a.brootid, a.task_id), a.rpmlist, false);
  }),
  api('host.updateBuildRootList(brootid, rpmlist, task_id=None)', 'Add rpms installed later (build dependencies) to a buildroot\'s listing, as updates.', { access: 'host' }, (ctx, a) => {
    setListInTx(ctx, ownedBuildroot(ctx, a.brootid, a.task_id), a.rpmlist, true);
  }),
];
