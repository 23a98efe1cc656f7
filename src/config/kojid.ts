/**
 * @module
 * The builder's settings from kojid/kojid.conf, section [kojid]. Property
 * names are kojid's option names. Like kojid, this refuses other sections
 * and unknown option names (a typo must not silently fall back to a
 * default); every option kojid knows is accepted and type-checked as kojid
 * does, even where kojibox has no use for it (mockuser, smtphost, ...).
 */
import { ConfigError } from './errors.ts';
import { parseIni, splitWords, type IniDocument } from './ini.ts';
import { readConfigFile, resolveConfigRoot } from './root.ts';

const KOJID = 'kojid';

export interface KojidConfig {
  /** Hub XML-RPC URL. kojibox default: the local hub. */
  server: string;
  /** The host name this builder logs in as (kojid has no separate host name option). */
  user: string | undefined;
  password: string | undefined;
  /** Base URL of the hub's files; kojid takes the first of a space-separated list. Unset = the builder derives it from `server`. */
  topurl: string | undefined;
  /** Local view of the hub's topdir, if any. Unset (kojibox) = the builder works over topurl only. */
  topdir: string | undefined;
  /** Scratch space for tasks. */
  workdir: string;
  /** Where buildroots live (kojid's mock root). Unset (kojibox) = under the builder's data directory. */
  mockdir: string | undefined;
  /** Task directory inside a buildroot. */
  chroot_tmpdir: string;
  /** Concurrent tasks at most. */
  maxjobs: number;
  /** Seconds between polls for work. */
  sleeptime: number;
  /** Free space (MiB) required per buildroot. */
  minspace: number;
  /** Builder plugins to enable (`plugin` or `plugins`, split on whitespace). */
  plugin: string[];
  pluginpath: string;
  /** Entries `host:repository[:use_common[:source_cmd]]`, split on whitespace only. */
  allowed_scms: string[];
  allowed_scms_use_config: boolean;
  allowed_scms_use_policy: boolean;
  allow_password_in_scm_url: boolean;
  scm_credentials_dir: string | undefined;
  support_rpm_source_layout: boolean;
  /** Seconds a failed task's buildroot is kept. */
  failed_buildroot_lifetime: number;
  buildroot_basic_cleanup_delay: number;
  buildroot_final_cleanup_delay: number;
  rpmbuild_timeout: number;
  task_avail_delay: number;
  /** rpm macros written into buildroots. */
  vendor: string;
  packager: string;
  distribution: string;
  mockhost: string;
  literal_task_arches: string;
  build_arch_can_fail: boolean;
  retry_interval: number;
  max_retries: number;
  offline_retry: boolean;
  offline_retry_interval: number;
  timeout: number | undefined;
  no_ssl_verify: boolean;
  use_fast_upload: boolean;
  use_createrepo_c: boolean;
  createrepo_skip_stat: boolean;
  createrepo_update: boolean;
  distrepo_skip_stat: boolean;
  copy_old_repodata: boolean;
  log_level: string | undefined;
  log_timestamps: boolean;
  /** kojibox: arches this host builds; empty = the host's own arch (decided by the builder). */
  arches: string[];
  /** kojibox: the host's capacity when it registers itself (koji's add-host default is 2.0). */
  capacity: number;
}

export const KOJID_DEFAULTS: Readonly<KojidConfig> = Object.freeze({
  server: 'http://127.0.0.1:8080/kojihub',
  user: undefined,
  password: undefined,
  topurl: undefined,
  topdir: undefined,
  workdir: '/var/tmp/koji',
  mockdir: undefined,
  chroot_tmpdir: '/chroot_tmpdir',
  maxjobs: 10,
  sleeptime: 15,
  minspace: 8192,
  plugin: [],
  pluginpath: '/usr/lib/koji-builder-plugins',
  allowed_scms: [],
  allowed_scms_use_config: true,
  allowed_scms_use_policy: false,
  allow_password_in_scm_url: false,
  scm_credentials_dir: undefined,
  support_rpm_source_layout: true,
  failed_buildroot_lifetime: 3600 * 4,
  buildroot_basic_cleanup_delay: 120,
  buildroot_final_cleanup_delay: 86400,
  rpmbuild_timeout: 3600 * 24,
  task_avail_delay: 300,
  vendor: 'Koji',
  packager: 'Koji',
  distribution: 'Koji',
  mockhost: 'koji-linux-gnu',
  literal_task_arches: '',
  build_arch_can_fail: false,
  retry_interval: 60,
  max_retries: 120,
  offline_retry: true,
  offline_retry_interval: 120,
  timeout: undefined,
  no_ssl_verify: false,
  use_fast_upload: true,
  use_createrepo_c: true,
  createrepo_skip_stat: true,
  createrepo_update: true,
  distrepo_skip_stat: false,
  copy_old_repodata: false,
  log_level: undefined,
  log_timestamps: false,
  arches: [],
  capacity: 2.0,
});

