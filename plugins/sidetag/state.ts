/**
 * @module
 * The sidetag config of each running hub. API handlers and callbacks only
 * see the call's hub, so the config hangs off it rather than a global.
 */
import type { Hub } from '../../src/hub/hub.ts';
import { loadSidetagConfig, type SidetagConfig } from './config.ts';

const configs = new WeakMap<Hub, SidetagConfig>();

/** Remember the config read at start for this hub. */
export function setSidetagConfig(hub: Hub, cfg: SidetagConfig): void {
  configs.set(hub, cfg);
}

/** The hub's sidetag config (read on first use when start() has not run, as in tests). */
export function sidetagConfig(hub: Hub): SidetagConfig {
  let cfg = configs.get(hub);
  if (!cfg) {
    cfg = loadSidetagConfig(hub.configRoot);
    configs.set(hub, cfg);
  }
  return cfg;
}
