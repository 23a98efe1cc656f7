/**
 * @module
 * The compiled-in plugins. hub.conf `Plugins`, kojid.conf `plugin` choose
 * which hub and builder parts run; the client always offers every CLI part.
 */
import type { BuilderPlugin, HubPlugin } from '../src/plugin.ts';
import { protonmsgHub } from './protonmsg/hub.ts';
import { sidetagHub } from './sidetag/hub.ts';
import { runrootHub } from './runroot/hub.ts';
import { runrootBuilder } from './runroot/builder.ts';
import { saveFailedTreeHub } from './save_failed_tree/hub.ts';
import { saveFailedTreeBuilder } from './save_failed_tree/builder.ts';
import { kiwiHub } from './kiwi/hub.ts';
import { kiwiBuilder } from './kiwi/builder.ts';

export const hubPlugins: HubPlugin[] = [protonmsgHub, sidetagHub, runrootHub, saveFailedTreeHub, kiwiHub];
export const builderPlugins: BuilderPlugin[] = [runrootBuilder, saveFailedTreeBuilder, kiwiBuilder];
// The CLI parts live in ./cli.ts so the client loads no hub or builder code.
export { cliPlugins } from './cli.ts';
