/**
 * encodeMessage must write exactly rhea's bytes: receivers of the embedded
 * broker get what an AMQP sender would have sent for the same message.
 */
import { describe, expect, it } from 'bun:test';
import rhea from 'rhea';
import type { Message } from 'rhea';
import { encodeDirect, encodeMessage } from '../../src/mq/encode.ts';

/** Same bytes as rhea, or the same failure (rhea cannot write integers of 2^64 and above). */
function same(message: Message): void {
  const run = (fn: () => Buffer): string => {
    try {
      return fn().toString('hex');
    } catch (err) {
      return `throws ${(err as Error).name}`;
    }
  };
  expect(run(() => encodeMessage(message))).toBe(run(() => rhea.message.encode(message)));
}

const NUMBERS = [
  0, -0, 1, 127, 128, 255, 256, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER,
  -1, -127, -128, -129, -32768, -2147483646, -2147483647, -2147483648, -(2 ** 40) - 3, Number.MIN_SAFE_INTEGER,
  0.5, -1.25, 1e-300, 1e300, -1e300, 2 ** 53 + 2, Infinity, -Infinity, NaN,
];

describe('encodeMessage', () => {
  const hubMessage = {
    message_id: '019ab4e2-3c1d-7f00-8a8b-0123456789ab',
    to: 'topic://koji.package.add',
    application_properties: { type: 'PackageListChange', tag: 'f30', package: 'foo', user: 'admin', block: false, update: true, extra_arches: null },
    body: JSON.stringify({ tag: { id: 1, name: 'f30' }, package: { id: 2, name: 'foo' } }),
  };

  it('writes a hub bus message as rhea does, with and without ttl', () => {
    same(hubMessage);
    for (const ttl of [0, 1, 255, 256, 60000, 2 ** 32 - 1]) same({ ...hubMessage, ttl });
  });

  it('writes the hub bus shape itself and leaves other shapes to rhea', () => {
    expect(encodeDirect(hubMessage)).not.toBeNull();
    expect(encodeDirect({ ...hubMessage, ttl: 60000 })).not.toBeNull();
    expect(encodeDirect({ body: '' })).not.toBeNull();
    expect(encodeDirect({ ...hubMessage, subject: 'x' })).toBeNull();
    expect(encodeDirect({ ...hubMessage, message_id: 7 })).toBeNull();
    expect(encodeDirect({ ...hubMessage, body: { a: 1 } })).toBeNull();
    expect(encodeDirect({ ...hubMessage, application_properties: { big: 2 ** 60 } })).toBeNull();
  });

  it('types every kind of number as rhea does', () => {
    for (const n of NUMBERS) same({ message_id: 'x', to: 'a', application_properties: { n }, body: '' });
  });

  it('switches between str8 and str32 at 255 UTF-8 bytes, counting multi-byte characters', () => {
    for (const s of ['', 'a'.repeat(85), 'a'.repeat(86), 'a'.repeat(255), 'a'.repeat(256), 'é'.repeat(127), 'é'.repeat(128), '€'.repeat(85), '€'.repeat(86), '😀'.repeat(63), '😀'.repeat(64), 'x\ud800y', 'z'.repeat(70000)]) {
      same({ message_id: s, to: s, application_properties: { [s]: s }, body: s });
    }
  });

  it('leaves out what the message does not have, as rhea does', () => {
    same({ body: 'only a body' });
    same({ message_id: 'id only', body: '' });
    same({ to: 'to only', body: '' });
    same({ application_properties: {}, body: '' });
    same({ ttl: 5, body: '' });
  });

  it('hands any other shape to rhea, so the bytes still match', () => {
    same({ message_id: 42, to: 'a', body: 'numeric id' });
    same({ to: 'a', body: { a: [1, 'two', null] } });
    same({ to: 'a', subject: 'has a subject', body: 'x' });
    same({ to: 'a', application_properties: { nested: { a: 1 } } as Record<string, unknown>, body: 'x' });
    same({ to: 'a', application_properties: { when: new Date(1700000000000) } as Record<string, unknown>, body: 'x' });
    same({ to: 'a', ttl: 1.5, body: 'x' });
    same({ to: 'a', ttl: undefined, body: 'x' });
    same({ to: 'a', body: Buffer.from('bytes') });
  });

  it('matches rhea on random property sets', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    let direct = 0;
    const strings = ['', 'koji', 'ü', '名前', 'a'.repeat(300), 'b'.repeat(200)];
    for (let i = 0; i < 500; i++) {
      const props: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 12);
      for (let j = 0; j < n; j++) {
        props[`${pick(strings)}${j}`] = pick<unknown>([pick(strings), pick(NUMBERS), Math.floor(rnd() * 2 ** 33) - 2 ** 32, rnd() * 1000, true, false, null]);
      }
      const m = { message_id: `id-${i}`, to: `topic://koji.x${i}`, application_properties: props, body: pick(strings), ...(rnd() < 0.5 ? { ttl: Math.floor(rnd() * 100000) } : {}) };
      same(m);
      if (encodeDirect(m)) direct++;
    }
    // most of them exercise the direct writer, not the fallback
    expect(direct).toBeGreaterThan(250);
  });

  it('decodes back to the message it was given', () => {
    const m = { message_id: 'm1', to: 'topic://koji.build.tag', ttl: 3000, application_properties: { build: 'foo-1-1', id: 7, ok: true }, body: '{"a": 1}' };
    const back = rhea.message.decode(encodeMessage(m));
    expect(back.message_id).toBe('m1');
    expect(back.to).toBe('topic://koji.build.tag');
    expect(back.ttl).toBe(3000);
    expect(back.application_properties).toEqual({ build: 'foo-1-1', id: 7, ok: true });
    expect(back.body).toBe('{"a": 1}');
  });
});
