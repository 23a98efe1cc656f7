/**
 * @module
 * The plugin's two config files, read with the interpolating parser as
 * koji's plugin reads them.
 *
 * koji-hub/plugins/save_failed_tree.conf:
 * - `[permissions] allowed_methods`: comma-separated task methods whose
 *   buildroots may be saved, or `*` alone for all (default `buildArch`).
 *   Unlike koji, blanks around the commas are ignored.
 * - `[gc]` (kojibox; the seed's TODO): `max_age` (a duration, `2 weeks`;
 *   0 = no age limit), `max_total_size` (a size, `20 GiB`; 0 = no cap) and
 *   `interval` (how often the collector runs; default 1 hour).
 *
 * kojid/plugins/save_failed_tree.conf:
 * - `[filters] paths`: whitespace-separated Python fnmatch globs;
 * - `volume`: the hub volume for the tarballs, from `[general]` (where
 *   koji's code reads it) or else `[global]` (where koji's sample writes it).
 *   `DEFAULT` or empty = the default volume.
 */
import { ConfigError } from '../../src/config/errors.ts';
import type { IniDocument } from '../../src/config/ini.ts';
import { splitWords } from '../../src/config/ini.ts';
import { builderPluginConfigPath, hubPluginConfigPath, loadPluginConfig } from '../../src/config/plugin.ts';
import { parseDuration, parseSize } from './units.ts';

export const HUB_CONFIG_PATH = hubPluginConfigPath('save_failed_tree');
export const BUILDER_CONFIG_PATH = builderPluginConfigPath('save_failed_tree');

export interface HubTreeConfig {
  /** Task methods whose buildroots may be saved; '*' = any. */
  allowedMethods: string[] | '*';
  /** Seconds a tarball is kept; null = no age limit. */
  maxAge: number | null;
  /** Bytes all tarballs may take together; null = no cap. */
  maxTotalSize: number | null;
  /** Seconds between collector runs. */
  gcInterval: number;
}

export interface BuilderTreeConfig {
  /** Globs of paths left out of tarballs (besides the ones always left out). */
  filters: string[];
  /** Hub volume for the tarballs; null = DEFAULT. */
  volume: string | null;
}

export const HUB_DEFAULTS: Readonly<HubTreeConfig> = Object.freeze({
  allowedMethods: ['buildArch'],
  maxAge: 14 * 86400,
  maxTotalSize: null,
  gcInterval: 3600,
});

function parsed<T>(doc: IniDocument, section: string, key: string, parse: (s: string) => T, path: string): T | undefined {
  const opt = doc.option(section, key);
  if (!opt) return undefined;
  const value = doc.get(section, key)!;
  try {
    return parse(value);
  } catch (err) {
    throw new ConfigError(`[${section}] ${key}: ${(err as Error).message}`, { file: opt.file || path, line: opt.line });
  }
}

/** The hub part's settings from a parsed file; null (no file) gives the defaults. */
export function hubConfigFromIni(doc: IniDocument | null): HubTreeConfig {
  if (!doc) return { ...HUB_DEFAULTS };
  const raw = doc.get('permissions', 'allowed_methods');
  let allowedMethods: string[] | '*' = HUB_DEFAULTS.allowedMethods;
  if (raw !== undefined) {
    const list = raw.split(',').map((m) => m.trim()).filter(Boolean);
    allowedMethods = list.length === 1 && list[0] === '*' ? '*' : list;
    if (Array.isArray(allowedMethods) && allowedMethods.includes('*')) {
      throw new ConfigError("[permissions] allowed_methods: '*' must be the only entry", { file: HUB_CONFIG_PATH });
    }
  }
  const maxAge = parsed(doc, 'gc', 'max_age', parseDuration, HUB_CONFIG_PATH);
  const maxTotal = parsed(doc, 'gc', 'max_total_size', parseSize, HUB_CONFIG_PATH);
  const interval = parsed(doc, 'gc', 'interval', parseDuration, HUB_CONFIG_PATH);
  if (interval !== undefined && !(interval > 0)) throw new ConfigError('[gc] interval must be greater than 0', { file: HUB_CONFIG_PATH });
  return {
    allowedMethods,
    maxAge: maxAge === undefined ? HUB_DEFAULTS.maxAge : maxAge > 0 ? maxAge : null,
    maxTotalSize: maxTotal === undefined ? HUB_DEFAULTS.maxTotalSize : maxTotal > 0 ? maxTotal : null,
    gcInterval: interval ?? HUB_DEFAULTS.gcInterval,
  };
}

/** Read the hub part's file under the config root (missing = defaults). */
export function loadHubTreeConfig(configRoot: string): HubTreeConfig {
  return hubConfigFromIni(loadPluginConfig(configRoot, HUB_CONFIG_PATH, { interpolation: true }));
}

/** The builder part's settings from a parsed file; null (no file) gives no filters, DEFAULT volume. */
export function builderConfigFromIni(doc: IniDocument | null): BuilderTreeConfig {
  if (!doc) return { filters: [], volume: null };
  const filters = splitWords(doc.get('filters', 'paths') ?? '');
  const volume = (doc.get('general', 'volume') ?? doc.get('global', 'volume') ?? '').trim();
  return { filters, volume: volume && volume !== 'DEFAULT' ? volume : null };
}

/** Read the builder part's file; like koji, per task, so edits apply without a restart. */
export function loadBuilderTreeConfig(configRoot: string | undefined): BuilderTreeConfig {
  return builderConfigFromIni(loadPluginConfig(configRoot, BUILDER_CONFIG_PATH, { interpolation: true }));
}
