/**
 * @module
 * The builder side's settings, read from kojid/plugins/runroot.conf under the
 * config root with the options and error texts of Koji's runroot plugin:
 * `[paths]` default_mounts, safe_roots, path_subs, the ordered `[pathN]`
 * mount sections and `[runroot] internal_dev_setup`.
 *
 * Deliberate differences from Koji's reader: list items are trimmed and
 * empty items dropped (Koji keeps `' /mnt/b'` from `a, /mnt/b` and then calls
 * it relative), a section must be exactly `path<digits>` (Koji's prefix match
 * takes `path0x` and then fails converting its number), and both sides of a
 * path substitution must be absolute (Koji checks only the first).
 */
import { GenericError } from '../../src/core/faults.ts';
import { builderPluginConfigPath, loadPluginConfig } from '../../src/config/plugin.ts';
import type { IniDocument } from '../../src/config/ini.ts';

/** One `[pathN]` section: where a mount appears in the buildroot and what backs it. */
export interface RunrootPathConfig {
  /** The section name (`path0`), for messages. */
  section: string;
  /** Path inside the buildroot. */
  mountpoint: string;
  /** What is mounted there: a directory on the builder for `bind`, else the device/export. */
  path: string;
  fstype: string;
  /** mount(8) options, comma-separated as written (`ro,bind`). */
  options: string;
}

export interface RunrootConfig {
  /** Mountpoints mounted on every run (each must be covered by a `[pathN]` section). */
  default_mounts: string[];
  /** Prefixes under which `--mount` requests are allowed. */
  safe_roots: string[];
  /** Ordered `[from, to]` prefix substitutions applied to requested mounts. */
  path_subs: Array<[string, string]>;
  /** The `[pathN]` sections in numeric order (first covering one wins). */
  paths: RunrootPathConfig[];
  /** `[runroot] internal_dev_setup`; null when not set (Koji's None). */
  internal_dev_setup: boolean | null;
}

/** The file's path under the config root. */
export const RUNROOT_CONFIG_PATH = builderPluginConfigPath('runroot');

const PATH_SECTION = /^path(\d+)$/;
const PATH_OPTIONS = ['mountpoint', 'path', 'fstype', 'options'] as const;

/** The settings of an empty (or missing) runroot.conf. */
export function emptyRunrootConfig(): RunrootConfig {
  return { default_mounts: [], safe_roots: [], path_subs: [], paths: [], internal_dev_setup: null };
}

/**
 * Read runroot.conf under a config root. A missing file means no mounts and
 * no safe roots, as for Koji (whose reader skips missing files).
 *
 * @throws ConfigError when the file cannot be parsed; GenericError with
 *   Koji's `bad config: ...` / `bad runroot substitution: ...` texts when it
 *   parses but is invalid
 */
export function loadRunrootConfig(configRoot?: string): RunrootConfig {
  // Koji reads it with the interpolating ConfigParser, so `%%` means `%`.
  const doc = loadPluginConfig(configRoot, RUNROOT_CONFIG_PATH, { interpolation: true });
  return doc ? parseRunrootConfig(doc) : emptyRunrootConfig();
}

/**
 * Turn a parsed runroot.conf into checked settings.
 *
 * @throws GenericError with Koji's messages for a bad substitution line, a
 *   `[pathN]` section missing one of its four options, or a relative path in
 *   default_mounts, safe_roots or path_subs
 */
export function parseRunrootConfig(doc: IniDocument): RunrootConfig {
  const cfg = emptyRunrootConfig();
  if (doc.hasOption('runroot', 'internal_dev_setup')) {
    cfg.internal_dev_setup = doc.getBool('runroot', 'internal_dev_setup') ?? null;
  }
  cfg.default_mounts = commaList(doc.get('paths', 'default_mounts'));
  cfg.safe_roots = commaList(doc.get('paths', 'safe_roots'));
  cfg.path_subs = substitutions(doc.get('paths', 'path_subs'));

  const sections = doc
    .sections()
    .filter((name) => PATH_SECTION.test(name))
    .sort((a, b) => sectionNumber(a) - sectionNumber(b));
  for (const section of sections) {
    const values = PATH_OPTIONS.map((key) => doc.get(section, key));
    if (values.some((v) => v === undefined)) {
      throw GenericError(`bad config: missing options in ${section} section`);
    }
    const [mountpoint, path, fstype, options] = values as string[];
    cfg.paths.push({ section, mountpoint: mountpoint!, path: path!, fstype: fstype!, options: options! });
  }

  const mustBeAbsolute = [...cfg.default_mounts, ...cfg.safe_roots, ...cfg.path_subs.flat()];
  for (const path of mustBeAbsolute) {
    if (!path.startsWith('/')) {
      throw GenericError(
        `bad config: all paths (default_mounts, safe_roots, path_subs) needs to be absolute: ${path}`,
      );
    }
  }
  return cfg;
}

function sectionNumber(name: string): number {
  return Number(PATH_SECTION.exec(name)![1]);
}

function commaList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function substitutions(value: string | undefined): Array<[string, string]> {
  if (value === undefined) return [];
  const subs: Array<[string, string]> = [];
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const parts = line.split(',');
    if (parts.length !== 2) throw GenericError(`bad runroot substitution: ${pyList(parts)}`);
    subs.push([parts[0]!.trim(), parts[1]!.trim()]);
  }
  return subs;
}

/** Python's repr of a list of str, so the message reads as Koji's does. */
function pyList(items: string[]): string {
  return `[${items.map(pyStr).join(', ')}]`;
}

function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replaceAll('\\', '\\\\').replaceAll(quote, `\\${quote}`).replaceAll('\n', '\\n').replaceAll('\t', '\\t');
  return `${quote}${body}${quote}`;
}
