/**
 * @module
 * The hub's settings from koji-hub/hub.conf (plus koji-hub/hub.conf.d/*.conf,
 * read first, as koji does). Property names are koji's option names, so
 * `config.KojiDebug` here is `opts['KojiDebug']` in koji's hub and the docs
 * for one are the docs for the other. Defaults are koji's except where
 * kojibox's embedded setup needs another (noted per field). Options koji
 * knows but kojibox has no use for yet (DBUser/DBHost/DBPort/DBPass/
 * DBConnectionString, Kerberos, SSL client DNs, LogFormat, RLIMIT_*) are
 * ignored, as koji ignores unknown ones.
 */
import { parseIni, splitWords, type IniDocument } from './ini.ts';
import { readConfigFiles, resolveConfigRoot } from './root.ts';

const HUB = 'hub';

export interface HubConfig {
  /** Top directory of builds, repos and work files. kojibox: unset = `<DataDir>/topdir`, chosen by `serve`. */
  KojiDir: string | undefined;
  /** kojibox: where the hub keeps its database and topdir; unset = `serve` decides. */
  DataDir: string | undefined;
  /** kojibox: `host:port` (or a port) for HTTP; unset = `serve` decides. */
  Listen: string | undefined;
  /** kojibox: `host:port` of the embedded AMQP 1.0 broker; unset = `serve` decides. */
  AMQPListen: string | undefined;
  /** kojibox: path of the SQLite database file; unset = inside DataDir. */
  DBName: string | undefined;

  /** Hub plugins to enable, e.g. `sidetag_hub runroot_hub` (split on whitespace, as koji does). */
  Plugins: string[];
  /** koji's search path; kojibox plugins are compiled in, so it is informational. */
  PluginPath: string;

  KojiDebug: boolean;
  /** `normal`, `extended`, or anything else for no traceback in faults. */
  KojiTraceback: string | undefined;
  /** Put the matching rule into policy denial messages. */
  VerbosePolicy: boolean;
  /** A policy that is not configured at all passes. */
  MissingPolicyOk: boolean;
  LogLevel: string;

  /** Refuse all non-admin calls with ServerOffline. */
  LockOut: boolean;
  /** Refuse all calls with ServerOffline. */
  ServerOffline: boolean;
  /** faultString of those refusals; unset = "server is offline". */
  OfflineMessage: string | undefined;

  /** Minutes before a session must re-authenticate; 0 = never. */
  SessionRenewalTimeout: number;
  CheckClientIP: boolean;
  /** Refuse session credentials in the URL query (only headers). */
  DisableURLSessions: boolean;
  LoginCreatesUser: boolean;
  /** Largest XML-RPC request body in bytes. */
  MaxRequestLength: number;
  MemoryWarnThreshold: number;

  KojiWebURL: string;
  EmailDomain: string | undefined;
  NotifyOnSuccess: boolean;
  DisableNotifications: boolean;
  EnableMaven: boolean;
  EnableWin: boolean;

  MaxNameLengthInternal: number;
  RegexNameInternal: string;
  RegexUserName: string;
  RPMDefaultChecksums: string[];

  /** Scheduler: tasks per host at most. */
  MaxJobs: number;
  CapacityOvercommit: number;
  /** Scheduler timeouts, in seconds. */
  ReadyTimeout: number;
  AssignTimeout: number;
  SoftRefusalTimeout: number;
  HostTimeout: number;
  RunInterval: number;

  MaxRepoTasks: number;
  MaxRepoTasksMaven: number;
  RepoRetries: number;
  /** Minutes before a finished repo request is cleaned up. */
  RequestCleanTime: number;
  AllowNewRepo: boolean;
  RepoLag: number;
  RepoAutoLag: number;
  RepoLagWindow: number;
  RepoQueueUser: string;
  DebuginfoTags: string[];
  SourceTags: string[];
  SeparateSourceTags: string[];

