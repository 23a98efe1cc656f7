/**
 * @module
 * Version, introspection, events and multiCall.
 */
import { API_VERSION, KOJI_VERSION } from '../../core/states.ts';
import { GenericError } from '../../core/faults.ts';
import { RpcDouble } from '../../core/xmlrpc.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { runMultiCall } from '../rpc/dispatcher.ts';
import { getEvent, lastEvent } from '../../store/events.ts';
import { asBool, asInt } from '../rpc/args.ts';
import type { Signature } from '../rpc/signature.ts';

function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return '{}';
  return String(v);
}

/** `(a, b=None, **kw)` as Python's inspect.signature prints it. */
export function argdesc(sig: Signature): string {
  const parts = sig.params.map((p) => (p.required ? p.name : `${p.name}=${pyRepr(p.default)}`));
  if (sig.varargs) parts.push(`*${sig.varargs}`);
  if (sig.varkw) parts.push(`**${sig.varkw}`);
  return `(${parts.join(', ')})`;
}

const eventShape = (e: { id: number; ts: number }) => ({ id: e.id, ts: new RpcDouble(e.ts) });

export const miscMethods: ApiMethod[] = [
  api('getAPIVersion()', 'The hub API version (1).', { access: 'anon' }, () => API_VERSION),
  api('getKojiVersion()', 'The Koji version this hub is compatible with.', { access: 'anon' }, () => KOJI_VERSION),
  api('hello(*args)', 'Simple testing call returning a string', { access: 'anon' }, () => 'Hello World'),
  api('_listapi()', 'List available API calls', { access: 'anon' }, (ctx) =>
    [...ctx.hub.methods.values()].map((m) => ({
      name: m.name,
      doc: m.doc,
      argspec: [
        m.signature.params.map((p) => p.name),
        m.signature.varargs ?? null,
        m.signature.varkw ?? null,
        m.signature.params.filter((p) => !p.required).map((p) => p.default),
        [],
        null,
        {},
      ],
      argdesc: argdesc(m.signature),
      args: m.signature.params.map((p) => (p.required ? p.name : [p.name, p.default])),
    })),
  ),
  api('system.listMethods()', 'Names of all API methods.', { access: 'anon' }, (ctx) => [...ctx.hub.methods.keys()]),
  api('system.methodSignature(method)', 'Not supported, as in Koji.', { access: 'anon' }, () => 'signatures not supported'),
  api('system.methodHelp(method)', 'Signature and description of one method.', { access: 'anon' }, (ctx, a) => {
    const m = ctx.hub.methods.get(String(a.method));
    if (!m) return '';
    return `${m.name}${argdesc(m.signature)}${m.doc ? `\ndescription: ${m.doc}` : ''}`;
  }),
  api('multiCall(calls)', 'Run several calls in one request; each result is [value] or a fault struct.', { access: 'anon' }, (ctx, a) =>
    runMultiCall(ctx, a.calls),
  ),
  api('system.multicall(calls)', 'Alias of multiCall.', { access: 'anon' }, (ctx, a) => runMultiCall(ctx, a.calls)),
  api('getEvent(id, strict=True)', 'Get the event with the given id: {id, ts}.', { access: 'anon' }, (ctx, a) => {
    const e = getEvent(ctx.store, asInt(a.id, 'id'));
    if (!e) {
      if (asBool(a.strict)) throw GenericError(`No such event: ${a.id}`);
      return null;
    }
    return eventShape(e);
  }),
  api('getLastEvent(before=None, strict=True)', 'The newest event, or the newest before a time (seconds since the epoch).', { access: 'anon' }, (ctx, a) => {
    if (a.before !== null && typeof a.before !== 'number') throw GenericError(`Invalid type for before: ${typeof a.before}`);
    const e = lastEvent(ctx.store, a.before as number | null);
    if (!e) {
      if (asBool(a.strict)) throw GenericError('No event found');
      return null;
    }
    return eventShape(e);
  }),
];
