/**
 * The embedded broker against peers we did not write: Debian's qpid-proton
 * (driven through test/helpers/proton_peer.py) and rhea's client side.
 */
import { afterEach, beforeEach, describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Subprocess } from 'bun';
import rhea from 'rhea';
import type { Connection, EventContext, Message } from 'rhea';
import { startBroker } from '../../src/mq/broker.ts';
import type { Broker, BrokerOptions } from '../../src/mq/broker.ts';

const PYTHON = '/usr/bin/python3';
const PEER_SCRIPT = join(import.meta.dir, '../helpers/proton_peer.py');

type Reply = {
  ok: boolean;
  error?: string;
  condition?: string | null;
  description?: string | null;
  timeout?: boolean;
  state?: string;
  source?: { address: string | null; durable: number; filter: Record<string, { descriptor: unknown; value: unknown }> | null };
  message?: { body: unknown; properties: Record<string, unknown> | null; subject: string | null; address: string | null; id: unknown };
};

/** One proton_peer.py process: JSON commands in, JSON replies out, one per line. */
class ProtonPeer {
  private readonly proc: Subprocess<'pipe', 'pipe', 'pipe'>;
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string) => void)[] = [];
  private ended = false;

  constructor() {
    this.proc = Bun.spawn([PYTHON, PEER_SCRIPT], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' });
    void this.read();
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of this.proc.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        this.deliver(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    }
    this.ended = true;
    const stderr = await new Response(this.proc.stderr).text();
    const exit = JSON.stringify({ ok: false, error: `peer exited: ${stderr.trim()}` });
    while (this.waiters.length > 0) this.deliver(exit);
  }

  private deliver(line: string): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(line);
    else this.lines.push(line);
  }

  async call(command: Record<string, unknown>): Promise<Reply> {
    this.proc.stdin.write(`${JSON.stringify(command)}\n`);
    await this.proc.stdin.flush();
    const queued = this.lines.shift();
    if (queued !== undefined) return JSON.parse(queued) as Reply;
    if (this.ended) return { ok: false, error: 'peer has exited' };
    return JSON.parse(await new Promise<string>((resolve) => this.waiters.push(resolve))) as Reply;
  }

  /** Like call, but fails the test with the peer's reply when it is not ok. */
  async must(command: Record<string, unknown>): Promise<Reply> {
    const reply = await this.call(command);
    if (!reply.ok) throw new Error(`${JSON.stringify(command)} -> ${JSON.stringify(reply)}`);
    return reply;
  }

  /** Receives `count` messages and returns their bodies. */
  async bodies(id: string, count: number, timeout = 5): Promise<unknown[]> {
    const bodies = [];
    for (let i = 0; i < count; i++) bodies.push((await this.must({ op: 'receive', id, timeout })).message!.body);
    return bodies;
  }

  /** Asserts that nothing (more) arrives within a short wait. */
  async expectNothing(id: string, timeout = 0.4): Promise<void> {
    const reply = await this.call({ op: 'receive', id, timeout });
    expect(reply).toEqual({ ok: false, timeout: true });
  }

  /** Ends the peer: gracefully by closing stdin, or abruptly with SIGKILL. */
  async stop(abrupt = false): Promise<void> {
    if (abrupt) this.proc.kill('SIGKILL');
    else this.proc.stdin.end();
    await this.proc.exited;
  }
}

let broker: Broker;
let logs: string[];
let peers: ProtonPeer[];
const rheaConnections: Connection[] = [];

async function start(extra: Partial<BrokerOptions> = {}): Promise<Broker> {
  broker = await startBroker({ host: '127.0.0.1', port: 0, log: (line) => logs.push(line), ...extra });
  return broker;
}

function peer(): ProtonPeer {
  const p = new ProtonPeer();
  peers.push(p);
  return p;
}

/** A proton peer already connected as `conn` (optionally with a fixed container id). */
async function connectedPeer(containerId?: string): Promise<ProtonPeer> {
  const p = peer();
  await p.must({ op: 'connect', id: 'conn', url: broker.address, container_id: containerId });
  return p;
}

