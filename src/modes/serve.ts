/**
 * @module
 * `kojibox serve`: the hub (and, with --all-in-one, a builder beside it).
 */
import type { Command } from 'commander';
import { resolveConfigRoot } from '../config/root.ts';
import { markDaemon } from './daemon.ts';

interface ServeOptions {
  listen?: string;
  dataDir?: string;
  configRoot?: string;
  amqpListen?: string;
  allInOne?: boolean;
  hostName?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the hub: XML-RPC at /kojihub, files at /kojifiles, web pages at /koji')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:8080, or hub.conf Listen)')
    .option('--data-dir <dir>', 'database and topdir location (default hub.conf DataDir, else ./var/kojibox)')
    .option('--config-root <dir>', 'directory standing in for /etc (also KOJIBOX_CONFIG_ROOT)')
    .option('--amqp-listen <host:port|off>', 'embedded AMQP 1.0 broker address (default 127.0.0.1:5672)')
    .option('--all-in-one', 'also run one build host in the same process tree')
    .option('--host-name <name>', 'name of the all-in-one build host (default: this machine\'s hostname)')
    .action(async (opts: ServeOptions) => {
      markDaemon();
      // loaded on demand, so client commands do not pay for the hub's modules
      const { startHub } = await import('../hub/server.ts');
      const { startAllInOneBuilder } = await import('./all-in-one.ts');
      const configRoot = resolveConfigRoot(opts.configRoot ?? program.opts().configRoot);
      const running = await startHub({ listen: opts.listen, dataDir: opts.dataDir, configRoot, amqpListen: opts.amqpListen });
      const stops: Array<() => Promise<void>> = [];
      if (opts.allInOne) stops.push(await startAllInOneBuilder(running, { hostName: opts.hostName, configRoot }));
      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        running.hub.log.info(`${signal}: shutting down`);
        for (const stop of stops.reverse()) await stop();
        await running.stop();
        process.exit(0);
      };
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.stdout.write(`kojibox hub ready at ${running.url}/kojihub\n`);
    });
}
