/**
 * @module
 * Which handlers a builder runs: the core ones plus those of the plugins
 * kojid.conf enables (`plugin = runroot save_failed_tree`).
 */
import { builderPlugins } from '../../plugins/index.ts';
import type { TaskHandler } from './handler.ts';
import { coreHandlers } from './handlers/index.ts';

/** Core handlers and the named plugins' handlers; an unknown plugin name is an error. */
export function handlersFor(pluginNames: string[]): TaskHandler[] {
  const out = [...coreHandlers];
  for (const name of pluginNames) {
    const plugin = builderPlugins.find((p) => p.name === name);
    if (!plugin) {
      const known = builderPlugins.map((p) => p.name).join(', ') || 'none';
      throw new Error(`kojid.conf: unknown plugin "${name}" (available: ${known})`);
    }
    out.push(...plugin.handlers);
  }
  return out;
}
