/**
 * @module
 * The task API clients use: making (admin) and reading tasks, their tree,
 * request, result and output; cancelling, freeing and resubmitting them.
 */
import { ActionNotAllowed, GenericError, KojiError, ParameterError, faultNameForCode } from '../../core/faults.ts';
import { TASK_STATES } from '../../core/states.ts';
import { RpcDouble, type RpcValue } from '../../core/xmlrpc.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, asInt, asOptString, isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import { pyRepr } from './common.ts';
import * as tasks from '../../store/tasks.ts';
import { findChannel } from '../../store/channels.ts';
import { reportedMethods } from '../../store/hosts.ts';
import { volumeNames } from '../../store/tasks.ts';
import {
  cancelChildren, cancelFull, cancelTask, createTask, decodeRequest, decodeResult, freeTask, hostOwns,
  listTaskOutput, readTaskOutput, requireTask, setTaskPriority, taskShape, FINISHED_STATES, type TaskOptions,
} from '../tasks/index.ts';
import { waitForTaskChange } from '../tasks/waiters.ts';

/** A fault as stored, re-raised with its own code and text. */
export function faultError(code: number, message: string): KojiError {
  const err = new KojiError(faultNameForCode(code) ?? 'GenericError', message);
  (err as { faultCode: number }).faultCode = code;
  return err;
}

export function taskId(v: unknown): number {
  if (typeof v === 'boolean') throw ParameterError(`Invalid type for value '${String(v)}': <class 'bool'>, expected type <class 'int'>`);
  return asInt(v, 'task_id');
}

function infoOf(ctx: CallContext, id: number, request: boolean, strict: boolean): RpcValue {
  const row = tasks.getTaskRow(ctx.store, id, request);
  if (!row) {
    if (strict) throw GenericError('query returned no rows');
    return null;
  }
  const out = taskShape(row);
  if (request) out.request = decodeRequest(row.request!);
  return out;
}

function childrenOf(ctx: CallContext, id: number, request: boolean): RpcValue[] {
  return tasks.getChildRows(ctx.store, id, request).map((row) => {
    const out = taskShape(row);
    if (request) out.request = decodeRequest(row.request!);
    return out;
  });
}

/** Koji's task result: the stored value, or its fault re-raised (or returned as a struct). */
export function taskResult(ctx: CallContext, id: number, raiseFault: boolean): RpcValue {
  const row = tasks.getTaskRow(ctx.store, id, false, true);
  if (!row) throw GenericError('No such task');
  if (row.state === TASK_STATES.CANCELED) throw GenericError(`Task ${id} is canceled`);
  if (row.state !== TASK_STATES.CLOSED && row.state !== TASK_STATES.FAILED) throw GenericError(`Task ${id} is not finished`);
  const r = decodeResult(row.result ?? '');
  if (r.ok) return r.value;
  if (raiseFault) throw faultError(r.faultCode, r.faultString);
  return { faultCode: r.faultCode, faultString: r.faultString };
}

/** Owner, the host running it, or an admin may cancel a task. */
function assertMayCancel(ctx: CallContext, id: number): void {
  const row = requireTask(ctx, id);
  const owner = ctx.session !== null && row.owner === ctx.session.userId;
  if (!owner && !hostOwns(ctx, id, ctx.session?.hostId ?? null) && !ctx.hasPerm('admin')) {
    throw ActionNotAllowed('Cannot cancel task, not owner');
  }
}

/** A time filter value: seconds since the epoch, or an ISO date text (UTC unless it says otherwise). */
function epochOf(v: unknown, key: string): number {
  if (v instanceof RpcDouble) return v.value;
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime() / 1000;
  if (typeof v === 'string') {
    const text = v.trim().replace(' ', 'T');
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) || !/T/.test(text) ? text : `${text}Z`);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  throw GenericError(`Invalid time value for ${key}: ${pyRepr(v)}`);
}

const TIME_OPTS: Array<[string, string, '<' | '>']> = [
  ['createdBefore', 'create_time', '<'], ['createdAfter', 'create_time', '>'],
  ['startedBefore', 'start_time', '<'], ['startedAfter', 'start_time', '>'],
  ['completeBefore', 'completion_time', '<'], ['completeAfter', 'completion_time', '>'],
  ['completedBefore', 'completion_time', '<'], ['completedAfter', 'completion_time', '>'],
];

