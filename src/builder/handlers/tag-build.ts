/**
 * @module
 * The `tagBuild` task: checks that the build and tag still exist and asks
 * the hub to tag (or move) the build as the task's owner (host.tagBuild,
 * which applies the tag policy and package list again).
 */
import { kw } from '../../client/session.ts';
import type { TaskHandler } from '../handler.ts';

export const tagBuildHandler: TaskHandler = {
  methods: ['tagBuild'],
  async run(task, [tagId, buildId, force = false, fromtag = null]) {
    await task.session.call('getBuild', buildId, kw({ strict: true }));
    await task.session.call('getTag', tagId, kw({ strict: true }));
    await task.session.call('host.tagBuild', task.id, tagId, buildId, kw({ force: Boolean(force), fromtag }));
    task.logger.info(`tagged build ${String(buildId)} into tag ${String(tagId)}${fromtag ? ` (moved from ${String(fromtag)})` : ''}`);
  },
};
