/**
 * @module
 * The sidetag `name_template`: Python `str.format` text, as Koji formats
 * it with `basetag` and `tag_id`. Parsed once at start-up so a template
 * Python would reject, or one that leaves out a placeholder (two sidetags
 * could then get the same name), stops the hub instead of every
 * createSideTag call. Supported: `{{`/`}}` escapes and the fields with an
 * optional `[[fill]align][0][width][type]` spec (type `s` for basetag, `d`
 * for tag_id).
 */

export const TEMPLATE_FIELDS = ['basetag', 'tag_id'] as const;
type Field = (typeof TEMPLATE_FIELDS)[number];

interface Spec {
  fill: string;
  align: '<' | '>' | '^' | null;
  width: number;
}

type Part = string | { field: Field; spec: Spec };

export interface NameTemplate {
  /** The template as written. */
  text: string;
  render(basetag: string, tagId: number): string;
}

function parseSpec(field: Field, spec: string): Spec {
  const m = /^(?:(.)?([<>^]))?(0)?(\d+)?([sd])?$/u.exec(spec);
  if (!m) throw new Error(`unsupported format spec '${spec}' for {${field}}`);
  const [, fill, align, zero, width, type] = m;
  if (type === 'd' && field === 'basetag') throw new Error("format code 'd' cannot be used with {basetag} (a string)");
  if (type === 's' && field === 'tag_id') throw new Error("format code 's' cannot be used with {tag_id} (an integer)");
  return {
    fill: fill ?? (zero ? '0' : ' '),
    align: (align as Spec['align']) ?? (zero ? '>' : null),
    width: width ? Number(width) : 0,
  };
}

function pad(value: string, spec: Spec, numeric: boolean): string {
  const room = spec.width - [...value].length;
  if (room <= 0) return value;
  const align = spec.align ?? (numeric ? '>' : '<');
  if (align === '<') return value + spec.fill.repeat(room);
  if (align === '>') return spec.fill.repeat(room) + value;
  const left = Math.floor(room / 2);
  return spec.fill.repeat(left) + value + spec.fill.repeat(room - left);
}

/**
 * Parse a name template.
 * @throws Error with a one-line reason when Python would reject the text,
 *   a field is unknown, or `{basetag}` or `{tag_id}` is missing
 */
export function parseNameTemplate(text: string): NameTemplate {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '}') {
      if (text[i + 1] !== '}') throw new Error(`single '}' at position ${i} in '${text}' (write '}}' for a literal brace)`);
      literal += '}';
      i += 2;
      continue;
    }
    if (c !== '{') {
      literal += c;
      i++;
      continue;
    }
    if (text[i + 1] === '{') {
      literal += '{';
      i += 2;
      continue;
    }
    const end = text.indexOf('}', i);
    if (end < 0) throw new Error(`unclosed '{' at position ${i} in '${text}'`);
    const body = text.slice(i + 1, end);
    if (body.includes('{')) throw new Error(`nested '{' in '${text}' is not supported`);
    const colon = body.indexOf(':');
    const name = colon < 0 ? body : body.slice(0, colon);
    if (name.includes('!')) throw new Error(`conversions such as '${name}' are not supported`);
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(name)) {
      throw new Error(`unknown placeholder {${name}} (only {basetag} and {tag_id} exist)`);
    }
    if (literal) parts.push(literal);
    literal = '';
    parts.push({ field: name as Field, spec: parseSpec(name as Field, colon < 0 ? '' : body.slice(colon + 1)) });
    i = end + 1;
  }
  if (literal) parts.push(literal);
  const used = new Set(parts.filter((p) => typeof p !== 'string').map((p) => (p as { field: Field }).field));
  const missing = TEMPLATE_FIELDS.filter((f) => !used.has(f));
  if (missing.length) {
    throw new Error(`'${text}' must contain both {basetag} and {tag_id} (missing ${missing.map((f) => `{${f}}`).join(' and ')})`);
  }
  return {
    text,
    render(basetag: string, tagId: number): string {
      return parts
        .map((p) => (typeof p === 'string' ? p : p.field === 'basetag' ? pad(basetag, p.spec, false) : pad(String(tagId), p.spec, true)))
        .join('');
    },
  };
}
