/**
 * @module
 * A small, non-recursive XML scanner for the XML-RPC subset. It knows tags,
 * character data, the five predefined entities, numeric character references,
 * comments and CDATA, and nothing else: DTDs and custom entities are refused
 * outright, which is what makes billion-laughs style input harmless. Work is
 * done with indexOf/slice over the source string so that cost stays linear.
 */

import { XmlRpcParseError } from './values.ts';

export const enum TagKind {
  Open,
  Close,
  Empty,
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** Characters that end a tag or attribute name: whitespace and tag punctuation. */
const NAME_END = new Uint8Array(128);
for (const c of [0x20, 0x0a, 0x09, 0x0d, GT, SLASH, EQUALS, LT, DQUOTE, SQUOTE]) NAME_END[c] = 1;

function endsName(c: number): boolean {
  return c < 128 && NAME_END[c] === 1;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Longest entity reference we look for before calling it unterminated (&#x10FFFF; is 10 chars). */
const MAX_ENTITY_LENGTH = 12;

/** Cursor over one document. Errors carry line and column of the offending spot. */
export class Scanner {
  pos = 0;
  // The last tag's name is kept as offsets: slicing it would allocate a
  // substring that JavaScriptCore copies again on the first comparison.
  private nameStart = 0;
  private nameEnd = 0;
  /** Kind of the tag last read by readTag(). */
  tagKind: TagKind = TagKind.Open;
  /** Offset of the '<' of the tag last read, for error messages. */
  tagStart = 0;
  private nodes = 0;

  constructor(
    readonly src: string,
    private readonly maxNodes: number,
  ) {}

  /** Throws an XmlRpcParseError pointing at `at`. */
  fail(message: string, at: number = this.pos): never {
    let line = 1;
    let lineStart = 0;
    const end = Math.min(at, this.src.length);
    for (let i = this.src.indexOf('\n'); i !== -1 && i < end; i = this.src.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    throw new XmlRpcParseError(`XML-RPC parse error at line ${line}, column ${end - lineStart + 1}: ${message}`);
  }

  /** Skips a byte order mark and an `<?xml ...?>` declaration if present. */
  skipDeclaration(): void {
    const src = this.src;
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
    if (src.startsWith('<?xml', this.pos) && isSpace(src.charCodeAt(this.pos + 5))) {
      const end = src.indexOf('?>', this.pos);
      if (end === -1) this.fail('unterminated XML declaration');
      this.pos = end + 2;
    }
  }

  /**
   * Skips whitespace and comments between elements and stops at the next tag.
   * Any other text, DTD or processing instruction here is an error.
   */
  skipMisc(): void {
    const src = this.src;
    const len = src.length;
    for (;;) {
      let p = this.pos;
      while (p < len && isSpace(src.charCodeAt(p))) p++;
      this.pos = p;
      if (p >= len) return;
      if (src.charCodeAt(p) !== LT) this.fail('unexpected text between elements');
      const next = src.charCodeAt(p + 1);
      if (next === BANG) {
        if (src.startsWith('<!--', p)) {
          this.skipComment();
          continue;
        }
        this.refuseDeclaration(p);
      }
      if (next === QUESTION) this.fail('processing instructions are not allowed');
      return;
    }
  }

  // Tests go through methods because TypeScript keeps narrowing a field
  // across the readTag() calls that change it.

  /** Name of the tag last read by readTag(). */
  get tagName(): string {
    return this.src.slice(this.nameStart, this.nameEnd);
  }

  /** True when the last tag's name is `name`. */
  nameIs(name: string): boolean {
    return this.nameEnd - this.nameStart === name.length && this.src.startsWith(name, this.nameStart);
  }

  /** The entry of `names` equal to the last tag's name, if any. */
  nameAmong(names: readonly string[]): string | undefined {
    for (const name of names) if (this.nameIs(name)) return name;
    return undefined;
  }

  /** True when the last tag read is `<name>`. */
  isOpen(name: string): boolean {
    return this.tagKind === TagKind.Open && this.nameIs(name);
  }

  /** True when the last tag read is `<name>` or `<name/>`. */
  isStart(name: string): boolean {
    return this.tagKind !== TagKind.Close && this.nameIs(name);
  }

  /** True when the last tag read is `<name/>`. */
  isEmpty(): boolean {
    return this.tagKind === TagKind.Empty;
  }

  /** True when the last tag read is `</name>`. */
  isClose(name: string): boolean {
    return this.tagKind === TagKind.Close && this.nameIs(name);
  }

  /** Reads the next tag after optional whitespace and comments. */
  nextTag(): void {
    this.skipMisc();
    this.readTag();
  }

  /** Reads the next tag and requires it to be the closing tag `</name>`. */
  expectClose(name: string): void {
    this.nextTag();
    if (!this.isClose(name)) this.unexpectedTag(`</${name}>`);
  }

  /** Reads the tag right at the cursor (no text may precede it) and requires `</name>`. */
  expectCloseHere(name: string): void {
    this.readTag();
    if (!this.isClose(name)) this.unexpectedTag(`</${name}>`);
  }

  /** Fails with "expected X but found <the tag last read>". */
  unexpectedTag(expected: string): never {
    const found =
      this.tagKind === TagKind.Close
        ? `</${this.tagName}>`
        : this.tagKind === TagKind.Empty
          ? `<${this.tagName}/>`
          : `<${this.tagName}>`;
    this.fail(`expected ${expected} but found ${found}`, this.tagStart);
  }

  /** Requires that only whitespace and comments remain. */
  finish(): void {
    this.skipMisc();
    if (this.pos < this.src.length) this.fail('unexpected content after the root element');
  }

  /** Reads one start, end or empty-element tag at the cursor; attributes are checked and ignored. */
  readTag(): void {
    const src = this.src;
    const len = src.length;
    const start = this.pos;
    if (start >= len) this.fail('unexpected end of input');
    if (src.charCodeAt(start) !== LT) this.fail('expected a tag');
    if (++this.nodes > this.maxNodes) this.fail(`more than ${this.maxNodes} tags`);
    this.tagStart = start;
    let p = start + 1;
    const closing = src.charCodeAt(p) === SLASH;
    if (closing) p++;
    const nameStart = p;
    while (p < len && !endsName(src.charCodeAt(p))) p++;
    if (p === nameStart) {
      if (p >= len) this.fail('unexpected end of input inside a tag', start);
      this.fail('malformed tag', start);
    }
    this.nameStart = nameStart;
    this.nameEnd = p;
    if (closing) {
      while (p < len && isSpace(src.charCodeAt(p))) p++;
      if (p >= len) this.fail('unexpected end of input inside a tag', start);
      if (src.charCodeAt(p) !== GT) this.fail('malformed end tag', start);
      this.pos = p + 1;
      this.tagKind = TagKind.Close;
      return;
    }
    for (;;) {
      while (p < len && isSpace(src.charCodeAt(p))) p++;
      if (p >= len) this.fail('unexpected end of input inside a tag', start);
      const c = src.charCodeAt(p);
      if (c === GT) {
        this.pos = p + 1;
        this.tagKind = TagKind.Open;
        return;
      }
      if (c === SLASH) {
        if (src.charCodeAt(p + 1) !== GT) this.fail('malformed tag', start);
        this.pos = p + 2;
        this.tagKind = TagKind.Empty;
        return;
      }
      p = this.skipAttribute(p, start);
    }
  }

  /**
   * Reads character data up to the next tag, folding in comments and CDATA
   * sections, decoding references and normalising line ends as XML requires.
   * Leaves the cursor on the '<' of that tag.
   */
  readText(): string {
    const src = this.src;
    let out: string | undefined;
    for (;;) {
      const lt = src.indexOf('<', this.pos);
      if (lt === -1) this.fail('unexpected end of input in character data');
      if (lt > this.pos) {
        const piece = this.decode(this.pos, lt);
        out = out === undefined ? piece : out + piece;
      }
      this.pos = lt;
      if (src.charCodeAt(lt + 1) === BANG) {
        if (src.startsWith('<!--', lt)) {
          this.skipComment();
          continue;
        }
        if (src.startsWith('<![CDATA[', lt)) {
          const end = src.indexOf(']]>', lt + 9);
          if (end === -1) this.fail('unterminated CDATA section');
          const piece = normaliseNewlines(src.slice(lt + 9, end));
          out = out === undefined ? piece : out + piece;
          this.pos = end + 3;
          continue;
        }
        this.refuseDeclaration(lt);
      }
      if (src.charCodeAt(lt + 1) === QUESTION) this.fail('processing instructions are not allowed');
      return out ?? '';
    }
  }

  private skipComment(): void {
    const end = this.src.indexOf('-->', this.pos + 4);
    if (end === -1) this.fail('unterminated comment');
    this.pos = end + 3;
  }

  private refuseDeclaration(at: number): never {
    if (this.src.startsWith('<!DOCTYPE', at)) this.fail('DOCTYPE declarations are not allowed', at);
    if (this.src.startsWith('<!ENTITY', at)) this.fail('ENTITY declarations are not allowed', at);
    this.fail('markup declarations are not allowed', at);
  }

  /** Skips `name="value"` (or single quotes) starting at p; returns the offset after it. */
  private skipAttribute(p: number, tagStart: number): number {
    const src = this.src;
    const len = src.length;
    const nameStart = p;
    while (p < len && !endsName(src.charCodeAt(p))) p++;
    if (p === nameStart) this.fail('malformed attribute', tagStart);
    while (p < len && isSpace(src.charCodeAt(p))) p++;
    if (src.charCodeAt(p) !== EQUALS) this.fail('attribute without a value', tagStart);
    p++;
    while (p < len && isSpace(src.charCodeAt(p))) p++;
    const quote = src.charCodeAt(p);
    if (quote !== DQUOTE && quote !== SQUOTE) this.fail('unquoted attribute value', tagStart);
    const end = src.indexOf(quote === DQUOTE ? '"' : "'", p + 1);
    if (end === -1) this.fail('unterminated attribute value', tagStart);
    if (src.slice(p + 1, end).includes('<')) this.fail("'<' in attribute value", tagStart);
    return end + 1;
  }

  /** Decodes src[start, end): line-end normalisation first, so &#13; survives as CR. */
  private decode(start: number, end: number): string {
    const raw = normaliseNewlines(this.src.slice(start, end));
    let amp = raw.indexOf('&');
    if (amp === -1) return raw;
    const parts: string[] = [];
    let last = 0;
    while (amp !== -1) {
      const semi = raw.indexOf(';', amp + 1);
      if (semi === -1 || semi - amp > MAX_ENTITY_LENGTH) this.fail("unterminated entity reference or stray '&'", start);
      parts.push(raw.slice(last, amp), this.resolveEntity(raw.slice(amp + 1, semi), start));
      last = semi + 1;
      amp = raw.indexOf('&', last);
    }
    parts.push(raw.slice(last));
    return parts.join('');
  }

  private resolveEntity(name: string, at: number): string {
    const predefined = PREDEFINED[name];
    if (predefined !== undefined && Object.hasOwn(PREDEFINED, name)) return predefined;
    if (name.charCodeAt(0) === 0x23) {
      const hex = name.charCodeAt(1) === 0x78;
      const digits = name.slice(hex ? 2 : 1);
      if (digits.length > 0 && (hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) {
        const code = Number.parseInt(digits, hex ? 16 : 10);
        // XML 1.0 forbids NUL and surrogates even as references
        if (code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)) return String.fromCodePoint(code);
      }
      this.fail(`invalid character reference &${name};`, at);
    }
    this.fail(`unknown entity &${name};`, at);
  }
}

function normaliseNewlines(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}
