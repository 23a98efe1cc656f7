/**
 * @module
 * How an API method is declared. Each domain module exports a list of
 * methods built with `api()`: the Python-style signature (what list-api
 * shows and how wire arguments bind), who may call it, and the handler.
 * Handlers are synchronous so a call runs inside one store transaction.
 */
import { parseSignature, type BoundArgs, type Signature } from './signature.ts';
import type { CallContext } from '../context.ts';

/**
 * Who may call a method, checked by the dispatcher before the handler runs:
 * - 'anon': anyone (read-only queries)
 * - 'login': any logged-in user; finer checks live in the handler
 * - 'host': a logged-in build host (host.* calls)
 * - any other string: that permission (admin always passes)
 */
export type Access = 'anon' | 'login' | 'host' | (string & {});

// Wire values are untyped until a handler validates them; handlers read
// arguments through the helpers in ./args.ts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (ctx: CallContext, args: BoundArgs & Record<string, any>) => unknown;

export interface ApiMethod {
  name: string;
  signature: Signature;
  access: Access;
  doc: string;
  handler: Handler;
  /**
   * Runs outside the per-call transaction and may be async (long polls,
   * streaming). Such a handler opens its own transactions with ctx.store.tx.
   */
  async?: boolean;
  /** Session-sequence exemptions, as Koji's host.taskWait etc. */
  noCallnumCheck?: boolean;
}

export interface ApiOptions {
  access?: Access;
  async?: boolean;
  noCallnumCheck?: boolean;
}

/** Declare an API method: `api('getTag(tagInfo, strict=False)', 'doc', {access:'anon'}, handler)`. */
export function api(signature: string, doc: string, opts: ApiOptions, handler: Handler): ApiMethod {
  const sig = parseSignature(signature);
  return {
    name: sig.name,
    signature: sig,
    access: opts.access ?? 'login',
    doc,
    handler,
    async: opts.async,
    noCallnumCheck: opts.noCallnumCheck,
  };
}
