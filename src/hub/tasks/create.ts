/**
 * @module
 * Creating tasks, as Koji's make_task: subtasks inherit owner and arch and
 * run one priority step ahead of their parent; the `channel` policy picks
 * the channel (honouring a requested one where the policy says `req`), the
 * `priority` policy may adjust the priority; the request is stored as an
 * XML-RPC methodCall document. Plugins create their tasks through here.
 */
import { GenericError, ParameterError } from '../../core/faults.ts';
import { PRIO_DEFAULT, TASK_STATES } from '../../core/states.ts';
import { now } from '../../core/time.ts';
import { encodeMethodCall, type RpcValue } from '../../core/xmlrpc.ts';
import { parseTaskParams } from '../../core/task-params.ts';
import type { CallContext } from '../context.ts';
import type { PolicyData } from '../policy/index.ts';
import { findChannel } from '../../store/channels.ts';
import { findHost } from '../../store/hosts.ts';
import { findUser } from '../../store/users.ts';
import { tagNameOf } from '../../store/policy-data.ts';
import * as tasks from '../../store/tasks.ts';
import { assignTasks } from '../../store/scheduler.ts';
import { callbackWanted } from './state.ts';
import { announce } from './events.ts';
import { isStruct } from '../rpc/args.ts';

export interface TaskOptions {
  /** A requested channel (name or id): policy data `req_channel`, used when the policy says `req`. */
  channel?: string | number | null;
  /** Default noarch (a subtask: the parent's arch). */
  arch?: string | null;
  /** Default 20 (a subtask: the parent's priority minus one). Lower runs first. */
  priority?: number | null;
  /** Makes this a subtask; the parent must be OPEN. */
  parent?: number | null;
  /** A subtask's label (host.subtask returns an existing child with the same label). */
  label?: string | null;
  /** User id or name; default the caller (a subtask: the parent's owner). */
  owner?: number | string | null;
  /** Initial weight (the builder sets the handler's own weight when it opens the task). */
  weight?: number | null;
  /** Assign straight to this host (name or id), as Koji's `assign` does. */
  assign?: number | string | null;
}

export interface TaskSpec {
  method: string;
  /** The argument list; kwargs as a trailing struct with `__starstar: true` (see encodeArgs). */
  params: unknown[];
  opts?: TaskOptions;
}

const ARCH_WORD = /^[a-zA-Z0-9_-]*$/;

/** Koji's parse_arches(strict=True): space-separated words of [a-zA-Z0-9_-]. */
export function normalizeArches(arches: unknown): string {
  const list = Array.isArray(arches) ? arches.map(String) : String(arches ?? '').split(/\s+/).filter(Boolean);
  for (const a of list) if (!ARCH_WORD.test(a)) throw GenericError('Architecture can be only [a-zA-Z0-9_-]');
  return list.join(' ');
}

/**
 * Create a task in the caller's transaction and return its id. The
 * scheduler hears of it when the transaction commits.
 */
export function createTask(ctx: CallContext, spec: TaskSpec): number {
  if (typeof spec.method !== 'string' || !spec.method) throw ParameterError(`Invalid type for value '${String(spec.method)}': expected type <class 'str'>`);
  if (!Array.isArray(spec.params)) throw ParameterError('arglist must be a list');
  const o = spec.opts ?? {};
  let parentRow: tasks.TaskRow | null = null;
  let priority: number;
  let arch: string;
  let owner: number;
  let label: string | null = null;
  if (o.parent !== undefined && o.parent !== null) {
    const pid = Number(o.parent);
    parentRow = Number.isInteger(pid) ? tasks.getTaskRow(ctx.store, pid) : null;
    if (!parentRow) throw GenericError(`Invalid parent task: ${o.parent}`);
    if (parentRow.state !== TASK_STATES.OPEN) throw GenericError(`Parent task (id ${pid}) is not open`);
    priority = o.priority ?? parentRow.priority - 1;
    arch = o.arch ?? parentRow.arch;
    owner = o.owner !== undefined && o.owner !== null ? ownerId(ctx, o.owner) : parentRow.owner;
    label = o.label ?? null;
    if (label !== null && typeof label !== 'string') throw ParameterError('label must be a string');
  } else {
    priority = o.priority ?? PRIO_DEFAULT;
    arch = o.arch ?? 'noarch';
    if (o.owner !== undefined && o.owner !== null) owner = ownerId(ctx, o.owner);
    else {
      if (!ctx.session) throw GenericError('task must have an owner');
      owner = ctx.session.userId;
    }
  }
  arch = normalizeArches(arch) || 'noarch';
  if (!Number.isInteger(Number(priority))) throw ParameterError(`Invalid type for value '${priority}': expected type <class 'int'>`);
  priority = Number(priority);
  const weight = o.weight === undefined || o.weight === null ? 1.0 : Number(o.weight);
  if (!(weight >= 0) || !Number.isFinite(weight)) throw ParameterError(`Invalid task weight: ${o.weight}`);

  const data: PolicyData = {
    method: spec.method,
    arch,
    parent: parentRow?.id ?? null,
    label,
    owner,
    user_id: owner,
  };
  let reqChannelId: number | null = null;
  if (o.channel !== undefined && o.channel !== null) {
    data.req_channel = o.channel;
    const ch = findChannel(ctx.store, typeof o.channel === 'number' ? o.channel : String(o.channel));
    if (!ch) throw GenericError(`No such channel: ${o.channel}`);
    if (!ch.enabled) throw GenericError(`Channel ${ch.name} is disabled.`);
    reqChannelId = ch.id;
  }
  Object.assign(data, policyDataFromTaskArgs(ctx, spec.method, spec.params));
  const channelId = chooseChannel(ctx, data, parentRow, reqChannelId);
  priority = adjustPriority(ctx, data, priority);

  let assignHost: number | null = null;
  if (o.assign !== undefined && o.assign !== null) {
    const host = findHost(ctx.store, typeof o.assign === 'number' ? o.assign : String(o.assign));
    if (!host) throw GenericError(`Invalid hostInfo: ${o.assign}`);
    assignHost = host.id;
  }

  const request = encodeMethodCall(spec.method, spec.params as RpcValue[]);
  const info: Record<string, unknown> = {
    method: spec.method, arch, parent: parentRow?.id ?? null, label, owner, priority, channel_id: channelId,
    request: spec.params, state: TASK_STATES.FREE, weight,
  };
  const fire = (phase: 'preTaskStateChange' | 'postTaskStateChange') => {
    if (callbackWanted(ctx.hub, phase)) ctx.callback(phase, { attribute: 'state', old: null, new: 'FREE', info });
  };
  fire('preTaskStateChange');
  const time = now();
  const id = tasks.insertTask(ctx.store, {
    state: TASK_STATES.FREE, owner, method: spec.method, request, priority, parent: parentRow?.id ?? null, label,
    channel_id: channelId, arch, weight, host_id: null, create_time: time,
  });
  info.id = id;
  fire('postTaskStateChange');
  if (assignHost !== null) assignTasks(ctx.store, assignHost, [id], time);
  announce(ctx, { tasks: [id], hosts: assignHost !== null ? [assignHost] : [], parents: parentRow ? [parentRow.id] : [] }, true);
  return id;
}

