/**
 * @module
 * `kojibox builder`: one build host, like kojid. Settings come from
 * kojid/kojid.conf under the config root (server, user, password, workdir,
 * maxjobs, plugin, ...); options given here override them.
 */
import type { Command } from 'commander';
import { resolveConfigRoot } from '../config/root.ts';
import { loadKojidConfig, type KojidConfig } from '../config/kojid.ts';
import { createLogger } from '../core/log.ts';
import { markDaemon } from './daemon.ts';

interface BuilderOptions {
  configRoot?: string;
  server?: string;
  user?: string;
  password?: string;
  workdir?: string;
  maxjobs?: string;
  plugin?: string[];
}

export function registerBuilder(program: Command): void {
  program
    .command('builder')
    .description('Run a build host: take tasks from the hub and run them (kojid)')
    .option('--config-root <dir>', 'directory standing in for /etc (also KOJIBOX_CONFIG_ROOT)')
    .option('--server <url>', 'hub XML-RPC URL (kojid.conf server)')
    .option('--user <name>', 'host name to log in as (kojid.conf user)')
    .option('--password <password>', 'the host\'s password (kojid.conf password)')
    .option('--workdir <dir>', 'scratch directory for tasks (kojid.conf workdir)')
    .option('--maxjobs <n>', 'run at most this many tasks at once (kojid.conf maxjobs)')
    .option('--plugin <name...>', 'builder plugins to enable (kojid.conf plugin)')
    .action(async (opts: BuilderOptions) => {
      markDaemon();
      const root = resolveConfigRoot(opts.configRoot ?? program.opts().configRoot);
      const file = loadKojidConfig(root);
      const config: KojidConfig = {
        ...file,
        server: opts.server ?? file.server,
        user: opts.user ?? file.user,
        password: opts.password ?? process.env.KOJIBOX_BUILDER_PASSWORD ?? file.password,
        workdir: opts.workdir ?? file.workdir,
        maxjobs: opts.maxjobs !== undefined ? Number(opts.maxjobs) : file.maxjobs,
        plugin: opts.plugin ?? file.plugin,
      };
      if (!Number.isInteger(config.maxjobs) || config.maxjobs < 1) throw new Error(`maxjobs must be a positive integer, not ${opts.maxjobs}`);
      const log = createLogger('builder');
      // loaded on demand, so client commands do not pay for the builder's modules
      const { BuilderDaemon } = await import('../builder/daemon.ts');
      const { handlersFor } = await import('../builder/plugins.ts');
      const daemon = new BuilderDaemon({ config, configRoot: root, handlers: handlersFor(config.plugin), log });
      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info(`${signal}: stopping`);
        await daemon.stop();
        process.exit(0);
      };
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      process.on('SIGINT', () => void shutdown('SIGINT'));
      await daemon.start();
      process.stdout.write(`kojibox builder ready: host ${config.user}, hub ${config.server}\n`);
    });
}