function idFilter(v: unknown, key: string): number | number[] | null {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map((x) => asInt(x, key));
  return asInt(v, key);
}

function listFilter(o: Record<string, unknown>): tasks.ListTasksFilter {
  const f: tasks.ListTasksFilter = {};
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
  if ('arch' in o) f.arch = list(o.arch).map(String);
  if ('not_arch' in o) f.not_arch = list(o.not_arch).map(String);
  if ('state' in o) f.state = list(o.state).map((s) => asInt(s, 'state'));
  if ('not_state' in o) f.not_state = list(o.not_state).map((s) => asInt(s, 'state'));
  for (const key of ['owner', 'host_id', 'channel_id', 'parent'] as const) {
    if (key in o) f[key] = idFilter(o[key], key);
    if (`not_${key}` in o) f[`not_${key}`] = idFilter(o[`not_${key}`], key);
  }
  if ('method' in o && o.method !== null) f.method = String(o.method);
  f.times = [];
  for (const [key, col, op] of TIME_OPTS) {
    if (o[key] !== null && o[key] !== undefined) f.times.push([col, op, epochOf(o[key], key)]);
  }
  return f;
}

function decodeStored(xml: string | null | undefined, kind: 'request' | 'result'): RpcValue {
  if (!xml) return xml ?? null;
  try {
    if (kind === 'request') return decodeRequest(xml);
    const r = decodeResult(xml);
    return r.ok ? r.value : { faultCode: r.faultCode, faultString: r.faultString };
  } catch {
    return xml;
  }
}

function methodAndArgs(args: unknown[], opts: Record<string, unknown>): { method: string; arglist: unknown[]; rest: Record<string, unknown> } {
  const rest = { ...opts };
  const method = args.length ? args[0] : rest.method;
  const arglist = args.length > 1 ? args[1] : rest.arglist;
  delete rest.method;
  delete rest.arglist;
  if (args.length > 2) throw ParameterError(`make_task() takes 2 positional arguments but ${args.length} were given`);
  if (typeof method !== 'string') throw ParameterError(`Invalid type for value '${pyRepr(method)}': expected type <class 'str'>`);
  if (!Array.isArray(arglist)) throw ParameterError(`Invalid type for arglist: ${pyRepr(arglist)}, expected a list`);
  return { method, arglist, rest };
}

