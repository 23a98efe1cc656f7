import { describe, expect, it } from 'bun:test';
import { pyJsonDumps, pyIsoformat } from '../../plugins/protonmsg/json.ts';
import { RpcDouble } from '../../src/core/xmlrpc.ts';

/** What CPython's json.dumps writes for a JSON document (parsed there from `json`). */
function pythonDumps(json: string, extra = ''): string {
  const code = `import json,sys\nv=json.loads(sys.stdin.read())\n${extra}\nsys.stdout.write(json.dumps(v))`;
  const p = Bun.spawnSync(['/usr/bin/python3', '-c', code], { stdin: new TextEncoder().encode(json) });
  if (p.exitCode !== 0) throw new Error(p.stderr.toString());
  return p.stdout.toString();
}

describe('pyJsonDumps', () => {
  it('writes what CPython json.dumps writes for nested data with unicode and escapes', () => {
    const value = {
      name: 'perl-Ünïcode',
      nested: { list: [1, -2, true, false, null, 'tab\there', 'quote"back\\slash'], empty: {}, none: [] },
      emoji: 'rocket 🚀',
      control: '\u0001\u001f\u007f',
      big: 9007199254740991,
    };
    expect(pyJsonDumps(value)).toBe(pythonDumps(JSON.stringify(value)));
  });

  it('writes floats in Python repr, including RpcDouble for integral timestamps', () => {
    const out = pyJsonDumps({ a: 0.1, b: 1e-7, c: 1.5e300, ts: new RpcDouble(1700000000), half: new RpcDouble(1700000000.5) });
    expect(out).toBe(pythonDumps('{"a": 0.1, "b": 1e-7, "c": 1.5e300, "ts": 1700000000.0, "half": 1700000000.5}'));
    expect(out).toContain('"ts": 1700000000.0');
  });

  it('writes NaN and Infinity bare as json.dumps does', () => {
    expect(pyJsonDumps([Number.NaN, Infinity, -Infinity])).toBe('[NaN, Infinity, -Infinity]');
  });

  it("turns dates into isoformat(' ') text and bytes into Koji's can't-serialize marker", () => {
    expect(pyJsonDumps({ d: new Date(Date.UTC(2024, 4, 1, 12, 0, 0)) })).toBe('{"d": "2024-05-01 12:00:00"}');
    expect(pyIsoformat(new Date(Date.UTC(2024, 4, 1, 12, 0, 0, 250)))).toBe('2024-05-01 12:00:00.250000');
    expect(pyJsonDumps({ b: new Uint8Array([1]) })).toBe(`{"b": {"error": "Can't serialize", "type": "<class 'bytes'>"}}`);
  });

  it('leaves out undefined members and writes sets as lists', () => {
    expect(pyJsonDumps({ a: undefined, b: new Set([1, 2]) })).toBe('{"b": [1, 2]}');
  });
});
