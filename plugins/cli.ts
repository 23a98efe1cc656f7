/**
 * @module
 * The plugins' client commands; the client always offers all of them. Kept
 * apart from ./index.ts so a client command loads no hub or builder code.
 */
import type { CliPlugin } from '../src/plugin.ts';
import { sidetagCli } from './sidetag/cli.ts';
import { runrootCli } from './runroot/cli.ts';
import { saveFailedTreeCli } from './save_failed_tree/cli.ts';
import { kiwiCli } from './kiwi/cli.ts';

export const cliPlugins: CliPlugin[] = [sidetagCli, runrootCli, saveFailedTreeCli, kiwiCli];
