/**
 * @module
 * Starting and stopping a hub: read hub.conf, open and migrate the store,
 * create the admin on first start, enable plugins, start services and serve
 * HTTP with Bun.serve.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadHubConfig, type HubConfig } from '../config/hub.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { Store } from '../store/db.ts';
import { Hub } from './hub.ts';
import { createApp, type AppParts } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import { coreMethods } from './api/index.ts';
import { coreServices, type Stop } from './services/index.ts';
import { hubPlugins } from '../../plugins/index.ts';
import type { HubPlugin } from '../plugin.ts';
import { appParts } from './parts.ts';
import { ensureVolumes } from './volumes.ts';

export interface HubStartOptions {
  listen?: string;
  dataDir?: string;
  configRoot: string;
  amqpListen?: string;
  log?: Logger;
  /** Extra parts for tests or embedding; normally from ./parts.ts. */
  parts?: AppParts;
}

export interface RunningHub {
  hub: Hub;
  url: string;
  stop(): Promise<void>;
}

export function parseListen(text: string, defaultPort: number): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text.trim());
  if (m) return { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
  if (/^\d+$/.test(text.trim())) return { host: '127.0.0.1', port: Number(text) };
  return { host: text.trim(), port: defaultPort };
}

function enabledPlugins(config: HubConfig, log: Logger): HubPlugin[] {
  const wanted = config.Plugins;
  const out: HubPlugin[] = [];
  for (const name of wanted) {
    const p = hubPlugins.find((x) => x.name === name || x.aliases?.includes(name));
    if (!p) throw new Error(`hub.conf: unknown plugin "${name}" (available: ${hubPlugins.map((x) => x.name).join(', ') || 'none'})`);
    if (!out.includes(p)) out.push(p);
  }
  if (out.length) log.info(`plugins enabled: ${out.map((p) => p.name).join(', ')}`);
  return out;
}

export async function startHub(opts: HubStartOptions): Promise<RunningHub> {
  const log = opts.log ?? createLogger('hub');
  const config = loadHubConfig(opts.configRoot);
  const dataDir = resolve(opts.dataDir ?? config.DataDir ?? 'var/kojibox');
  const topdir = resolve(config.KojiDir ?? join(dataDir, 'topdir'));
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  mkdirSync(join(topdir, 'work'), { recursive: true });
  const plugins = enabledPlugins(config, log);
  const store = new Store(config.DBName ?? join(dataDir, 'kojibox.db'));
  const applied = store.migrate(plugins.flatMap((p) => p.migrations ?? []));
  if (applied.length) log.info(`schema migrations applied: ${applied.join(', ')}`);
  const boot = bootstrap(store, dataDir);
  if (boot.createdAdmin) {
    log.info(boot.passwordFile ? `created user admin; its password is in ${boot.passwordFile}` : 'created user admin with the password from KOJIBOX_ADMIN_PASSWORD');
    if (boot.passwordFile) process.stdout.write(`admin password written to ${boot.passwordFile}\n`);
  }
  const hub = new Hub({ config, store, topdir, configRoot: opts.configRoot, log, plugins, coreMethods });
  hub.dataDir = dataDir;
  hub.amqpListen = opts.amqpListen ?? config.AMQPListen ?? '127.0.0.1:5672';

  const volumes = ensureVolumes(hub);
  if (volumes.length) log.info(`registered volumes from hub.conf: ${volumes.join(', ')}`);

  const stops: Stop[] = [];
  for (const service of coreServices) stops.push(await service.start(hub));
  for (const plugin of plugins) {
    const stop = await plugin.start?.(hub);
    if (stop) stops.push(stop);
  }

  const { host, port } = parseListen(opts.listen ?? config.Listen ?? '127.0.0.1:8080', 8080);
  let server: ReturnType<typeof Bun.serve> | null = null;
  const app = createApp(hub, opts.parts ?? appParts, (req) => server?.requestIP(req)?.address ?? '127.0.0.1');
  server = Bun.serve({ hostname: host, port, fetch: app.fetch, idleTimeout: 255, maxRequestBodySize: config.MaxRequestLength + 1024 });
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${server.port}`;
  hub.baseUrl = url;
  return {
    hub,
    url,
    async stop() {
      server?.stop(true);
      for (const stop of stops.reverse()) await stop();
      store.close();
    },
  };
}
