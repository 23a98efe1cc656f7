/**
 * @module
 * Tests for the XML-RPC codec: round trips, documents produced by Python's
 * xmlrpc.client (with koji's <i8> marshalling), Python parsing our output,
 * and hostile input that must fail fast with XmlRpcParseError.
 */

import { describe, expect, it } from 'bun:test';
import {
  RpcDouble,
  XmlRpcFault,
  XmlRpcParseError,
  encodeFault,
  encodeMethodCall,
  encodeResponse,
  encodeValue,
  formatDouble,
  parseMethodCall,
  parseMethodResponse,
} from '../../src/core/xmlrpc.ts';
import type { RpcValue } from '../../src/core/xmlrpc.ts';

/** Wraps one <value> in a response document. */
function response(value: string): string {
  return `<?xml version="1.0"?><methodResponse><params><param>${value}</param></params></methodResponse>`;
}

function roundTrip(value: RpcValue): RpcValue {
  return parseMethodResponse(encodeResponse(value));
}

/** Asserts that parsing fails with XmlRpcParseError matching `pattern`, within `ms`. */
function expectRejected(parse: () => unknown, pattern: RegExp, ms = 500): void {
  const start = performance.now();
  let error: unknown;
  try {
    parse();
  } catch (e) {
    error = e;
  }
  const elapsed = performance.now() - start;
  expect(error).toBeInstanceOf(XmlRpcParseError);
  expect((error as Error).message).toMatch(pattern);
  expect(elapsed).toBeLessThan(ms);
}

// Produced by Python 3.11 xmlrpc.client.dumps with allow_none=True and a
// Marshaller that writes <i8> beyond 32 bits as koji's does.
const PY_CALL_STRUCT =
  "<?xml version='1.0'?>\n<methodCall>\n<methodName>m</methodName>\n<params>\n<param>\n<value><struct>\n<member>\n<name>a</name>\n<value><nil/></value></member>\n<member>\n<name>b</name>\n<value><i8>1099511627776</i8></value>\n</member>\n<member>\n<name>c</name>\n<value><base64>\nAAE=\n</base64></value>\n</member>\n<member>\n<name>d</name>\n<value><double>1.5</double></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n";
const PY_RESPONSE_ARRAY =
  "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><int>1</int></value>\n<value><boolean>1</boolean></value>\n<value><string>a&lt;b&amp;c&gt;\"'</string></value>\n<value><string>héllo ☃ 😀</string></value>\n<value><int>-2147483648</int></value>\n<value><int>2147483647</int></value>\n<value><double>1e-05</double></value>\n<value><double>1e+16</double></value>\n<value><double>0.1</double></value>\n<value><dateTime.iso8601>20240501T12:00:00</dateTime.iso8601></value>\n<value><array><data>\n</data></array></value>\n<value><struct>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n";
const PY_FAULT =
  "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>1000</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>Invalid method: foo &lt;x&gt;</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n";
const PY_CALL_NO_PARAMS =
  "<?xml version='1.0'?>\n<methodCall>\n<methodName>system.listMethods</methodName>\n<params>\n</params>\n</methodCall>\n";
const PY_CALL_LONG_BASE64 =
  "<?xml version='1.0'?>\n<methodCall>\n<methodName>m</methodName>\n<params>\n<param>\n<value><base64>\neHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4\neHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA==\n</base64></value>\n</param>\n</params>\n</methodCall>\n";

