/**
 * @module
 * What an API handler sees of one call: the hub, the caller's session, and
 * the call's event. One call (or one multiCall entry) is one transaction;
 * the first change it makes to versioned data creates the event it records.
 */
import { ActionNotAllowed, AuthError, KojiError } from '../core/faults.ts';
import type { Hub } from './hub.ts';
import type { CallbackArgs, CallbackName } from './callbacks.ts';
import type { PolicyData } from './policy/index.ts';
import { createEvent } from '../store/events.ts';
import { userPermNames } from '../store/users.ts';

export interface Session {
  id: number;
  userId: number;
  userName: string;
  authtype: number;
  /** Set when the logged-in user is a build host. */
  hostId: number | null;
  callnum: number | null;
}

export class CallContext {
  private eventId: number | null = null;
  private permCache: Set<string> | null = null;

  constructor(
    readonly hub: Hub,
    readonly session: Session | null,
    readonly remoteAddr: string,
    public method = '',
  ) {}

  get store() {
    return this.hub.store;
  }

  /** The event of this transaction, created on first use. */
  event(): number {
    if (this.eventId === null) this.eventId = createEvent(this.store);
    return this.eventId;
  }

  /** Forget the event when the savepoint that created it rolled back. */
  resetEvent(to: number | null): void {
    this.eventId = to;
  }

  get currentEvent(): number | null {
    return this.eventId;
  }

  get userId(): number | null {
    return this.session?.userId ?? null;
  }

  /** The logged-in session, or ActionNotAllowed as Koji's assertLogin raises. */
  requireLogin(): Session {
    if (!this.session) throw ActionNotAllowed('you must be logged in for this operation');
    return this.session;
  }

  perms(): Set<string> {
    if (!this.session) return new Set();
    this.permCache ??= new Set(userPermNames(this.store, this.session.userId));
    return this.permCache;
  }

  /** Koji's hasPerm: admin holds every permission. */
  hasPerm(perm: string, strict = false): boolean {
    const perms = this.perms();
    return perms.has(perm) || (!strict && perms.has('admin'));
  }

  get isAdmin(): boolean {
    return this.perms().has('admin');
  }

  /** Koji's assertPerm, with its texts for anonymous and unprivileged callers. */
  assertPerm(perm: string): void {
    if (!this.session) throw ActionNotAllowed(`${perm} permission required (user not logged in)`);
    if (!this.hasPerm(perm)) throw ActionNotAllowed(`${perm} permission required (logged in as ${this.session.userName})`);
  }

  /** Drop cached permissions after a grant/revoke in this call. */
  invalidatePerms(): void {
    this.permCache = null;
  }

  /** The caller's host id; Koji's Host() texts for anyone else. */
  requireHost(): number {
    if (!this.session) throw AuthError('Not logged-in');
    if (this.session.hostId === null) throw AuthError(`User ${this.session.userId} is not a host`);
    return this.session.hostId;
  }

  callback(name: CallbackName, args: CallbackArgs): void {
    this.hub.callbacks.run(this, name, args);
  }

  /** Koji's assert_policy; user_id defaults to the caller. */
  assertPolicy(name: string, data: PolicyData, opts: { force?: boolean; default?: string } = {}): void {
    const full = { user_id: this.userId, ...data };
    this.hub.policies.assert(name, full, this.hub.policyLookups, {
      default: opts.default ?? 'deny',
      force: opts.force,
      isAdmin: this.session ? this.isAdmin : false,
      missingPolicyOk: this.hub.config.MissingPolicyOk,
      verbose: this.hub.config.KojiDebug || this.hub.config.VerbosePolicy,
    });
  }

  checkPolicy(name: string, data: PolicyData, opts: { force?: boolean; default?: string } = {}) {
    const full = { user_id: this.userId, ...data };
    return this.hub.policies.check(name, full, this.hub.policyLookups, {
      default: opts.default ?? 'deny',
      force: opts.force,
      isAdmin: this.session ? this.isAdmin : false,
      missingPolicyOk: this.hub.config.MissingPolicyOk,
      verbose: this.hub.config.KojiDebug || this.hub.config.VerbosePolicy,
    });
  }

  /** Run after this call's transaction commits (deliveries, wake-ups). */
  afterCommit(fn: () => void): void {
    this.store.afterCommit(fn);
  }
}

export { KojiError };
