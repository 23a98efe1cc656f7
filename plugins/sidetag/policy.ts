/**
 * @module
 * The policy tests the sidetag plugin adds to every hub policy:
 * `is_sidetag` (data `tag` is a sidetag) and `is_sidetag_owner
 * [tag|fromtag|both]` (the acting user owns the sidetag(s) named by those
 * keys; admins own every sidetag). A missing, nil or unknown tag makes the
 * test false. Koji rejects bad arguments when the rule runs; kojibox also
 * rejects them when the policy is read, so hub start-up names the problem.
 */
import { GenericError } from '../../src/core/faults.ts';
import type { Hub } from '../../src/hub/hub.ts';
import { CallContext } from '../../src/hub/context.ts';
import { getTagInfo, type TagInfo } from '../../src/hub/api/lookups.ts';
import { policyUser, type PolicyData, type PolicyEnv, type PolicyLookups, type PolicyTest } from '../../src/hub/policy/index.ts';
import { isSidetag, isSidetagOwner } from './rules.ts';

/** Hubs by their policy lookups: a test only sees the lookups, and reads tags through its hub. */
const hubs = new WeakMap<PolicyLookups, Hub>();

/** Let the tests answer for this hub's policies (called when the plugin starts). */
export function attachPolicyHub(hub: Hub): void {
  hubs.set(hub.policyLookups, hub);
}

function tagOf(env: PolicyEnv, ref: unknown): TagInfo | null {
  if (typeof ref !== 'number' && typeof ref !== 'string') return null;
  const hub = hubs.get(env.lookups);
  if (!hub) throw GenericError('the sidetag policy tests need the sidetag_hub plugin to be started');
  return getTagInfo(new CallContext(hub, null, '127.0.0.1', 'policy'), ref);
}

const isSidetagTest: PolicyTest = {
  name: 'is_sidetag',
  run(_args, data, env) {
    const tag = tagOf(env, data.tag);
    return tag !== null && isSidetag(tag);
  },
};

/** The data keys `is_sidetag_owner` checks for its arguments. */
export function ownerFields(args: string[]): Array<'tag' | 'fromtag'> {
  if (args.length > 1) throw GenericError('Just one argument is allowed for this test.');
  const key = args[0] ?? 'tag';
  if (key !== 'tag' && key !== 'fromtag' && key !== 'both') {
    throw GenericError(`Policy test is_sidetag_owner has only /tag/fromtag/both options (got ${key})`);
  }
  return key === 'both' ? ['tag', 'fromtag'] : [key];
}

const isSidetagOwnerTest: PolicyTest = {
  name: 'is_sidetag_owner',
  validate(args) {
    ownerFields(args);
  },
  run(args, data: PolicyData, env) {
    const user = policyUser(data, env.lookups);
    if (!user) return false;
    const isAdmin = env.lookups.userPerms(user.id).includes('admin');
    for (const field of ownerFields(args)) {
      if (!(field in data)) return false;
      const tag = tagOf(env, data[field]);
      if (!tag || !isSidetagOwner(tag, user.id, isAdmin)) return false;
    }
    return true;
  },
};

/** is_sidetag and is_sidetag_owner, for every hub policy. */
export const sidetagPolicyTests: PolicyTest[] = [isSidetagTest, isSidetagOwnerTest];
