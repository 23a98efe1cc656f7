/**
 * @module
 * Turns one XML-RPC request into one transaction: authenticate, bind
 * arguments, check access, run the handler, encode the reply. multiCall runs
 * each entry in a savepoint and reports per-entry faults as Koji does.
 * Errors become faults here and nowhere else.
 */
import { KojiError, ParameterError, GenericError } from '../../core/faults.ts';
import {
  encodeFault, encodeResponse, parseMethodCall, XmlRpcParseError, type RpcValue,
} from '../../core/xmlrpc.ts';
import { CallContext, type Session } from '../context.ts';
import type { Hub } from '../hub.ts';
import type { ApiMethod } from './method.ts';
import { bindArgs } from './signature.ts';
import { isStruct } from './args.ts';
import { credentialsFrom, validateSession } from '../auth.ts';

export interface RpcRequest {
  body: Uint8Array;
  headers: Headers;
  query: URLSearchParams;
  remoteAddr: string;
}

export interface RpcReply {
  status: number;
  body: string;
}

/** Methods the host's polling loop calls repeatedly with the same callnum (Koji's exemptions). */
const CALLNUM_EXEMPT = new Set([
  'host.taskWait', 'host.taskUnwait', 'host.taskSetWait', 'host.updateHost', 'host.setBuildRootState',
  'repoExpire', 'repoDelete', 'repoProblem',
]);

/** Split a trailing `__starstar` struct off positional params. */
export function splitKwargs(params: RpcValue[]): { args: unknown[]; kwargs: Record<string, unknown> | null } {
  const last = params[params.length - 1];
  if (isStruct(last) && last.__starstar) {
    const { __starstar: _, ...kwargs } = last as Record<string, unknown>;
    return { args: params.slice(0, -1), kwargs };
  }
  return { args: params, kwargs: null };
}

function toFault(err: unknown, hub: Hub, method: string): { faultCode: number; faultString: string } {
  if (err instanceof KojiError) return { faultCode: err.faultCode, faultString: err.message };
  const e = err as Error;
  hub.log.error(`unexpected error in ${method}: ${e?.stack ?? String(err)}`);
  return { faultCode: 1, faultString: `<class '${e?.name ?? 'Exception'}'>: ${e?.message ?? String(err)}` };
}

/** Raise unless the caller may call the method at all. */
function checkAccess(ctx: CallContext, m: ApiMethod): void {
  switch (m.access) {
    case 'anon':
      return;
    case 'login':
      ctx.requireLogin();
      return;
    case 'host':
      ctx.requireHost();
      return;
    default:
      ctx.assertPerm(m.access);
  }
}

/** Call one method with wire params in the current transaction. */
export function invoke(ctx: CallContext, name: string, params: RpcValue[]): unknown {
  const m = ctx.hub.methods.get(name);
  if (!m) throw GenericError(`Invalid method: ${name}`);
  if (m.async) throw GenericError(`${name} cannot be called in a multicall`);
  const { args, kwargs } = splitKwargs(params);
  const bound = bindArgs(m.signature, args, kwargs);
  checkAccess(ctx, m);
  ctx.method = name;
  return m.handler(ctx, bound);
}

/** Koji's multiCall: each entry in its own savepoint; results `[value]` or a fault struct. */
export function runMultiCall(ctx: CallContext, calls: unknown): RpcValue {
  if (!Array.isArray(calls)) throw ParameterError('multiCall expects a list of calls');
  const results: RpcValue[] = [];
  for (const call of calls) {
    const eventBefore = ctx.currentEvent;
    try {
      if (!isStruct(call) || typeof call.methodName !== 'string') throw ParameterError('multiCall entries need methodName and params');
      const params = Array.isArray(call.params) ? (call.params as RpcValue[]) : [];
      if (call.methodName === 'multiCall' || call.methodName === 'system.multicall') throw GenericError('multicall cannot be nested');
      const value = ctx.store.tx(() => invoke(ctx, call.methodName as string, params));
      results.push([normalize(value)]);
    } catch (err) {
      if (ctx.currentEvent !== eventBefore) ctx.resetEvent(eventBefore);
      results.push(toFault(err, ctx.hub, String(isStruct(call) ? call.methodName : '?')));
    }
  }
  return results;
}

/** undefined (a void handler) is nil on the wire. */
function normalize(v: unknown): RpcValue {
  return (v === undefined ? null : v) as RpcValue;
}

const LOGIN_METHODS = new Set(['login', 'sslLogin', 'logout', 'getKojiVersion', 'getAPIVersion']);

export async function dispatch(hub: Hub, req: RpcRequest): Promise<RpcReply> {
  let call: { methodName: string; params: RpcValue[] };
  try {
    call = parseMethodCall(req.body, { maxBytes: hub.config.MaxRequestLength });
  } catch (err) {
    if (err instanceof XmlRpcParseError) return { status: 400, body: `Bad XML-RPC request: ${err.message}\n` };
    throw err;
  }
  const name = call.methodName;
  let session: Session | null = null;
  try {
    if (hub.offline && name !== 'getKojiVersion') {
      throw new KojiError('ServerOffline', hub.config.OfflineMessage || 'server is offline');
    }
    const cred = credentialsFrom(req.headers, req.query, !hub.config.DisableURLSessions);
    const method = hub.methods.get(name);
    const renewing = name === 'login' || name === 'sslLogin';
    const authenticate = () => {
      if (!cred) return null;
      return validateSession(hub.store, cred, req.remoteAddr, {
        renewalTimeoutMinutes: hub.config.SessionRenewalTimeout,
        checkClientIP: hub.config.CheckClientIP,
      }, { allowExpired: renewing, skipCallnum: CALLNUM_EXEMPT.has(name) || Boolean(method?.noCallnumCheck) }).session;
    };
    let value: unknown;
    if (method?.async) {
      session = hub.store.tx(authenticate);
      const ctx = new CallContext(hub, session, req.remoteAddr, name);
      lockoutCheck(hub, ctx, name);
      const { args, kwargs } = splitKwargs(call.params);
      const bound = bindArgs(method.signature, args, kwargs);
      checkAccess(ctx, method);
      value = await method.handler(ctx, bound);
    } else {
      value = hub.store.tx(() => {
        session = authenticate();
        const ctx = new CallContext(hub, session, req.remoteAddr, name);
        lockoutCheck(hub, ctx, name);
        return invoke(ctx, name, call.params);
      });
    }
    return { status: 200, body: encodeResponse(normalize(value)) };
  } catch (err) {
    const f = toFault(err, hub, name);
    if (hub.config.KojiDebug) hub.log.debug(`fault in ${name}: ${f.faultCode} ${f.faultString}`);
    return { status: 200, body: encodeFault(f.faultCode, f.faultString) };
  }
}

function lockoutCheck(hub: Hub, ctx: CallContext, name: string): void {
  if (hub.config.LockOut && !LOGIN_METHODS.has(name) && !(ctx.session && ctx.isAdmin)) {
    throw new KojiError('ServerOffline', 'Server disabled for maintenance');
  }
}
