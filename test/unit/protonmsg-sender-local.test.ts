/**
 * The protonmsg sender's in-process path to the hub's own broker, with a
 * real outbox (SQLite), real brokers and Python qpid-proton consumers: the
 * same order, deletion, rejection and failover rules as over AMQP.
 */
import { afterEach, describe, expect, it } from 'bun:test';
import type { Message } from 'rhea';
import { Store } from '../../src/store/db.ts';
import { insertOutbox, outboxCount, rejectedOutbox, OUTBOX_REJECTED_SQL } from '../../src/store/outbox.ts';
import { createLogger } from '../../src/core/log.ts';
import { parseIni } from '../../src/config/ini.ts';
import { startBroker, type Broker } from '../../src/mq/broker.ts';
import { protonConfigFromIni } from '../../plugins/protonmsg/config.ts';
import { startSender, type OutboxSender } from '../../plugins/protonmsg/sender.ts';
import { startConsumer, until, type Consumer } from '../helpers/amqp.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function outbox(): Store {
  const s = new Store(':memory:');
  s.migrate([{ id: 'plugin-protonmsg-001', sql: OUTBOX_REJECTED_SQL }]);
  return s;
}

function add(store: Store, from: number, n: number, poison = -1): void {
  store.tx(() => {
    for (let i = from; i < from + n; i++) {
      insertOutbox(store, {
        address: 'topic://koji.package.add',
        props: JSON.stringify({ package: i === poison ? 'poison' : `pkg${i}`, i }),
        body: JSON.stringify({ i }),
        messageId: `msg-${i}`,
        created: Date.now() / 1000,
      });
    }
  });
}

async function broker(): Promise<Broker> {
  const b = await startBroker({
    host: '127.0.0.1',
    port: 0,
    reject: (m: Message) => (m.application_properties?.package === 'poison' ? 'no poison here' : null),
  });
  cleanups.push(() => b.close());
  return b;
}

async function consumer(b: Broker): Promise<Consumer> {
  const c = startConsumer({ url: b.address, address: 'koji.#' });
  cleanups.push(() => c.stop());
  await c.ready;
  return c;
}

function sender(store: Store, urls: string[], local: Broker, lines: string[]): OutboxSender {
  const config = protonConfigFromIni(parseIni('[broker]\ntopic_prefix = koji\nsend_timeout = 5\n[queue]\nbatch_size = 40\n'));
  const s = startSender({ store, log: createLogger('protonmsg', (l) => lines.push(l)), config, urls, local, retryMinMs: 20, retryMaxMs: 100 });
  cleanups.push(() => s.stop());
  return s;
}

const ids = (msgs: Array<{ id: string | null }>) => msgs.map((m) => m.id);
const range = (from: number, n: number) => [...Array(n).keys()].map((i) => `msg-${i + from}`);

describe('protonmsg sender to its own broker', () => {
  it('hands rows over in-process, in order, and deletes them once accepted', async () => {
    const own = await broker();
    const c = await consumer(own);
    const store = outbox();
    add(store, 0, 250);
    const s = sender(store, [own.address], own, []);
    expect(ids(await c.waitFor(250))).toEqual(range(0, 250));
    await until(() => outboxCount(store) === 0, 5000, 'an empty outbox');
    add(store, 250, 10);
    s.wake();
    expect(ids(await c.waitFor(260)).slice(250)).toEqual(range(250, 10));
    await until(() => outboxCount(store) === 0, 5000, 'an empty outbox');
    // the consumer is the broker's only connection: the sender never connected
    expect(own.stats()).toMatchObject({ connections: 1, messagesRouted: 260 });
    expect(s.stats()).toMatchObject({ sent: 260, inflight: 0, connectedTo: own.address });
  });

  it('moves a row its broker rejects aside and delivers the rest in order', async () => {
    const own = await broker();
    const c = await consumer(own);
    const store = outbox();
    const lines: string[] = [];
    add(store, 0, 100, 57);
    sender(store, [own.address], own, lines);
    expect(ids(await c.waitFor(99))).toEqual(range(0, 100).filter((id) => id !== 'msg-57'));
    await until(() => outboxCount(store) === 0, 5000, 'an empty outbox');
    expect(rejectedOutbox(store).map((r) => [r.message_id, r.reason])).toEqual([['msg-57', 'amqp:precondition-failed: no poison here']]);
    expect(lines.some((l) => l.includes('rejected') && l.includes('msg-57'))).toBe(true);
  });

  it('goes on to the next url, over AMQP, when its own broker stops taking messages', async () => {
    const own = await broker();
    const other = await broker();
    const first = await consumer(own);
    const second = await consumer(other);
    const store = outbox();
    const lines: string[] = [];
    add(store, 0, 30);
    const s = sender(store, [own.address, other.address], own, lines);
    expect(ids(await first.waitFor(30))).toEqual(range(0, 30));
    await until(() => outboxCount(store) === 0, 5000, 'an empty outbox');
    await own.close();
    add(store, 30, 30);
    s.wake();
    expect(ids(await second.waitFor(30))).toEqual(range(30, 30));
    await until(() => outboxCount(store) === 0, 5000, 'an empty outbox');
    expect(s.stats().connectedTo).toBe(other.address);
    expect(lines.some((l) => l.includes("the hub's own broker) stopped taking messages"))).toBe(true);
    // the consumer and the sender
    expect(other.stats().connections).toBe(2);
  });

  it('sends over AMQP to a url its own broker does not serve', async () => {
    const own = await broker();
    const other = await broker();
    const c = await consumer(other);
    const store = outbox();
    add(store, 0, 120);
    sender(store, [other.address], own, []);
    expect(ids(await c.waitFor(120))).toEqual(range(0, 120));
    await until(() => outboxCount(store) === 0, 5000, 'an empty outbox');
    expect(own.stats().messagesRouted).toBe(0);
    expect(other.stats()).toMatchObject({ connections: 2, messagesRouted: 120 });
  });
});
