/**
 * @module
 * sidetag.conf: Koji's options (`remove_empty`, `allowed_suffixes`,
 * `name_template`, `trigger_new_repo`, all in `[sidetag]`) plus kojibox's
 * lifetime options. Read once when the plugin starts, so a bad file stops
 * the hub with a message instead of failing the first createSideTag.
 *
 * Where kojibox differs from Koji:
 * - `name_template` must name both `{basetag}` and `{tag_id}` (Koji only
 *   says so in a comment and fails at call time, or never).
 * - `allowed_suffixes` items are trimmed, so `a, b` allows `b`.
 * - `max_age`, `max_idle`, `max_empty_age` (durations; a bare number is
 *   days, as koji-sidetag-cleanup counts) and `sweep_interval` (a bare
 *   number is seconds) replace the cleanup cron script. All lifetimes are
 *   off unless set; a sidetag whose extra has a true `sidetag_keep` is
 *   never removed by them.
 */
import { ConfigError } from '../../src/config/errors.ts';
import { hubPluginConfigPath, loadPluginConfig } from '../../src/config/plugin.ts';
import type { IniDocument } from '../../src/config/ini.ts';
import { parseNameTemplate, type NameTemplate } from './template.ts';

export const CONFIG_PATH = hubPluginConfigPath('sidetag');
const SECTION = 'sidetag';
export const DEFAULT_NAME_TEMPLATE = '{basetag}-side-{tag_id}';

export interface SidetagConfig {
  /** Remove a sidetag when its last build is untagged (Koji's postUntag handler). */
  removeEmpty: boolean;
  allowedSuffixes: string[];
  nameTemplate: NameTemplate;
  /** Request a repo for every new sidetag right away. */
  triggerNewRepo: boolean;
  /** Seconds; null = off. */
  maxAge: number | null;
  maxIdle: number | null;
  maxEmptyAge: number | null;
  /** Seconds between lifetime sweeps. */
  sweepInterval: number;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * A duration such as `30d`, `12h`, `90m`, `45s`, `1.5w`; a bare number is
 * in `bareUnit`. Empty, `0` and `off` mean "not set" (null).
 */
export function parseDuration(text: string | undefined, bareUnit: keyof typeof UNITS, key: string): number | null {
  const value = (text ?? '').trim().toLowerCase();
  if (value === '' || value === 'off' || value === 'none' || value === 'false') return null;
  const m = /^(\d+(?:\.\d*)?|\.\d+)\s*([smhdw]?)$/.exec(value);
  if (!m) throw new ConfigError(`[${SECTION}] ${key}: '${text}' is not a duration (e.g. 30d, 12h, 90m, 45s)`, { file: CONFIG_PATH });
  const seconds = Number(m[1]) * UNITS[m[2] || bareUnit]!;
  return seconds > 0 ? seconds : null;
}

/** Settings from a parsed sidetag.conf (pure; null = no file, all defaults). */
export function sidetagConfigFromIni(doc: IniDocument | null): SidetagConfig {
  const get = (key: string) => doc?.get(SECTION, key);
  // a bad boolean is already a ConfigError naming file and line
  const bool = (key: string) => doc?.getBool(SECTION, key, false) ?? false;
  let nameTemplate: NameTemplate;
  try {
    nameTemplate = parseNameTemplate(get('name_template') ?? DEFAULT_NAME_TEMPLATE);
  } catch (err) {
    throw new ConfigError(`[${SECTION}] name_template: ${(err as Error).message}`, { file: CONFIG_PATH });
  }
  const interval = parseDuration(get('sweep_interval'), 's', 'sweep_interval') ?? 600;
  return {
    removeEmpty: bool('remove_empty'),
    allowedSuffixes: (get('allowed_suffixes') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    nameTemplate,
    triggerNewRepo: bool('trigger_new_repo'),
    maxAge: parseDuration(get('max_age'), 'd', 'max_age'),
    maxIdle: parseDuration(get('max_idle'), 'd', 'max_idle'),
    maxEmptyAge: parseDuration(get('max_empty_age'), 'd', 'max_empty_age'),
    sweepInterval: interval,
  };
}

/**
 * Read koji-hub/plugins/sidetag.conf under the config root. Koji reads it
 * raw (no `%` interpolation) and runs with defaults when it is missing.
 * @throws ConfigError when the file is invalid
 */
export function loadSidetagConfig(configRoot: string): SidetagConfig {
  return sidetagConfigFromIni(loadPluginConfig(configRoot, CONFIG_PATH));
}

/** Whether any lifetime option is on (the sweep only runs then). */
export function hasLifetime(cfg: SidetagConfig): boolean {
  return cfg.maxAge !== null || cfg.maxIdle !== null || cfg.maxEmptyAge !== null;
}
