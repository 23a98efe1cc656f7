/**
 * @module
 * The compiled-in plugins. hub.conf `Plugins`, kojid.conf `plugin` choose
 * which hub and builder parts run; the client always offers every CLI part.
 */
import type { BuilderPlugin, CliPlugin, HubPlugin } from '../src/plugin.ts';
import { protonmsgHub } from './protonmsg/hub.ts';
import { sidetagHub } from './sidetag/hub.ts';

export const hubPlugins: HubPlugin[] = [protonmsgHub, sidetagHub];
export const builderPlugins: BuilderPlugin[] = [];
export const cliPlugins: CliPlugin[] = [];
