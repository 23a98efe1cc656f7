/**
 * @module
 * Wire shapes of tasks, hosts and channels (Koji's field names and types),
 * and decoding of the XML-RPC documents a task keeps as its request and
 * result.
 */
import { parseMethodCall, parseMethodResponse, RpcDouble, XmlRpcFault, type RpcValue } from '../../core/xmlrpc.ts';
import { isoTime } from '../../core/time.ts';
import type { TaskRow } from '../../store/tasks.ts';
import type { HostRow } from '../../store/hosts.ts';
import type { ChannelRow } from '../../store/channels.ts';

const ts = (v: number | null | undefined) => (typeof v === 'number' ? new RpcDouble(v) : null);
const optBool = (v: number | null | undefined) => (v === null || v === undefined ? null : v === 1);

/** getTaskInfo's fields (no request, no result). */
export function taskShape(t: TaskRow): Record<string, RpcValue> {
  return {
    id: t.id,
    state: t.state,
    create_time: isoTime(t.create_time),
    create_ts: ts(t.create_time),
    start_time: isoTime(t.start_time),
    start_ts: ts(t.start_time),
    completion_time: isoTime(t.completion_time),
    completion_ts: ts(t.completion_time),
    channel_id: t.channel_id,
    host_id: t.host_id,
    parent: t.parent,
    label: t.label,
    waiting: optBool(t.waiting),
    awaited: optBool(t.awaited),
    owner: t.owner,
    method: t.method,
    arch: t.arch,
    priority: t.priority,
    weight: new RpcDouble(t.weight),
  };
}

/** The argument list of a stored request (a methodCall document). */
export function decodeRequest(xml: string): RpcValue[] {
  return parseMethodCall(xml).params;
}

export type DecodedResult = { ok: true; value: RpcValue } | { ok: false; faultCode: number; faultString: string };

/** A stored result: a methodResponse with one value, or a fault. */
export function decodeResult(xml: string): DecodedResult {
  try {
    return { ok: true, value: parseMethodResponse(xml) };
  } catch (err) {
    if (err instanceof XmlRpcFault) return { ok: false, faultCode: err.faultCode, faultString: err.faultString };
    throw err;
  }
}

export function hostShape(h: HostRow): Record<string, RpcValue> {
  return {
    id: h.id,
    user_id: h.user_id,
    name: h.name,
    update_ts: ts(h.update_ts),
    ready: h.ready === 1,
    task_load: new RpcDouble(h.task_load),
    arches: h.arches,
    capacity: new RpcDouble(h.capacity),
    description: h.description,
    comment: h.comment,
    enabled: h.enabled === 1,
  };
}

export function channelShape(c: ChannelRow): Record<string, RpcValue> {
  return { id: c.id, name: c.name, description: c.description, enabled: c.enabled === 1, comment: c.comment };
}

/** Koji's task directory below a volume's work dir: `tasks/<id % 10000>/<id>`. */
export function taskRelPath(taskId: number): string {
  return `tasks/${taskId % 10000}/${taskId}`;
}
