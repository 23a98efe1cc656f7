/**
 * @module
 * The `host.*` calls a build host makes: checking in, taking, finishing,
 * freeing and refusing tasks, making subtasks and waiting on them, and
 * (kojibox) `host.waitForTasks`, a long poll that returns as soon as the
 * host has something to do, so a builder starts a new task within
 * milliseconds instead of on its next 15-second poll.
 */
import { ActionNotAllowed, GenericError, ParameterError } from '../../core/faults.ts';
import { TASK_STATES } from '../../core/states.ts';
import { now } from '../../core/time.ts';
import { RpcDouble, type RpcValue } from '../../core/xmlrpc.ts';
import { encodeArgs } from '../../core/task-params.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, asInt, asNumber, isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import type { Hub } from '../hub.ts';
import * as tasks from '../../store/tasks.ts';
import * as hosts from '../../store/hosts.ts';
import { listChannels } from '../../store/channels.ts';
import { addRefusal, logMessage } from '../../store/scheduler.ts';
import {
  assertHostOwns, createTask, finishTask, freeTask, hostOwns, hostShape, openTask, requireTask, setTaskWeight,
  taskShape, FINISHED_STATES, type TaskOptions,
} from '../tasks/index.ts';
import { announce } from '../tasks/events.ts';
import { decodeResult } from '../tasks/shape.ts';
import { hostWaiters } from '../tasks/waiters.ts';
import { schedulePass } from '../services/scheduler.ts';
import { faultError, taskId } from './tasks.ts';
import { pyRepr } from './common.ts';

const { OPEN, ASSIGNED, CLOSED, FAILED, CANCELED } = TASK_STATES;

/** host.getTasks rows: what a host needs to decide whether to take an assigned task. */
function assignedTasks(ctx: CallContext, hostId: number): RpcValue[] {
  return tasks.hostTasks(ctx.store, hostId, ASSIGNED).map((t) => ({
    id: t.id, state: t.state, channel_id: t.channel_id, host_id: t.host_id, arch: t.arch, method: t.method,
    priority: t.priority, create_ts: new RpcDouble(t.create_time),
  }));
}

function idList(v: unknown, name: string): number[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw ParameterError(`Invalid type for ${name}: ${pyRepr(v)}, expected a list`);
  return v.map((x) => asInt(x, name));
}

/** A check-in: load, readiness and time; a host becoming ready may let the scheduler place tasks. */
function checkIn(ctx: CallContext, hostId: number, taskLoad: unknown, ready: unknown): void {
  const before = hosts.findHost(ctx.store, hostId);
  const isReady = asBool(ready);
  hosts.checkIn(ctx.store, hostId, asNumber(taskLoad instanceof RpcDouble ? taskLoad.value : taskLoad, 'task_load'), isReady, now());
  if (isReady && before && !before.ready) announce(ctx, { hosts: [hostId] }, true);
}

/** Longest a long poll waits: a third of the check-in timeouts, so waiting counts as checking in. */
export function pollSeconds(hub: Hub): number {
  const c = hub.config;
  return Math.min(20, Math.max(0.2, Math.min(c.ReadyTimeout, c.HostTimeout) / 3));
}

interface PollState {
  tasks: RpcValue[];
  orphans: number[];
  gone: number[];
  alerts: number[];
}

function pollState(ctx: CallContext, hostId: number, running: number[] | null, waiting: number[]): PollState {
  const open = tasks.hostTasks(ctx.store, hostId, OPEN).map((t) => t.id);
  const openSet = new Set(open);
  const runningSet = new Set(running ?? []);
  return {
    tasks: assignedTasks(ctx, hostId),
    orphans: running === null ? [] : open.filter((id) => !runningSet.has(id)),
    gone: [...runningSet].filter((id) => !openSet.has(id)),
    alerts: tasks.parentsWithFinishedChildren(ctx.store, waiting.filter((id) => openSet.has(id)), FINISHED_STATES),
  };
}

function subtaskOptions(raw: Record<string, unknown>): TaskOptions {
  const opts: TaskOptions = {};
  for (const key of ['channel', 'arch', 'priority', 'label', 'weight'] as const) {
    if (raw[key] !== undefined && raw[key] !== null) (opts as Record<string, unknown>)[key] = raw[key];
  }
  if (opts.priority !== undefined) opts.priority = asInt(opts.priority, 'priority');
  return opts;
}

