/**
 * Broker.publish (messages handed over in-process), Broker.serves (which
 * urls reach the broker) and coalesced socket writes. Receivers are Python
 * qpid-proton consumers, so what arrives is checked by a peer we did not write.
 */
import { afterEach, describe, expect, it } from 'bun:test';
import { Writable } from 'node:stream';
import rhea from 'rhea';
import type { Connection, EventContext, Message } from 'rhea';
import { brokerServes, startBroker } from '../../src/mq/broker.ts';
import type { Broker } from '../../src/mq/broker.ts';
import { coalesceWrites } from '../../src/mq/writes.ts';
import { startConsumer, type Consumer } from '../helpers/amqp.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function broker(reject?: (m: Message, topic: string) => string | null): Promise<{ broker: Broker; logs: string[] }> {
  const logs: string[] = [];
  const b = await startBroker({ host: '127.0.0.1', port: 0, log: (l) => logs.push(l), reject });
  cleanups.push(() => b.close());
  return { broker: b, logs };
}

async function consumer(b: Broker, address: string, selector?: string): Promise<Consumer> {
  const c = startConsumer({ url: b.address, address, selector });
  cleanups.push(() => c.stop());
  await c.ready;
  return c;
}

/** Sends one message over AMQP with a rhea sender and resolves with its outcome. */
async function sendOverAmqp(b: Broker, message: Message): Promise<string> {
  const container = rhea.create_container();
  const conn: Connection = container.connect({ host: '127.0.0.1', port: b.port, reconnect: false });
  cleanups.push(() => conn.close());
  return new Promise((resolve) => {
    const sender = conn.open_sender({ target: { address: message.to as string } });
    sender.once('sendable', () => sender.send(message));
    for (const outcome of ['accepted', 'rejected', 'released']) sender.once(outcome, () => resolve(outcome));
  });
}

const hubMessage = (n: number, extra: Partial<Message> = {}): Message => ({
  message_id: `id-${n}`,
  to: 'topic://koji.package.add',
  application_properties: { type: 'PackageListChange', tag: 'f30', package: `pkg${n}`, n, block: false, extra_arches: null },
  body: JSON.stringify({ n }),
  ...extra,
});

describe('Broker.publish', () => {
  it('routes a message to receivers exactly as one sent over AMQP', async () => {
    const { broker: b } = await broker();
    const c = await consumer(b, 'koji.#');
    expect(b.publish(hubMessage(1, { ttl: 60000 }))).toEqual({ outcome: 'accepted' });
    expect(await sendOverAmqp(b, hubMessage(1, { ttl: 60000 }))).toBe('accepted');
    const [inProcess, overAmqp] = await c.waitFor(2);
    expect(inProcess).toEqual(overAmqp!);
    expect(inProcess).toMatchObject({ id: 'id-1', address: 'topic://koji.package.add', body: '{"n":1}', properties: { package: 'pkg1', n: 1, block: false, extra_arches: null } });
    expect(b.stats()).toMatchObject({ messagesRouted: 2, messagesDelivered: 2 });
  });

  it('keeps the order of what it was handed and honours selectors', async () => {
    const { broker: b } = await broker();
    const all = await consumer(b, 'koji.package.*');
    const odd = await consumer(b, 'koji.#', 'n IN (1, 3, 5, 7, 9)');
    for (let i = 0; i < 10; i++) expect(b.publish(hubMessage(i)).outcome).toBe('accepted');
    expect((await all.waitFor(10)).map((m) => m.id)).toEqual([...Array(10).keys()].map((i) => `id-${i}`));
    expect((await odd.waitFor(5)).map((m) => m.properties.n)).toEqual([1, 3, 5, 7, 9]);
  });

  it('rejects what the reject hook refuses and a message without an address, routing nothing', async () => {
    const { broker: b, logs } = await broker((m) => (m.application_properties?.package === 'poison' ? 'poisoned' : null));
    const c = await consumer(b, 'koji.#');
    const poison = hubMessage(2);
    poison.application_properties!.package = 'poison';
    expect(b.publish(poison)).toEqual({ outcome: 'rejected', condition: 'amqp:precondition-failed', description: 'poisoned' });
    expect(b.publish({ body: 'nowhere' })).toMatchObject({ outcome: 'rejected', condition: 'amqp:precondition-failed' });
    expect(b.publish(hubMessage(3)).outcome).toBe('accepted');
    expect((await c.waitFor(1)).map((m) => m.id)).toEqual(['id-3']);
    expect(b.stats()).toMatchObject({ messagesRouted: 1, messagesRejected: 2 });
    expect(logs.some((l) => l.includes('poisoned'))).toBe(true);
  });

  it('takes nothing once the broker is closing, and then serves no url', async () => {
    const { broker: b } = await broker();
    expect(b.serves(b.address)).toBe(true);
    const closed = b.close();
    expect(b.publish(hubMessage(4))).toEqual({ outcome: 'unavailable', description: 'the broker is shutting down' });
    expect(b.serves(b.address)).toBe(false);
    await closed;
    expect(b.stats().messagesRouted).toBe(0);
  });
});

