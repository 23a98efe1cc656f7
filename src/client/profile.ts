/**
 * @module
 * The effective client settings: command-line options over KOJIBOX_*
 * environment variables over the koji.conf profile over defaults.
 */
import { loadClientConfig, type ClientConfig } from '../config/client.ts';
import { resolveConfigRoot } from '../config/root.ts';
import type { GlobalOptions } from './env.ts';

export interface ResolvedProfile extends ClientConfig {
  /** Base URL of the hub's files: `--topurl`, profile topurl, else derived from server. */
  topurl: string;
}

/** http://h:p/kojihub -> http://h:p/kojifiles, as a lab's single hub serves both. */
function deriveTopurl(server: string): string {
  return server.replace(/\/kojihub\/?$/, '') + '/kojifiles';
}

export function resolveProfile(opts: GlobalOptions, env = process.env): ResolvedProfile {
  const config = loadClientConfig({
    root: resolveConfigRoot(opts.configRoot),
    profile: opts.profile,
    configFile: opts.config,
  });
  const server = opts.server ?? env.KOJIBOX_SERVER ?? config.server;
  return {
    ...config,
    server,
    weburl: opts.weburl ?? env.KOJIBOX_WEBURL ?? (opts.server ? server.replace(/\/kojihub\/?$/, '') + '/koji' : config.weburl),
    topurl: opts.topurl ?? env.KOJIBOX_TOPURL ?? config.topurl ?? deriveTopurl(server),
    user: opts.user ?? env.KOJIBOX_USER ?? config.user,
    password: opts.password ?? env.KOJIBOX_PASSWORD ?? config.password,
    authtype: opts.authtype ?? config.authtype,
  };
}