/** Koji's host.subtask: a child of an OPEN task of this host; a label already used returns that child. */
function makeSubtask(ctx: CallContext, method: unknown, arglist: unknown, parent: unknown, rawOpts: Record<string, unknown>): number {
  const hostId = ctx.requireHost();
  const pid = taskId(parent);
  assertHostOwns(ctx, pid, hostId);
  if ('owner' in rawOpts) throw ActionNotAllowed('The owner option is not allowed here');
  if (typeof rawOpts.label === 'string') {
    const existing = tasks.childWithLabel(ctx.store, pid, rawOpts.label);
    if (existing !== null) return existing;
  }
  if (!Array.isArray(arglist)) throw ParameterError(`Invalid type for arglist: ${pyRepr(arglist)}, expected a list`);
  let params = arglist as unknown[];
  if (isStruct(rawOpts.kwargs)) params = encodeArgs(params, rawOpts.kwargs);
  return createTask(ctx, { method: String(method), params, opts: { ...subtaskOptions(rawOpts), parent: pid } });
}

function waitResults(ctx: CallContext, parent: number, wanted: number[] | null, canfail: number[]): RpcValue[] {
  tasks.clearWaiting(ctx.store, parent);
  const ids = wanted ?? tasks.childIdsInStates(ctx.store, parent, [CLOSED, FAILED, CANCELED]);
  return ids.map((id) => {
    const row = requireTask(ctx, id, false);
    const result = tasks.getTaskRow(ctx.store, id, false, true)!.result;
    const mayFail = canfail.includes(id);
    if (row.state === CANCELED) {
      if (mayFail) return [id, { faultCode: 1000, faultString: `Task ${id} is canceled` }];
      throw GenericError(`Task ${id} is canceled`);
    }
    if (row.state !== CLOSED && row.state !== FAILED) throw GenericError(`Task ${id} is not finished`);
    const r = decodeStoredResult(result);
    if (r.ok) return [id, r.value];
    if (mayFail) return [id, { faultCode: r.faultCode, faultString: r.faultString }];
    throw faultError(r.faultCode, r.faultString);
  });
}

function decodeStoredResult(xml: string | null | undefined) {
  return decodeResult(xml ?? '');
}

