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
