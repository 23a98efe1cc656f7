/**
 * @module
 * A sidetag's repos: asking for the first one when the sidetag is made
 * (`trigger_new_repo`), and retiring them all when it is removed. Koji
 * leaves the latter to kojira noticing the tag is gone; kojibox does it at
 * once, so a removed sidetag leaves no repo directories or pending repo
 * requests behind.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_STATES } from '../../src/core/states.ts';
import { now } from '../../src/core/time.ts';
import type { Row } from '../../src/store/db.ts';
import * as repos from '../../src/store/repos.ts';
import type { CallContext } from '../../src/hub/context.ts';
import type { TagInfo } from '../../src/hub/api/lookups.ts';
import { repoDelete, repoSetState, requestRepo } from '../../src/hub/repos/requests.ts';
import { checkRepoQueue } from '../../src/hub/repos/queue.ts';
import { removeRepoDirs } from '../../src/hub/repos/maintenance.ts';
import { cancelTask } from '../../src/hub/tasks/index.ts';
import { repoDir } from '../../src/hub/repos/paths.ts';

/**
 * Request a repo for a new sidetag and work the queue once, so the newRepo
 * task exists when createSideTag returns. Returns Koji's request dict (nil
 * when an existing repo already serves) and the task id, if one was made.
 */
export function requestFirstRepo(ctx: CallContext, tagId: number): { request: Row | null; taskId: number | null } {
  const res = requestRepo(ctx, tagId, {});
  if (!res.request) return { request: null, taskId: null };
  checkRepoQueue(ctx);
  const rows = repos.queryRequests(ctx.store, [['id', '=', res.request.id]], ['task_id']) as Row[];
  const taskId = (rows[0]?.task_id as number | null | undefined) ?? null;
  return { request: { ...res.request, task_id: taskId }, taskId };
}

/**
 * Retire the repos of a sidetag being removed: pending requests end (and
 * their newRepo tasks are canceled), unreferenced repos become DELETED and their directories go after commit;
 * repos a live buildroot still uses become EXPIRED (the repo service
 * deletes them once free). A repo still being made (INIT) is left to the
 * repo service, which marks it a problem once its task is canceled.
 */
export function retireSidetagRepos(ctx: CallContext, tag: TagInfo): void {
  const time = now();
  for (const r of repos.queryRequests(ctx.store, [['tag_id', '=', tag.id], ['active', 'IS', true]], ['id', 'task_id']) as Row[]) {
    repos.updateRequest(ctx.store, r.id as number, { active: false }, time);
    // its newRepo task would only make a repo nobody can use
    if (typeof r.task_id === 'number') cancelTask(ctx, r.task_id, true);
  }
  const dirs: string[] = [];
  let left = 0;
  const rows = repos.queryRepos(ctx.store, [['tag_id', '=', tag.id], ['state', '!=', REPO_STATES.DELETED]], ['id', 'state']) as Row[];
  for (const r of rows) {
    const id = r.id as number;
    if (r.state === REPO_STATES.INIT) {
      left++;
      continue;
    }
    if (repoDelete(ctx, id) === 0) dirs.push(repoDir(ctx.hub.topdir, tag.name, id));
    else {
      left++;
      if (r.state === REPO_STATES.READY) repoSetState(ctx, id, REPO_STATES.EXPIRED);
    }
  }
  // with no repo left, the tag's directory (and its `latest` link) goes too
  const tagDir = join(ctx.hub.topdir, 'repos', tag.name);
  if (left === 0 && existsSync(tagDir)) dirs.push(tagDir);
  if (dirs.length) ctx.afterCommit(() => removeRepoDirs(ctx.hub, dirs));
}
