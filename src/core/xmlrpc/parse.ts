/**
 * @module
 * XML-RPC document parsing: methodCall for the hub, methodResponse for the
 * client. Nested arrays and structs are walked with an explicit stack, never
 * by recursion, so depth is bounded by ParseLimits.maxDepth alone.
 */

import { Scanner, TagKind } from './scanner.ts';
import { parseScalar } from './scalars.ts';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, XmlRpcFault, XmlRpcParseError } from './values.ts';
import type { ParseLimits, RpcValue } from './values.ts';

interface ArrayFrame {
  items: RpcValue[];
  struct: undefined;
  key: string;
}
interface StructFrame {
  items: undefined;
  struct: { [key: string]: RpcValue };
  /** Name of the member whose value is being parsed. */
  key: string;
}
type Frame = ArrayFrame | StructFrame;

/** Element names that may follow <value>, most frequent first. */
const VALUE_TYPES = ['string', 'int', 'struct', 'nil', 'boolean', 'array', 'i8', 'double', 'i4', 'base64', 'dateTime.iso8601'] as const;

/**
 * Parses an XML-RPC request.
 * @throws XmlRpcParseError for malformed input or input beyond the limits
 */
export function parseMethodCall(
  xml: string | Uint8Array,
  limits?: ParseLimits,
): { methodName: string; params: RpcValue[] } {
  const sc = openDocument(xml, limits);
  const maxDepth = limits?.maxDepth ?? DEFAULT_MAX_DEPTH;
  expectOpen(sc, 'methodCall');
  sc.nextTag();
  if (!sc.isStart('methodName')) sc.unexpectedTag('<methodName>');
  let methodName = '';
  if (!sc.isEmpty()) {
    methodName = sc.readText();
    sc.expectCloseHere('methodName');
  }
  sc.nextTag();
  let params: RpcValue[] = [];
  if (sc.isStart('params')) {
    if (!sc.isEmpty()) params = readParams(sc, maxDepth);
    sc.nextTag();
  }
  if (!sc.isClose('methodCall')) sc.unexpectedTag('</methodCall>');
  sc.finish();
  return { methodName, params };
}

/**
 * Parses an XML-RPC response and returns its single value.
 * @throws XmlRpcFault when the response is a <fault>
 * @throws XmlRpcParseError for malformed input or input beyond the limits
 */
export function parseMethodResponse(xml: string | Uint8Array, limits?: ParseLimits): RpcValue {
  const sc = openDocument(xml, limits);
  const maxDepth = limits?.maxDepth ?? DEFAULT_MAX_DEPTH;
  expectOpen(sc, 'methodResponse');
  sc.nextTag();
  if (sc.isOpen('fault')) {
    expectOpen(sc, 'value');
    const at = sc.pos;
    const fault = readValue(sc, maxDepth);
    sc.expectClose('fault');
    sc.expectClose('methodResponse');
    sc.finish();
    throw toFault(sc, fault, at);
  }
  if (!sc.isOpen('params')) sc.unexpectedTag('<params> or <fault>');
  const at = sc.pos;
  const params = readParams(sc, maxDepth);
  sc.expectClose('methodResponse');
  sc.finish();
  if (params.length !== 1) sc.fail(`a response must hold exactly one value, not ${params.length}`, at);
  return params[0] as RpcValue;
}

/** Size check, byte decoding and prolog; returns a scanner on the root element. */
function openDocument(xml: string | Uint8Array, limits: ParseLimits | undefined): Scanner {
  const maxBytes = limits?.maxBytes ?? DEFAULT_MAX_BYTES;
  let text: string;
  if (typeof xml === 'string') {
    // UTF-16 length never exceeds the UTF-8 byte count, so only count bytes near the limit
    if (xml.length > maxBytes || (xml.length * 3 > maxBytes && Buffer.byteLength(xml) > maxBytes)) {
      throw tooBig(maxBytes);
    }
    text = xml;
  } else {
    if (xml.byteLength > maxBytes) throw tooBig(maxBytes);
    text = decodeBytes(xml);
  }
  const sc = new Scanner(text, limits?.maxNodes ?? Number.POSITIVE_INFINITY);
  sc.skipDeclaration();
  return sc;
}

