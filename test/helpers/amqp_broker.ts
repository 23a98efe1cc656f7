/**
 * @module
 * A broker independent of any hub, for protonmsg fault tests: src/mq's
 * broker in its own process (`bun test/helpers/amqp_broker.ts`), with
 * optional TLS, a rule to reject chosen messages, and a TCP gate in front
 * of it so a test can subscribe a consumer before the hub can reach it.
 *
 * Options: --port N (default 0), --cert F --key F [--ca F] for TLS (with
 * --ca clients must present a certificate), --reject-prop key=value.
 * Prints one JSON line per event on stdout: {"port": N} once listening,
 * {"gate": P} when the gate opens, {"gateClosed": P}. Commands on stdin:
 * `gate P` opens a TCP forwarder on P, `close-gate` closes it and cuts its
 * connections, `stats` prints the broker's counters.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { startBroker } from '../../src/mq/broker.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    cert: { type: 'string' },
    key: { type: 'string' },
    ca: { type: 'string' },
    'reject-prop': { type: 'string' },
  },
});

const say = (obj: unknown) => process.stdout.write(JSON.stringify(obj) + '\n');

const [rejectKey, rejectValue] = values['reject-prop']?.split('=', 2) ?? [];
const broker = await startBroker({
  host: '127.0.0.1',
  port: Number(values.port),
  tls: values.cert ? { cert: values.cert, key: values.key ?? values.cert, ca: values.ca, requestCert: Boolean(values.ca) } : undefined,
  log: (line) => process.stderr.write(line + '\n'),
  reject: rejectKey
    ? (message) => (String(message.application_properties?.[rejectKey] ?? '') === rejectValue ? `refusing ${rejectKey}=${rejectValue}` : null)
    : undefined,
});
say({ port: broker.port });

let gate: { server: Server; port: number; sockets: Set<Socket> } | null = null;

function openGate(port: number): void {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: broker.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(port, '127.0.0.1', () => {
    gate = { server, port, sockets };
    say({ gate: port });
  });
}

function closeGate(): void {
  if (!gate) return;
  const g = gate;
  gate = null;
  g.server.close();
  for (const s of g.sockets) s.destroy();
  say({ gateClosed: g.port });
}

let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buf += chunk;
  let nl: number;
  while ((nl = buf.indexOf('\n')) >= 0) {
    const [cmd, arg] = buf.slice(0, nl).trim().split(/\s+/);
    buf = buf.slice(nl + 1);
    if (cmd === 'gate') openGate(Number(arg));
    else if (cmd === 'close-gate') closeGate();
    else if (cmd === 'stats') say({ stats: broker.stats() });
  }
});
process.stdin.on('end', async () => {
  closeGate();
  await broker.close();
  process.exit(0);
});
process.on('SIGTERM', async () => {
  closeGate();
  await broker.close();
  process.exit(0);
});
