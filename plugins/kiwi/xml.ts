/**
 * @module
 * A small XML document model for kiwi descriptions: parse a file into
 * elements, text, comments and processing instructions, change it, and
 * write it back keeping everything that was not changed (comments,
 * whitespace, attribute order). Only what descriptions use is supported:
 * the predefined entities and character references; a DOCTYPE may name the
 * root but may not declare entities (that is how entity expansion attacks
 * start, and kiwi descriptions have no need for it).
 */

export class XmlError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'XmlError';
  }
}

export interface XmlElement {
  kind: 'element';
  name: string;
  /** In document order; names are unique. */
  attrs: Array<[string, string]>;
  children: XmlNode[];
}

export interface XmlText {
  kind: 'text';
  /** Decoded character data. */
  text: string;
  cdata?: boolean;
}

/** Comments, processing instructions and the DOCTYPE, kept as written. */
export interface XmlRaw {
  kind: 'comment' | 'pi' | 'doctype';
  raw: string;
}

export type XmlNode = XmlElement | XmlText | XmlRaw;

export interface XmlDocument {
  /** The `<?xml ...?>` declaration as written, or null. */
  declaration: string | null;
  /** Comments, PIs, DOCTYPE and whitespace before the root element. */
  prolog: XmlNode[];
  root: XmlElement;
  epilog: XmlNode[];
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
/** Nesting deeper than this is not a description; refusing it keeps the parser's stack small. */
const MAX_DEPTH = 256;

class Parser {
  pos = 0;
  constructor(readonly src: string) {}

  fail(reason: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.src.length; i++) {
      if (this.src.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new XmlError(reason, line, at - lineStart + 1);
  }

  startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  /** Index of `end` from the current position, or a failure naming what is unterminated. */
  find(end: string, what: string): number {
    const i = this.src.indexOf(end, this.pos);
    if (i < 0) this.fail(`unterminated ${what}`);
    return i;
  }

  skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  name(what: string): string {
    const m = NAME.exec(this.src.slice(this.pos, this.pos + 256));
    if (!m) this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  decode(text: string, at: number): string {
    if (!text.includes('&')) return text;
    return text.replace(/&([^;&\s]*);?/g, (whole, ref: string, offset: number) => {
      if (!whole.endsWith(';')) this.fail('unterminated entity reference', at + offset);
      if (ref.startsWith('#')) {
        const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff || !/^#(x[0-9a-fA-F]+|[0-9]+)$/.test(ref)) {
          this.fail(`bad character reference &${ref};`, at + offset);
        }
        return String.fromCodePoint(code);
      }
      const v = PREDEFINED[ref];
      if (v === undefined) this.fail(`undefined entity &${ref};`, at + offset);
      return v;
    });
  }

  /** Comment, PI, CDATA or DOCTYPE at the current `<`; null when it is a tag. */
  misc(): XmlNode | null {
    const start = this.pos;
    if (this.startsWith('<!--')) {
      const end = this.find('-->', 'comment');
      this.pos = end + 3;
      return { kind: 'comment', raw: this.src.slice(start, this.pos) };
    }
    if (this.startsWith('<?')) {
      const end = this.find('?>', 'processing instruction');
      this.pos = end + 2;
      if (/^<\?xml\s/i.test(this.src.slice(start, start + 6))) this.fail('XML declaration not at the start of the document', start);
      return { kind: 'pi', raw: this.src.slice(start, this.pos) };
    }
    if (this.startsWith('<![CDATA[')) {
      const end = this.find(']]>', 'CDATA section');
      const text = this.src.slice(start + 9, end);
      this.pos = end + 3;
      return { kind: 'text', text, cdata: true };
    }
    if (this.startsWith('<!DOCTYPE')) {
      const end = this.find('>', 'DOCTYPE');
      const raw = this.src.slice(start, end + 1);
      if (raw.includes('[')) this.fail('DOCTYPE declarations with an internal subset (entities) are not supported', start);
      this.pos = end + 1;
      return { kind: 'doctype', raw };
    }
    if (this.startsWith('<!')) this.fail('unsupported markup declaration');
    return null;
  }

  attributes(el: XmlElement): void {
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const c = this.src[this.pos];
      if (c === '>' || c === '/' || c === undefined) return;
      if (this.pos === before) this.fail('expected whitespace before attribute');
      const nameAt = this.pos;
      const name = this.name('attribute name');
      if (el.attrs.some(([n]) => n === name)) this.fail(`duplicate attribute ${name}`, nameAt);
      this.skipSpace();
      if (this.src[this.pos] !== '=') this.fail(`expected = after attribute ${name}`);
      this.pos++;
      this.skipSpace();
      const q = this.src[this.pos];
      if (q !== '"' && q !== "'") this.fail(`expected a quoted value for attribute ${name}`);
      const end = this.src.indexOf(q, this.pos + 1);
      if (end < 0) this.fail(`unterminated value of attribute ${name}`);
      const raw = this.src.slice(this.pos + 1, end);
      if (raw.includes('<')) this.fail(`'<' in the value of attribute ${name}`, this.pos + 1 + raw.indexOf('<'));
      // attribute value normalisation: literal whitespace characters become spaces
      el.attrs.push([name, this.decode(raw, this.pos + 1).replace(/[\t\n\r]/g, ' ')]);
      this.pos = end + 1;
    }
  }

