/**
 * @module
 * All policies of a hub: the configured `[policy]` entries plus koji's
 * defaults for the ones not configured, and the allow/deny decision the hub
 * makes from them (koji's check_policy / assert_policy).
 */

import { ActionNotAllowed, GenericError } from '../../core/faults.ts';
import { policyUser } from './data.ts';
import { DEFAULT_POLICIES } from './defaults.ts';
import { parsePolicy } from './policy.ts';
import type { Policy } from './policy.ts';
import type { PolicyRegistry } from './registry.ts';
import type { PolicyData, PolicyEnv, PolicyLookups, PolicyResult } from './types.ts';

/** Options of {@link PolicySet.check} and {@link PolicySet.assert}. */
export interface PolicyCheckOptions {
  /** Verdict when no rule matches; koji's default is `deny`. */
  default?: string;
  /** The caller asked to override the policy; honoured only for admins. */
  force?: boolean;
  /** Whether the acting user is an admin; when omitted, taken from the user's permissions. */
  isAdmin?: boolean;
  /** hub.conf MissingPolicyOk: allow when the policy does not exist (default true). */
  missingPolicyOk?: boolean;
  /** hub.conf VerbosePolicy/KojiDebug: name the deciding rule in the violation message. */
  verbose?: boolean;
}

/** Outcome of {@link PolicySet.check}. */
export interface PolicyCheckResult {
  allowed: boolean;
  reason: string;
  /** The rule that decided, or null when none matched or the policy is missing. */
  rule: string | null;
  /** True when a deny was overridden by an admin's force; the hub should log it. */
  forced?: boolean;
}

export class PolicySet {
  readonly registry: PolicyRegistry;
  private readonly policies = new Map<string, Policy>();

  /**
   * Parse every configured policy and the defaults not configured.
   * @param configured hub.conf `[policy]` entries, name to rule text.
   * @throws PolicyError when a policy does not parse.
   */
  constructor(registry: PolicyRegistry, configured: Record<string, string>) {
    this.registry = registry;
    const texts = { ...DEFAULT_POLICIES, ...configured };
    for (const [name, text] of Object.entries(texts)) {
      this.policies.set(name, parsePolicy(name, text, registry));
    }
  }

  /** The policy called `name`, if configured or defaulted. */
  get(name: string): Policy | undefined {
    return this.policies.get(name);
  }

  /** Names of all policies, sorted. */
  names(): string[] {
    return [...this.policies.keys()].sort();
  }

  private env(lookups: PolicyLookups): PolicyEnv {
    return { lookups, policies: this, stack: [] };
  }

  /**
   * Evaluate a policy whose actions are not allow/deny (channel, priority,
   * volume, build_from_scm) and return what matched.
   * @throws GenericError when there is no such policy.
   */
  evaluate(name: string, data: PolicyData, lookups: PolicyLookups): PolicyResult {
    const policy = this.get(name);
    if (!policy) throw GenericError(`no such policy: ${name}`);
    return policy.evaluate(data, this.env(lookups));
  }

  /**
   * Decide an allow/deny policy. A verdict other than allow or deny is
   * treated as a deny ("error in policy"). With `force`, an admin is allowed
   * regardless.
   */
  check(name: string, data: PolicyData, lookups: PolicyLookups, opts: PolicyCheckOptions = {}): PolicyCheckResult {
    const policy = this.get(name);
    let verdict: string;
    let reason: string;
    let rule: string | null = null;
    if (!policy) {
      verdict = (opts.missingPolicyOk ?? true) ? 'allow' : 'deny';
      reason = 'missing policy';
    } else {
      const result = policy.evaluate(data, this.env(lookups));
      rule = result.rule;
      if (result.action === null) {
        verdict = opts.default ?? 'deny';
        reason = 'not covered by policy';
      } else {
        verdict = result.action;
        reason = result.reason;
      }
    }
    if (verdict === 'allow') return { allowed: true, reason, rule };
    if (verdict !== 'deny') reason = 'error in policy';
    if (opts.force && (opts.isAdmin ?? isAdminUser(data, lookups))) {
      // koji's wording, kept as is because hosts receive it from checkPolicy.
      return { allowed: true, reason: 'overriden by force', rule, forced: true };
    }
    return { allowed: false, reason, rule };
  }

  /**
   * Like {@link check}, but a denial throws
   * `ActionNotAllowed: policy violation (NAME)[: reason][ [rule: ...]]`.
   */
  assert(name: string, data: PolicyData, lookups: PolicyLookups, opts: PolicyCheckOptions = {}): void {
    const { allowed, reason, rule } = this.check(name, data, lookups, opts);
    if (allowed) return;
    let message = `policy violation (${name})`;
    if (reason) message += `: ${reason}`;
    if (opts.verbose) message += ` [rule: ${rule ?? '(no match)'}]`;
    throw ActionNotAllowed(message);
  }
}

function isAdminUser(data: PolicyData, lookups: PolicyLookups): boolean {
  const user = policyUser(data, lookups);
  return user !== null && lookups.userPerms(user.id).includes('admin');
}
