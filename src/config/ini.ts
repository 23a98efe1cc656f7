/**
 * @module
 * Reads configparser-style files (hub.conf, kojid.conf, koji.conf, plugin
 * .conf files) exactly as koji's Python does, so one file means the same to
 * koji and to kojibox. The rules follow Python 3's `RawConfigParser._read`
 * with koji's settings (strict, `=`/`:` delimiters, `#`/`;` full-line
 * comments, no inline comments, empty lines allowed inside values); the unit
 * tests compare against a live python3 on tricky inputs.
 *
 * Why not the npm `ini` package: it knows no continuation lines (each
 * indented `[policy]` rule line becomes its own key with value `true`), does
 * not accept `:` as a delimiter, strips inline `;`/`#` comments that
 * configparser keeps as part of the value, and silently merges duplicate
 * sections that configparser rejects. Its writer escapes `;` and `#` with
 * backslashes that configparser would then read literally, so it does not
 * fit for writing either (see ini-write.ts).
 */
import { ConfigError } from './errors.ts';
import {
  DEFAULT_SECTION,
  IniDocument,
  type IniLocation,
  type IniOption,
  type IniOptions,
  type IniSections,
} from './ini-document.ts';
import { firstNonSpace, pyRstrip, pyStrip, splitPyLines } from './python-text.ts';

export { DEFAULT_SECTION, IniDocument, splitList, splitWords } from './ini-document.ts';
export type { IniLocation, IniOption, IniOptions } from './ini-document.ts';

/** One file's text and the name used in error messages. */
export interface IniSource {
  text: string;
  fileName?: string;
}

/**
 * Parse one configparser-style file.
 *
 * @param text the file's contents
 * @param fileName used in error messages (`hub.conf:12: ...`); defaults to `<string>`
 * @param options `interpolation: true` gives ConfigParser's `%(name)s` expansion
 *   at lookup time (koji's client and some plugins); the default is raw, as
 *   the hub and kojid read their files
 * @throws ConfigError on a line configparser would reject, with its line number
 */
export function parseIni(text: string, fileName?: string, options: IniOptions = {}): IniDocument {
  return readIniSources([{ text, fileName }], options);
}

/**
 * Parse several files into one document, like configparser's `read([...])`:
 * later files add sections and override options of earlier ones, while
 * duplicates within one file are still errors.
 */
export function readIniSources(sources: IniSource[], options: IniOptions = {}): IniDocument {
  const merged: IniSections = { defaults: new Map(), sections: new Map(), headers: new Map() };
  for (const source of sources) {
    const one = parseOneFile(source.text, source.fileName ?? '<string>');
    for (const [key, opt] of one.defaults) merged.defaults.set(key, opt);
    for (const [name, opts] of one.sections) {
      const target = merged.sections.get(name) ?? new Map<string, IniOption>();
      for (const [key, opt] of opts) target.set(key, opt);
      merged.sections.set(name, target);
    }
    for (const [name, at] of one.headers) if (!merged.headers.has(name)) merged.headers.set(name, at);
  }
  return new IniDocument(merged, options);
}

/** An option being read: its value lines are joined when the file ends. */
interface PendingOption {
  name: string;
  key: string;
  lines: string[];
  line: number;
}

const SECTION_HEADER = /^\[(.+)\]/s;
// Non-greedy name: the first `=` or `:` is the delimiter, so `a:b=c` is a = "b=c".
const OPTION_LINE = /^(.*?)([=:])(.*)$/s;

function parseOneFile(text: string, file: string): IniSections {
  const defaults = new Map<string, PendingOption>();
  const sections = new Map<string, Map<string, PendingOption>>();
  const headers = new Map<string, IniLocation>();
  const seenOptions = new Set<string>();
  let current: Map<string, PendingOption> | undefined;
  let sectionName = '';
  let option: PendingOption | undefined;
  let indentLevel = 0;
  // configparser reports all malformed option lines at the end of the file,
  // unless a structural error (duplicate, missing header) stops it first.
  let firstBadLine: number | undefined;

  const lines = splitPyLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    const stripped = pyStrip(raw);
    const isComment = stripped.startsWith('#') || stripped.startsWith(';');
    if (stripped === '' || isComment) {
      // A blank line may belong to a multi-line value (kept if an indented
      // line follows, trimmed at the end otherwise); a comment line is
      // dropped without ending the value.
      if (!isComment && option) option.lines.push('');
      continue;
    }
    const indent = firstNonSpace(raw);
    if (current && option && indent > indentLevel) {
      option.lines.push(stripped);
      continue;
    }
    indentLevel = indent;
    const header = SECTION_HEADER.exec(stripped);
    if (header) {
      sectionName = header[1]!;
      if (sectionName === DEFAULT_SECTION) {
        current = defaults;
      } else {
        if (headers.has(sectionName)) {
          throw new ConfigError(`section [${sectionName}] already exists`, { file, line: lineNo });
        }
        headers.set(sectionName, { file, line: lineNo });
        current = sections.get(sectionName) ?? new Map();
        sections.set(sectionName, current);
      }
      option = undefined;
      continue;
    }
    if (!current) {
      throw new ConfigError('no section header before this line', { file, line: lineNo });
    }
    const match = OPTION_LINE.exec(stripped);
    if (!match) {
      firstBadLine ??= lineNo;
      continue;
    }
    const name = pyRstrip(match[1]!);
    const key = name.toLowerCase();
    const seenKey = `${sectionName}\u0000${key}`;
    if (seenOptions.has(seenKey)) {
      throw new ConfigError(`option '${key}' in section [${sectionName}] already exists`, {
        file,
        line: lineNo,
      });
    }
    seenOptions.add(seenKey);
    option = { name, key, lines: [pyStrip(match[3]!)], line: lineNo };
    current.set(key, option);
    if (name === '') {
      // configparser records the error but keeps going; an unnamed option
      // takes no continuation lines.
      firstBadLine ??= lineNo;
      option = undefined;
    }
  }
  if (firstBadLine !== undefined) {
    const reason = badLineReason(pyStrip(lines[firstBadLine - 1]!));
    throw new ConfigError(reason, { file, line: firstBadLine });
  }
  return {
    defaults: finish(defaults, file),
    sections: new Map([...sections].map(([name, opts]) => [name, finish(opts, file)])),
    headers,
  };
}

function badLineReason(stripped: string): string {
  if (/^[=:]/.test(stripped)) return 'option line with an empty name';
  return "option line without '=' or ':'";
}

function finish(pending: Map<string, PendingOption>, file: string): Map<string, IniOption> {
  const done = new Map<string, IniOption>();
  for (const [key, p] of pending) {
    done.set(key, { name: p.name, key, value: pyRstrip(p.lines.join('\n')), file, line: p.line });
  }
  return done;
}
