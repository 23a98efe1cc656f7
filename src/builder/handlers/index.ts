/**
 * @module
 * The handlers every kojibox builder has; plugins add theirs (kojid.conf
 * `plugin =`).
 */
import type { TaskHandler } from '../handler.ts';
import { sleepHandler, subtaskHandler, waittestHandler } from './testing.ts';
import { tagBuildHandler } from './tag-build.ts';
import { dependantTaskHandler } from './dependant-task.ts';
import { newRepoHandler } from './newrepo.ts';
import { waitRepoHandler } from './waitrepo.ts';
import { buildHandler } from './build.ts';
import { buildArchHandler } from './build-arch.ts';
import { rebuildSrpmHandler } from './rebuild-srpm.ts';
import { buildSrpmFromScmHandler } from './build-srpm-from-scm.ts';

export const coreHandlers: TaskHandler[] = [sleepHandler, subtaskHandler, waittestHandler, tagBuildHandler, dependantTaskHandler, newRepoHandler, waitRepoHandler,
  buildHandler, buildArchHandler, rebuildSrpmHandler, buildSrpmFromScmHandler];
