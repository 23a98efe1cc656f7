/**
 * @module
 * Hub callbacks, Koji's plugin hook points. Core code fires them inside the
 * API call's transaction, so whatever a callback writes (an outbox message,
 * a sidetag removal) commits or rolls back with the change it reacts to.
 */
import { KojiError } from '../core/faults.ts';
import type { CallContext } from './context.ts';

export const CALLBACK_NAMES = [
  'preTag', 'postTag', 'preUntag', 'postUntag',
  'preCreateTag', 'postCreateTag', 'preEditTag', 'postEditTag', 'preDeleteTag', 'postDeleteTag',
  'prePackageListChange', 'postPackageListChange',
  'preBuildStateChange', 'postBuildStateChange', 'preBuildPromote', 'postBuildPromote',
  'preTaskStateChange', 'postTaskStateChange',
  'preRepoInit', 'postRepoInit', 'preRepoDone', 'postRepoDone',
  'preImport', 'postImport', 'preRPMSign', 'postRPMSign',
  'preCommit', 'postCommit',
] as const;

export type CallbackName = (typeof CALLBACK_NAMES)[number];
export type CallbackArgs = Record<string, unknown>;
export type CallbackFn = (ctx: CallContext, args: CallbackArgs) => void;

export class CallbackBus {
  private readonly handlers = new Map<CallbackName, Array<{ owner: string; fn: CallbackFn }>>();

  on(name: CallbackName, owner: string, fn: CallbackFn): void {
    if (!CALLBACK_NAMES.includes(name)) throw new Error(`unknown callback ${name}`);
    const list = this.handlers.get(name) ?? [];
    list.push({ owner, fn });
    this.handlers.set(name, list);
  }

  /** Whether anything listens, so callers can skip building costly callback arguments. */
  has(name: CallbackName): boolean {
    return (this.handlers.get(name)?.length ?? 0) > 0;
  }

  /**
   * Run every handler of a callback. A handler's failure aborts the call as
   * a CallbackError (koji fault 1017) naming the plugin, and so rolls back.
   */
  run(ctx: CallContext, name: CallbackName, args: CallbackArgs): void {
    for (const { owner, fn } of this.handlers.get(name) ?? []) {
      try {
        fn(ctx, { ...args, cbtype: name });
      } catch (err) {
        if (err instanceof KojiError) throw err;
        throw new KojiError('CallbackError', `Error running ${name} callback from ${owner}: ${(err as Error).message}`);
      }
    }
  }
}