  /** [policy]: policy name -> rule text as written (continuation lines joined by "\n", comments dropped). */
  policy: Record<string, string>;
  /** kojibox [volumes]: volume name (as written) -> directory holding it. */
  volumes: Record<string, string>;
}

/** koji's defaults, with kojibox's unset paths left to `serve`. */
export const HUB_DEFAULTS: Readonly<HubConfig> = Object.freeze({
  KojiDir: undefined,
  DataDir: undefined,
  Listen: undefined,
  AMQPListen: undefined,
  DBName: undefined,
  Plugins: [],
  PluginPath: '/usr/lib/koji-hub-plugins',
  KojiDebug: false,
  KojiTraceback: undefined,
  VerbosePolicy: false,
  MissingPolicyOk: true,
  LogLevel: 'WARNING',
  LockOut: false,
  ServerOffline: false,
  OfflineMessage: undefined,
  SessionRenewalTimeout: 1440,
  CheckClientIP: true,
  DisableURLSessions: false,
  LoginCreatesUser: true,
  MaxRequestLength: 4194304,
  MemoryWarnThreshold: 5000,
  KojiWebURL: 'http://localhost.localdomain/koji',
  EmailDomain: undefined,
  NotifyOnSuccess: true,
  DisableNotifications: false,
  EnableMaven: false,
  EnableWin: false,
  MaxNameLengthInternal: 256,
  RegexNameInternal: '^[A-Za-z0-9/_.+-]+$',
  RegexUserName: '^[A-Za-z0-9/_.@-]+$',
  RPMDefaultChecksums: ['md5', 'sha256'],
  MaxJobs: 15,
  CapacityOvercommit: 5,
  ReadyTimeout: 180,
  AssignTimeout: 300,
  SoftRefusalTimeout: 900,
  HostTimeout: 900,
  RunInterval: 60,
  MaxRepoTasks: 10,
  MaxRepoTasksMaven: 2,
  RepoRetries: 3,
  RequestCleanTime: 60 * 24,
  AllowNewRepo: true,
  RepoLag: 3600,
  RepoAutoLag: 7200,
  RepoLagWindow: 600,
  RepoQueueUser: 'kojira',
  DebuginfoTags: [],
  SourceTags: [],
  SeparateSourceTags: [],
  policy: {},
  volumes: {},
});

/**
 * The hub settings from a parsed hub.conf; null (no file) gives the defaults.
 * Pure: no file access, so tests feed it `parseIni(text)`.
 *
 * @throws ConfigError for a value of the wrong type (`KojiDebug = maybe`)
 */
