/**
 * @module
 * The builder's hub session. Tasks run concurrently but share one login,
 * and the hub checks that call numbers arrive in order, so calls are queued
 * one at a time (a call made while another is running for the same chain,
 * such as a session renewal, goes straight through). The long poll, which
 * the hub exempts from the call-number check, bypasses the queue.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ClientSession } from '../client/session.ts';

export class HostSession extends ClientSession {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly inside = new AsyncLocalStorage<boolean>();

  /** Run fn when every earlier queued call has finished. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inside.getStore()) return fn();
    const run = () => this.inside.run(true, fn);
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  override call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    return this.exclusive(() => super.call<T>(method, ...args));
  }

  /** A call outside the queue: only for methods the hub exempts from call-number checks. */
  callUnqueued<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    return this.inside.run(true, () => super.call<T>(method, ...args));
  }

  /** Forget the session (the hub no longer knows it) so that login starts afresh. */
  forget(): void {
    this.sessionId = null;
    this.sessionKey = null;
    this.callnum = 0;
  }
}
