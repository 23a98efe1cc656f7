/**
 * @module
 * Tests about the acting user (data `user_id`, else the logged-in user) and
 * about the task being created (channel and priority policies).
 */

import { fnmatchAny } from '../../core/fnmatch.ts';
import { policyUser, requireBuild } from './data.ts';
import { fieldBoolTest, fieldMatchTest } from './generic-tests.ts';
import type { PolicyTest } from './types.ts';

const user: PolicyTest = {
  name: 'user',
  run: (patterns, data, { lookups }) => {
    const u = policyUser(data, lookups);
    return u !== null && fnmatchAny(u.name, patterns);
  },
};

const isBuildOwner: PolicyTest = {
  name: 'is_build_owner',
  run: (_args, data, { lookups }) => {
    const build = requireBuild(data, lookups);
    const u = policyUser(data, lookups);
    if (!u) return false;
    if (build.owner_id === u.id) return true;
    // A build may be owned by a group; its members count as owners.
    const ownerName = lookups.userName(build.owner_id);
    return ownerName !== null && lookups.userGroups(u.id).includes(ownerName);
  },
};

const userInGroup: PolicyTest = {
  name: 'user_in_group',
  run: (patterns, data, { lookups }) => {
    const u = policyUser(data, lookups);
    return u !== null && lookups.userGroups(u.id).some((g) => fnmatchAny(g, patterns));
  },
};

const hasPerm: PolicyTest = {
  name: 'has_perm',
  run: (patterns, data, { lookups }) => {
    const u = policyUser(data, lookups);
    return u !== null && lookups.userPerms(u.id).some((p) => fnmatchAny(p, patterns));
  },
};

/** Tests about users and tasks. */
export function userAndTaskTests(): PolicyTest[] {
  return [
    user,
    isBuildOwner,
    userInGroup,
    hasPerm,
    fieldBoolTest('is_child_task', 'parent'),
    fieldMatchTest('method', 'method'),
    fieldMatchTest('vm_name', 'vm_name'),
  ];
}
