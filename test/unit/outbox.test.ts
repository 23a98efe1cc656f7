import { describe, expect, it } from 'bun:test';
import { Store } from '../../src/store/db.ts';
import { deleteOutbox, insertOutbox, oldestOutboxCreated, outboxAfter, rejectOutbox, rejectedOutbox, OUTBOX_REJECTED_SQL } from '../../src/store/outbox.ts';

function store(): Store {
  const s = new Store(':memory:');
  s.migrate([{ id: 'plugin-protonmsg-001', sql: OUTBOX_REJECTED_SQL }]);
  return s;
}

function add(s: Store, n: number, created = 100): number[] {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(insertOutbox(s, { address: 'topic://koji.x', props: `{"i": ${i}}`, body: '{}', messageId: Bun.randomUUIDv7(), created: created + i }));
  return ids;
}

describe('deleteOutbox', () => {
  it('deletes exactly the given ids, consecutive or not', () => {
    const s = store();
    const ids = add(s, 10);
    expect(deleteOutbox(s, [ids[2]!, ids[3]!, ids[4]!])).toBe(3);
    expect(deleteOutbox(s, [ids[0]!, ids[9]!])).toBe(2);
    expect(outboxAfter(s, 0, 100).map((r) => r.id)).toEqual([ids[1]!, ids[5]!, ids[6]!, ids[7]!, ids[8]!]);
  });

  it('leaves rows inside a range whose ids were not all given', () => {
    const s = store();
    const ids = add(s, 5);
    // 1, 3 and 5 span 1..5 but are not consecutive: 2 and 4 must stay
    expect(deleteOutbox(s, [ids[0]!, ids[2]!, ids[4]!])).toBe(3);
    expect(outboxAfter(s, 0, 100).map((r) => r.id)).toEqual([ids[1]!, ids[3]!]);
  });
});

describe('outbox', () => {
  it('reuses ids once the highest row is gone, which is why the sender reads from 0 when idle', () => {
    const s = store();
    const [a, b] = add(s, 2);
    deleteOutbox(s, [a!, b!]);
    const [c] = add(s, 1);
    expect(c).toBe(a!);
    expect(outboxAfter(s, b!, 10)).toEqual([]);
    expect(outboxAfter(s, 0, 10).map((r) => r.id)).toEqual([c!]);
  });

  it('moves a rejected row aside with its reason and reports the oldest creation time', () => {
    const s = store();
    const ids = add(s, 3, 50);
    expect(oldestOutboxCreated(s)).toBe(50);
    rejectOutbox(s, ids[0]!, 'amqp:precondition-failed: nope', 60);
    expect(outboxAfter(s, 0, 10).map((r) => r.id)).toEqual([ids[1]!, ids[2]!]);
    expect(rejectedOutbox(s).map((r) => [JSON.parse(r.props).i, r.reason])).toEqual([[0, 'amqp:precondition-failed: nope']]);
    expect(oldestOutboxCreated(s)).toBe(51);
  });
});
