/**
 * @module
 * The handlers every kojibox builder has; plugins add theirs (kojid.conf
 * `plugin =`).
 */
import type { TaskHandler } from '../handler.ts';
import { sleepHandler, subtaskHandler, waittestHandler } from './testing.ts';
import { tagBuildHandler } from './tag-build.ts';
import { newRepoHandler } from './newrepo.ts';
import { waitRepoHandler } from './waitrepo.ts';

export const coreHandlers: TaskHandler[] = [sleepHandler, subtaskHandler, waittestHandler, tagBuildHandler, newRepoHandler, waitRepoHandler];
