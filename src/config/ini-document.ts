/**
 * @module
 * A parsed configparser file and the lookups koji's code performs on it:
 * option names are case-insensitive (configparser lowercases them), section
 * names are not, [DEFAULT] shows through every section, and the typed getters
 * accept exactly what Python's `getboolean`/`getint`/`getfloat` accept.
 */
import { ConfigError } from './errors.ts';
import { interpolate } from './interpolation.ts';
import { isPySpace, pyStrip } from './python-text.ts';

/** One `name = value` entry, with where it was written. */
export interface IniOption {
  /** The name as written in the file (`KojiDir`). */
  name: string;
  /** The lookup key: `name` lowercased, as configparser stores it. */
  key: string;
  /** The raw value; continuation lines joined with "\n". */
  value: string;
  file: string;
  line: number;
}

/** Parsed content: [DEFAULT] apart, other sections in file order. */
export interface IniSections {
  defaults: Map<string, IniOption>;
  sections: Map<string, Map<string, IniOption>>;
  /** Where each section's header first appears. */
  headers: Map<string, IniLocation>;
}

/** A place in a config file. */
export interface IniLocation {
  file: string;
  line: number;
}

/** How values are read back. */
export interface IniOptions {
  /** Expand `%(name)s` and `%%` like Python's ConfigParser (not RawConfigParser). */
  interpolation?: boolean;
}

/** configparser's name for the section whose keys show through everywhere. */
export const DEFAULT_SECTION = 'DEFAULT';

const BOOLEANS: Record<string, boolean> = {
  '1': true, yes: true, true: true, on: true,
  '0': false, no: false, false: false, off: false,
};

// Python's int()/float() literals (ASCII digits), underscores between digits included.
const DIGITS = String.raw`\d(?:_?\d)*`;
const INT_LITERAL = new RegExp(`^[+-]?${DIGITS}$`);
const FLOAT_LITERAL = new RegExp(
  `^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`,
);
const FLOAT_WORD = /^([+-]?)(inf|infinity|nan)$/i;

/** A parsed config file (or several merged); see parseIni. */
export class IniDocument {
  readonly interpolation: boolean;
  private readonly data: IniSections;

  constructor(data: IniSections, options: IniOptions = {}) {
    this.data = data;
    this.interpolation = options.interpolation ?? false;
  }

  /** Section names in file order, without [DEFAULT] (as configparser's `sections()`). */
  sections(): string[] {
    return [...this.data.sections.keys()];
  }

  /** Whether the section exists; [DEFAULT] never counts, as in configparser. */
  has(section: string): boolean {
    return this.data.sections.has(section);
  }

  /** Where the section's header first appears, for error messages. */
  where(section: string): IniLocation | undefined {
    return this.data.headers.get(section);
  }

  /** Whether `key` is set in the section or in [DEFAULT]. */
  hasOption(section: string, key: string): boolean {
    return this.option(section, key) !== undefined;
  }

  /** The entry for `key` (any case) in the section, falling back to [DEFAULT]. */
  option(section: string, key: string): IniOption | undefined {
    const k = key.toLowerCase();
    const own = section === DEFAULT_SECTION ? undefined : this.data.sections.get(section);
    if (section !== DEFAULT_SECTION && !own) return undefined;
    return own?.get(k) ?? this.data.defaults.get(k);
  }

  /** All entries visible in a section: [DEFAULT] first, then the section's own. */
  options(section: string): IniOption[] {
    if (section === DEFAULT_SECTION) return [...this.data.defaults.values()];
    const own = this.data.sections.get(section);
    if (!own) return [];
    const merged = new Map(this.data.defaults);
    for (const [k, opt] of own) merged.set(k, opt);
    return [...merged.values()];
  }

  /** The value without interpolation, whatever the document's mode. */
  getRaw(section: string, key: string): string | undefined {
    return this.option(section, key)?.value;
  }

