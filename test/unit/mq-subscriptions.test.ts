import { describe, expect, it } from 'bun:test';
import { TopicRouter } from '../../src/mq/subscriptions.ts';
import type { Outlet, QueuedMessage } from '../../src/mq/subscriptions.ts';
import { SelectorSyntaxError } from '../../src/mq/selector.ts';

/** An outlet with a credit counter, recording what it was sent. */
class CreditOutlet implements Outlet {
  sent: string[] = [];
  constructor(public credit: number) {}
  canSend(): boolean {
    return this.credit > 0;
  }
  send(message: QueuedMessage): void {
    this.credit--;
    this.sent.push(message.payload.toString());
  }
}

function msg(topic: string, body: string): QueuedMessage {
  return { topic, payload: Buffer.from(body) };
}

const noProps = () => null;

describe('TopicRouter', () => {
  it('fans a message out to every matching subscription', () => {
    const router = new TopicRouter(10, () => {});
    const a = new CreditOutlet(5);
    const b = new CreditOutlet(5);
    const other = new CreditOutlet(5);
    router.attach({ address: 'topic://koji.build', selector: null, durable: null }, a);
    router.attach({ address: 'koji.#', selector: null, durable: null }, b);
    router.attach({ address: 'koji.task', selector: null, durable: null }, other);
    expect(router.route(msg('koji.build', 'm1'), noProps)).toBe(2);
    expect(a.sent).toEqual(['m1']);
    expect(b.sent).toEqual(['m1']);
    expect(other.sent).toEqual([]);
  });

  it('holds messages beyond credit and sends them when pumped', () => {
    const router = new TopicRouter(10, () => {});
    const outlet = new CreditOutlet(1);
    const sub = router.attach({ address: 'x', selector: null, durable: null }, outlet);
    router.route(msg('x', '1'), noProps);
    router.route(msg('x', '2'), noProps);
    router.route(msg('x', '3'), noProps);
    expect(outlet.sent).toEqual(['1']);
    expect(sub.queue.length).toBe(2);
    outlet.credit = 5;
    router.pump(sub);
    expect(outlet.sent).toEqual(['1', '2', '3']);
  });

  it('applies the subscription selector', () => {
    const router = new TopicRouter(10, () => {});
    const outlet = new CreditOutlet(5);
    router.attach({ address: 'x', selector: "kind = 'a'", durable: null }, outlet);
    router.route(msg('x', 'no'), (name) => (name === 'kind' ? 'b' : null));
    router.route(msg('x', 'yes'), (name) => (name === 'kind' ? 'a' : null));
    expect(outlet.sent).toEqual(['yes']);
  });

  it('treats a blank selector as none', () => {
    const router = new TopicRouter(10, () => {});
    const outlet = new CreditOutlet(5);
    router.attach({ address: 'x', selector: '  ', durable: null }, outlet);
    router.route(msg('x', 'm'), noProps);
    expect(outlet.sent).toEqual(['m']);
  });

  it('throws on a bad selector without registering anything', () => {
    const router = new TopicRouter(10, () => {});
    expect(() => router.attach({ address: 'x', selector: 'a =', durable: null }, new CreditOutlet(1))).toThrow(SelectorSyntaxError);
    expect(router.stats().subscriptions).toBe(0);
  });

  it('keeps a detached durable subscription queue, unsettled messages first', () => {
    const router = new TopicRouter(10, () => {});
    const durable = { containerId: 'c', linkName: 'l' };
    const first = new CreditOutlet(5);
    const sub = router.attach({ address: 'x', selector: null, durable }, first);
    router.route(msg('x', 'sent-not-settled'), noProps);
    router.detach(sub, first, { unsubscribe: false, unsettled: [msg('x', 'sent-not-settled')] });
    router.route(msg('x', 'while-away'), noProps);
    expect(router.stats().durable).toEqual([
      { containerId: 'c', linkName: 'l', address: 'x', selector: null, attached: false, queued: 2 },
    ]);
    const second = new CreditOutlet(5);
    expect(router.attach({ address: 'topic://x', selector: null, durable }, second)).toBe(sub);
    expect(second.sent).toEqual(['sent-not-settled', 'while-away']);
  });

  it('drops a non-durable subscription with its link', () => {
    const router = new TopicRouter(10, () => {});
    const outlet = new CreditOutlet(0);
    const sub = router.attach({ address: 'x', selector: null, durable: null }, outlet);
    router.detach(sub, outlet, { unsubscribe: false, unsettled: [] });
    expect(router.route(msg('x', 'm'), noProps)).toBe(0);
    expect(router.stats().subscriptions).toBe(0);
  });

  it('removes a durable subscription when the client unsubscribes', () => {
    const router = new TopicRouter(10, () => {});
    const outlet = new CreditOutlet(0);
    const sub = router.attach({ address: 'x', selector: null, durable: { containerId: 'c', linkName: 'l' } }, outlet);
    router.detach(sub, outlet, { unsubscribe: true, unsettled: [] });
    expect(router.stats()).toEqual({ subscriptions: 0, durable: [] });
  });

  it('replaces a durable subscription that comes back with another selector', () => {
    const lines: string[] = [];
    const router = new TopicRouter(10, (line) => lines.push(line));
    const durable = { containerId: 'c', linkName: 'l' };
    const outlet = new CreditOutlet(0);
    const old = router.attach({ address: 'x', selector: null, durable }, outlet);
    router.route(msg('x', 'old'), noProps);
    router.detach(old, outlet, { unsubscribe: false, unsettled: [] });
    const fresh = router.attach({ address: 'x', selector: 'a = 1', durable }, new CreditOutlet(5));
    expect(fresh).not.toBe(old);
    expect(fresh.queue).toEqual([]);
    expect(lines.join('\n')).toContain('1 queued messages discarded');
    expect(router.stats().subscriptions).toBe(1);
  });

  it('ignores a detach from an outlet that no longer holds the subscription', () => {
    const router = new TopicRouter(10, () => {});
    const durable = { containerId: 'c', linkName: 'l' };
    const first = new CreditOutlet(0);
    const sub = router.attach({ address: 'x', selector: null, durable }, first);
    const second = new CreditOutlet(0);
    router.detach(sub, first, { unsubscribe: false, unsettled: [] });
    router.attach({ address: 'x', selector: null, durable }, second);
    router.detach(sub, first, { unsubscribe: true, unsettled: [] });
    expect(sub.outlet).toBe(second);
    expect(router.stats().durable[0]!.attached).toBe(true);
  });

  it('drops the oldest messages beyond maxQueued and logs once per overflow', () => {
    const lines: string[] = [];
    const router = new TopicRouter(3, (line) => lines.push(line));
    const outlet = new CreditOutlet(0);
    const sub = router.attach({ address: 'x', selector: null, durable: { containerId: 'c', linkName: 'l' } }, outlet);
    for (let i = 1; i <= 6; i++) router.route(msg('x', String(i)), noProps);
    expect(sub.queue.map((m) => m.payload.toString())).toEqual(['4', '5', '6']);
    expect(router.dropped).toBe(3);
    expect(lines.filter((l) => l.includes('dropping the oldest'))).toHaveLength(1);
    outlet.credit = 10;
    router.pump(sub);
    expect(outlet.sent).toEqual(['4', '5', '6']);
    expect(lines.at(-1)).toContain('after dropping 3 messages');
  });

  it('puts a released message back at the head of the queue', () => {
    const router = new TopicRouter(10, () => {});
    const outlet = new CreditOutlet(1);
    const sub = router.attach({ address: 'x', selector: null, durable: null }, outlet);
    router.route(msg('x', 'a'), noProps);
    router.route(msg('x', 'b'), noProps);
    router.requeue(sub, msg('x', 'a'));
    outlet.credit = 2;
    router.pump(sub);
    expect(outlet.sent).toEqual(['a', 'a', 'b']);
  });
});