function ownerId(ctx: CallContext, owner: number | string): number {
  if (typeof owner === 'number') return owner;
  const u = findUser(ctx.store, owner);
  if (!u) throw GenericError(`No such user: ${owner}`);
  return u.id;
}

function chooseChannel(ctx: CallContext, data: PolicyData, parent: tasks.TaskRow | null, reqChannelId: number | null): number {
  const result = ctx.hub.policies.evaluate('channel', data, ctx.hub.policyLookups);
  if (result.action === null) {
    ctx.hub.log.warn('Channel policy returned no result, using default');
    return findChannel(ctx.store, 'default')!.id;
  }
  const words = (result.text ?? '').trim().split(/\s+/);
  const rule = result.rule ?? '';
  switch (result.action) {
    case 'use': {
      if (!words[1]) break;
      const ch = findChannel(ctx.store, words[1]);
      if (!ch) throw GenericError(`No such channel: ${words[1]}`);
      if (!ch.enabled) throw GenericError(`Channel ${ch.name} is disabled.`);
      return ch.id;
    }
    case 'parent':
      if (!parent) {
        ctx.hub.log.error(`Invalid channel policy result (no parent task): ${rule}`);
        throw GenericError('invalid channel policy');
      }
      return parent.channel_id;
    case 'req':
      if (reqChannelId === null) {
        ctx.hub.log.error(`Invalid channel policy result (no channel requested): ${rule}`);
        throw GenericError('invalid channel policy');
      }
      return reqChannelId;
  }
  ctx.hub.log.error(`Invalid result from channel policy: ${rule}`);
  throw GenericError('invalid channel policy');
}

function adjustPriority(ctx: CallContext, data: PolicyData, priority: number): number {
  const result = ctx.hub.policies.evaluate('priority', data, ctx.hub.policyLookups);
  if (result.action === null) return priority;
  const words = (result.text ?? '').trim().split(/\s+/);
  const n = words[1] !== undefined && /^[+-]?\d+$/.test(words[1]) ? Number(words[1]) : NaN;
  if (result.action === 'stay') return priority;
  if (result.action === 'set' && !Number.isNaN(n)) return n;
  if (result.action === 'adjust' && !Number.isNaN(n)) return priority + n;
  ctx.hub.log.error(`Invalid result from priority policy: ${result.rule ?? ''}`);
  throw GenericError('invalid priority policy');
}

/** Koji's policy_data_from_task_args: source, target, tag, build_tag and scratch of a standard task. */
export function policyDataFromTaskArgs(ctx: CallContext, method: string, params: unknown[]): PolicyData {
  let p: Record<string, unknown>;
  try {
    p = parseTaskParams(method, params);
  } catch {
    return {};
  }
  if (method === 'indirectionimage') {
    const opts = isStruct(p.opts) ? p.opts : {};
    p = { ...opts, opts };
  }
  const out: PolicyData = {};
  if (method !== 'newRepo') {
    for (const k of ['src', 'spec_url', 'url']) {
      if (k in p) {
        out.source = p[k];
        break;
      }
    }
  }
  const targetKey = ['target', 'build_target', 'target_info'].find((k) => k in p);
  if (targetKey) {
    let target = p[targetKey];
    if (isStruct(target)) target = 'name' in target ? target.name : null;
    out.target = typeof target === 'number' || typeof target === 'string' ? tasks.targetName(ctx.store, target) : null;
  }
  const tagKey = ['tag', 'tag_id', 'tag_info'].find((k) => k in p);
  if (tagKey) {
    const name = tagRefName(ctx, p[tagKey]);
    if (name !== null) out.tag = name;
  }
  if ('build_tag' in p) {
    const name = tagRefName(ctx, p.build_tag);
    if (name !== null) out.build_tag = name;
  }
  const opts = isStruct(p.opts) ? p.opts : {};
  if ('scratch' in opts) out.scratch = opts.scratch;
  return out;
}

function tagRefName(ctx: CallContext, ref: unknown): string | null {
  if (isStruct(ref)) ref = ref.id ?? ref.name;
  return typeof ref === 'number' || typeof ref === 'string' ? tagNameOf(ctx.store, ref) : null;
}