function tooBig(maxBytes: number): XmlRpcParseError {
  return new XmlRpcParseError(`XML-RPC document is larger than the limit of ${maxBytes} bytes`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes request bytes, honouring an encoding named in the XML declaration. */
function decodeBytes(bytes: Uint8Array): string {
  let decoder = utf8;
  const label = declaredEncoding(bytes);
  if (label !== undefined && !/^utf-?8$/i.test(label)) {
    try {
      // the label comes from the document; TextDecoder validates it at runtime
      decoder = new TextDecoder(label as ConstructorParameters<typeof TextDecoder>[0], { fatal: true });
    } catch {
      throw new XmlRpcParseError(`XML-RPC document uses unsupported encoding ${JSON.stringify(label)}`);
    }
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new XmlRpcParseError(`XML-RPC document is not valid ${decoder.encoding}`);
  }
}

/** The `encoding="..."` of a leading XML declaration, read as ASCII. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset + bom, Math.min(bytes.byteLength - bom, 200)).toString('latin1');
  if (!head.startsWith('<?xml')) return undefined;
  const end = head.indexOf('?>');
  if (end === -1) return undefined;
  return /\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head.slice(0, end))?.[1];
}

function expectOpen(sc: Scanner, name: string): void {
  sc.nextTag();
  if (!sc.isOpen(name)) sc.unexpectedTag(`<${name}>`);
}

/** Reads `<param><value>…</value></param>*` up to and including `</params>`. */
function readParams(sc: Scanner, maxDepth: number): RpcValue[] {
  const params: RpcValue[] = [];
  for (;;) {
    sc.nextTag();
    if (sc.isClose('params')) return params;
    if (!sc.isOpen('param')) sc.unexpectedTag('<param> or </params>');
    sc.nextTag();
    if (!sc.isStart('value')) sc.unexpectedTag('<value>');
    params.push(sc.isEmpty() ? '' : readValue(sc, maxDepth));
    sc.expectClose('param');
  }
}

/**
 * Reads the content of a <value> whose start tag has just been read, up to
 * and including its end tag.
 */
function readValue(sc: Scanner, maxDepth: number): RpcValue {
  const stack: Frame[] = [];
  for (;;) {
    // A <value> start tag has just been consumed.
    let value: RpcValue | undefined;
    const text = sc.readText();
    const textEnd = sc.pos;
    sc.readTag();
    if (sc.tagKind === TagKind.Close) {
      if (!sc.isClose('value')) sc.unexpectedTag('</value>');
      value = text;
    } else {
      if (text.trim() !== '') sc.fail('text mixed with an element inside <value>', textEnd);
      const type = sc.nameAmong(VALUE_TYPES) ?? sc.tagName;
      const empty = sc.tagKind === TagKind.Empty;
      if (type === 'array') {
        if (empty) value = [];
        else {
          sc.nextTag();
          if (!sc.isStart('data')) sc.unexpectedTag('<data>');
          if (sc.isEmpty()) {
            sc.expectClose('array');
            value = [];
          } else {
            if (stack.length >= maxDepth) sc.fail(`nesting deeper than ${maxDepth} levels`, sc.tagStart);
            stack.push({ items: [], struct: undefined, key: '' });
          }
        }
      } else if (type === 'struct') {
        if (empty) value = {};
        else {
          if (stack.length >= maxDepth) sc.fail(`nesting deeper than ${maxDepth} levels`, sc.tagStart);
          stack.push({ items: undefined, struct: {}, key: '' });
        }
      } else {
        value = parseScalar(sc, type, empty);
      }
      if (value !== undefined) sc.expectClose('value');
    }
    // Attach finished values to their containers until one wants another child.
    for (;;) {
      const top = stack[stack.length - 1];
      if (value !== undefined) {
        if (top === undefined) return value;
        if (top.items !== undefined) top.items.push(value);
        else {
          setMember(top.struct, top.key, value);
          sc.expectClose('member');
        }
        value = undefined;
      }
      if (top === undefined) sc.fail('internal error: empty container stack');
      sc.nextTag();
      if (top.items !== undefined) {
        if (sc.isOpen('value')) break;
        if (sc.isStart('value')) value = '';
        else if (sc.isClose('data')) {
          stack.pop();
          sc.expectClose('array');
          sc.expectClose('value');
          value = top.items;
        } else sc.unexpectedTag('<value> or </data>');
      } else {
        if (sc.isClose('struct')) {
          stack.pop();
          sc.expectClose('value');
          value = top.struct;
        } else if (sc.isOpen('member')) {
          top.key = readMemberName(sc);
          sc.nextTag();
          if (!sc.isStart('value')) sc.unexpectedTag('<value>');
          if (!sc.isEmpty()) break;
          value = '';
        } else sc.unexpectedTag('<member> or </struct>');
      }
    }
  }
}

/** Reads `<name>…</name>` right after `<member>`. */
function readMemberName(sc: Scanner): string {
  sc.nextTag();
  if (!sc.isStart('name')) {
    sc.fail('struct member without a <name>', sc.tagStart);
  }
  if (sc.isEmpty()) return '';
  const name = sc.readText();
  sc.expectCloseHere('name');
  return name;
}

/** Assigns a member; "__proto__" becomes an own property instead of replacing the prototype. */
function setMember(struct: { [key: string]: RpcValue }, key: string, value: RpcValue): void {
  if (key === '__proto__') {
    Object.defineProperty(struct, key, { value, enumerable: true, writable: true, configurable: true });
  } else struct[key] = value;
}

function toFault(sc: Scanner, value: RpcValue, at: number): XmlRpcFault {
  const fault = value as { faultCode?: unknown; faultString?: unknown };
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    typeof fault.faultCode !== 'number' ||
    typeof fault.faultString !== 'string'
  ) {
    sc.fail('a fault must be a struct with an integer faultCode and a string faultString', at);
  }
  return new XmlRpcFault(fault.faultCode, fault.faultString);
}