async function waitFor(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

/** A rhea client connection to the broker, closed after the test. */
async function rheaConnect(): Promise<Connection> {
  const container = rhea.create_container();
  const connection = container.connect({ host: '127.0.0.1', port: broker.port, reconnect: false });
  rheaConnections.push(connection);
  await new Promise<void>((resolve, reject) => {
    connection.once('connection_open', () => resolve());
    connection.once('disconnected', (ctx: EventContext) => reject(ctx.error ?? new Error('disconnected')));
  });
  return connection;
}

beforeEach(() => {
  logs = [];
  peers = [];
});

afterEach(async () => {
  for (const connection of rheaConnections.splice(0)) connection.close();
  await Promise.all(peers.map((p) => p.stop(true)));
  await broker?.close();
});

describe('startBroker with proton peers', () => {
  it('listens on an ephemeral port and reports its address', async () => {
    await start();
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.address).toBe(`amqp://127.0.0.1:${broker.port}`);
  });

  it('fans a message out to two receivers on the same topic', async () => {
    await start();
    const p = await connectedPeer();
    await p.must({ op: 'receiver', conn: 'conn', id: 'r1', address: 'koji.build.complete' });
    await p.must({ op: 'receiver', conn: 'conn', id: 'r2', address: 'koji.build.complete' });
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'koji.build.complete' });
    await p.must({ op: 'send', id: 's', body: 'built', properties: { build_id: 42 } });
    const first = await p.must({ op: 'receive', id: 'r1' });
    const second = await p.must({ op: 'receive', id: 'r2' });
    expect(first.message).toMatchObject({ body: 'built', properties: { build_id: 42 } });
    expect(second.message).toMatchObject({ body: 'built', properties: { build_id: 42 } });
    expect(broker.stats()).toMatchObject({ connections: 1, messagesRouted: 1, messagesDelivered: 2 });
  });

  it('treats topic://, /topic/ and bare names as one topic', async () => {
    await start();
    const p = await connectedPeer();
    const spellings = ['topic://koji.build.complete', '/topic/koji.build.complete', 'koji.build.complete'];
    for (const [i, address] of spellings.entries()) {
      const reply = await p.must({ op: 'receiver', conn: 'conn', id: `r${i}`, address });
      // The source is echoed verbatim, or proton refuses the link as mismatched.
      expect(reply.source!.address).toBe(address);
      await p.must({ op: 'sender', conn: 'conn', id: `s${i}`, address });
    }
    for (const i of spellings.keys()) await p.must({ op: 'send', id: `s${i}`, body: `via ${spellings[i]}` });
    for (const i of spellings.keys()) {
      expect(await p.bodies(`r${i}`, 3)).toEqual(spellings.map((s) => `via ${s}`));
    }
  });

  it('delivers to wildcard receivers by AMQP word rules', async () => {
    await start();
    const p = await connectedPeer();
    await p.must({ op: 'receiver', conn: 'conn', id: 'all', address: 'topic://koji.#', credit: 10 });
    await p.must({ op: 'receiver', conn: 'conn', id: 'complete', address: 'koji.*.complete', credit: 10 });
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: null });
    for (const topic of ['koji.build.complete', 'koji.task.open', 'other.build.complete', 'koji.a.b.complete', 'end']) {
      await p.must({ op: 'send', id: 's', to: `topic://${topic}`, body: topic });
    }
    expect(await p.bodies('all', 3)).toEqual(['koji.build.complete', 'koji.task.open', 'koji.a.b.complete']);
    expect(await p.bodies('complete', 1)).toEqual(['koji.build.complete']);
    await p.expectNothing('all');
    await p.expectNothing('complete');
  });

  it('delivers only messages matching the selector and echoes the filter', async () => {
    await start();
    const p = await connectedPeer();
    const selector = "name = 'ansible' AND type = 'Tag' AND tag LIKE 'f40%'";
    const attached = await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'koji.tag', selector, credit: 10 });
    expect(attached.source!.filter).toEqual({ selector: { descriptor: 'apache.org:selector-filter:string', value: selector } });
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'topic://koji.tag' });
    const props = { name: 'ansible', type: 'Tag', tag: 'f40-build' };
    await p.must({ op: 'send', id: 's', body: 'f39', properties: { ...props, tag: 'f39-build' } });
    await p.must({ op: 'send', id: 's', body: 'other package', properties: { ...props, name: 'bash' } });
    await p.must({ op: 'send', id: 's', body: 'no properties' });
    await p.must({ op: 'send', id: 's', body: 'f40', properties: props });
    expect(await p.bodies('r', 1)).toEqual(['f40']);
    await p.expectNothing('r');
  });

  it('understands the selector filter under its numeric descriptor', async () => {
    await start();
    const p = await connectedPeer();
    await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', selector: 'n > 2', numeric_descriptor: true });
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'x' });
    for (const n of [1, 2, 3]) await p.must({ op: 'send', id: 's', body: n, properties: { n } });
    expect(await p.bodies('r', 1)).toEqual([3]);
  });

  it('refuses a receiver with a bad selector and says why', async () => {
    await start();
    const p = await connectedPeer();
    const reply = await p.call({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', selector: "name = 'ansible' AND" });
    expect(reply.ok).toBe(false);
    expect(reply.condition).toBe('amqp:invalid-field');
    expect(reply.description).toContain('invalid selector at column 21');
    expect(logs.some((l) => l.includes('refused link'))).toBe(true);
    // The connection survives the refusal.
    await p.must({ op: 'receiver', conn: 'conn', id: 'ok', address: 'x' });
    expect(broker.stats().subscriptions).toBe(1);
  });

  it('keeps what a durable subscriber missed and delivers it in order on reattach', async () => {
    await start();
    const watcher = await connectedPeer('watch-messages-1');
    const durable = { op: 'receiver', conn: 'conn', id: 'r', address: 'koji.build.#', name: 'builds', durable: true };
    const attached = await watcher.must(durable);
    expect(attached.source!.durable).toBe(2);
    await watcher.must({ op: 'detach', id: 'r' });
    await watcher.must({ op: 'close', conn: 'conn' });

    const sender = await connectedPeer();
    await sender.must({ op: 'sender', conn: 'conn', id: 's', address: 'topic://koji.build.complete' });
    for (const n of [1, 2, 3]) await sender.must({ op: 'send', id: 's', body: `build ${n}` });
    expect(broker.stats().durable).toEqual([
      { containerId: 'watch-messages-1', linkName: 'builds', address: 'koji.build.#', selector: null, attached: false, queued: 3 },
    ]);

    await watcher.must({ op: 'connect', id: 'conn', url: broker.address, container_id: 'watch-messages-1' });
    await watcher.must(durable);
    expect(await watcher.bodies('r', 3)).toEqual(['build 1', 'build 2', 'build 3']);
    await watcher.expectNothing('r');
  });

  it('keeps a durable subscription when its client is killed, and survives the crash', async () => {
    await start();
    const doomed = await connectedPeer('crashy');
    await doomed.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'koji.repo.done', name: 'repos', durable: true });
    await doomed.stop(true);
    await waitFor(() => broker.stats().connections === 0, 'the broker to notice the dead client');
    expect(logs.some((l) => l.includes('connection from crashy dropped'))).toBe(true);

    const sender = await connectedPeer();
    await sender.must({ op: 'sender', conn: 'conn', id: 's', address: 'koji.repo.done' });
    await sender.must({ op: 'send', id: 's', body: 'repo 1' });
    await sender.must({ op: 'send', id: 's', body: 'repo 2' });

    const revived = await connectedPeer('crashy');
    await revived.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'koji.repo.done', name: 'repos', durable: true });
    expect(await revived.bodies('r', 2)).toEqual(['repo 1', 'repo 2']);
  });

  it('forgets a durable subscription the client closed (unsubscribed)', async () => {
    await start();
    const p = await connectedPeer('closer');
    await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', name: 'sub', durable: true });
    await p.must({ op: 'close_link', id: 'r' });
    await waitFor(() => broker.stats().durable.length === 0, 'the subscription to go');
  });

  it('redelivers an unsettled message of a durable subscriber that went away', async () => {
    await start();
    const p = await connectedPeer('slow');
    await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', name: 'sub', durable: true });
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'x' });
    await p.must({ op: 'send', id: 's', body: 'first' });
    // Received but never settled: the broker must not count it as delivered for good.
    expect((await p.must({ op: 'receive', id: 'r', settle: 'none' })).message!.body).toBe('first');
    await p.stop(true);
    const again = await connectedPeer('slow');
    await again.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', name: 'sub', durable: true });
    expect(await again.bodies('r', 1)).toEqual(['first']);
  });

  it('bounds a durable queue by maxQueued, dropping the oldest with a log line', async () => {
    await start({ maxQueued: 3 });
    const watcher = await connectedPeer('bounded');
    await watcher.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', name: 'sub', durable: true });
    await watcher.must({ op: 'detach', id: 'r' });
    const sender = await connectedPeer();
    await sender.must({ op: 'sender', conn: 'conn', id: 's', address: 'x' });
    for (const n of [1, 2, 3, 4, 5]) await sender.must({ op: 'send', id: 's', body: n });
    expect(broker.stats()).toMatchObject({ messagesDropped: 2, durable: [{ queued: 3 }] });
    expect(logs.filter((l) => l.includes('dropping the oldest'))).toHaveLength(1);
    await watcher.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', name: 'sub', durable: true });
    expect(await watcher.bodies('r', 3)).toEqual([3, 4, 5]);
  });

  it('hands a durable subscription to a second link with the same name, stealing it', async () => {
    await start();
    const first = await connectedPeer('twin');
    await first.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', name: 'sub', durable: true });
    const second = await connectedPeer('twin');
    await second.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', name: 'sub', durable: true });
    const stolen = await first.call({ op: 'receive', id: 'r', timeout: 2 });
    expect(stolen.ok).toBe(false);
    expect(stolen.error).toContain('amqp:link:stolen');
    await second.must({ op: 'sender', conn: 'conn', id: 's', address: 'x' });
    await second.must({ op: 'send', id: 's', body: 'to the new holder' });
    expect(await second.bodies('r', 1)).toEqual(['to the new holder']);
  });

  it('leaves a durable holder alone when a re-attach brings a bad selector', async () => {
    await start();
    const first = await connectedPeer('twin');
    await first.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', name: 'sub', durable: true });
    const second = await connectedPeer('twin');
    const refused = await second.call({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', name: 'sub', durable: true, selector: 'a =' });
    expect(refused.condition).toBe('amqp:invalid-field');
    await second.must({ op: 'sender', conn: 'conn', id: 's', address: 'x' });
    await second.must({ op: 'send', id: 's', body: 'still yours' });
    expect(await first.bodies('r', 1)).toEqual(['still yours']);
  });

  it('redelivers a message the receiver released', async () => {
    await start();
    const p = await connectedPeer();
    await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x' });
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'x' });
    await p.must({ op: 'send', id: 's', body: 'again' });
    await p.must({ op: 'receive', id: 'r', settle: 'release' });
    expect(await p.bodies('r', 1)).toEqual(['again']);
  });

  it('accepts a message nobody subscribed to, as a topic does', async () => {
    await start();
    const p = await connectedPeer();
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'nobody.listens' });
    await p.must({ op: 'send', id: 's', body: 'void' });
    expect(broker.stats()).toMatchObject({ messagesRouted: 1, messagesDelivered: 0 });
  });

  it('rejects the messages the reject hook refuses', async () => {
    await start({ reject: (message) => (message.application_properties?.poison ? 'poison message' : null) });
    const p = await connectedPeer();
    await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x' });
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'x' });
    expect(await p.call({ op: 'send', id: 's', body: 'bad', properties: { poison: true } })).toEqual({
      ok: false,
      state: 'REJECTED',
    });
    await p.must({ op: 'send', id: 's', body: 'good' });
    expect(await p.bodies('r', 1)).toEqual(['good']);
    expect(broker.stats()).toMatchObject({ messagesRouted: 1, messagesRejected: 1 });
  });

  it('gives a dynamic receiver its own address', async () => {
    await start();
    const p = await connectedPeer();
    const reply = await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: null, dynamic: true });
    const address = reply.source!.address!;
    expect(address).toStartWith('dynamic.');
    await p.must({ op: 'sender', conn: 'conn', id: 's', address });
    await p.must({ op: 'send', id: 's', body: 'reply' });
    expect(await p.bodies('r', 1)).toEqual(['reply']);
  });

  it('survives a client that sends garbage and hangs up mid-handshake', async () => {
    await start();
    const socket = await Bun.connect({
      hostname: '127.0.0.1',
      port: broker.port,
      socket: { data() {}, error() {} },
    });
    socket.write('AMQP\x03\x01\x00\x00 this is not SASL at all');
    await Bun.sleep(50);
    socket.terminate();
    const p = await connectedPeer();
    await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x' });
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'x' });
    await p.must({ op: 'send', id: 's', body: 'still here' });
    expect(await p.bodies('r', 1)).toEqual(['still here']);
  });

  it('ends every connection on close()', async () => {
    await start();
    const p = await connectedPeer();
    await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x' });
    const started = Date.now();
    await broker.close();
    expect(Date.now() - started).toBeLessThan(1000);
    const reply = await p.call({ op: 'receive', id: 'r', timeout: 2 });
    expect(reply.ok).toBe(false);
    expect(reply.timeout).toBeUndefined();
    expect(reply.error).toMatch(/closed|shutting down/);
  });
});

