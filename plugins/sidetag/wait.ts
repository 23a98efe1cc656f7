/**
 * @module
 * `add-sidetag --wait`: wait for the new sidetag's repo as `wait-repo
 * --target <sidetag>` does (the shared RepoWatcher), then say how long it
 * took, as Koji's CLI did: "Successfully waited 0:01 for a new NAME repo".
 *
 * A new sidetag's first repo takes a moment on kojibox (its repodata is
 * reused from the base tag's repo), far less than the watcher's poll
 * interval. So the request is first followed live: its newRepo task is
 * awaited with waitTaskChange, which returns the moment the task changes.
 * A hub without that call only gets the watcher's polling.
 */
import type { CliEnv } from '../../src/client/env.ts';
import type { ClientSession } from '../../src/client/session.ts';
import { kw } from '../../src/client/session.ts';
import { waitRepo } from '../../src/client/wait-repo.ts';
import { KojiError } from '../../src/core/faults.ts';
import { TASK_STATES } from '../../src/core/states.ts';

type Dict = Record<string, unknown>;

/** Minutes, as wait-repo's default --timeout. */
const TIMEOUT_MINUTES = 120;
/** Pause while the hub's repo service gives a fresh request its task. */
const TASK_PAUSE_MS = 50;

function elapsed(start: number): string {
  const s = Math.floor((Date.now() - start) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const finished = (state: unknown) => state === TASK_STATES.CLOSED || state === TASK_STATES.CANCELED || state === TASK_STATES.FAILED;

/**
 * Follow the repo request for the sidetag's build tag until it has a repo,
 * is no longer active, or the hub cannot wait on tasks. Best effort: the
 * watcher afterwards decides, and reports, whatever happened.
 */
async function followRequest(s: ClientSession, name: string, deadline: number): Promise<void> {
  const target = await s.call<Dict | null>('getBuildTarget', name);
  if (!target) return;
  const first = await s.call<{ repo: Dict | null; request: Dict | null }>('repo.request', target.build_tag, kw({ min_event: 'last' }));
  if (first.repo || !first.request) return;
  while (Date.now() < deadline) {
    const check = await s.call<{ repo: Dict | null; request: Dict; task?: Dict }>('repo.checkRequest', first.request.id);
    if (check.repo || !check.request.active) return;
    const taskId = check.request.task_id;
    if (typeof taskId !== 'number') {
      await Bun.sleep(TASK_PAUSE_MS);
      continue;
    }
    const state = check.request.task_state ?? check.task?.state;
    if (finished(state)) {
      // the queue settles the request on its next pass
      await Bun.sleep(TASK_PAUSE_MS);
      continue;
    }
    try {
      // what we saw, so a change between our look and the wait returns at once
      const children = await s.call<unknown[]>('getTaskChildren', taskId);
      await s.call('waitTaskChange', [taskId], kw({ timeout: 60, known: { [String(taskId)]: [state ?? -1, children.length] } }));
    } catch (err) {
      if (err instanceof KojiError && err.message.includes('Invalid method')) return;
      throw err;
    }
  }
}

/** Wait until the sidetag has a current repo; prints the wait time unless quiet. */
export async function waitForSidetagRepo(env: CliEnv, name: string, quiet: boolean): Promise<void> {
  const start = Date.now();
  await followRequest(await env.login(), name, start + TIMEOUT_MINUTES * 60_000);
  await waitRepo(env, { tag: name, target: true, request: true, quiet: true, timeout: TIMEOUT_MINUTES });
  if (!quiet) env.out(`Successfully waited ${elapsed(start)} for a new ${name} repo`);
}