describe('brokerServes', () => {
  const on = (host: string, tls = false) => ({ host, port: 5672, tls });

  it('matches the scheme and port the broker listens with', () => {
    expect(brokerServes('amqp://127.0.0.1:5672', on('127.0.0.1'))).toBe(true);
    expect(brokerServes('amqp://127.0.0.1', on('127.0.0.1'))).toBe(true);
    expect(brokerServes('amqp://127.0.0.1:5673', on('127.0.0.1'))).toBe(false);
    expect(brokerServes('amqps://127.0.0.1:5672', on('127.0.0.1'))).toBe(false);
    expect(brokerServes('amqps://127.0.0.1:5672', on('127.0.0.1', true))).toBe(true);
    expect(brokerServes('amqp://127.0.0.1:5672', on('127.0.0.1', true))).toBe(false);
    expect(brokerServes('amqp://user:secret@127.0.0.1:5672', on('127.0.0.1'))).toBe(true);
    expect(brokerServes('not a url', on('127.0.0.1'))).toBe(false);
  });

  it('takes localhost for a loopback listener and any local address for a wildcard one', () => {
    expect(brokerServes('amqp://localhost:5672', on('127.0.0.1'))).toBe(true);
    expect(brokerServes('amqp://[::1]:5672', on('::1'))).toBe(true);
    expect(brokerServes('amqp://127.0.0.2:5672', on('127.0.0.1'))).toBe(false);
    expect(brokerServes('amqp://[::1]:5672', on('127.0.0.1'))).toBe(false);
    expect(brokerServes('amqp://127.0.0.1:5672', on('0.0.0.0'))).toBe(true);
    expect(brokerServes('amqp://[::1]:5672', on('0.0.0.0'))).toBe(false);
    expect(brokerServes('amqp://[::1]:5672', on('::'))).toBe(true);
    expect(brokerServes('amqp://localhost:5672', on('::'))).toBe(true);
  });

  it('never matches a host it would have to resolve, or an address of another machine', () => {
    expect(brokerServes('amqp://broker.example.com:5672', on('0.0.0.0'))).toBe(false);
    expect(brokerServes('amqp://192.0.2.1:5672', on('0.0.0.0'))).toBe(false);
    expect(brokerServes('amqp://192.0.2.1:5672', on('127.0.0.1'))).toBe(false);
  });
});

/** A socket stand-in that records each write it is asked to make. */
class RecordingSocket extends Writable {
  readonly writes: string[][] = [];
  override _writev(chunks: Array<{ chunk: Buffer }>, done: () => void): void {
    this.writes.push(chunks.map((c) => c.chunk.toString()));
    done();
  }
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.writes.push([chunk.toString()]);
    done();
  }
}

describe('coalesceWrites', () => {
  it("sends a tick's frames in one write, in order, once the tick's work is done", async () => {
    const socket = new RecordingSocket();
    const frames = ['a', 'b', 'c'];
    const connection = { socket, output() { socket.write(frames.shift()!); } };
    coalesceWrites(connection as unknown as Connection);
    coalesceWrites(connection as unknown as Connection); // a second call changes nothing
    connection.output();
    connection.output();
    connection.output();
    expect(socket.writes).toEqual([]);
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(socket.writes).toEqual([['a', 'b', 'c']]);
    frames.push('d');
    connection.output();
    await new Promise((r) => setImmediate(r));
    expect(socket.writes).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('lets an end in the same tick flush what was written', async () => {
    const socket = new RecordingSocket();
    const connection = { socket, output() { socket.write('last'); socket.end(); } };
    coalesceWrites(connection as unknown as Connection);
    connection.output();
    await new Promise((r) => socket.once('finish', r));
    expect(socket.writes.flat()).toEqual(['last']);
  });

  it('carries a broker conversation between real peers', async () => {
    const { broker: b } = await broker();
    const container = rhea.create_container();
    const conn: Connection = container.connect({ host: '127.0.0.1', port: b.port, reconnect: false });
    coalesceWrites(conn);
    cleanups.push(() => conn.close());
    const got: unknown[] = [];
    conn.on('message', (ctx: EventContext) => got.push(ctx.message!.body));
    await new Promise<void>((resolve) => {
      conn.once('receiver_open', () => resolve());
      conn.open_receiver({ source: { address: 'koji.#' }, credit_window: 50 });
    });
    const sender = conn.open_sender({ target: { address: 'koji.x' } });
    await new Promise<void>((resolve) => sender.once('sendable', () => resolve()));
    for (let i = 0; i < 200; i++) sender.send({ body: i });
    const deadline = Date.now() + 5000;
    while (got.length < 200 && Date.now() < deadline) await Bun.sleep(10);
    expect(got).toEqual([...Array(200).keys()]);
  });
});
