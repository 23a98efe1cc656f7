/**
 * @module
 * The builder that `serve --all-in-one` runs beside the hub. Until the
 * builder daemon exists this registers nothing and says so in the log.
 */
import type { RunningHub } from '../hub/server.ts';

export async function startAllInOneBuilder(running: RunningHub, _opts: { hostName?: string; configRoot: string }): Promise<() => Promise<void>> {
  running.hub.log.warn('--all-in-one: the builder daemon is not available in this build yet');
  return async () => {};
}
