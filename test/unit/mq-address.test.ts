import { describe, expect, it } from 'bun:test';
import { compileAddress, normaliseAddress } from '../../src/mq/address.ts';

describe('normaliseAddress', () => {
  it('strips the topic prefixes ActiveMQ, RabbitMQ and Qpid clients use', () => {
    expect(normaliseAddress('topic://koji.build.complete')).toBe('koji.build.complete');
    expect(normaliseAddress('/topic/koji.build.complete')).toBe('koji.build.complete');
    expect(normaliseAddress('/exchange/amq.topic/koji.build.complete')).toBe('koji.build.complete');
    expect(normaliseAddress('queue://koji.build.complete')).toBe('koji.build.complete');
    expect(normaliseAddress('koji.build.complete')).toBe('koji.build.complete');
  });

  it('strips only one prefix and keeps everything else literally', () => {
    expect(normaliseAddress('topic:///topic/x')).toBe('/topic/x');
    expect(normaliseAddress('Topic://x')).toBe('Topic://x');
  });
});

describe('compileAddress', () => {
  it('matches a plain address exactly, whatever prefix it was written with', () => {
    const pattern = compileAddress('/topic/koji.build.complete');
    expect(pattern.wildcard).toBe(false);
    expect(pattern.matches('koji.build.complete')).toBe(true);
    expect(pattern.matches('koji.build.completed')).toBe(false);
  });

  it('lets * stand for exactly one word', () => {
    const pattern = compileAddress('koji.*.complete');
    expect(pattern.matches('koji.build.complete')).toBe(true);
    expect(pattern.matches('koji.complete')).toBe(false);
    expect(pattern.matches('koji.a.b.complete')).toBe(false);
  });

  it('lets # stand for zero or more words', () => {
    const pattern = compileAddress('topic://koji.#');
    expect(pattern.matches('koji')).toBe(true);
    expect(pattern.matches('koji.build')).toBe(true);
    expect(pattern.matches('koji.build.state.change')).toBe(true);
    expect(pattern.matches('kojix.build')).toBe(false);
    const middle = compileAddress('koji.#.complete');
    expect(middle.matches('koji.complete')).toBe(true);
    expect(middle.matches('koji.a.b.complete')).toBe(true);
    expect(middle.matches('koji.a.b.completed')).toBe(false);
  });

  it('handles several # words without blowing up', () => {
    const pattern = compileAddress('#.#.#.#.#.#.#.#.z');
    expect(pattern.matches(Array.from({ length: 40 }, () => 'a').join('.'))).toBe(false);
    expect(pattern.matches('a.b.z')).toBe(true);
  });

  it('treats * and # inside a word literally', () => {
    const pattern = compileAddress('koji.build*');
    expect(pattern.wildcard).toBe(false);
    expect(pattern.matches('koji.buildx')).toBe(false);
    expect(pattern.matches('koji.build*')).toBe(true);
  });
});

describe('compileAddress answers', () => {
  it('stay right when asked again and after many different topics', () => {
    const p = compileAddress('koji.#.tag');
    for (let round = 0; round < 2; round++) {
      expect(p.matches('koji.build.tag')).toBe(true);
      expect(p.matches('koji.tag')).toBe(true);
      expect(p.matches('koji.build.untag')).toBe(false);
    }
    for (let i = 0; i < 3000; i++) expect(p.matches(`koji.x${i}.tag`)).toBe(true);
    expect(p.matches('koji.build.untag')).toBe(false);
    expect(p.matches('other.tag')).toBe(false);
  });
});
