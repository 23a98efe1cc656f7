/**
 * @module
 * The embedded AMQP 1.0 broker as a hub service, so a lab has a message bus
 * without installing one: it listens on `--amqp-listen` / hub.conf
 * `AMQPListen` (default 127.0.0.1:5672; `off` disables it). TLS is on when
 * hub.conf names a certificate: `AMQPCert` (PEM holding the certificate and,
 * unless `AMQPKey` is given, its key) and, to require client certificates
 * signed by a CA, `AMQPCACert`. The protonmsg plugin sends here when its
 * config lists no urls.
 */
import { startBroker, type Broker, type BrokerTlsOptions } from '../../mq/broker.ts';
import { readConfigFiles } from '../../config/root.ts';
import { HUB_CONFIG_PATHS } from '../../config/hub.ts';
import type { Hub } from '../hub.ts';
import type { Service } from './index.ts';

const brokers = new WeakMap<Hub, Broker>();

/** The embedded broker's url (`amqp://127.0.0.1:5672`), or null when it is off. */
export function embeddedBrokerUrl(hub: Hub): string | null {
  return brokers.get(hub)?.address ?? null;
}

/** The running embedded broker of a hub, if any (stats for tests and admin pages). */
export function embeddedBroker(hub: Hub): Broker | null {
  return brokers.get(hub) ?? null;
}

/** `host:port`, `[v6]:port` or a bare port; the port defaults to 5672. */
export function parseAmqpListen(text: string): { host: string; port: number } {
  const t = text.trim();
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(t);
  if (m) return { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
  if (/^\d+$/.test(t)) return { host: '127.0.0.1', port: Number(t) };
  return { host: t, port: 5672 };
}

/** TLS settings from hub.conf, or undefined for plain AMQP. */
function brokerTls(hub: Hub): BrokerTlsOptions | undefined {
  const doc = readConfigFiles(hub.configRoot, HUB_CONFIG_PATHS);
  const cert = doc?.get('hub', 'AMQPCert');
  if (!cert) return undefined;
  const ca = doc?.get('hub', 'AMQPCACert');
  return { cert, key: doc?.get('hub', 'AMQPKey') || cert, ca: ca || undefined, requestCert: Boolean(ca) };
}

export const brokerService: Service = {
  name: 'amqp-broker',
  async start(hub) {
    if (hub.amqpListen.trim() === 'off') return () => {};
    const { host, port } = parseAmqpListen(hub.amqpListen);
    const log = hub.log.child('mq');
    let broker: Broker;
    try {
      broker = await startBroker({ host, port, tls: brokerTls(hub), log: (line) => log.debug(line) });
    } catch (err) {
      throw new Error(`cannot start the embedded AMQP broker on ${hub.amqpListen}: ${(err as Error).message} (use --amqp-listen HOST:PORT, or off)`);
    }
    brokers.set(hub, broker);
    // With port 0 the real port is known only now; later readers want it.
    hub.amqpListen = `${host.includes(':') ? `[${host}]` : host}:${broker.port}`;
    log.info(`embedded AMQP broker listening on ${broker.address}`);
    return async () => {
      brokers.delete(hub);
      await broker.close();
    };
  },
};
