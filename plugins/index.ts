/**
 * @module
 * The compiled-in plugins. hub.conf `Plugins`, kojid.conf `plugin` choose
 * which hub and builder parts run; the client always offers every CLI part.
 */
import type { BuilderPlugin, CliPlugin, HubPlugin } from '../src/plugin.ts';
import { protonmsgHub } from './protonmsg/hub.ts';
import { sidetagHub } from './sidetag/hub.ts';
import { sidetagCli } from './sidetag/cli.ts';
import { runrootHub } from './runroot/hub.ts';
import { runrootBuilder } from './runroot/builder.ts';
import { runrootCli } from './runroot/cli.ts';
import { saveFailedTreeHub } from './save_failed_tree/hub.ts';
import { saveFailedTreeBuilder } from './save_failed_tree/builder.ts';
import { saveFailedTreeCli } from './save_failed_tree/cli.ts';
import { kiwiHub } from './kiwi/hub.ts';
import { kiwiBuilder } from './kiwi/builder.ts';
import { kiwiCli } from './kiwi/cli.ts';

export const hubPlugins: HubPlugin[] = [protonmsgHub, sidetagHub, runrootHub, saveFailedTreeHub, kiwiHub];
export const builderPlugins: BuilderPlugin[] = [runrootBuilder, saveFailedTreeBuilder, kiwiBuilder];
export const cliPlugins: CliPlugin[] = [sidetagCli, runrootCli, saveFailedTreeCli, kiwiCli];