// kojid's own classification of its options; anything else is refused.
const INT_OPTIONS = new Set([
  'sleeptime', 'maxjobs', 'minspace', 'retry_interval', 'max_retries', 'offline_retry_interval',
  'failed_buildroot_lifetime', 'timeout', 'rpmbuild_timeout', 'oz_install_timeout',
  'task_avail_delay', 'buildroot_basic_cleanup_delay', 'buildroot_final_cleanup_delay',
]);
const BOOL_OPTIONS = new Set([
  'offline_retry', 'use_createrepo_c', 'createrepo_skip_stat', 'createrepo_update',
  'use_fast_upload', 'support_rpm_source_layout', 'build_arch_can_fail', 'no_ssl_verify',
  'log_timestamps', 'allow_noverifyssl', 'allowed_scms_use_config', 'allowed_scms_use_policy',
  'allow_password_in_scm_url', 'distrepo_skip_stat', 'copy_old_repodata',
]);
const STRING_OPTIONS = new Set([
  'literal_task_arches', 'admin_emails', 'log_level', 'topdir', 'topurl', 'workdir',
  'chroot_tmpdir', 'pluginpath', 'mockdir', 'mockuser', 'packager', 'vendor', 'distribution',
  'mockhost', 'smtphost', 'smtp_user', 'smtp_pass', 'from_addr', 'krb_principal',
  'host_principal_format', 'keytab', 'ccache', 'server', 'user', 'password',
  'mock_bootstrap_image', 'pkgurl', 'allowed_scms', 'scm_credentials_dir', 'yum_proxy',
  'maven_repo_ignore', 'xz_options', 'cert', 'serverca',
]);
const KOJIBOX_OPTIONS = new Set(['arches', 'capacity']);

/**
 * The builder settings from a parsed kojid.conf; null (no file) gives the
 * defaults. Pure: no file access.
 *
 * @throws ConfigError for a section other than [kojid], an unknown option,
 *   or a value of the wrong type
 */
