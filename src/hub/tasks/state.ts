/**
 * @module
 * Task state changes. Each runs inside the caller's transaction, fires
 * Koji's pre/postTaskStateChange callbacks (attribute, old, new, info) and
 * announces itself after commit so the scheduler and waiting builders react
 * at once.
 */
import { ActionNotAllowed, GenericError } from '../../core/faults.ts';
import { BUILD_STATES, TASK_STATES } from '../../core/states.ts';
import { now } from '../../core/time.ts';
import type { RpcValue } from '../../core/xmlrpc.ts';
import type { CallContext } from '../context.ts';
import type { Hub } from '../hub.ts';
import type { CallbackName } from '../callbacks.ts';
import * as tasks from '../../store/tasks.ts';
import { endRuns } from '../../store/scheduler.ts';
import { decodeRequest, decodeResult, taskShape } from './shape.ts';
import { announce } from './events.ts';

const { FREE, OPEN, CLOSED, CANCELED, ASSIGNED, FAILED } = TASK_STATES;
export const FINISHED_STATES = [CLOSED, CANCELED, FAILED];

/** Whether anything listens for a callback; saves building task info nobody reads. */
export function callbackWanted(hub: Hub, name: CallbackName): boolean {
  return hub.callbacks.has(name);
}

/** Task info as callbacks get it: getTaskInfo's fields with the decoded request, and the result once CLOSED. */
export function callbackInfo(ctx: CallContext, taskId: number): Record<string, RpcValue> | null {
  const row = tasks.getTaskRow(ctx.store, taskId, true, true);
  if (!row) return null;
  const info = taskShape(row);
  info.request = safeDecodeRequest(row.request ?? '');
  if (row.state === CLOSED && row.result) {
    const r = decodeResult(row.result);
    info.result = r.ok ? r.value : null;
  }
  return info;
}

function safeDecodeRequest(xml: string): RpcValue {
  try {
    return decodeRequest(xml);
  } catch {
    return null;
  }
}

/** Koji passes state values to callbacks by name. */
function cbValue(attr: string, v: RpcValue | undefined): RpcValue {
  if (v === undefined) return null;
  if (attr === 'state' && typeof v === 'number') return TASK_STATES.nameOf(v) ?? v;
  return v;
}

/**
 * Fires the pre callbacks for a change of `attrs` now and returns a
 * function firing the post callbacks (with fresh info) after the update.
 */
export function stateHooks(ctx: CallContext, taskId: number, attrs: Record<string, RpcValue>): () => void {
  const pre = callbackWanted(ctx.hub, 'preTaskStateChange');
  const post = callbackWanted(ctx.hub, 'postTaskStateChange');
  if (!pre && !post) return () => {};
  const before = callbackInfo(ctx, taskId);
  if (!before) return () => {};
  if (pre) {
    for (const [attr, value] of Object.entries(attrs)) {
      ctx.callback('preTaskStateChange', { attribute: attr, old: cbValue(attr, before[attr]), new: cbValue(attr, value), info: before });
    }
  }
  return () => {
    if (!post) return;
    const after = callbackInfo(ctx, taskId);
    if (!after) return;
    for (const attr of Object.keys(attrs)) {
      ctx.callback('postTaskStateChange', { attribute: attr, old: cbValue(attr, before[attr]), new: cbValue(attr, after[attr]), info: after });
    }
  };
}

export function requireTask(ctx: CallContext, taskId: number, withRequest = false): tasks.TaskRow {
  const row = tasks.getTaskRow(ctx.store, taskId, withRequest);
  if (!row) throw GenericError(`No such task: ${taskId}`);
  return row;
}

/** Koji's Task.verifyHost: the task is OPEN on that host. */
export function hostOwns(ctx: CallContext, taskId: number, hostId: number | null): boolean {
  if (hostId === null) return false;
  const row = requireTask(ctx, taskId);
  return row.state === OPEN && row.host_id === hostId;
}

export function assertHostOwns(ctx: CallContext, taskId: number, hostId: number): void {
  if (!hostOwns(ctx, taskId, hostId)) throw ActionNotAllowed(`host ${hostId} does not own task ${taskId}`);
}

/**
 * A host starts a task: allowed when it is FREE or ASSIGNED to that host.
 * Returns the task with its raw request, or null when the host lost it.
 */
export function openTask(ctx: CallContext, taskId: number, hostId: number): tasks.TaskRow | null {
  const row = requireTask(ctx, taskId);
  const free = row.state === FREE && row.host_id === null;
  const assignedHere = row.state === ASSIGNED && row.host_id === hostId;
  if (!free && !assignedHere) return null;
  const post = stateHooks(ctx, taskId, { state: OPEN, host_id: hostId });
  tasks.updateTask(ctx.store, taskId, { state: OPEN, host_id: hostId, start_time: now() });
  post();
  announce(ctx, { tasks: [taskId], hosts: [hostId] });
  return tasks.getTaskRow(ctx.store, taskId, true);
}

