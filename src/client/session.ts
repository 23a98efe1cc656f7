/**
 * @module
 * An XML-RPC session with a hub, speaking Koji's dialect as
 * koji.ClientSession does: kwargs as a trailing `__starstar` struct,
 * session id/key/callnum headers, multiCall, faults raised as KojiError
 * with the hub's fault code, retries on connection errors.
 */
import { FAULT_CODES, KojiError, faultNameForCode } from '../core/faults.ts';
import { encodeMethodCall, parseMethodResponse, XmlRpcFault, type RpcValue } from '../core/xmlrpc.ts';

/** Marks keyword arguments in a call: `session.call('getTag', 'f30', kw({strict: true}))`. */
export class Kwargs {
  constructor(readonly values: Record<string, unknown>) {}
}
export const kw = (values: Record<string, unknown>) => new Kwargs(values);

export interface SessionOptions {
  /** Retries for connection errors and HTTP 5xx (Koji: max_retries 30, retry_interval 20 s). */
  maxRetries?: number;
  retryIntervalMs?: number;
  userAgent?: string;
}

/** A fault from the hub, as the koji class with the same code. */
export function faultToError(code: number, message: string): KojiError {
  const name = faultNameForCode(code);
  const err = new KojiError(name ?? 'GenericError', message);
  if (!name) (err as { faultCode: number }).faultCode = code;
  return err;
}

function encodeParams(args: unknown[]): RpcValue[] {
  const out: RpcValue[] = [];
  for (const a of args) {
    if (a instanceof Kwargs) {
      const entries = Object.entries(a.values).filter(([, v]) => v !== undefined);
      if (entries.length) out.push({ ...Object.fromEntries(entries), __starstar: true } as RpcValue);
    } else out.push((a === undefined ? null : a) as RpcValue);
  }
  return out;
}

export class ClientSession {
  sessionId: number | null = null;
  sessionKey: string | null = null;
  callnum = 0;
  user: string | null = null;
  private password: string | null = null;

  constructor(readonly baseurl: string, private readonly opts: SessionOptions = {}) {}

  get loggedIn(): boolean {
    return this.sessionId !== null;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'Content-Type': 'text/xml', 'User-Agent': this.opts.userAgent ?? 'koji/1' };
    if (this.sessionId !== null && this.sessionKey) {
      h['Koji-Session-Id'] = String(this.sessionId);
      h['Koji-Session-Key'] = this.sessionKey;
      h['Koji-Session-Callnum'] = String(this.callnum);
    }
    return h;
  }

  private async post(body: string, headers: Record<string, string>): Promise<string> {
    const retries = this.opts.maxRetries ?? 3;
    let lastErr: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        const res = await fetch(this.baseurl, { method: 'POST', body, headers });
        const text = await res.text();
        if (res.status >= 500) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
        if (res.status !== 200) throw new KojiError('GenericError', `HTTP ${res.status} from hub: ${text.trim().slice(0, 300)}`);
        return text;
      } catch (err) {
        if (err instanceof KojiError) throw err;
        lastErr = err;
        if (attempt < retries) await Bun.sleep(this.opts.retryIntervalMs ?? 1000);
      }
    }
    throw new KojiError('GenericError', `cannot reach hub at ${this.baseurl}: ${(lastErr as Error)?.message ?? lastErr}`);
  }

  /** Call a method; pass `kw({...})` last for keyword arguments. */
  async call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const body = encodeMethodCall(method, encodeParams(args));
    const headers = this.headers();
    if (this.sessionId !== null) this.callnum++;
    const text = await this.post(body, headers);
    try {
      return parseMethodResponse(text) as T;
    } catch (err) {
      if (err instanceof XmlRpcFault) {
        if (err.faultCode === FAULT_CODES.AuthExpired && this.user && this.password && method !== 'login') {
          await this.renew();
          return this.call<T>(method, ...args);
        }
        throw faultToError(err.faultCode, err.faultString);
      }
      throw err;
    }
  }

  async login(user: string, password: string): Promise<void> {
    const r = await this.call<{ 'session-id': number; 'session-key': string }>('login', user, password, null);
    this.sessionId = r['session-id'];
    this.sessionKey = r['session-key'];
    this.callnum = 0;
    this.user = user;
    this.password = password;
  }

  /** Koji 1.35 renewal: same session id, new key. */
  private async renew(): Promise<void> {
    const r = await this.call<{ 'session-id': number; 'session-key': string }>('login', this.user, this.password, null, kw({ renew: true }));
    this.sessionId = r['session-id'];
    this.sessionKey = r['session-key'];
    this.callnum = 0;
  }

  async logout(): Promise<void> {
    if (this.sessionId === null) return;
    try {
      await this.call('logout');
    } catch (err) {
      if (!(err instanceof KojiError && (err.faultName === 'AuthExpired' || err.faultName === 'AuthError'))) throw err;
    }
    this.sessionId = null;
    this.sessionKey = null;
    this.password = null;
  }

  /**
   * Several calls in one request. Results are values, or KojiError objects
   * for failed entries; with strict the first failure is thrown instead.
   */
  async multiCall(calls: Array<[string, ...unknown[]]>, strict = false): Promise<unknown[]> {
    if (!calls.length) return [];
    const entries = calls.map(([methodName, ...args]) => ({ methodName, params: encodeParams(args) }));
    const results = await this.call<unknown[]>('multiCall', entries);
    return results.map((r) => {
      if (Array.isArray(r)) return r[0];
      const f = r as { faultCode: number; faultString: string };
      const err = faultToError(f.faultCode, f.faultString);
      if (strict) throw err;
      return err;
    });
  }
}