export function kojidConfigFromIni(doc: IniDocument | null): KojidConfig {
  const d = doc ?? parseIni('');
  checkKnown(d);
  const D = KOJID_DEFAULTS;
  const opt = (key: keyof KojidConfig) => d.get(KOJID, key);
  const str = (key: keyof KojidConfig, dflt: string) => d.get(KOJID, key) ?? dflt;
  const bool = (key: keyof KojidConfig, dflt: boolean) => d.getBool(KOJID, key, dflt);
  const int = (key: keyof KojidConfig, dflt: number) => d.getInt(KOJID, key, dflt);
  const words = (key: string, dflt: string[]) => {
    const v = d.get(KOJID, key);
    return v === undefined ? [...dflt] : splitWords(v);
  };
  return {
    server: str('server', D.server),
    user: opt('user'),
    password: opt('password'),
    topurl: opt('topurl'),
    topdir: opt('topdir'),
    workdir: str('workdir', D.workdir),
    mockdir: opt('mockdir'),
    chroot_tmpdir: str('chroot_tmpdir', D.chroot_tmpdir),
    maxjobs: int('maxjobs', D.maxjobs),
    sleeptime: int('sleeptime', D.sleeptime),
    minspace: int('minspace', D.minspace),
    // kojid takes either spelling; with both, the later line wins there, and
    // configparser keeps file order, so the last one written wins here too.
    plugin: words(lastOf(d, ['plugin', 'plugins']) ?? 'plugin', D.plugin),
    pluginpath: str('pluginpath', D.pluginpath),
    allowed_scms: words('allowed_scms', D.allowed_scms),
    allowed_scms_use_config: bool('allowed_scms_use_config', D.allowed_scms_use_config),
    allowed_scms_use_policy: bool('allowed_scms_use_policy', D.allowed_scms_use_policy),
    allow_password_in_scm_url: bool('allow_password_in_scm_url', D.allow_password_in_scm_url),
    scm_credentials_dir: opt('scm_credentials_dir'),
    support_rpm_source_layout: bool('support_rpm_source_layout', D.support_rpm_source_layout),
    failed_buildroot_lifetime: int('failed_buildroot_lifetime', D.failed_buildroot_lifetime),
    buildroot_basic_cleanup_delay: int('buildroot_basic_cleanup_delay', D.buildroot_basic_cleanup_delay),
    buildroot_final_cleanup_delay: int('buildroot_final_cleanup_delay', D.buildroot_final_cleanup_delay),
    rpmbuild_timeout: int('rpmbuild_timeout', D.rpmbuild_timeout),
    task_avail_delay: int('task_avail_delay', D.task_avail_delay),
    vendor: str('vendor', D.vendor),
    packager: str('packager', D.packager),
    distribution: str('distribution', D.distribution),
    mockhost: str('mockhost', D.mockhost),
    literal_task_arches: str('literal_task_arches', D.literal_task_arches),
    build_arch_can_fail: bool('build_arch_can_fail', D.build_arch_can_fail),
    retry_interval: int('retry_interval', D.retry_interval),
    max_retries: int('max_retries', D.max_retries),
    offline_retry: bool('offline_retry', D.offline_retry),
    offline_retry_interval: int('offline_retry_interval', D.offline_retry_interval),
    timeout: d.getInt(KOJID, 'timeout'),
    no_ssl_verify: bool('no_ssl_verify', D.no_ssl_verify),
    use_fast_upload: bool('use_fast_upload', D.use_fast_upload),
    use_createrepo_c: bool('use_createrepo_c', D.use_createrepo_c),
    createrepo_skip_stat: bool('createrepo_skip_stat', D.createrepo_skip_stat),
    createrepo_update: bool('createrepo_update', D.createrepo_update),
    distrepo_skip_stat: bool('distrepo_skip_stat', D.distrepo_skip_stat),
    copy_old_repodata: bool('copy_old_repodata', D.copy_old_repodata),
    log_level: opt('log_level'),
    log_timestamps: bool('log_timestamps', D.log_timestamps),
    arches: d.getList(KOJID, 'arches', D.arches),
    capacity: positive(d, 'capacity', D.capacity),
  };
}

function checkKnown(d: IniDocument): void {
  for (const section of d.sections()) {
    if (section !== KOJID) {
      throw new ConfigError(`invalid section found in config file: ${section}`, d.where(section));
    }
  }
  for (const opt of d.options(KOJID)) {
    const k = opt.key;
    if (INT_OPTIONS.has(k)) d.getInt(KOJID, k);
    else if (BOOL_OPTIONS.has(k)) d.getBool(KOJID, k);
    else if (STRING_OPTIONS.has(k) || KOJIBOX_OPTIONS.has(k) || k === 'plugin' || k === 'plugins') continue;
    else if (k.toUpperCase().startsWith('RLIMIT_')) continue;
    else throw new ConfigError(`unknown config option: ${opt.name}`, { file: opt.file, line: opt.line });
  }
}

function lastOf(d: IniDocument, keys: string[]): string | undefined {
  const present = d.options(KOJID).filter((o) => keys.includes(o.key));
  return present.at(-1)?.key;
}

function positive(d: IniDocument, key: string, dflt: number): number {
  const n = d.getFloat(KOJID, key, dflt);
  if (!(n > 0) || !Number.isFinite(n)) {
    const opt = d.option(KOJID, key)!;
    throw new ConfigError(`[${KOJID}] ${opt.name}: must be a positive number`, { file: opt.file, line: opt.line });
  }
  return n;
}

/** Where kojid's config lives under a config root. */
export const KOJID_CONFIG_PATH = 'kojid/kojid.conf';

/** Read the builder settings under a config root; no file gives the defaults. */
export function loadKojidConfig(root: string = resolveConfigRoot()): KojidConfig {
  return kojidConfigFromIni(readConfigFile(root, KOJID_CONFIG_PATH));
}
