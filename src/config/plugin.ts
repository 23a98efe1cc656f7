/**
 * @module
 * Plugin config files, at the paths koji's plugins use under the config root:
 * koji-hub/plugins/<name>.conf for hub parts, kojid/plugins/<name>.conf for
 * builder parts. Each plugin reads its own sections, so this hands back the
 * parsed document rather than a typed config.
 */
import type { IniDocument, IniOptions } from './ini.ts';
import { readConfigFile, resolveConfigRoot } from './root.ts';

/** Path of a hub plugin's config under the root, e.g. `koji-hub/plugins/sidetag.conf`. */
export function hubPluginConfigPath(name: string): string {
  return `koji-hub/plugins/${name}.conf`;
}

/** Path of a builder plugin's config under the root, e.g. `kojid/plugins/runroot.conf`. */
export function builderPluginConfigPath(name: string): string {
  return `kojid/plugins/${name}.conf`;
}

/**
 * Read a plugin's config file.
 *
 * koji's plugins differ in parser: sidetag reads its file raw, while
 * protonmsg, save_failed_tree, rpm2maven and runroot use the interpolating
 * ConfigParser (`%%` is a literal `%`). Pass `{ interpolation: true }` for
 * the latter so a file means the same under both.
 *
 * @param root config root; default resolveConfigRoot()
 * @param relPath e.g. hubPluginConfigPath('sidetag')
 * @returns null when the file does not exist; whether that is an error is
 *   the plugin's call (koji's protonmsg requires its file, sidetag does not)
 * @throws ConfigError when it exists but cannot be read or parsed
 */
export function loadPluginConfig(
  root: string | undefined,
  relPath: string,
  options: IniOptions = {},
): IniDocument | null {
  return readConfigFile(root ?? resolveConfigRoot(), relPath, options);
}
