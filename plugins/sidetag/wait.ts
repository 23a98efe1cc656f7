/**
 * @module
 * `add-sidetag --wait`: wait for the new sidetag's repo exactly as
 * `wait-repo --target <sidetag> --request` does (the shared RepoWatcher),
 * then say how long it took, as Koji's CLI did: "Successfully waited 0:01
 * for a new NAME repo".
 *
 * On a kojibox hub the wait is short: the hub makes a new sidetag's first
 * repo by reusing the base tag's repodata, and the watcher's
 * repo.waitRequest returns the moment the request has its repo. A hub
 * without that call gets the watcher's polling, quick in the first seconds.
 */
import type { CliEnv } from '../../src/client/env.ts';
import { waitRepo } from '../../src/client/wait-repo.ts';

/** Minutes, as wait-repo's default --timeout. */
const TIMEOUT_MINUTES = 120;

function elapsed(start: number): string {
  const s = Math.floor((Date.now() - start) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Wait until the sidetag has a current repo; prints the wait time unless quiet. */
export async function waitForSidetagRepo(env: CliEnv, name: string, quiet: boolean): Promise<void> {
  const start = Date.now();
  await waitRepo(env, { tag: name, target: true, request: true, quiet: true, timeout: TIMEOUT_MINUTES });
  if (!quiet) env.out(`Successfully waited ${elapsed(start)} for a new ${name} repo`);
}