describe('parseMethodCall', () => {
  it('reads a call produced by Python with nil, i8, base64 and double', () => {
    expect(parseMethodCall(PY_CALL_STRUCT)).toEqual({
      methodName: 'm',
      params: [{ a: null, b: 1099511627776, c: new Uint8Array([0, 1]), d: 1.5 }],
    });
  });

  it('reads a call without parameters', () => {
    expect(parseMethodCall(PY_CALL_NO_PARAMS)).toEqual({ methodName: 'system.listMethods', params: [] });
    expect(parseMethodCall('<methodCall><methodName>a.b</methodName><params/></methodCall>').params).toEqual([]);
    expect(parseMethodCall('<methodCall><methodName>a.b</methodName></methodCall>').params).toEqual([]);
  });

  it('reads base64 spread over several lines', () => {
    const [data] = parseMethodCall(PY_CALL_LONG_BASE64).params;
    expect(data).toEqual(new TextEncoder().encode('x'.repeat(100)));
  });

  it('reads several parameters including a kwargs struct', () => {
    const xml =
      '<methodCall><methodName>getTag</methodName><params>' +
      '<param><value><string>f40-build</string></value></param>' +
      '<param><value><struct><member><name>strict</name><value><boolean>1</boolean></value></member>' +
      '<member><name>__starstar</name><value><boolean>1</boolean></value></member></struct></value></param>' +
      '</params></methodCall>';
    expect(parseMethodCall(xml)).toEqual({
      methodName: 'getTag',
      params: ['f40-build', { strict: true, __starstar: true }],
    });
  });

  it('accepts UTF-8 bytes as well as a string', () => {
    const bytes = new TextEncoder().encode(encodeMethodCall('m', ['snowman ☃']));
    expect(parseMethodCall(bytes)).toEqual({ methodName: 'm', params: ['snowman ☃'] });
  });

  it('decodes bytes in the encoding named by the XML declaration', () => {
    const head = "<?xml version='1.0' encoding='iso-8859-1'?><methodCall><methodName>m</methodName><params><param><value>";
    const bytes = new Uint8Array([...new TextEncoder().encode(head), 0x63, 0x61, 0x66, 0xe9, ...new TextEncoder().encode('</value></param></params></methodCall>')]);
    expect(parseMethodCall(bytes).params).toEqual(['café']);
  });

  it('rejects bytes that are not valid UTF-8', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('<methodCall><methodName>'), 0xff, 0xfe]);
    expectRejected(() => parseMethodCall(bytes), /not valid utf-8/);
  });

  it('rejects a response document', () => {
    expectRejected(() => parseMethodCall(PY_FAULT), /expected <methodCall> but found <methodResponse>/);
  });
});

