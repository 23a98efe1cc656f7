/**
 * @module
 * The policy engine's window on the store: the PolicyLookups it asks when a
 * test needs data beyond the policy data dict (has_perm, hastag, ...).
 */
import type { Store } from '../store/db.ts';
import type { PolicyLookups } from './policy/index.ts';
import { findUser, userGroupNames, userPermNames } from '../store/users.ts';
import {
  ancestorTagNames, buildRootTagNames, packageIsNew, packageNameOf, policyBuildInfo, tagNameOf, tagNamesOfBuild,
  targetBuildTagName, volumeNameOf,
} from '../store/policy-data.ts';

export function storePolicyLookups(store: Store): PolicyLookups {
  return {
    userName: (id) => findUser(store, id)?.name ?? null,
    userPerms: (id) => userPermNames(store, id),
    userGroups: (id) => userGroupNames(store, id),
    tagName: (tag) => tagNameOf(store, tag),
    tagsOfBuild: (buildId) => tagNamesOfBuild(store, buildId),
    tagAncestors: (tag) => ancestorTagNames(store, tag),
    buildInfo: (build) => policyBuildInfo(store, build),
    isNewPackage: (_tag, pkg) => packageIsNew(store, pkg),
    packageName: (id) => packageNameOf(store, id),
    volumeName: (id) => volumeNameOf(store, id),
    targetBuildTag: (target) => targetBuildTagName(store, target),
    buildRootTags: (build) => {
      const info = policyBuildInfo(store, build);
      return info ? buildRootTagNames(store, info.id) : [];
    },
  };
}
