/**
 * @module
 * Client profiles from koji.conf, read like koji's `read_config`: files in
 * koji.conf.d/ and koji.conf under the config root, then the user's
 * ~/.koji/config.d/ and ~/.koji/config (or one `--config FILE` instead of
 * the user's files); later files override earlier ones, and the section
 * named after the profile (`[koji]` by default) holds its settings. koji
 * reads these with the interpolating ConfigParser, so `%%` means `%` here too.
 * Property names are koji's option names; `user` and `password` are kojibox
 * additions (koji takes them only on the command line).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors.ts';
import type { IniDocument } from './ini.ts';
import { readIniPaths, resolveConfigRoot } from './root.ts';

/** The profile used when none is named (koji's CLI uses its program name, `koji`). */
export const DEFAULT_PROFILE = 'koji';

export interface ClientConfig {
  /** The profile (section) these settings came from. */
  profile: string;
  /** Hub XML-RPC URL. kojibox default: the local hub `kojibox serve` starts. */
  server: string;
  weburl: string;
  /** Base URL of the hub's files; unset = the client derives it from `server`. */
  topurl: string | undefined;
  /** Obsolete in koji (replaced by topurl); kept so old files still read. */
  pkgurl: string | undefined;
  topdir: string;
  authtype: string | undefined;
  /** kojibox: user name for password login. */
  user: string | undefined;
  /** kojibox: password for password login. */
  password: string | undefined;
  principal: string | undefined;
  keytab: string | undefined;
  /** Client certificate; unset = ~/.koji/client.crt if it exists, else ''. */
  cert: string;
  /** CA of the hub's certificate; unset = ~/.koji/serverca.crt if it exists, else ''. */
  serverca: string;
  no_ssl_verify: boolean;
  /** Retry anonymous calls too, not only logged-in ones. */
  anon_retry: boolean;
  max_retries: number;
  /** Seconds between retries. */
  retry_interval: number;
  /** Keep retrying while the hub reports ServerOffline. */
  offline_retry: boolean;
  offline_retry_interval: number;
  /** Seconds per XML-RPC request. */
  timeout: number;
  auth_timeout: number;
  use_fast_upload: boolean;
  upload_blocksize: number;
  /** Seconds between task polls while watching. */
  poll_interval: number;
  plugin_paths: string | undefined;
  force_auth: boolean;
  debug: boolean;
  debug_xmlrpc: boolean;
}

/** koji's `read_config` defaults, with kojibox's local hub as the server. */
export const CLIENT_DEFAULTS: Readonly<Omit<ClientConfig, 'profile'>> = Object.freeze({
  server: 'http://127.0.0.1:8080/kojihub',
  weburl: 'http://127.0.0.1:8080/koji',
  topurl: undefined,
  pkgurl: undefined,
  topdir: '/mnt/koji',
  authtype: undefined,
  user: undefined,
  password: undefined,
  principal: undefined,
  keytab: undefined,
  cert: '',
  serverca: '',
  no_ssl_verify: false,
  anon_retry: false,
  max_retries: 30,
  retry_interval: 20,
  offline_retry: false,
  offline_retry_interval: 20,
  timeout: 60 * 60 * 12,
  auth_timeout: 60,
  use_fast_upload: true,
  upload_blocksize: 1048576,
  poll_interval: 6,
  plugin_paths: undefined,
  force_auth: false,
  debug: false,
  debug_xmlrpc: false,
});

// koji reads no_ssl_verify as a plain string (so "False" would be truthy);
// kojibox reads it as the boolean it is meant to be.
const BOOL_KEYS = ['anon_retry', 'offline_retry', 'use_fast_upload', 'debug', 'debug_xmlrpc', 'force_auth', 'no_ssl_verify'] as const;
const INT_KEYS = [
  'max_retries', 'retry_interval', 'offline_retry_interval', 'poll_interval', 'timeout',
  'auth_timeout', 'upload_blocksize',
] as const;
const STRING_KEYS = [
  'server', 'weburl', 'topurl', 'pkgurl', 'topdir', 'authtype', 'user', 'password', 'principal',
  'keytab', 'cert', 'serverca', 'plugin_paths',
] as const;

/** What the pure reader needs besides the document. */
export interface ClientProfileOptions {
  /** Section to read; default `koji`. */
  profile?: string;
  /** Home directory for `~` in paths; default the current user's. */
  home?: string;
}

/**
 * One profile's settings from parsed koji.conf files; null (no files) gives
 * the defaults. Paths (topdir, cert, serverca) get `~` expanded. Pure: the
 * "use ~/.koji/client.crt if it exists" fallback is the loader's.
 *
 * @throws ConfigError when a profile other than the default is named but
 *   absent (as koji: "no configuration for profile name"), or for a value
 *   of the wrong type or a bad `%` reference
 */
export function clientConfigFromIni(doc: IniDocument | null, options: ClientProfileOptions = {}): ClientConfig {
  const profile = options.profile ?? DEFAULT_PROFILE;
  const home = options.home ?? homedir();
  const result: ClientConfig = { profile, ...CLIENT_DEFAULTS };
  if (!doc?.has(profile)) {
    if (profile === DEFAULT_PROFILE) return result;
    throw new ConfigError(`no configuration for profile name: ${profile}`);
  }
  // koji interpolates every option of the profile, known or not, so a bad
  // `%` anywhere in it is an error there too.
  doc.items(profile);
  for (const key of STRING_KEYS) {
    const v = doc.get(profile, key);
    if (v !== undefined) result[key] = v;
  }
  for (const key of BOOL_KEYS) result[key] = doc.getBool(profile, key, result[key]);
  for (const key of INT_KEYS) result[key] = doc.getInt(profile, key, result[key]);
  result.topdir = expandUser(result.topdir, home);
  result.cert = expandUser(result.cert, home);
  result.serverca = expandUser(result.serverca, home);
  return result;
}

/** Python's os.path.expanduser for the current user's `~` only. */
function expandUser(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

/** Where to look, and which profile. */
export interface ClientLoadOptions extends ClientProfileOptions {
  /** Config root standing in for /etc; default resolveConfigRoot(). */
  root?: string;
  /** `--config FILE`: read it instead of the user's ~/.koji files; it must exist. */
  configFile?: string;
}

/** The files koji reads for the client, in override order. */
export function clientConfigPaths(root: string, home: string, configFile?: string): string[] {
  const paths = [join(root, 'koji.conf.d'), join(root, 'koji.conf')];
  if (configFile !== undefined) paths.push(expandUser(configFile, home));
  else paths.push(join(home, '.koji', 'config.d'), join(home, '.koji', 'config'));
  return paths;
}

/**
 * Read a profile from the koji.conf files under the config root and the
 * user's home, as koji's CLI does.
 */
export function loadClientConfig(options: ClientLoadOptions = {}): ClientConfig {
  const root = options.root ?? resolveConfigRoot();
  const home = options.home ?? homedir();
  if (options.configFile !== undefined && !existsSync(expandUser(options.configFile, home))) {
    throw new ConfigError(`Config file ${options.configFile} can't be opened.`);
  }
  const doc = readIniPaths(clientConfigPaths(root, home, options.configFile), { interpolation: true });
  const config = clientConfigFromIni(doc, { ...options, home });
  for (const [key, fallback] of [['cert', 'client.crt'], ['serverca', 'serverca.crt']] as const) {
    if (doc?.get(config.profile, key) === undefined) {
      const candidate = join(home, '.koji', fallback);
      config[key] = existsSync(candidate) ? candidate : '';
    }
  }
  return config;
}