export const hostApiMethods: ApiMethod[] = [
  api('host.getID()', 'The calling host\'s id.', { access: 'host' }, (ctx) => ctx.requireHost()),
  api('host.getHost()', 'The calling host, as getHost returns it.', { access: 'host' }, (ctx) => hostShape(hosts.findHost(ctx.store, ctx.requireHost())!)),
  api('host.isEnabled()', 'Whether the calling host is enabled.', { access: 'host' }, (ctx) => hosts.findHost(ctx.store, ctx.requireHost())!.enabled === 1),
  api('host.updateHost(task_load, ready, data=None)', 'Check in: the host\'s task load, whether it takes tasks, and optional data for the scheduler (methods, maxjobs).', { access: 'host' }, (ctx, a) => {
    const hostId = ctx.requireHost();
    checkIn(ctx, hostId, a.task_load, a.ready);
    if (a.data !== null) {
      if (!isStruct(a.data)) throw ParameterError('Host data should be a dictionary');
      hosts.setHostData(ctx.store, hostId, a.data);
      announce(ctx, { hosts: [hostId] }, true);
    }
  }),
  api('host.setHostData(hostdata)', 'Data for the scheduler: the methods this host runs, its maxjobs.', { access: 'host' }, (ctx, a) => {
    const hostId = ctx.requireHost();
    const data = typeof a.hostdata === 'string' ? JSON.parse(a.hostdata) : a.hostdata;
    if (!isStruct(data)) throw ParameterError('Host data should be a dictionary');
    hosts.setHostData(ctx.store, hostId, data);
    announce(ctx, { hosts: [hostId] }, true);
  }),
  api('host.getLoadData()', 'This host (with its channel ids) and the tasks assigned to it: [[host], tasks].', { access: 'host' }, (ctx) => {
    const hostId = ctx.requireHost();
    const host = hostShape(hosts.findHost(ctx.store, hostId)!);
    host.channels = listChannels(ctx.store, { hostId }).map((c) => c.id);
    return [[host], assignedTasks(ctx, hostId)];
  }),
  api('host.getTasks()', 'Tasks assigned to this host, in the order to take them.', { access: 'host' }, (ctx) => {
    const hostId = ctx.requireHost();
    let list = assignedTasks(ctx, hostId);
    if (!list.length) {
      schedulePass(ctx.hub);
      list = assignedTasks(ctx, hostId);
    }
    return list;
  }),
  api(
    'host.waitForTasks(task_load=0.0, ready=True, running=None, waiting=None, timeout=None)',
    'kojibox long poll: check in, then return as soon as this host has work: {tasks: assigned tasks, orphans: OPEN tasks not in running (free them), gone: running tasks no longer OPEN here (stop them), alerts: waiting tasks with finished subtasks, wait: seconds the hub waits at most}.',
    { access: 'host', async: true, noCallnumCheck: true },
    async (ctx, a) => {
      const hub = ctx.hub;
      const hostId = ctx.requireHost();
      const running = a.running === null ? null : idList(a.running, 'running');
      const waiting = idList(a.waiting, 'waiting');
      const ready = asBool(a.ready);
      const max = pollSeconds(hub);
      const wait = a.timeout === null ? max : Math.max(0, Math.min(max, asNumber(a.timeout, 'timeout')));
      const deadline = Date.now() + wait * 1000;
      hub.store.tx(() => checkIn(ctx, hostId, a.task_load, a.ready));
      const state = hub.store.tx(() => pollState(ctx, hostId, running, waiting));
      const actionable = (ready && state.tasks.length > 0) || state.orphans.length > 0 || state.gone.length > 0 || state.alerts.length > 0;
      const left = deadline - Date.now();
      if (actionable || left <= 0) return { ...state, wait: new RpcDouble(max) };
      // Woken by a change concerning this host, answer at once even if it is not
      // actionable for the lists sent: the builder's own view (a task that just
      // began waiting, one that ended) may have moved on, so it polls again.
      await hostWaiters(hub).wait(hostId, { running: running ?? [], waiting }, left);
      return { ...hub.store.tx(() => pollState(ctx, hostId, running, waiting)), wait: new RpcDouble(max) };
    },
  ),
  api('host.openTask(task_id)', 'Start a task assigned to (or free for) this host; returns the task with its raw request, or None if it went elsewhere.', { access: 'host' }, (ctx, a) => {
    const row = openTask(ctx, taskId(a.task_id), ctx.requireHost());
    if (!row) return null;
    return { ...taskShape(row), request: row.request ?? null };
  }),
  api('host.closeTask(task_id, response)', 'Finish a task of this host as CLOSED with its result (an XML-RPC methodResponse document).', { access: 'host' }, (ctx, a) => {
    const id = taskId(a.task_id);
    assertHostOwns(ctx, id, ctx.requireHost());
    finishTask(ctx, id, checkedResponse(a.response, false), CLOSED);
  }),
  api('host.failTask(task_id, response)', 'Finish a task of this host as FAILED with its fault (an XML-RPC fault document).', { access: 'host' }, (ctx, a) => {
    const id = taskId(a.task_id);
    assertHostOwns(ctx, id, ctx.requireHost());
    finishTask(ctx, id, checkedResponse(a.response, true), FAILED);
  }),
  api('host.freeTasks(tasks)', 'Give back tasks this host will not finish (ones it lost track of, e.g. after a restart).', { access: 'host' }, (ctx, a) => {
    const hostId = ctx.requireHost();
    for (const id of idList(a.tasks, 'tasks')) {
      // a task freed or reassigned meanwhile is not an error
      if (hostOwns(ctx, id, hostId)) freeTask(ctx, id);
    }
  }),
  api('host.refuseTask(task_id, soft=True, msg=\'\')', 'Refuse a task assigned to this host; the scheduler offers it elsewhere (a soft refusal expires after SoftRefusalTimeout).', { access: 'host' }, (ctx, a) => {
    const hostId = ctx.requireHost();
    const id = taskId(a.task_id);
    const row = requireTask(ctx, id);
    if (row.host_id !== hostId) {
      ctx.hub.log.warn(`Host ${hostId} refused unrelated task: ${id}`);
      return;
    }
    const msg = String(a.msg ?? '');
    addRefusal(ctx.store, { taskId: id, hostId, soft: asBool(a.soft), byHost: true, msg, time: now() });
    logMessage(ctx.store, `Host refused task: ${msg}`, id, hostId, now());
    freeTask(ctx, id);
  }),
  api('host.setTaskWeight(task_id, weight)', 'Set the weight of a task this host runs (its share of the host\'s capacity).', { access: 'host' }, (ctx, a) => {
    const id = taskId(a.task_id);
    assertHostOwns(ctx, id, ctx.requireHost());
    setTaskWeight(ctx, id, asNumber(a.weight instanceof RpcDouble ? a.weight.value : a.weight, 'weight'));
  }),
  api('host.getHostTasks()', 'OPEN tasks of this host: {id, waiting, weight}, with alert=True where awaited subtasks finished.', { access: 'host' }, (ctx) => {
    const hostId = ctx.requireHost();
    const open = tasks.hostTasks(ctx.store, hostId, OPEN);
    const alerts = new Set(tasks.parentsWithFinishedChildren(ctx.store, open.filter((t) => t.waiting).map((t) => t.id), FINISHED_STATES));
    return open.map((t) => {
      const out: Record<string, RpcValue> = { id: t.id, waiting: t.waiting === null ? null : t.waiting === 1, weight: new RpcDouble(t.weight) };
      if (alerts.has(t.id)) out.alert = true;
      return out;
    });
  }),
  api('host.taskSetWait(parent, tasks)', 'Mark a task waiting on some (None: all) of its subtasks.', { access: 'host' }, (ctx, a) => {
    ctx.requireHost();
    if (a.tasks !== null && !Array.isArray(a.tasks)) throw ParameterError(`Invalid type for tasks: ${pyRepr(a.tasks)}, expected a list`);
    const parent = taskId(a.parent);
    tasks.setWaiting(ctx.store, parent, a.tasks === null ? null : idList(a.tasks, 'tasks'));
    announce(ctx, { tasks: [parent] }, true);
  }),
  api('host.taskUnwait(parent)', 'Clear the waiting marks of a task and its subtasks.', { access: 'host' }, (ctx, a) => {
    ctx.requireHost();
    tasks.clearWaiting(ctx.store, taskId(a.parent));
    announce(ctx, {}, true);
  }),
  api('host.taskWait(parent)', 'Awaited subtasks as [finished, unfinished]; finished ones stop being awaited.', { access: 'host' }, (ctx, a) => {
    ctx.requireHost();
    const parent = taskId(a.parent);
    const { finished, unfinished } = tasks.awaitedChildren(ctx.store, parent, FINISHED_STATES);
    tasks.unawait(ctx.store, finished);
    return [finished, unfinished];
  }),
  api('host.taskWaitResults(parent, tasks, canfail=None)', 'Results of finished subtasks (None: all) as [[id, result]]; a failed one raises its fault unless listed in canfail.', { access: 'host' }, (ctx, a) => {
    ctx.requireHost();
    const wanted = a.tasks === null ? null : idList(a.tasks, 'tasks');
    return waitResults(ctx, taskId(a.parent), wanted, idList(a.canfail, 'canfail'));
  }),
  api('host.subtask(method, arglist, parent, **opts)', 'Make a subtask of an OPEN task of this host (opts: label, arch, priority, channel, weight, kwargs).', { access: 'host' }, (ctx, a) =>
    makeSubtask(ctx, a.method, a.arglist, a.parent, a.opts as Record<string, unknown>),
  ),
  api('host.subtask2(__parent, __taskopts, __method, *args, **opts)', 'host.subtask with the subtask\'s arguments passed as they are.', { access: 'host' }, (ctx, a) => {
    const taskopts = isStruct(a.__taskopts) ? a.__taskopts : {};
    const params = encodeArgs(a.args as unknown[], a.opts as Record<string, unknown>);
    return makeSubtask(ctx, a.__method, params, a.__parent, taskopts);
  }),
  api('host.checkPolicy(name, data, default=\'deny\', strict=False)', 'Check a policy for this host\'s task: [allowed, reason], or ActionNotAllowed with strict.', { access: 'host' }, (ctx, a) => {
    const data = isStruct(a.data) ? a.data : {};
    if (asBool(a.strict)) {
      ctx.assertPolicy(String(a.name), data, { default: String(a.default) });
      return [true, ''];
    }
    const r = ctx.checkPolicy(String(a.name), data, { default: String(a.default) });
    return [r.allowed, r.reason];
  }),
  api('host.assertPolicy(name, data, default=\'deny\')', 'Raise ActionNotAllowed unless the policy allows.', { access: 'host' }, (ctx, a) => {
    ctx.assertPolicy(String(a.name), isStruct(a.data) ? a.data : {}, { default: String(a.default) });
  }),
  api('host.evalPolicy(name, data)', 'The action a policy picks for the data (e.g. build_from_scm), or None.', { access: 'host' }, (ctx, a) => {
    return ctx.hub.policies.evaluate(String(a.name), isStruct(a.data) ? a.data : {}, ctx.hub.policyLookups).text;
  }),
];

/** A result document must parse, and be a fault exactly when the task failed. */
function checkedResponse(response: unknown, fault: boolean): string {
  if (typeof response !== 'string') throw ParameterError(`Invalid type for response: ${pyRepr(response)}, expected an XML-RPC document`);
  let r;
  try {
    r = decodeStoredResult(response);
  } catch (err) {
    throw GenericError(`Invalid task response: ${(err as Error).message}`);
  }
  if (fault && r.ok) throw GenericError('failTask needs a fault response');
  return response;
}