export const taskMethods: ApiMethod[] = [
  api('makeTask(*args, **opts)', 'Create an arbitrary task (admin, for testing): makeTask(method, arglist, channel=, arch=, priority=, parent=, label=). Returns the task id.', { access: 'admin' }, (ctx, a) => {
    const { method, arglist, rest } = methodAndArgs(a.args as unknown[], a.opts as Record<string, unknown>);
    if ('owner' in rest) throw ActionNotAllowed('The owner option is not allowed here');
    const known = reportedMethods(ctx.store);
    if (known && !known.has(method)) {
      throw GenericError(`Unknown task method: ${method} (no enabled build host has a handler for it)`);
    }
    const opts: TaskOptions = {};
    for (const key of ['channel', 'arch', 'priority', 'parent', 'label', 'weight', 'assign'] as const) {
      if (rest[key] !== undefined && rest[key] !== null) (opts as Record<string, unknown>)[key] = rest[key];
    }
    if (opts.priority !== undefined) opts.priority = asInt(opts.priority, 'priority');
    return createTask(ctx, { method, params: arglist, opts });
  }),
  api('getTaskInfo(task_id, request=False, strict=False)', 'A task (or a list of tasks for a list of ids): {id, state, create_time, create_ts, start_time, start_ts, completion_time, completion_ts, channel_id, host_id, parent, label, waiting, awaited, owner, method, arch, priority, weight}, plus its decoded request with request=True.', { access: 'anon' }, (ctx, a) => {
    const request = asBool(a.request);
    const strict = asBool(a.strict);
    if (Array.isArray(a.task_id)) return a.task_id.map((id: unknown) => infoOf(ctx, taskId(id), request, strict));
    return infoOf(ctx, taskId(a.task_id), request, strict);
  }),
  api('getTaskChildren(task_id, request=False, strict=False)', 'The direct subtasks of a task, as getTaskInfo returns them.', { access: 'anon' }, (ctx, a) => {
    const id = taskId(a.task_id);
    if (asBool(a.strict)) infoOf(ctx, id, false, true);
    return childrenOf(ctx, id, asBool(a.request));
  }),
  api('getTaskDescendents(task_id, request=False)', 'Every subtask below a task: a map of task id (as a string) to its children.', { access: 'anon' }, (ctx, a) => {
    const out: Record<string, RpcValue> = {};
    const visit = (id: number) => {
      const kids = childrenOf(ctx, id, asBool(a.request));
      out[String(id)] = kids;
      for (const k of kids) visit((k as { id: number }).id);
    };
    visit(taskId(a.task_id));
    return out;
  }),
  api('getTaskRequest(taskId)', 'The argument list the task was created with.', { access: 'anon' }, (ctx, a) => {
    const row = tasks.getTaskRow(ctx.store, taskId(a.taskId), true);
    if (!row) throw GenericError('query returned no rows');
    return decodeRequest(row.request!);
  }),
  api('getTaskResult(taskId, raise_fault=True)', 'What the task returned; a failed task raises its fault (or returns {faultCode, faultString} with raise_fault=False).', { access: 'anon' }, (ctx, a) =>
    taskResult(ctx, taskId(a.taskId), asBool(a.raise_fault)),
  ),
  api('taskFinished(taskId)', 'Whether the task is CLOSED, CANCELED or FAILED.', { access: 'anon' }, (ctx, a) =>
    FINISHED_STATES.includes(requireTask(ctx, taskId(a.taskId)).state),
  ),
  api('listTasks(opts=None, queryOpts=None)', 'Tasks filtered by opts (arch, state, owner, host_id, channel_id, parent and their not_ forms, method, createdBefore/After, startedBefore/After, completeBefore/After, decode); queryOpts order, offset, limit, countOnly, asList.', { access: 'anon' }, (ctx, a) => {
    const o = a.opts === null ? {} : isStruct(a.opts) ? a.opts : null;
    if (!o) throw ParameterError(`Invalid type for opts: ${pyRepr(a.opts)}`);
    const q = a.queryOpts === null ? {} : isStruct(a.queryOpts) ? a.queryOpts : null;
    if (!q) throw ParameterError(`Invalid type for queryOpts: ${pyRepr(a.queryOpts)}`);
    let rows;
    try {
      rows = tasks.listTasks(ctx.store, listFilter(o), {
        order: asOptString(q.order, 'order'),
        offset: typeof q.offset === 'number' ? q.offset : null,
        limit: typeof q.limit === 'number' ? q.limit : null,
        countOnly: asBool(q.countOnly),
      });
    } catch (err) {
      if (err instanceof KojiError) throw err;
      throw GenericError((err as Error).message);
    }
    if (typeof rows === 'number') return rows;
    const decode = asBool(o.decode);
    const out = rows.map((row) => ({
      ...taskShape(row),
      request: decode ? decodeStored(row.request, 'request') : (row.request ?? null),
      result: decode ? decodeStored(row.result, 'result') : (row.result ?? null),
      owner_name: row.owner_name,
      owner_type: row.owner_type,
    }));
    return asBool(q.asList) ? out.map((r) => Object.values(r)) : out;
  }),
  api('cancelTask(task_id, recurse=True)', 'Cancel a task (and its subtasks unless recurse=False); its owner, the host running it or an admin may.', { access: 'anon' }, (ctx, a) => {
    const id = taskId(a.task_id);
    assertMayCancel(ctx, id);
    cancelTask(ctx, id, asBool(a.recurse));
  }),
  api('cancelTaskFull(task_id, strict=True)', 'Cancel a task and every other task in its tree (admin); strict refuses a subtask.', { access: 'admin' }, (ctx, a) => {
    cancelFull(ctx, taskId(a.task_id), asBool(a.strict));
  }),
  api('cancelTaskChildren(task_id)', 'Cancel the subtasks of a task, not the task itself.', { access: 'login' }, (ctx, a) => {
    const id = taskId(a.task_id);
    assertMayCancel(ctx, id);
    cancelChildren(ctx, id);
  }),
  api('freeTask(task_id)', 'Put a task back to FREE so the scheduler places it again (admin).', { access: 'admin' }, (ctx, a) => {
    freeTask(ctx, taskId(a.task_id));
  }),
  api('setTaskPriority(task_id, priority, recurse=True)', 'Change the priority of an unfinished task (admin); lower runs first.', { access: 'admin' }, (ctx, a) => {
    const id = taskId(a.task_id);
    if (FINISHED_STATES.includes(requireTask(ctx, id).state)) throw GenericError("Finished task's priority can't be updated");
    setTaskPriority(ctx, id, asInt(a.priority, 'priority'), asBool(a.recurse));
  }),
  api('resubmitTask(taskID)', 'Run a failed or canceled top-level task again with the same parameters; returns the new task id.', { access: 'login' }, (ctx, a) => {
    const id = taskId(a.taskID);
    const row = requireTask(ctx, id, true);
    if (row.state !== TASK_STATES.CANCELED && row.state !== TASK_STATES.FAILED) throw GenericError('only canceled or failed tasks may be resubmitted');
    if (row.parent !== null) throw GenericError('only top-level tasks may be resubmitted');
    if (ctx.userId !== row.owner && !ctx.hasPerm('admin')) throw GenericError('only the task owner or an admin may resubmit a task');
    const channel = findChannel(ctx.store, row.channel_id);
    return createTask(ctx, { method: row.method, params: decodeRequest(row.request!), opts: { arch: row.arch, channel: channel!.name, priority: row.priority } });
  }),
  api('listTaskOutput(taskID, stat=False, all_volumes=False, strict=False)', 'Files in the task\'s work directory: a list, or maps with stat and/or all_volumes.', { access: 'anon' }, (ctx, a) => {
    const id = taskId(a.taskID);
    if (asBool(a.strict) && !tasks.getTaskRow(ctx.store, id)) throw GenericError("Task doesn't exist");
    return listTaskOutput(ctx.hub, id, asBool(a.stat), asBool(a.all_volumes));
  }),
  api('downloadTaskOutput(taskID, fileName, offset=0, size=-1, volume=None)', 'Part of a task output file, base64-encoded (negative offset counts from the end, size -1 reads to the end).', { access: 'anon' }, (ctx, a) => {
    const volume = a.volume === null || a.volume === undefined || a.volume === '' ? null : String(a.volume);
    if (volume !== null && !volumeNames(ctx.store).includes(volume)) throw GenericError(`No such volume: ${volume}`);
    return readTaskOutput(ctx.hub, taskId(a.taskID), String(a.fileName), asInt(a.offset ?? 0, 'offset'), asInt(a.size, 'size'), volume);
  }),
  api('waitTaskChange(task_ids, timeout=None, known=None)', 'kojibox: wait (at most timeout seconds, default and limit 60) until one of the tasks changes state or gets a new or finished subtask; True if one did. known ({"id": [state, number of children]}) is what the caller saw last: any difference returns at once. Lets watchers follow tasks live without polling hard.', { access: 'anon', async: true }, async (ctx, a) => {
    const ids = (Array.isArray(a.task_ids) ? a.task_ids : [a.task_ids]).map(taskId);
    const timeout = a.timeout === null ? 60 : Math.min(60, Math.max(0, Number(a.timeout instanceof RpcDouble ? a.timeout.value : a.timeout)));
    if (!Number.isFinite(timeout)) throw ParameterError(`Invalid timeout: ${pyRepr(a.timeout)}`);
    if (isStruct(a.known)) {
      const known = a.known;
      const changed = ctx.store.tx(() =>
        ids.some((id) => {
          const seen = known[String(id)];
          if (!Array.isArray(seen)) return false;
          const row = tasks.getTaskRow(ctx.store, id);
          return !row || row.state !== Number(seen[0]) || tasks.childIds(ctx.store, id).length !== Number(seen[1]);
        }),
      );
      if (changed) return true;
    }
    return waitForTaskChange(ctx.hub, ids, timeout * 1000);
  }),
];
