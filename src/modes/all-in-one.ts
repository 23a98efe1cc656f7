/**
 * @module
 * The builder that `serve --all-in-one` runs beside the hub, in the same
 * process: a host named by --host-name (default this machine's hostname)
 * for this machine's arch and noarch, in the default and createrepo
 * channels, created with its user and password by the hub itself.
 * kojid/kojid.conf, when present, still sets workdir, maxjobs, plugins and
 * capacity.
 */
import { hostname, machine } from 'node:os';
import { join } from 'node:path';
import type { RunningHub } from '../hub/server.ts';
import { KOJID_DEFAULTS, loadKojidConfig } from '../config/kojid.ts';
import { createLogger } from '../core/log.ts';
import { ensureLocalHost } from '../hub/local-host.ts';
import { BuilderDaemon } from '../builder/daemon.ts';
import { handlersFor } from '../builder/plugins.ts';

/** This machine's arch as rpm names it. */
export function localArch(): string {
  const m = typeof machine === 'function' ? machine() : '';
  if (m) return m;
  return ({ x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

export async function startAllInOneBuilder(running: RunningHub, opts: { hostName?: string; configRoot: string }): Promise<() => Promise<void>> {
  const hub = running.hub;
  const file = loadKojidConfig(opts.configRoot);
  const name = opts.hostName ?? hostname();
  const arches = file.arches.length ? file.arches : [localArch(), 'noarch'];
  const password = ensureLocalHost(hub, { name, arches, channels: ['default', 'createrepo'], capacity: file.capacity });
  const config = {
    ...file,
    server: `${running.url}/kojihub`,
    user: name,
    password,
    topurl: file.topurl ?? `${running.url}/kojifiles`,
    topdir: file.topdir ?? hub.topdir,
    workdir: file.workdir === KOJID_DEFAULTS.workdir ? join(hub.dataDir, 'builder', 'work') : file.workdir,
    mockdir: file.mockdir ?? join(hub.dataDir, 'builder', 'roots'),
  };
  const daemon = new BuilderDaemon({ config, configRoot: opts.configRoot, handlers: handlersFor(config.plugin), log: createLogger('builder') });
  await daemon.start();
  return () => daemon.stop();
}
