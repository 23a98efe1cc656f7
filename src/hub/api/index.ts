/**
 * @module
 * The core API, assembled from one module per domain.
 */
import type { ApiMethod } from '../rpc/method.ts';
import { miscMethods } from './misc.ts';
import { userMethods } from './users.ts';
import { tagMethods } from './tags.ts';
import { targetMethods } from './targets.ts';
import { packageMethods } from './packages.ts';
import { groupMethods } from './groups.ts';
import { buildMethods } from './builds.ts';
import { historyMethods } from './history.ts';

export const coreMethods: ApiMethod[] = [
  ...miscMethods,
  ...userMethods,
  ...tagMethods,
  ...targetMethods,
  ...packageMethods,
  ...groupMethods,
  ...buildMethods,
  ...historyMethods,
];