  /** The element starting at the current `<` (iterative, so depth costs no JS stack). */
  element(): XmlElement {
    const stack: XmlElement[] = [];
    let root: XmlElement | null = null;
    for (;;) {
      if (stack.length) {
        const parent = stack[stack.length - 1]!;
        const lt = this.src.indexOf('<', this.pos);
        if (lt < 0) this.fail(`element <${parent.name}> is not closed`);
        if (lt > this.pos) {
          const raw = this.src.slice(this.pos, lt);
          if (raw.includes(']]>')) this.fail("']]>' in character data", this.pos + raw.indexOf(']]>'));
          parent.children.push({ kind: 'text', text: this.decode(raw, this.pos) });
          this.pos = lt;
        }
        const other = this.misc();
        if (other) {
          if (other.kind === 'doctype') this.fail('DOCTYPE inside an element', lt);
          parent.children.push(other);
          continue;
        }
        if (this.startsWith('</')) {
          this.pos += 2;
          const at = this.pos;
          const name = this.name('element name');
          this.skipSpace();
          if (this.src[this.pos] !== '>') this.fail('expected > to end the closing tag');
          this.pos++;
          if (name !== parent.name) this.fail(`mismatched tag: </${name}> closes <${parent.name}>`, at - 2);
          stack.pop();
          if (!stack.length) return root!;
          continue;
        }
      }
      if (this.src[this.pos] !== '<') this.fail('expected an element');
      this.pos++;
      const el: XmlElement = { kind: 'element', name: this.name('element name'), attrs: [], children: [] };
      this.attributes(el);
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else root = el;
      if (this.startsWith('/>')) {
        this.pos += 2;
        if (!stack.length) return el;
        continue;
      }
      if (this.src[this.pos] !== '>') this.fail(`expected > to end the tag <${el.name}>`);
      this.pos++;
      stack.push(el);
      if (stack.length > MAX_DEPTH) this.fail(`elements nested deeper than ${MAX_DEPTH}`);
    }
  }

  /** Whitespace and misc nodes outside the root element. */
  outside(into: XmlNode[], allowDoctype: boolean): void {
    for (;;) {
      const start = this.pos;
      this.skipSpace();
      if (this.pos > start) into.push({ kind: 'text', text: this.src.slice(start, this.pos) });
      if (this.pos >= this.src.length || this.src[this.pos] !== '<') return;
      const node = this.misc();
      if (!node) return;
      if (node.kind === 'text') this.fail('CDATA outside the root element', start);
      if (node.kind === 'doctype' && !allowDoctype) this.fail('DOCTYPE after the root element', start);
      into.push(node);
    }
  }
}

/** Parse a document; XmlError says where and what is wrong. */
export function parseXml(text: string): XmlDocument {
  const p = new Parser(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  let declaration: string | null = null;
  if (/^<\?xml\s/.test(p.src.slice(0, 6))) {
    const end = p.find('?>', 'XML declaration');
    declaration = p.src.slice(0, end + 2);
    p.pos = end + 2;
  }
  const prolog: XmlNode[] = [];
  p.outside(prolog, true);
  if (p.pos >= p.src.length) p.fail('no root element');
  const root = p.element();
  const epilog: XmlNode[] = [];
  p.outside(epilog, false);
  if (p.pos < p.src.length) p.fail(p.src[p.pos] === '<' ? 'more than one root element' : 'text after the root element');
  return { declaration, prolog, root, epilog };
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function writeNode(n: XmlNode, out: string[]): void {
  if (n.kind === 'text') {
    out.push(n.cdata ? `<![CDATA[${n.text}]]>` : escapeText(n.text));
  } else if (n.kind === 'element') {
    out.push(`<${n.name}`);
    for (const [k, v] of n.attrs) out.push(` ${k}="${escapeAttr(v)}"`);
    if (!n.children.length) {
      out.push('/>');
      return;
    }
    out.push('>');
    for (const c of n.children) writeNode(c, out);
    out.push(`</${n.name}>`);
  } else {
    out.push(n.raw);
  }
}

/** The document as text, unchanged parts as they were written. */
export function serializeXml(doc: XmlDocument): string {
  const out: string[] = [];
  if (doc.declaration) out.push(doc.declaration);
  for (const n of doc.prolog) writeNode(n, out);
  writeNode(doc.root, out);
  for (const n of doc.epilog) writeNode(n, out);
  const text = out.join('');
  return text.endsWith('\n') ? text : `${text}\n`;
}

// ---- helpers over the model ----

export function element(name: string, attrs: Array<[string, string]> = [], children: XmlNode[] = []): XmlElement {
  return { kind: 'element', name, attrs, children };
}

export function isElement(n: XmlNode, name?: string): n is XmlElement {
  return n.kind === 'element' && (name === undefined || n.name === name);
}

/** Direct child elements, optionally by name. */
export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => isElement(c, name));
}

/** Every element below `el` (not `el` itself) with this name, in document order. */
export function descendants(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.kind !== 'element') continue;
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

export function getAttr(el: XmlElement, name: string): string | null {
  return el.attrs.find(([n]) => n === name)?.[1] ?? null;
}

export function setAttr(el: XmlElement, name: string, value: string): void {
  const a = el.attrs.find(([n]) => n === name);
  if (a) a[1] = value;
  else el.attrs.push([name, value]);
}

/** The element's character data (its text and CDATA children, not nested elements'). */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (c.kind === 'text' ? c.text : '')).join('');
}

/** Replace the element's content with one text node. */
export function setText(el: XmlElement, text: string): void {
  el.children = [{ kind: 'text', text }];
}