export function hubConfigFromIni(doc: IniDocument | null): HubConfig {
  const d = doc ?? parseIni('');
  const D = HUB_DEFAULTS;
  const opt = (key: keyof HubConfig) => d.get(HUB, key);
  const str = (key: keyof HubConfig, dflt: string) => d.get(HUB, key) ?? dflt;
  const bool = (key: keyof HubConfig, dflt: boolean) => d.getBool(HUB, key, dflt);
  const int = (key: keyof HubConfig, dflt: number) => d.getInt(HUB, key, dflt);
  const words = (key: keyof HubConfig, dflt: string[]) => {
    const v = d.get(HUB, key);
    return v === undefined ? [...dflt] : splitWords(v);
  };
  return {
    KojiDir: opt('KojiDir'),
    DataDir: opt('DataDir'),
    Listen: opt('Listen'),
    AMQPListen: opt('AMQPListen'),
    DBName: opt('DBName'),
    Plugins: words('Plugins', D.Plugins),
    PluginPath: str('PluginPath', D.PluginPath),
    KojiDebug: bool('KojiDebug', D.KojiDebug),
    KojiTraceback: opt('KojiTraceback'),
    VerbosePolicy: bool('VerbosePolicy', D.VerbosePolicy),
    MissingPolicyOk: bool('MissingPolicyOk', D.MissingPolicyOk),
    LogLevel: str('LogLevel', D.LogLevel),
    LockOut: bool('LockOut', D.LockOut),
    ServerOffline: bool('ServerOffline', D.ServerOffline),
    OfflineMessage: opt('OfflineMessage'),
    SessionRenewalTimeout: int('SessionRenewalTimeout', D.SessionRenewalTimeout),
    CheckClientIP: bool('CheckClientIP', D.CheckClientIP),
    DisableURLSessions: bool('DisableURLSessions', D.DisableURLSessions),
    LoginCreatesUser: bool('LoginCreatesUser', D.LoginCreatesUser),
    MaxRequestLength: int('MaxRequestLength', D.MaxRequestLength),
    MemoryWarnThreshold: int('MemoryWarnThreshold', D.MemoryWarnThreshold),
    KojiWebURL: str('KojiWebURL', D.KojiWebURL),
    EmailDomain: opt('EmailDomain'),
    NotifyOnSuccess: bool('NotifyOnSuccess', D.NotifyOnSuccess),
    DisableNotifications: bool('DisableNotifications', D.DisableNotifications),
    EnableMaven: bool('EnableMaven', D.EnableMaven),
    EnableWin: bool('EnableWin', D.EnableWin),
    MaxNameLengthInternal: int('MaxNameLengthInternal', D.MaxNameLengthInternal),
    RegexNameInternal: str('RegexNameInternal', D.RegexNameInternal),
    RegexUserName: str('RegexUserName', D.RegexUserName),
    RPMDefaultChecksums: words('RPMDefaultChecksums', D.RPMDefaultChecksums),
    MaxJobs: int('MaxJobs', D.MaxJobs),
    CapacityOvercommit: int('CapacityOvercommit', D.CapacityOvercommit),
    ReadyTimeout: int('ReadyTimeout', D.ReadyTimeout),
    AssignTimeout: int('AssignTimeout', D.AssignTimeout),
    SoftRefusalTimeout: int('SoftRefusalTimeout', D.SoftRefusalTimeout),
    HostTimeout: int('HostTimeout', D.HostTimeout),
    RunInterval: int('RunInterval', D.RunInterval),
    MaxRepoTasks: int('MaxRepoTasks', D.MaxRepoTasks),
    MaxRepoTasksMaven: int('MaxRepoTasksMaven', D.MaxRepoTasksMaven),
    RepoRetries: int('RepoRetries', D.RepoRetries),
    RequestCleanTime: int('RequestCleanTime', D.RequestCleanTime),
    AllowNewRepo: bool('AllowNewRepo', D.AllowNewRepo),
    RepoLag: int('RepoLag', D.RepoLag),
    RepoAutoLag: int('RepoAutoLag', D.RepoAutoLag),
    RepoLagWindow: int('RepoLagWindow', D.RepoLagWindow),
    RepoQueueUser: str('RepoQueueUser', D.RepoQueueUser),
    DebuginfoTags: words('DebuginfoTags', D.DebuginfoTags),
    SourceTags: words('SourceTags', D.SourceTags),
    SeparateSourceTags: words('SeparateSourceTags', D.SeparateSourceTags),
    policy: d.has('policy') ? d.items('policy') : {},
    volumes: volumesFrom(d),
  };
}

function volumesFrom(d: IniDocument): Record<string, string> {
  const out: Record<string, string> = {};
  if (!d.has('volumes')) return out;
  // Volume names are case-sensitive in koji, so keep the spelling rather
  // than configparser's lowercased key.
  for (const opt of d.options('volumes')) out[opt.name] = d.get('volumes', opt.key)!;
  return out;
}

/** Relative paths koji reads for the hub, in override order. */
export const HUB_CONFIG_PATHS = ['koji-hub/hub.conf.d', 'koji-hub/hub.conf'];

/**
 * Read the hub settings under a config root (default: resolveConfigRoot()).
 * No hub.conf at all gives the defaults.
 */
export function loadHubConfig(root: string = resolveConfigRoot()): HubConfig {
  return hubConfigFromIni(readConfigFiles(root, HUB_CONFIG_PATHS));
}
