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
import { hostMethods } from './hosts.ts';
import { taskMethods } from './tasks.ts';
import { schedulerMethods } from './scheduler.ts';
import { hostApiMethods } from './host.ts';
import { uploadMethods } from './uploads.ts';
import { tagBuildMethods } from './tag-build.ts';
import { repoMethods } from './repos.ts';
import { buildrootMethods } from './buildroots.ts';
import { rpmMethods } from './rpms.ts';
import { buildTaskMethods } from './build-tasks.ts';
import { rpmImportMethods } from './rpm-import.ts';
import { buildInfoMethods } from './build-info.ts';
import { searchMethods } from './search.ts';
import { volumeMethods } from './volumes.ts';

export const coreMethods: ApiMethod[] = [
  ...miscMethods,
  ...userMethods,
  ...tagMethods,
  ...targetMethods,
  ...packageMethods,
  ...groupMethods,
  ...buildMethods,
  ...historyMethods,
  ...hostMethods,
  ...taskMethods,
  ...schedulerMethods,
  ...hostApiMethods,
  ...uploadMethods,
  ...tagBuildMethods,
  ...repoMethods,
  ...buildrootMethods,
  ...rpmMethods,
  ...buildTaskMethods,
  ...rpmImportMethods,
  ...buildInfoMethods,
  ...searchMethods,
  ...volumeMethods,
];
