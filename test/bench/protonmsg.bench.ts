/**
 * Issue 8 benchmark: hub events to a consumer through the embedded broker.
 *
 * - Throughput: one multiCall commits N package-list changes at once; the
 *   outbox, sender, embedded broker and a rhea receiver carry them. Rate is
 *   N over the time from the first to the last arrival, against the same
 *   measure for a bare rhea sender connected straight to a rhea receiver
 *   (same message shape, same in-flight window). Target: ratio >= 0.5.
 * - Latency: single changes made one after another; the time from the start
 *   of the API call to the consumer's arrival (so it includes the XML-RPC
 *   call itself). Target: median under 20 ms.
 */
import rhea from 'rhea';
import type { EventContext, Message } from 'rhea';
import { ClientSession } from '../../src/client/session.ts';
import { ADMIN_PASSWORD, startHub, stopHub } from '../helpers/hub.ts';
import { freePort } from '../helpers/amqp.ts';
import { median, report } from './lib.ts';

const N = Number(process.env.BENCH_MESSAGES ?? 5000);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 200);
const WINDOW = 100; // the sender's default batch_size

interface Receiver {
  arrivals: number[];
  messages: Message[];
  close(): void;
}

/** A rhea receiver on `address`; resolves once attached. */
async function receive(port: number, address: string): Promise<Receiver> {
  const container = rhea.create_container();
  const conn = container.connect({ host: '127.0.0.1', port, reconnect: false });
  const arrivals: number[] = [];
  const messages: Message[] = [];
  conn.on('message', (ctx: EventContext) => {
    arrivals.push(performance.now());
    messages.push(ctx.message!);
  });
  await new Promise<void>((resolve) => {
    conn.on('receiver_open', () => resolve());
    conn.open_receiver({ source: { address }, credit_window: 500 });
  });
  return { arrivals, messages, close: () => conn.close() };
}

async function until(fn: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(1);
  }
}

/** Bare rhea: a sender straight to a listening receiver, WINDOW messages in flight. */
async function bareRhea(sample: Message, n: number): Promise<number> {
  const server = rhea.create_container();
  const arrivals: number[] = [];
  server.on('message', () => arrivals.push(performance.now()));
  const listener = server.listen({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => listener.once('listening', () => resolve()));
  const port = (listener.address() as { port: number }).port;
  const client = rhea.create_container();
  const conn = client.connect({ host: '127.0.0.1', port, reconnect: false });
  const sender = conn.open_sender({ target: { address: 'bench' } });
  let sent = 0;
  let settled = 0;
  const pump = () => {
    while (sent < n && sent - settled < WINDOW && sender.sendable()) {
      sender.send({ ...sample, message_id: `bare-${sent}` });
      sent++;
    }
  };
  sender.on('sendable', pump);
  sender.on('accepted', () => {
    settled++;
    pump();
  });
  await until(() => arrivals.length >= n, 60000, 'bare rhea arrivals');
  conn.close();
  listener.close();
  return (n - 1) / ((arrivals.at(-1)! - arrivals[0]!) / 1000);
}

const amqpPort = await freePort();
const hub = await startHub({
  amqp: `127.0.0.1:${amqpPort}`,
  config: { 'koji-hub/hub.conf': '[hub]\nPlugins = protonmsg\n', 'koji-hub/plugins/protonmsg.conf': '[broker]\ntopic_prefix = koji\n' },
});
try {
  const s = new ClientSession(hub.hubUrl);
  await s.login('admin', ADMIN_PASSWORD);
  await s.call('createTag', 'bench');
  const rx = await receive(amqpPort, 'koji.#');
  let made = 0;
  const burst = async (count: number) => {
    const calls: Array<[string, ...unknown[]]> = [];
    for (let i = 0; i < count; i++) calls.push(['packageListAdd', 'bench', `pkg${made++}`, 'admin']);
    const before = rx.arrivals.length;
    await s.multiCall(calls, true);
    await until(() => rx.arrivals.length >= before + count, 120000, `${count} hub messages`);
    return rx.arrivals.slice(before);
  };

  await burst(500); // warm-up (and a real message to copy for the ceiling)
  const sample = rx.messages.at(-1)!;
  await bareRhea(sample, 500);

  const bare = await bareRhea(sample, N);
  const times = await burst(N);
  const hubRate = (N - 1) / ((times.at(-1)! - times[0]!) / 1000);
  report(`hub events -> embedded broker -> consumer (${N} messages)`, hubRate, bare, 'msgs/s', '>= 0.5');

  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const before = rx.arrivals.length;
    const t0 = performance.now();
    await s.call('packageListAdd', 'bench', `lat${i}`, 'admin');
    await until(() => rx.arrivals.length > before, 10000, 'a latency sample');
    latencies.push(rx.arrivals[before]! - t0);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `event-to-consumer latency over ${LATENCY_SAMPLES} changes: median ${median(latencies).toFixed(2)} ms ` +
      `(p90 ${sorted[Math.floor(sorted.length * 0.9)]!.toFixed(2)} ms, max ${sorted.at(-1)!.toFixed(2)} ms; target median < 20 ms)`,
  );
  rx.close();
  await s.logout();
} finally {
  await stopHub(hub);
}
process.exit(0);
