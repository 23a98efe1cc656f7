/**
 * @module
 * Where config files come from. kojibox reads koji's files at koji's paths,
 * but relative to a config root that stands in for /etc: `--config-root DIR`,
 * else `KOJIBOX_CONFIG_ROOT`, else /etc. The repository's own etc/ is such a
 * root. A missing file is not an error (embedded defaults serve); a file that
 * exists but cannot be read or parsed is.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.ts';
import { readIniSources, type IniDocument, type IniOptions, type IniSource } from './ini.ts';

/** The root used when neither the flag nor the environment names one. */
export const DEFAULT_CONFIG_ROOT = '/etc';

/** The environment variable that names the config root. */
export const CONFIG_ROOT_ENV = 'KOJIBOX_CONFIG_ROOT';

/**
 * The config root: the `--config-root` value, else `$KOJIBOX_CONFIG_ROOT`,
 * else /etc. Empty strings count as unset.
 */
export function resolveConfigRoot(
  flag?: string,
  env: Record<string, string | undefined> = process.env,
): string {
  if (flag) return flag;
  const fromEnv = env[CONFIG_ROOT_ENV];
  if (fromEnv) return fromEnv;
  return DEFAULT_CONFIG_ROOT;
}

/**
 * Read and parse one file under the root (`koji-hub/hub.conf`).
 *
 * @returns null when the file does not exist
 * @throws ConfigError when it exists but cannot be read or parsed
 */
export function readConfigFile(root: string, relPath: string, options: IniOptions = {}): IniDocument | null {
  return readConfigFiles(root, [relPath], options);
}

/**
 * Read several paths under the root into one document, as koji's
 * `read_config_files` does: a path that is a directory contributes its
 * `*.conf` files in name order, later files override earlier ones, missing
 * paths are skipped.
 *
 * @returns null when none of the paths gave a file
 */
export function readConfigFiles(root: string, relPaths: string[], options: IniOptions = {}): IniDocument | null {
  return readIniPaths(relPaths.map((p) => join(root, p)), options);
}

/** Like readConfigFiles, for absolute paths (the user's ~/.koji files). */
export function readIniPaths(paths: string[], options: IniOptions = {}): IniDocument | null {
  const sources: IniSource[] = [];
  for (const path of paths) {
    for (const file of expandPath(path)) sources.push({ text: readText(file), fileName: file });
  }
  return sources.length ? readIniSources(sources, options) : null;
}

function expandPath(path: string): string[] {
  const kind = statKind(path);
  if (kind === 'file') return [path];
  if (kind !== 'dir') return [];
  return readdirSync(path)
    .filter((name) => name.endsWith('.conf'))
    .sort()
    .map((name) => join(path, name))
    .filter((file) => statKind(file) === 'file');
}

function statKind(path: string): 'file' | 'dir' | 'other' | 'missing' {
  try {
    const st = statSync(path);
    if (st.isFile()) return 'file';
    return st.isDirectory() ? 'dir' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new ConfigError(`cannot read: ${(err as Error).message}`, { file: path });
  }
}

// Python reads these files as strict UTF-8 and keeps a byte-order mark as a
// character, which then fails the first section header; we refuse the same
// files, with a clearer reason.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function readText(file: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read: ${(err as Error).message}`, { file });
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new ConfigError('not valid UTF-8', { file });
  }
  if (text.startsWith('\ufeff')) {
    throw new ConfigError('starts with a byte-order mark, which koji cannot read', { file, line: 1 });
  }
  return text;
}