  /** The value as koji's parser would return it (interpolated if the document is). */
  get(section: string, key: string): string | undefined {
    const opt = this.option(section, key);
    return opt && this.resolve(section, opt);
  }

  /** configparser's `getboolean`: 1/yes/true/on and 0/no/false/off, any case. */
  getBool(section: string, key: string): boolean | undefined;
  getBool(section: string, key: string, dflt: boolean): boolean;
  getBool(section: string, key: string, dflt?: boolean): boolean | undefined {
    const opt = this.option(section, key);
    if (!opt) return dflt;
    const value = this.resolve(section, opt);
    const b = BOOLEANS[value.toLowerCase()];
    if (b === undefined) throw optionError(section, opt, `not a boolean: '${value}'`);
    return b;
  }

  /** configparser's `getint` (Python `int()`: optional sign, underscores between digits). */
  getInt(section: string, key: string): number | undefined;
  getInt(section: string, key: string, dflt: number): number;
  getInt(section: string, key: string, dflt?: number): number | undefined {
    const opt = this.option(section, key);
    if (!opt) return dflt;
    const value = pyStrip(this.resolve(section, opt));
    if (!INT_LITERAL.test(value)) throw optionError(section, opt, `not an integer: '${value}'`);
    const n = Number(value.replaceAll('_', '')) || 0; // no -0
    if (!Number.isSafeInteger(n)) throw optionError(section, opt, `integer out of range: '${value}'`);
    return n;
  }

  /** configparser's `getfloat` (Python `float()`, including inf and nan). */
  getFloat(section: string, key: string): number | undefined;
  getFloat(section: string, key: string, dflt: number): number;
  getFloat(section: string, key: string, dflt?: number): number | undefined {
    const opt = this.option(section, key);
    if (!opt) return dflt;
    const value = pyStrip(this.resolve(section, opt));
    const word = FLOAT_WORD.exec(value);
    if (word) {
      if (word[2]!.toLowerCase() === 'nan') return Number.NaN;
      return word[1] === '-' ? -Infinity : Infinity;
    }
    if (!FLOAT_LITERAL.test(value)) throw optionError(section, opt, `not a number: '${value}'`);
    return Number(value.replaceAll('_', ''));
  }

  /**
   * A list written with whitespace and/or commas between items, as koji's
   * options are (`Plugins = a b`, `allowed_suffixes = x,y`, multi-line
   * `allowed_scms`). Missing -> `dflt`.
   */
  getList(section: string, key: string, dflt: string[] = []): string[] {
    const value = this.get(section, key);
    if (value === undefined) return [...dflt];
    return splitList(value);
  }

  /** Every visible option of a section as lowercased key -> value ([DEFAULT] included). */
  items(section: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const opt of this.options(section)) out[opt.key] = this.resolve(section, opt);
    return out;
  }

  private resolve(section: string, opt: IniOption): string {
    if (!this.interpolation) return opt.value;
    try {
      return interpolate(opt.value, (k) => this.getRaw(section, k));
    } catch (err) {
      throw optionError(section, opt, (err as Error).message);
    }
  }
}

/** Split on Python whitespace and commas, dropping empty items. */
export function splitList(value: string): string[] {
  return splitOn(value, (c) => c === ',' || isPySpace(c));
}

/**
 * Python's `value.split()`: whitespace only. koji splits `Plugins`,
 * `allowed_scms` and tag patterns this way, and an allowed_scms entry may
 * itself contain commas (its source_cmd), so these must not split on commas.
 */
export function splitWords(value: string): string[] {
  return splitOn(value, isPySpace);
}

function splitOn(value: string, isSeparator: (c: string) => boolean): string[] {
  const items: string[] = [];
  let current = '';
  for (const c of value) {
    if (isSeparator(c)) {
      if (current) items.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current) items.push(current);
  return items;
}

function optionError(section: string, opt: IniOption, reason: string): ConfigError {
  return new ConfigError(`[${section}] ${opt.name}: ${reason}`, { file: opt.file, line: opt.line });
}
