/**
 * @module
 * The hub policy engine (koji's `[policy]` language): pure logic over policy
 * data and hub-supplied lookups, no database access.
 *
 * Typical use: build a registry from {@link standardTests} plus plugin tests,
 * hand it to a {@link PolicySet} with hub.conf's `[policy]` entries, then
 * `policies.assert('tag', data, lookups, opts)` or `policies.evaluate(...)`.
 */

import { buildTests } from './build-tests.ts';
import { genericTests } from './generic-tests.ts';
import { PolicyRegistry } from './registry.ts';
import type { PolicyTest } from './types.ts';
import { userAndTaskTests } from './user-tests.ts';

export type { PolicyBuildInfo, PolicyData, PolicyEnv, PolicyLookups, PolicyResult, PolicyTest } from './types.ts';
export type { PolicyCheckOptions, PolicyCheckResult } from './policy-set.ts';
export { PolicyRegistry } from './registry.ts';
export { Policy, PolicyError, parsePolicy } from './policy.ts';
export { PolicySet } from './policy-set.ts';
export { DEFAULT_POLICIES } from './defaults.ts';
export { fieldBoolTest, fieldMatchTest } from './generic-tests.ts';
export { policyUser, truthy, valueMatches } from './data.ts';

/** Every built-in test: generic, tag/build, task and user tests. */
export function standardTests(): PolicyTest[] {
  return [...genericTests(), ...buildTests(), ...userAndTaskTests()];
}

/** A registry holding the built-in tests; plugins register theirs on top. */
export function standardRegistry(): PolicyRegistry {
  const registry = new PolicyRegistry();
  registry.register(standardTests());
  return registry;
}