/** Record a result (a methodResponse or fault document) and end the task as CLOSED or FAILED. */
export function finishTask(ctx: CallContext, taskId: number, result: string, state: typeof CLOSED | typeof FAILED): void {
  const row = requireTask(ctx, taskId);
  const post = stateHooks(ctx, taskId, { state, completion_ts: now() });
  tasks.updateTask(ctx.store, taskId, { result, state, completion_time: now() });
  endRuns(ctx.store, taskId);
  post();
  announce(ctx, { tasks: [taskId], hosts: [row.host_id ?? -1], parents: [row.parent ?? -1] }, true);
}

/** Put a task back to FREE for another host (or the same one) to take. */
export function freeTask(ctx: CallContext, taskId: number): void {
  const row = requireTask(ctx, taskId);
  if (FINISHED_STATES.includes(row.state)) {
    throw GenericError(`Cannot free task ${taskId}, state is ${TASK_STATES.nameOf(row.state)}`);
  }
  const post = stateHooks(ctx, taskId, { state: FREE, host_id: null });
  tasks.updateTask(ctx.store, taskId, { state: FREE, host_id: null });
  endRuns(ctx.store, taskId);
  post();
  announce(ctx, { tasks: [taskId], hosts: [row.host_id ?? -1] }, true);
}

/** Hook for cancelling the BUILDING builds of a cancelled task (set by the builds API). */
export type BuildCanceller = (ctx: CallContext, buildId: number) => void;
let cancelBuild: BuildCanceller | null = null;

/** The builds API registers how a build is cancelled when its task is. */
export function setBuildCanceller(fn: BuildCanceller): void {
  cancelBuild = fn;
}

/**
 * Koji's Task.cancel: true if cancelled (or already), false if it had
 * finished. Builds still BUILDING from this task are cancelled too.
 */
export function cancelTask(ctx: CallContext, taskId: number, recurse: boolean): boolean {
  const row = requireTask(ctx, taskId);
  if (row.state === CANCELED) return true;
  if (row.state === CLOSED || row.state === FAILED) return false;
  const post = stateHooks(ctx, taskId, { state: CANCELED, completion_ts: now() });
  tasks.updateTask(ctx.store, taskId, { state: CANCELED, completion_time: now() });
  endRuns(ctx.store, taskId);
  post();
  announce(ctx, { tasks: [taskId], hosts: [row.host_id ?? -1], parents: [row.parent ?? -1] }, true);
  if (cancelBuild) {
    for (const buildId of tasks.buildingBuildsOfTask(ctx.store, taskId, BUILD_STATES.BUILDING)) cancelBuild(ctx, buildId);
  }
  if (recurse) cancelChildren(ctx, taskId);
  return true;
}

export function cancelChildren(ctx: CallContext, taskId: number): void {
  for (const child of tasks.childIds(ctx.store, taskId)) cancelTask(ctx, child, true);
}

/** Koji's Task.cancelFull: the whole tree from its top-level task. */
export function cancelFull(ctx: CallContext, taskId: number, strict: boolean): void {
  let top = requireTask(ctx, taskId);
  if (top.parent !== null) {
    if (strict) throw GenericError(`Task ${taskId} is not top-level (parent=${top.parent})`);
    const seen = new Set([top.id]);
    while (top.parent !== null) {
      if (seen.has(top.parent)) throw GenericError(`Task LOOP at task ${top.id}`);
      top = requireTask(ctx, top.parent);
      seen.add(top.id);
    }
  }
  const queue = [top.id];
  const seen = new Set<number>();
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) throw GenericError(`Task LOOP at task ${id}`);
    seen.add(id);
    cancelTask(ctx, id, false);
    queue.push(...tasks.childIds(ctx.store, id));
  }
}

export function setTaskWeight(ctx: CallContext, taskId: number, weight: number): void {
  const row = requireTask(ctx, taskId);
  const post = stateHooks(ctx, taskId, { weight });
  tasks.updateTask(ctx.store, taskId, { weight });
  post();
  announce(ctx, { tasks: [taskId], hosts: [row.host_id ?? -1] }, true);
}

export function setTaskPriority(ctx: CallContext, taskId: number, priority: number, recurse: boolean): void {
  requireTask(ctx, taskId);
  const post = stateHooks(ctx, taskId, { priority });
  tasks.updateTask(ctx.store, taskId, { priority });
  post();
  if (recurse) for (const child of tasks.childIds(ctx.store, taskId)) setTaskPriority(ctx, child, priority, true);
}
