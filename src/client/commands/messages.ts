/**
 * @module
 * `watch-messages`: subscribe to the message bus (the hub's embedded broker
 * by default) and print messages as they arrive — one readable line each,
 * or one JSON object per line for scripts.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ConnectionOptions, EventContext, Message, Receiver, Source } from 'rhea';
import type { CliEnv } from '../env.ts';
import { CliError } from '../env.ts';

interface WatchOptions {
  topic: string;
  selector?: string;
  json?: boolean;
  amqp?: string;
  count?: string;
  cacert?: string;
  cert?: string;
  durable?: string;
}

/** The bus next to the hub: same host as the server url, port 5672. */
export function defaultAmqpUrl(server: string): string {
  try {
    const u = new URL(server);
    return `amqp://${u.hostname}:5672`;
  } catch {
    return 'amqp://127.0.0.1:5672';
  }
}

const NODE_PREFIXES = ['topic://', '/topic/', 'queue://', '/queue/'];

/** A topic without the broker-specific node prefix Koji puts in front. */
export function topicOf(address: string): string {
  for (const p of NODE_PREFIXES) if (address.startsWith(p)) return address.slice(p.length);
  return address;
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** The printed shape of one message (the --json line). */
export function messageRecord(m: Message, fallbackAddress: string): Record<string, unknown> {
  const address = String(m.to ?? fallbackAddress);
  return {
    topic: topicOf(address),
    address,
    message_id: m.message_id ?? null,
    properties: m.application_properties ?? {},
    body: parseBody(m.body),
  };
}

/** One line for people: the topic, then the properties as key=value. */
export function messageLine(rec: Record<string, unknown>): string {
  const props = Object.entries((rec.properties as Record<string, unknown>) ?? {})
    .map(([k, v]) => `${k}=${v === null || v === undefined ? 'None' : String(v)}`)
    .join(' ');
  return `${rec.topic}${props ? ' ' + props : ''}`;
}

/** An AMQP error condition or a socket error, as one phrase. */
function describe(err: unknown): string {
  if (!err) return 'no reason given';
  if (err instanceof Error) return err.message;
  const e = err as { condition?: string; description?: string };
  return [e.condition, e.description].filter(Boolean).join(': ') || String(err);
}

function connectionOptions(url: string, o: WatchOptions): ConnectionOptions {
  const u = new URL(url);
  if (u.protocol !== 'amqp:' && u.protocol !== 'amqps:') throw new CliError(`--amqp: not an amqp:// or amqps:// url: ${url}`, 2);
  const secure = u.protocol === 'amqps:';
  const base = {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : secure ? 5671 : 5672,
    reconnect: false,
    username: u.username ? decodeURIComponent(u.username) : 'anonymous',
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
  if (!secure) return base as ConnectionOptions;
  const pem = o.cert ? readFileSync(o.cert, 'utf8') : undefined;
  return {
    ...base,
    transport: 'tls',
    ca: o.cacert ? readFileSync(o.cacert, 'utf8') : undefined,
    cert: pem,
    key: pem,
    rejectUnauthorized: true,
    // rhea fills in the host when unset, and an IP address is not a valid SNI name.
    servername: isIpAddress(base.host) ? '' : base.host,
  } as ConnectionOptions;
}

/** An IPv4 or IPv6 literal (node:net's isIP, without loading node:net into every client command). */
function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.includes(':') && /^[0-9a-fA-F:.]+$/.test(host));
}

