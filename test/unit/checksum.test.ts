import { describe, expect, it } from 'bun:test';
import { adler32, createVerifier, digestHex } from '../../src/core/checksum.ts';
import { inChunks } from '../../src/store/in-list.ts';

describe('adler32', () => {
  it('matches known values and continues a running sum', () => {
    expect(adler32(new TextEncoder().encode('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(new Uint8Array())).toBe(1);
    const data = new Uint8Array(100000).map((_, i) => (i * 7919) % 251);
    const whole = adler32(data);
    expect(adler32(data.subarray(60000), adler32(data.subarray(0, 60000)))).toBe(whole);
  });

  it('agrees with Python\'s zlib.adler32 on large inputs', () => {
    const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31 + (i >> 8)) & 0xff);
    const py = Bun.spawnSync(['/usr/bin/python3', '-c', 'import sys, zlib; print("%08x" % zlib.adler32(sys.stdin.buffer.read()))'], { stdin: data });
    expect(py.stdout.toString().trim()).toBe(digestHex('adler32', data));
  });
});

describe('createVerifier', () => {
  it('gives md5 and sha256 hex digests', () => {
    const v = createVerifier('md5');
    v.update(new TextEncoder().encode('abc'));
    expect(v.hexdigest()).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(digestHex('sha256', new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('inChunks', () => {
  it('pads lists to a few fixed lengths with their first value', () => {
    expect(inChunks([5])).toEqual([{ sql: '(?)', params: [5] }]);
    expect(inChunks([1, 2])).toEqual([{ sql: '(?, ?, ?, ?)', params: [1, 2, 1, 1] }]);
    const big = inChunks(Array.from({ length: 300 }, (_, i) => i));
    expect(big.map((c) => c.params.length)).toEqual([256, 64]);
    expect(big[1]!.params.slice(44)).toEqual(Array(20).fill(256));
    expect(inChunks([])).toEqual([]);
  });
});
