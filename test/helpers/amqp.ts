/**
 * @module
 * Test side of the message bus: a real AMQP 1.0 consumer (Python
 * qpid-proton, test/helpers/amqp_consumer.py) run as a child process, and
 * free-port picking for brokers.
 */
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { ROOT } from './hub.ts';

export interface ReceivedMessage {
  address: string | null;
  id: string | null;
  properties: Record<string, unknown>;
  body: string;
  ttl: number | null;
}

export interface ConsumerOptions {
  url: string;
  /** Default `koji.#` (every Koji topic on the embedded broker). */
  address?: string;
  selector?: string;
  ca?: string;
  cert?: string;
  key?: string;
  /** Exit after this many messages. */
  count?: number;
  /** Exit after this many seconds without a message (default 30). */
  timeout?: number;
  durable?: string;
  containerId?: string;
}

export interface Consumer {
  messages: ReceivedMessage[];
  /** Lines that were not messages (ready, timeout, error). */
  events: Array<Record<string, unknown>>;
  /** Resolves once the link is attached (rejects on an error line or exit before). */
  ready: Promise<void>;
  /** Waits until at least n messages arrived; throws with what came after ms. */
  waitFor(n: number, ms?: number): Promise<ReceivedMessage[]>;
  exited: Promise<number>;
  stderr(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

export function startConsumer(o: ConsumerOptions): Consumer {
  const args = ['/usr/bin/python3', join(ROOT, 'test/helpers/amqp_consumer.py'), '--url', o.url, '--address', o.address ?? 'koji.#', '--timeout', String(o.timeout ?? 30)];
  if (o.selector) args.push('--selector', o.selector);
  if (o.ca) args.push('--ca', o.ca);
  if (o.cert) args.push('--cert', o.cert);
  if (o.key) args.push('--key', o.key);
  if (o.count) args.push('--count', String(o.count));
  if (o.durable) args.push('--durable', o.durable);
  if (o.containerId) args.push('--container-id', o.containerId);
  const proc: Subprocess<'ignore', 'pipe', 'pipe'> = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' });
  const messages: ReceivedMessage[] = [];
  const events: Array<Record<string, unknown>> = [];
  let err = '';
  let onReady: () => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  void (async () => {
    const dec = new TextDecoder();
    let buf = '';
    for await (const chunk of proc.stdout) {
      buf += dec.decode(chunk);
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const obj = JSON.parse(line) as Record<string, unknown>;
        if ('properties' in obj) messages.push(obj as unknown as ReceivedMessage);
        else {
          events.push(obj);
          if (obj.ready) onReady();
          if (obj.error) onFail(new Error(`consumer: ${String(obj.error)}`));
        }
      }
    }
  })();
  void (async () => {
    err = await new Response(proc.stderr).text();
  })();
  void proc.exited.then((code) => onFail(new Error(`consumer exited with ${code} before ready: ${err}`)));
  return {
    messages,
    events,
    ready,
    exited: proc.exited,
    stderr: () => err,
    async waitFor(n, ms = 20000) {
      const deadline = Date.now() + ms;
      while (messages.length < n && Date.now() < deadline) await Bun.sleep(20);
      if (messages.length < n) {
        throw new Error(`expected ${n} messages, got ${messages.length}: ${JSON.stringify(messages.slice(-3))} events=${JSON.stringify(events)} stderr=${err}`);
      }
      return messages;
    },
    async stop() {
      if (proc.exitCode === null) proc.kill();
      await proc.exited;
    },
  };
}

/** Polls until fn returns a truthy value; throws after ms. */
export async function until<T>(fn: () => T | Promise<T>, ms = 20000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

export interface BrokerProcessOptions {
  port?: number;
  cert?: string;
  key?: string;
  ca?: string;
  /** Reject messages whose application property matches, e.g. `package=poison`. */
  rejectProp?: string;
}

export interface BrokerProcess {
  /** The broker's own port. */
  port: number;
  url: string;
  /** Opens the TCP gate on `port` (forwarding to the broker) and waits until it listens. */
  openGate(port: number): Promise<void>;
  closeGate(): Promise<void>;
  stats(): Promise<Record<string, unknown>>;
  log(): string;
  stop(): Promise<void>;
}

/** Starts test/helpers/amqp_broker.ts (src/mq's broker, in a process of its own). */
export async function startBrokerProcess(o: BrokerProcessOptions = {}): Promise<BrokerProcess> {
  const args = [process.execPath, join(ROOT, 'test/helpers/amqp_broker.ts'), '--port', String(o.port ?? 0)];
  if (o.cert) args.push('--cert', o.cert);
  if (o.key) args.push('--key', o.key);
  if (o.ca) args.push('--ca', o.ca);
  if (o.rejectProp) args.push('--reject-prop', o.rejectProp);
  const proc = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe', stdin: 'pipe' });
  const lines: Array<Record<string, unknown>> = [];
  let err = '';
  void (async () => {
    const dec = new TextDecoder();
    let buf = '';
    for await (const chunk of proc.stdout) {
      buf += dec.decode(chunk);
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
      }
    }
  })();
  void (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr) err += dec.decode(chunk);
  })();
  const next = async (key: string, from: number): Promise<Record<string, unknown>> =>
    until(() => lines.slice(from).find((l) => key in l), 10000, `broker line "${key}" (stderr: ${err})`);
  const send = (cmd: string) => {
    proc.stdin.write(cmd + '\n');
    proc.stdin.flush();
  };
  const port = (await next('port', 0)).port as number;
  return {
    port,
    url: `${o.cert ? 'amqps' : 'amqp'}://127.0.0.1:${port}`,
    async openGate(p) {
      const from = lines.length;
      send(`gate ${p}`);
      await next('gate', from);
    },
    async closeGate() {
      const from = lines.length;
      send('close-gate');
      await next('gateClosed', from);
    },
    async stats() {
      const from = lines.length;
      send('stats');
      return (await next('stats', from)).stats as Record<string, unknown>;
    },
    log: () => err,
    async stop() {
      if (proc.exitCode === null) proc.kill();
      await proc.exited;
    },
  };
}