export function registerMessageCommands(program: Command, env: CliEnv): void {
  program
    .command('watch-messages')
    .description('Print messages from the message bus as they arrive')
    .option('--topic <pattern>', 'topic to follow; "*" matches one word, "#" any number (default: all)', '#')
    .option('--selector <expr>', "only messages whose properties match, e.g. \"type = 'Tag' AND tag LIKE 'f40%'\"")
    .option('--json', 'print one JSON object per message')
    .option('--amqp <url>', 'broker url (default: $KOJIBOX_AMQP, else port 5672 on the hub\'s host)')
    .option('--count <n>', 'exit after this many messages')
    .option('--cacert <file>', 'CA certificate to verify an amqps:// broker')
    .option('--cert <file>', 'client certificate and key (one PEM file) for an amqps:// broker')
    .option('--durable <name>', 'a durable subscription: messages sent while you are away wait for the next run with this name')
    .action(async (o: WatchOptions) => {
      const url = o.amqp ?? process.env.KOJIBOX_AMQP ?? defaultAmqpUrl(env.profile.server);
      const limit = o.count === undefined ? Infinity : Number(o.count);
      if (!(limit > 0) || !Number.isInteger(limit === Infinity ? 1 : limit)) throw new CliError('--count must be a positive integer', 2);
      const options = connectionOptions(url, o);
      // loaded here, not at the top: rhea and its sockets cost every other command ~5 ms of start-up
      const { default: rhea } = await import('rhea');
      // A durable subscription is named by the container id and the link name.
      const container = rhea.create_container(o.durable ? { id: `kojibox-watch-${o.durable}` } : {});
      await new Promise<void>((resolve, reject) => {
        let seen = 0;
        let done = false;
        const conn = container.connect(options);
        const finish = (err?: Error) => {
          if (done) return;
          done = true;
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          conn.removeAllListeners();
          conn.on('error', () => {});
          // The CLI exits right after this promise settles, so wait until the
          // broker has our accepts, detach and close (or a second passes):
          // otherwise a durable subscription gets the last message again.
          const settle = () => (err ? reject(err) : resolve());
          const timer = setTimeout(settle, 1000);
          const closed = () => {
            clearTimeout(timer);
            settle();
          };
          conn.on('connection_close', closed);
          conn.on('disconnected', closed);
          // detaching (not closing) the link keeps a durable subscription
          if (o.durable) receiver?.detach();
          conn.close();
        };
        const onSignal = () => finish();
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        const source: Source = { address: o.topic };
        if (o.selector) source.filter = rhea.filter.selector(o.selector);
        if (o.durable) Object.assign(source, { durable: 2, expiry_policy: 'never' });
        let receiver: Receiver | null = null;
        conn.on('connection_open', () => {
          // With --count, ask for exactly that many so none is taken (and
          // accepted) that this run will not print.
          receiver = conn.open_receiver({ name: o.durable, source, autoaccept: true, credit_window: limit === Infinity ? 100 : 0 });
          if (limit !== Infinity) receiver.add_credit(limit);
        });
        conn.on('receiver_open', () => {
          // on stderr, so scripts reading --json lines can still tell when it listens
          if (!env.quiet) env.err(`watching ${o.topic} on ${url}`);
        });
        conn.on('message', (ctx: EventContext) => {
          if (done || !ctx.message) return;
          const rec = messageRecord(ctx.message, o.topic);
          env.out(o.json ? JSON.stringify(rec) : messageLine(rec));
          // accepted here, not by autoaccept after this handler, and written
          // out at once: rhea batches dispositions to its next tick, after
          // the detach finish() sends, and a durable subscription would then
          // get this message again
          ctx.delivery?.accept();
          (ctx.session as unknown as { incoming?: { process(s: unknown): void } }).incoming?.process(ctx.session);
          if (++seen >= limit) finish();
        });
        const fail = (why: string) => finish(new CliError(`${url}: ${why}`));
        conn.on('receiver_error', (ctx: EventContext) => fail(`subscription refused: ${describe(ctx.receiver?.error)}`));
        conn.on('connection_error', () => fail(`connection closed by the broker: ${describe(conn.error)}`));
        conn.on('disconnected', (ctx: EventContext) => fail(`disconnected: ${ctx.error instanceof Error ? ctx.error.message : String(ctx.error ?? 'connection lost')}`));
        conn.on('error', (err: unknown) => fail(err instanceof Error ? err.message : String(err)));
      });
    });
}