describe('parseMethodResponse', () => {
  it('reads a response produced by Python with every scalar type', () => {
    expect(parseMethodResponse(PY_RESPONSE_ARRAY)).toEqual([
      1,
      true,
      'a<b&c>"\'',
      'héllo ☃ 😀',
      -2147483648,
      2147483647,
      1e-5,
      1e16,
      0.1,
      new Date(Date.UTC(2024, 4, 1, 12, 0, 0)),
      [],
      {},
    ]);
  });

  it('throws XmlRpcFault for a fault produced by Python', () => {
    let fault: unknown;
    try {
      parseMethodResponse(PY_FAULT);
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(XmlRpcFault);
    expect((fault as XmlRpcFault).faultCode).toBe(1000);
    expect((fault as XmlRpcFault).faultString).toBe('Invalid method: foo <x>');
  });

  it('treats a bare value and an empty value as strings, keeping whitespace', () => {
    expect(parseMethodResponse(response('<value>  two  words </value>'))).toBe('  two  words ');
    expect(parseMethodResponse(response('<value/>'))).toBe('');
    expect(parseMethodResponse(response('<value></value>'))).toBe('');
    expect(parseMethodResponse(response('<value><string/></value>'))).toBe('');
    expect(parseMethodResponse(response('<value><string> x\n</string></value>'))).toBe(' x\n');
  });

  it('ignores whitespace and comments between elements', () => {
    const xml = response('<value>\n  <!-- a comment -->\n  <array>\n <data>\n <value> <int> 7 </int> </value>\n </data> </array>\n</value>');
    expect(parseMethodResponse(xml)).toEqual([7]);
  });

  it('accepts <nil/> in both plain and ex: namespaced forms', () => {
    expect(parseMethodResponse(response('<value><nil/></value>'))).toBeNull();
    expect(parseMethodResponse(response('<value><nil></nil></value>'))).toBeNull();
    const apache =
      '<methodResponse xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"><params><param>' +
      '<value><ex:nil/></value></param></params></methodResponse>';
    expect(parseMethodResponse(apache)).toBeNull();
  });

  it('reads int, i4, i8 and booleans', () => {
    expect(parseMethodResponse(response('<value><i4>-5</i4></value>'))).toBe(-5);
    expect(parseMethodResponse(response('<value><int>+12</int></value>'))).toBe(12);
    expect(parseMethodResponse(response('<value><int>-0</int></value>'))).toBe(0);
    expect(parseMethodResponse(response('<value><boolean>0</boolean></value>'))).toBe(false);
    expect(parseMethodResponse(response('<value><boolean>1</boolean></value>'))).toBe(true);
  });

  it('returns numbers up to MAX_SAFE_INTEGER and bigints beyond', () => {
    const i8 = (s: string) => parseMethodResponse(response(`<value><i8>${s}</i8></value>`));
    expect(i8('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(i8('-9007199254740991')).toBe(Number.MIN_SAFE_INTEGER);
    expect(i8('9007199254740992')).toBe(9007199254740992n);
    expect(i8('-9007199254740992')).toBe(-9007199254740992n);
    expect(i8('9223372036854775807')).toBe(9223372036854775807n);
    expect(i8('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(i8('00000000000000000000000042')).toBe(42);
  });

  it('reads doubles including the special values Python writes', () => {
    const dbl = (s: string) => parseMethodResponse(response(`<value><double>${s}</double></value>`));
    expect(dbl('1.5e+300')).toBe(1.5e300);
    expect(dbl('-0.0')).toBe(-0);
    expect(dbl('.5')).toBe(0.5);
    expect(dbl('3')).toBe(3);
    expect(dbl('nan')).toBeNaN();
    expect(dbl('inf')).toBe(Number.POSITIVE_INFINITY);
    expect(dbl('-inf')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reads dateTime.iso8601 with or without dashes as UTC', () => {
    const dt = (s: string) => parseMethodResponse(response(`<value><dateTime.iso8601>${s}</dateTime.iso8601></value>`));
    const expected = new Date(Date.UTC(2024, 1, 29, 23, 59, 58));
    expect(dt('20240229T23:59:58')).toEqual(expected);
    expect(dt('2024-02-29T23:59:58')).toEqual(expected);
    expect(dt('2024-03-01T01:59:58+02:00')).toEqual(expected);
    expect((dt('00500101T00:00:00') as Date).getUTCFullYear()).toBe(50);
    expectRejected(() => dt('20230229T00:00:00'), /bad dateTime/);
    expectRejected(() => dt('yesterday'), /bad dateTime/);
  });

  it('decodes the predefined entities, numeric references and CDATA', () => {
    const xml = response('<value><string>&amp;&lt;&gt;&quot;&apos;&#65;&#x263A;&#x1F600;&#13;<![CDATA[<raw & text>]]></string></value>');
    expect(parseMethodResponse(xml)).toBe('&<>"\'A☺😀\r<raw & text>');
  });

  it('normalises raw line ends as XML requires', () => {
    expect(parseMethodResponse(response('<value><string>a\r\nb\rc</string></value>'))).toBe('a\nb\nc');
  });

  it('keeps a member named __proto__ as data', () => {
    const xml = response('<value><struct><member><name>__proto__</name><value><int>1</int></value></member></struct></value>');
    const struct = parseMethodResponse(xml) as Record<string, RpcValue>;
    expect(Object.getPrototypeOf(struct)).toBe(Object.prototype);
    expect(Object.keys(struct)).toEqual(['__proto__']);
    expect(struct.__proto__).toBe(1);
  });

  it('lets the last of two members with one name win, as a Python dict does', () => {
    const xml = response(
      '<value><struct><member><name>k</name><value>1</value></member><member><name>k</name><value>2</value></member></struct></value>',
    );
    expect(parseMethodResponse(xml)).toEqual({ k: '2' });
  });

  it('rejects a response with no value or with two', () => {
    expectRejected(() => parseMethodResponse('<methodResponse><params></params></methodResponse>'), /exactly one value, not 0/);
    expectRejected(
      () => parseMethodResponse('<methodResponse><params><param><value/></param><param><value/></param></params></methodResponse>'),
      /exactly one value, not 2/,
    );
  });

  it('rejects a fault that lacks faultCode', () => {
    const xml = '<methodResponse><fault><value><struct><member><name>faultString</name><value>x</value></member></struct></value></fault></methodResponse>';
    expectRejected(() => parseMethodResponse(xml), /integer faultCode/);
  });
});

describe('encodeValue', () => {
  it('writes each scalar type as Python does', () => {
    expect(encodeValue(null)).toBe('<value><nil/></value>');
    expect(encodeValue(true)).toBe('<value><boolean>1</boolean></value>');
    expect(encodeValue(false)).toBe('<value><boolean>0</boolean></value>');
    expect(encodeValue(42)).toBe('<value><int>42</int></value>');
    expect(encodeValue(1.5)).toBe('<value><double>1.5</double></value>');
    expect(encodeValue(new RpcDouble(1714564800))).toBe('<value><double>1714564800.0</double></value>');
    expect(encodeValue('a<b&c>"\'')).toBe('<value><string>a&lt;b&amp;c&gt;"\'</string></value>');
    expect(encodeValue(new Date(Date.UTC(2024, 4, 1, 2, 3, 4)))).toBe(
      '<value><dateTime.iso8601>20240501T02:03:04</dateTime.iso8601></value>',
    );
    expect(encodeValue(new Uint8Array([0, 1]))).toBe('<value><base64>AAE=</base64></value>');
  });

  it('switches from int to i8 exactly beyond the 32-bit range', () => {
    expect(encodeValue(2147483647)).toBe('<value><int>2147483647</int></value>');
    expect(encodeValue(-2147483648)).toBe('<value><int>-2147483648</int></value>');
    expect(encodeValue(2147483648)).toBe('<value><i8>2147483648</i8></value>');
    expect(encodeValue(-2147483649)).toBe('<value><i8>-2147483649</i8></value>');
    expect(encodeValue(2 ** 60)).toBe('<value><i8>1152921504606846976</i8></value>');
    expect(encodeValue(9223372036854775807n)).toBe('<value><i8>9223372036854775807</i8></value>');
    expect(encodeValue(-9223372036854775808n)).toBe('<value><i8>-9223372036854775808</i8></value>');
  });

  it('refuses bigints beyond 64 bits and infinite doubles', () => {
    expect(() => encodeValue(2n ** 63n)).toThrow(RangeError);
    expect(() => encodeValue(-(2n ** 63n) - 1n)).toThrow(RangeError);
    expect(() => encodeValue(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => encodeValue(new RpcDouble(Number.NEGATIVE_INFINITY))).toThrow(RangeError);
  });

  it('sends integral numbers beyond 64 bits as doubles', () => {
    expect(encodeValue(1e20)).toBe('<value><double>1e+20</double></value>');
  });

  it('skips struct members whose value is undefined', () => {
    const value = { a: 1, b: undefined } as unknown as RpcValue;
    expect(encodeValue(value)).toBe('<value><struct><member><name>a</name><value><int>1</int></value></member></struct></value>');
  });

  it('refuses cyclic values and objects that are not plain', () => {
    const cyclic: RpcValue[] = [];
    cyclic.push(cyclic);
    expect(() => encodeValue(cyclic)).toThrow(/cyclic/);
    expect(() => encodeValue(new (class Thing {})() as unknown as RpcValue)).toThrow(/cannot marshal Thing/);
  });
});

describe('formatDouble', () => {
  it('matches Python repr', () => {
    const cases: [number, string][] = [
      [1e-5, '1e-05'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [123, '123.0'],
      [-0, '-0.0'],
      [1.5e300, '1.5e+300'],
      [5e-324, '5e-324'],
      [Number.NaN, 'nan'],
      [1714564800, '1714564800.0'],
      [0.0001, '0.0001'],
      [1e22, '1e+22'],
      [1.2345678901234567e-7, '1.2345678901234566e-07'],
    ];
    for (const [value, repr] of cases) expect(formatDouble(value)).toBe(repr);
  });
});

describe('round trips', () => {
  it('preserves every type through encodeResponse and parseMethodResponse', () => {
    const value: RpcValue = {
      nil: null,
      yes: true,
      no: false,
      int: -7,
      i8: 2 ** 40,
      big: 2n ** 62n,
      double: 0.1,
      integralDouble: new RpcDouble(3),
      string: 'tab\tnewline\nCR\r&<>]]>',
      unicode: 'Grüße ☃ 😀 中文',
      empty: '',
      date: new Date(Date.UTC(1999, 11, 31, 23, 59, 59)),
      bytes: new Uint8Array([0, 255, 1, 254]),
      emptyBytes: new Uint8Array(0),
      list: [1, 'two', [3, [4, { five: 5 }]], []],
      struct: { 'key with spaces & <odd>': { nested: [] } },
    };
    const expected = { ...value, integralDouble: 3 };
    expect(roundTrip(value)).toEqual(expected);
  });

  it('preserves a call through encodeMethodCall and parseMethodCall', () => {
    const params: RpcValue[] = ['a&b', 1, null, { __starstar: true, strict: false }];
    expect(parseMethodCall(encodeMethodCall('repo.request', params))).toEqual({ methodName: 'repo.request', params });
  });

  it('preserves a fault through encodeFault and parseMethodResponse', () => {
    const xml = encodeFault(1019, "getTag() got an unexpected keyword argument 'x' <&>");
    expect(() => parseMethodResponse(xml)).toThrow(XmlRpcFault);
    try {
      parseMethodResponse(xml);
    } catch (e) {
      expect((e as XmlRpcFault).faultCode).toBe(1019);
      expect((e as XmlRpcFault).faultString).toBe("getTag() got an unexpected keyword argument 'x' <&>");
    }
  });

  it('refuses a fault code that is not a 32-bit integer', () => {
    expect(() => encodeFault(1.5, 'x')).toThrow(RangeError);
  });
});

describe('interoperability with Python xmlrpc.client', () => {
  /** Runs a Python snippet with `data` (our XML) on stdin; returns its stdout. */
  function python(script: string, data: string): string {
    const result = Bun.spawnSync(['python3', '-c', script], { stdin: new TextEncoder().encode(data) });
    if (result.exitCode !== 0) throw new Error(`python3 failed: ${result.stderr.toString()}`);
    return result.stdout.toString().trim();
  }
  const LOADS = 'import sys, xmlrpc.client as x; print(repr(x.loads(sys.stdin.buffer.read(), use_builtin_types=True)))';

  it('parses our response with every type', () => {
    const xml = encodeResponse({
      a: null,
      b: 2 ** 40,
      c: new Uint8Array([0, 1]),
      d: 1.5,
      e: [true, false, -3, 'x<&>\r\n"', 'ü☃😀'],
      f: new Date(Date.UTC(2024, 4, 1, 12, 0, 0)),
      g: new RpcDouble(1714564800),
      h: -(2n ** 63n),
    });
    expect(python(LOADS, xml)).toBe(
      "(({'a': None, 'b': 1099511627776, 'c': b'\\x00\\x01', 'd': 1.5, " +
        "'e': [True, False, -3, 'x<&>\\r\\n\"', 'ü☃😀'], 'f': datetime.datetime(2024, 5, 1, 12, 0), " +
        "'g': 1714564800.0, 'h': -9223372036854775808},), None)",
    );
  });

  it('parses our method call', () => {
    expect(python(LOADS, encodeMethodCall('repo.request', ['f40', { __starstar: true }]))).toBe(
      "(('f40', {'__starstar': True}), 'repo.request')",
    );
  });

  it('parses our fault', () => {
    const script =
      'import sys, xmlrpc.client as x\ntry:\n  x.loads(sys.stdin.buffer.read())\nexcept x.Fault as f:\n  print(f.faultCode, repr(f.faultString))';
    expect(python(script, encodeFault(1000, 'Invalid method: <nope> & more'))).toBe("1000 'Invalid method: <nope> & more'");
  });
});

describe('hostile input', () => {
  it('refuses a DOCTYPE with entity definitions (billion laughs)', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' +
      '<methodCall><methodName>&lol2;</methodName></methodCall>';
    expectRejected(() => parseMethodCall(laughs), /DOCTYPE declarations are not allowed/);
  });

  it('refuses an ENTITY declaration and undeclared entities', () => {
    expectRejected(() => parseMethodCall('<!ENTITY x "y"><methodCall/>'), /ENTITY declarations are not allowed/);
    expectRejected(() => parseMethodResponse(response('<value>&ext;</value>')), /unknown entity &ext;/);
    expectRejected(() => parseMethodResponse(response('<value>&#0;</value>')), /invalid character reference/);
    expectRejected(() => parseMethodResponse(response('<value>a & b</value>')), /stray '&'/);
  });

  it('refuses 10000 nested arrays at the depth limit', () => {
    const deep = response('<value><array><data>'.repeat(10000) + '</data></array></value>'.repeat(10000));
    expectRejected(() => parseMethodResponse(deep), /nesting deeper than 64 levels/);
  });

  it('refuses 100000 nested structs without recursing', () => {
    const open = '<value><struct><member><name>k</name>';
    const deep = response(open.repeat(100000));
    expectRejected(() => parseMethodResponse(deep, { maxDepth: 1000 }), /nesting deeper than 1000 levels/);
  });

  it('accepts nesting up to maxDepth', () => {
    const depth = 64;
    const xml = response('<value><array><data>'.repeat(depth) + '</data></array></value>'.repeat(depth));
    let value = parseMethodResponse(xml);
    for (let i = 1; i < depth; i++) value = (value as RpcValue[])[0] as RpcValue;
    expect(value).toEqual([]);
  });

  it('refuses unterminated documents', () => {
    expectRejected(() => parseMethodCall('<methodCall><methodName>x'), /unexpected end of input/);
    expectRejected(() => parseMethodCall('<methodCall><methodName>x</methodName><params><param><value><string>abc'), /end of input/);
    expectRejected(() => parseMethodCall('<methodCall><methodName>x</methodName><params'), /end of input inside a tag/);
    expectRejected(() => parseMethodCall('<methodCall><!-- never closed'), /unterminated comment/);
    expectRejected(() => parseMethodCall(''), /end of input/);
  });

  it('refuses unknown elements and mismatched tags', () => {
    expectRejected(() => parseMethodResponse(response('<value><bogus>1</bogus></value>')), /unknown element <bogus>/);
    expectRejected(() => parseMethodResponse(response('<value><int>1</i4></value>')), /expected <\/int> but found <\/i4>/);
    expectRejected(
      () => parseMethodResponse(response('<value><array><value>1</value></array></value>')),
      /expected <data> but found <value>/,
    );
  });

  it('refuses a struct member without a name', () => {
    const xml = response('<value><struct><member><value><int>1</int></value></member></struct></value>');
    expectRejected(() => parseMethodResponse(xml), /struct member without a <name>/);
  });

  it('refuses malformed scalars', () => {
    expectRejected(() => parseMethodResponse(response('<value><int>12a</int></value>')), /bad integer value/);
    expectRejected(() => parseMethodResponse(response('<value><int/></value>')), /bad integer value/);
    expectRejected(() => parseMethodResponse(response('<value><boolean>true</boolean></value>')), /bad boolean value/);
    expectRejected(() => parseMethodResponse(response('<value><double>1.2.3</double></value>')), /bad double value/);
    expectRejected(() => parseMethodResponse(response('<value><base64>@@@@</base64></value>')), /bad base64/);
    expectRejected(() => parseMethodResponse(response('<value>text<int>1</int></value>')), /text mixed with an element/);
  });

  it('refuses text after the root element and processing instructions', () => {
    expectRejected(() => parseMethodResponse(response('<value/>') + '<extra/>'), /after the root element/);
    expectRejected(() => parseMethodCall('<?php evil() ?><methodCall/>'), /processing instructions/);
  });

  it('refuses documents over maxBytes before looking at them', () => {
    expectRejected(() => parseMethodCall(encodeMethodCall('m', ['x'.repeat(2000)]), { maxBytes: 1000 }), /larger than the limit of 1000 bytes/);
    // 1000 three-byte characters: short as a string, long in UTF-8
    expectRejected(() => parseMethodCall(encodeMethodCall('m', ['☃'.repeat(1000)]), { maxBytes: 2500 }), /larger than the limit/);
    expectRejected(() => parseMethodCall(new Uint8Array(2000), { maxBytes: 1000 }), /larger than the limit/);
  });

  it('refuses a 65 MiB string under the default limit', () => {
    const huge = response(`<value><string>${'x'.repeat(65 * 1024 * 1024)}</string></value>`);
    expectRejected(() => parseMethodResponse(huge), /larger than the limit of 67108864 bytes/);
  });

  it('refuses documents with more tags than maxNodes', () => {
    const xml = response(`<value><array><data>${'<value/>'.repeat(100)}</data></array></value>`);
    expectRejected(() => parseMethodResponse(xml, { maxNodes: 50 }), /more than 50 tags/);
    expect(parseMethodResponse(xml, { maxNodes: 200 })).toHaveLength(100);
  });

  it('reports the line and column of the error', () => {
    expectRejected(() => parseMethodCall('<methodCall>\n  <oops/>\n</methodCall>'), /line 2, column 3: expected <methodName> but found <oops\/>/);
  });
});
