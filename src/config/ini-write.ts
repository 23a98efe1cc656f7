/**
 * @module
 * Writes small configparser files that kojibox itself produces (a saved
 * client profile, a generated kojid.conf) so that both parseIni and koji's
 * Python read back exactly the values given. The npm `ini` writer does not
 * fit: it escapes `;` and `#` with backslashes and quotes some values, and
 * configparser would keep those backslashes and quotes as part of the value.
 * Anything that cannot survive the round trip is refused, not mangled.
 */
import { ConfigError } from './errors.ts';
import { isPySpace, pyStrip } from './python-text.ts';

export type IniValue = string | number | boolean;

/** How the file will be read back. */
export interface FormatIniOptions {
  /** The reader interpolates (koji.conf, most plugin files): write `%` as `%%`. */
  interpolation?: boolean;
}

/**
 * Format sections as configparser text: `[name]`, then `key = value` lines,
 * multi-line values as indented continuation lines, a blank line between
 * sections. Booleans are written `true`/`false`.
 *
 * @throws ConfigError for a name or value configparser would read differently
 */
export function formatIni(
  sections: Record<string, Record<string, IniValue>>,
  options: FormatIniOptions = {},
): string {
  const blocks: string[] = [];
  for (const [section, values] of Object.entries(sections)) {
    checkSectionName(section);
    const lines = [`[${section}]`];
    for (const [key, raw] of Object.entries(values)) {
      checkKey(section, key);
      lines.push(`${key} = ${formatValue(section, key, String(raw), options)}`);
    }
    blocks.push(lines.join('\n') + '\n');
  }
  return blocks.join('\n');
}

function checkSectionName(name: string): void {
  if (name === '' || /[\r\n]/.test(name) || pyStrip(name) !== name) {
    throw new ConfigError(`cannot write section name ${JSON.stringify(name)}`);
  }
}

function checkKey(section: string, key: string): void {
  const bad =
    key === '' ||
    /[=:\r\n]/.test(key) ||
    pyStrip(key) !== key ||
    key.startsWith('[') ||
    key.startsWith('#') ||
    key.startsWith(';');
  if (bad) throw new ConfigError(`[${section}]: cannot write option name ${JSON.stringify(key)}`);
}

function formatValue(section: string, key: string, value: string, options: FormatIniOptions): string {
  const lines = value.split('\n');
  // configparser strips each line and trims the end of the whole value, and
  // drops a continuation line that looks like a comment.
  const lossy =
    lines.some((line) => pyStrip(line) !== line) ||
    lines.slice(1).some((line) => line.startsWith('#') || line.startsWith(';')) ||
    (lines.length > 1 && lines.at(-1) === '') ||
    [...value].some((c) => isPySpace(c) && c !== ' ' && c !== '\n' && c !== '\t');
  if (lossy) {
    throw new ConfigError(`[${section}] ${key}: value would not read back unchanged: ${JSON.stringify(value)}`);
  }
  const escaped = options.interpolation ? lines.map((l) => l.replaceAll('%', '%%')) : lines;
  // An empty continuation line is kept by configparser when more indented
  // lines follow, so it can be written empty.
  return escaped.map((l, i) => (i === 0 || l === '' ? l : `\t${l}`)).join('\n');
}