describe('startBroker with rhea clients', () => {
  it('carries a message from a rhea sender to a proton receiver', async () => {
    await start();
    const p = await connectedPeer();
    await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: '/topic/koji.package.add' });
    const connection = await rheaConnect();
    const sender = connection.open_sender('topic://koji.package.add');
    await new Promise<void>((resolve) => sender.once('sendable', () => resolve()));
    sender.send({ body: '{"tag": "f40"}', subject: 'package', application_properties: { type: 'PackageListChange', tag: 'f40', count: 3 } });
    const got = await p.must({ op: 'receive', id: 'r' });
    expect(got.message).toEqual({
      body: '{"tag": "f40"}',
      properties: { type: 'PackageListChange', tag: 'f40', count: 3 },
      subject: 'package',
      address: null,
      id: null,
    });
  });

  it('carries a message from a proton sender to a rhea receiver using a wildcard and selector', async () => {
    await start();
    const connection = await rheaConnect();
    const received: Message[] = [];
    const receiver = connection.open_receiver({
      source: { address: 'koji.#', filter: rhea.filter.selector("owner = 'kojiadmin'") },
    });
    receiver.on('message', (ctx: EventContext) => received.push(ctx.message!));
    await new Promise<void>((resolve) => receiver.once('receiver_open', () => resolve()));
    const p = await connectedPeer();
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'topic://koji.tag.create' });
    await p.must({ op: 'send', id: 's', body: 'skip', properties: { owner: 'someone' } });
    await p.must({ op: 'send', id: 's', body: 'take', properties: { owner: 'kojiadmin', tag_id: 5 } });
    await waitFor(() => received.length === 1, 'the rhea receiver');
    expect(received[0]).toMatchObject({ body: 'take', application_properties: { owner: 'kojiadmin', tag_id: 5 } });
    await Bun.sleep(100);
    expect(received).toHaveLength(1);
  });

  it('settles a message as accepted only once it is queued for its subscribers', async () => {
    await start();
    const p = await connectedPeer('offline');
    await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'x', name: 'sub', durable: true });
    await p.must({ op: 'detach', id: 'r' });
    const connection = await rheaConnect();
    const sender = connection.open_sender('x');
    await new Promise<void>((resolve) => sender.once('sendable', () => resolve()));
    const queuedAtAccept = await new Promise<number>((resolve) => {
      sender.once('accepted', () => resolve(broker.stats().durable[0]!.queued));
      sender.send({ body: 'm' });
    });
    expect(queuedAtAccept).toBe(1);
  });

  it('sends no more than the receiver granted in credit', async () => {
    await start();
    const connection = await rheaConnect();
    const received: unknown[] = [];
    const receiver = connection.open_receiver({
      source: { address: 'x', durable: 2, expiry_policy: 'never' },
      name: 'metered',
      credit_window: 0,
      autoaccept: true,
    });
    receiver.on('message', (ctx: EventContext) => received.push(ctx.message!.body));
    await new Promise<void>((resolve) => receiver.once('receiver_open', () => resolve()));
    receiver.add_credit(2);
    const p = await connectedPeer();
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'x' });
    for (const n of [1, 2, 3, 4, 5]) await p.must({ op: 'send', id: 's', body: n });
    await waitFor(() => received.length === 2, 'two messages');
    await Bun.sleep(150);
    expect(received).toEqual([1, 2]);
    expect(broker.stats().durable[0]).toMatchObject({ attached: true, queued: 3 });
    receiver.add_credit(10);
    await waitFor(() => received.length === 5, 'the rest');
    expect(received).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('startBroker with TLS', () => {
  let dir: string;

  function openssl(...args: string[]): void {
    const result = Bun.spawnSync(['openssl', ...args], { cwd: dir, stderr: 'pipe' });
    if (result.exitCode !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr.toString()}`);
  }

  /** A CA, and a certificate signed by it for `name` with the given subjectAltName. */
  function makeCa(name: string): void {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
  }

  function makeCert(ca: string, name: string, san: string): void {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    Bun.spawnSync(['sh', '-c', `printf 'subjectAltName=${san}\\n' > ${name}.ext`], { cwd: dir });
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kojibox-mq-tls-'));
    makeCa('ca');
    makeCa('otherca');
    makeCert('ca', 'server', 'IP:127.0.0.1,DNS:localhost');
    makeCert('ca', 'client', 'DNS:kojihub');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** proton checks the URL host against DNS names only, not IP addresses, so dial by name. */
  const url = (): string => `amqps://localhost:${broker.port}`;

  it('serves amqps to a client that trusts its CA', async () => {
    await start({ tls: { cert: join(dir, 'server.pem'), key: join(dir, 'server.key') } });
    expect(broker.address).toBe(`amqps://127.0.0.1:${broker.port}`);
    const p = peer();
    await p.must({ op: 'connect', id: 'conn', url: url(), ca: join(dir, 'ca.pem') });
    await p.must({ op: 'receiver', conn: 'conn', id: 'r', address: 'koji.x' });
    await p.must({ op: 'sender', conn: 'conn', id: 's', address: 'koji.x' });
    await p.must({ op: 'send', id: 's', body: 'secret' });
    expect(await p.bodies('r', 1)).toEqual(['secret']);
  });

  it('is refused by a client that trusts another CA', async () => {
    await start({ tls: { cert: join(dir, 'server.pem'), key: join(dir, 'server.key') } });
    const p = peer();
    const reply = await p.call({ op: 'connect', id: 'conn', url: url(), ca: join(dir, 'otherca.pem'), timeout: 5 });
    expect(reply.ok).toBe(false);
    expect(reply.error).toContain('certificate verify failed');
    // The broker shrugs off the failed handshake and keeps serving.
    const good = peer();
    await good.must({ op: 'connect', id: 'conn', url: url(), ca: join(dir, 'ca.pem') });
  });

  it('requires a client certificate signed by its CA when asked to', async () => {
    const ca = join(dir, 'ca.pem');
    // PEM text works as well as a path.
    const cert = await Bun.file(join(dir, 'server.pem')).text();
    await start({ tls: { cert, key: join(dir, 'server.key'), ca, requestCert: true } });
    const anonymous = peer();
    const refused = await anonymous.call({ op: 'connect', id: 'conn', url: url(), ca, timeout: 5 });
    expect(refused.ok).toBe(false);
    expect(refused.error).toContain('certificate required');
    const hub = peer();
    await hub.must({ op: 'connect', id: 'conn', url: url(), ca, cert: join(dir, 'client.pem'), key: join(dir, 'client.key') });
    await hub.must({ op: 'sender', conn: 'conn', id: 's', address: 'koji.y' });
    await hub.must({ op: 'send', id: 's', body: 'with a cert' });
    expect(broker.stats().messagesRouted).toBe(1);
  });
});
