/**
 * @module
 * protonmsg.conf: Koji's three sections ([broker], [message], [queue]) with
 * Koji's option names and defaults, plus kojibox's own. Read once when the
 * plugin starts, so a bad file stops the hub instead of failing later.
 *
 * Where kojibox differs from Koji:
 * - `urls` may be empty: messages then go to the hub's embedded broker.
 * - `topic_prefix` defaults to `koji` (Koji requires it).
 * - `[queue] enabled` defaults to true: the outbox is how kojibox keeps
 *   messages; `enabled = false` restores Koji's behaviour of dropping
 *   messages that could not be sent on the first attempt.
 * - `max_age` accepts fractions of an hour.
 */
import { ConfigError } from '../../src/config/errors.ts';
import { hubPluginConfigPath, loadPluginConfig } from '../../src/config/plugin.ts';
import type { IniDocument } from '../../src/config/ini.ts';

export interface ProtonConfig {
  urls: string[];
  /** Combined client certificate and key (PEM file). */
  cert: string | null;
  /** CA bundle that must have signed the broker's certificate (PEM file). */
  cacert: string | null;
  /** Normalised: starts with `/topic/` or `topic://`. */
  topicPrefix: string;
  connectTimeout: number;
  sendTimeout: number;
  testMode: boolean;
  /** Percent chance that test mode pretends a message could not be sent. */
  testModeFail: number;
  /** 0 = no limit. */
  extraLimit: number;
  /** Seconds; null = no ttl. */
  ttl: number | null;
  queueEnabled: boolean;
  batchSize: number;
  /** Hours. */
  maxAge: number;
}

export const CONFIG_PATH = hubPluginConfigPath('protonmsg');

/**
 * Koji's topic_prefix rule: RabbitMQ wants `/topic/`, ActiveMQ `topic://`;
 * a prefix with neither gets `topic://` for backwards compatibility.
 */
export function normaliseTopicPrefix(prefix: string): string {
  if (prefix.startsWith('/topic/') || prefix.startsWith('topic://')) return prefix;
  return 'topic://' + prefix;
}

/** The full address Koji sends to: prefix, a dot, then e.g. `build.tag`. */
export function fullAddress(cfg: Pick<ProtonConfig, 'topicPrefix'>, address: string): string {
  return `${cfg.topicPrefix}.${address}`;
}

function positive(section: string, key: string, value: number): number {
  if (!(value > 0)) throw new ConfigError(`[${section}] ${key} must be greater than 0 (got ${value})`, { file: CONFIG_PATH });
  return value;
}

/** Settings from a parsed protonmsg.conf (pure; tests feed it parseIni text). */
export function protonConfigFromIni(doc: IniDocument): ProtonConfig {
  const urls = (doc.get('broker', 'urls') ?? '').split(/\s+/).filter(Boolean);
  for (const url of urls) {
    if (!/^amqps?:\/\//.test(url)) throw new ConfigError(`[broker] urls: '${url}' is not an amqp:// or amqps:// url`, { file: CONFIG_PATH });
  }
  const ttl = doc.getFloat('message', 'ttl');
  // Koji reads `age` when `max_age` is missing (deprecated spelling).
  const maxAge = doc.getFloat('queue', 'max_age') || doc.getFloat('queue', 'age') || 24;
  return {
    urls,
    cert: doc.get('broker', 'cert') || null,
    cacert: doc.get('broker', 'cacert') || null,
    topicPrefix: normaliseTopicPrefix(doc.get('broker', 'topic_prefix') ?? 'koji'),
    connectTimeout: positive('broker', 'connect_timeout', doc.getFloat('broker', 'connect_timeout', 10)),
    sendTimeout: positive('broker', 'send_timeout', doc.getFloat('broker', 'send_timeout', 60)),
    testMode: doc.getBool('broker', 'test_mode', false),
    testModeFail: Math.min(100, Math.max(0, doc.getInt('broker', 'test_mode_fail', 0))),
    extraLimit: Math.abs(doc.getInt('message', 'extra_limit', 0)),
    ttl: ttl ? ttl : null,
    queueEnabled: doc.getBool('queue', 'enabled', true),
    batchSize: positive('queue', 'batch_size', doc.getInt('queue', 'batch_size', 100)),
    maxAge: positive('queue', 'max_age', maxAge),
  };
}

/**
 * Read koji-hub/plugins/protonmsg.conf under the config root. Koji refuses
 * to run the plugin without its file; so do we.
 * @throws ConfigError when the file is missing or invalid
 */
export function loadProtonConfig(configRoot: string): ProtonConfig {
  const doc = loadPluginConfig(configRoot, CONFIG_PATH, { interpolation: true });
  if (!doc) throw new ConfigError(`protonmsg is enabled but ${configRoot}/${CONFIG_PATH} does not exist`, { file: CONFIG_PATH });
  return protonConfigFromIni(doc);
}
