/**
 * @module
 * The embedded AMQP 1.0 broker: rhea's server side wired to the topic
 * router. Every address is a topic; each receiving link is a subscription
 * (durable ones survive their link); a sender's message is settled as
 * accepted only once it sits in every matching subscription's queue or
 * credit window. This is the only module that touches rhea's server side.
 * Code in the hub's own process can hand it messages with publish()
 * instead of connecting (the protonmsg sender does, for its own broker).
 */

import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { Server, Socket, AddressInfo } from 'node:net';
import rhea from 'rhea';
import type { AmqpError, Connection, Delivery, EventContext, Message, Receiver, Sender, Source } from 'rhea';
import { normaliseAddress } from './address.ts';
import { messageLookup } from './fields.ts';
import { FilterError, readSourceFilters } from './filters.ts';
import { parseSelector, SelectorSyntaxError } from './selector.ts';
import { TopicRouter } from './subscriptions.ts';
import { coalesceWrites } from './writes.ts';
import { encodeMessage } from './encode.ts';
import type { DurableIdentity, DurableSubscriptionStats, Outlet, QueuedMessage, Subscription } from './subscriptions.ts';

/** TLS settings; each of cert, key and ca is PEM text or the path of a PEM file. */
export interface BrokerTlsOptions {
  cert: string;
  key: string;
  ca?: string;
  /** Ask clients for a certificate and refuse those not signed by `ca`. */
  requestCert?: boolean;
}

export interface BrokerOptions {
  host: string;
  /** 0 picks a free port; read it back from Broker.port. */
  port: number;
  tls?: BrokerTlsOptions;
  /** Bound on each subscription's queue; the oldest message goes first. Default 10000. */
  maxQueued?: number;
  log?: (line: string) => void;
  /** Returns a reason to reject a message (the sender sees `rejected`), or null to route it. */
  reject?: (message: Message, topic: string) => string | null;
}

export interface BrokerStats {
  /** AMQP connections currently open. */
  connections: number;
  /** Messages accepted from senders (whether or not anyone subscribed). */
  messagesRouted: number;
  /** Messages refused by the `reject` hook or because they had no address. */
  messagesRejected: number;
  /** Transfers to receivers, counting each copy of a fanned-out message. */
  messagesDelivered: number;
  /** Messages discarded from full subscription queues. */
  messagesDropped: number;
  /** Subscriptions that exist now, attached or durable-detached. */
  subscriptions: number;
  durable: DurableSubscriptionStats[];
}

export interface Broker {
  readonly host: string;
  readonly port: number;
  /** URL clients connect to, e.g. `amqps://127.0.0.1:5671`. */
  readonly address: string;
  /** Stops listening, closes every connection and resolves when all sockets are gone. */
  close(): Promise<void>;
  stats(): BrokerStats;
  /**
   * Takes a message from code in the same process, as if a sender had
   * transferred it over an anonymous-relay link (the topic is `message.to`):
   * the same reject hook, routing and bytes to receivers, settled at once.
   * `accepted` means it sits in every matching subscription, as an AMQP
   * accept does; `unavailable` means the broker is closing and took nothing.
   */
  publish(message: Message): PublishOutcome;
  /**
   * Whether a client connecting to `url` would reach this broker: same
   * scheme and port, and a host it listens on (a loopback name or address
   * for a loopback or wildcard listener, or one of this machine's addresses
   * for a wildcard one). Host names other than `localhost` are not resolved,
   * so they never match. False once the broker is closing, as it then
   * refuses connections too.
   */
  serves(url: string): boolean;
}

/** How the broker settled a message handed to Broker.publish. */
export type PublishOutcome =
  | { outcome: 'accepted' }
  | { outcome: 'rejected'; condition: string; description: string }
  | { outcome: 'unavailable'; description: string };

/**
 * rhea keeps these on its objects without declaring them in its typings;
 * the broker needs them to count credit and read detach and socket details.
 */
interface SenderInternals {
  credit: number;
  delivery_count: number;
  local: { attach: { snd_settle_mode?: number } };
  remote: { detach?: { closed?: boolean } };
}
interface ConnectionInternals {
  socket?: Socket;
}

/**
 * The broker forwards messages unchanged, so it keeps the bytes each one
 * arrived as instead of re-encoding the decoded message (a third of the
 * broker's work per message). rhea does not keep them, so its decoder is
 * wrapped once to remember its input on the decoded object.
 */
const RAW_BYTES = Symbol('kojibox.mq.rawBytes');
const rheaMessage = rhea.message as unknown as { decode(buffer: Buffer): Message; [RAW_BYTES]?: true };
if (!rheaMessage[RAW_BYTES]) {
  const decode = rheaMessage.decode.bind(rheaMessage);
  rheaMessage.decode = (buffer: Buffer) => {
    const message = decode(buffer);
    // a copy: the frame buffer may be a view of memory rhea reuses
    Object.defineProperty(message, RAW_BYTES, { value: Buffer.from(buffer), enumerable: false });
    return message;
  };
  rheaMessage[RAW_BYTES] = true;
}

/** True once the receiving peer settled a delivery with an outcome other than released/modified. */
function finallySettledByPeer(delivery: Delivery): boolean {
  const d = delivery as Delivery & { remote_settled?: boolean; remote_state?: { constructor?: { composite_type?: string } } };
  const outcome = d.remote_state?.constructor?.composite_type;
  return Boolean(d.remote_settled) && outcome !== 'released' && outcome !== 'modified';
}

function rawBytesOf(message: Message): Buffer | undefined {
  return (message as Message & { [RAW_BYTES]?: Buffer })[RAW_BYTES];
}

/** A receiving client's link as the broker sees it: our rhea Sender and its subscription. */
class SenderOutlet implements Outlet {
  /** Deliveries handed to rhea on this link; see canSend. */
  private handed = 0;
  /** Set once rhea has written our attach; transfers must not overtake it. */
  ready = false;
  subscription: Subscription | null = null;
  /** Unsettled deliveries in send order, so a detach can put them back. */
  readonly inflight = new Map<Delivery, QueuedMessage>();

  constructor(
    readonly sender: Sender,
    private readonly onSend: () => void,
  ) {}

  canSend(): boolean {
    if (!this.ready || !this.sender.sendable()) return false;
    // rhea lowers `credit` only when it writes a transfer on the next tick, so
    // bound what we hand over by the receiver's limit, credit + delivery_count.
    const internals = this.sender as unknown as SenderInternals;
    this.handed = Math.max(this.handed, internals.delivery_count);
    return this.handed < internals.credit + internals.delivery_count;
  }

  send(message: QueuedMessage): void {
    // Format 0 with a Buffer makes rhea send the already-encoded message as is.
    const delivery = this.sender.send(message.payload, undefined, 0);
    this.handed++;
    if (!delivery.settled) this.inflight.set(delivery, message);
    this.onSend();
  }
}

/** See Broker.serves; exported for its unit test. */
export function brokerServes(url: string, listener: { host: string; port: number; tls: boolean }): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== (listener.tls ? 'amqps:' : 'amqp:')) return false;
  if ((u.port ? Number(u.port) : listener.tls ? 5671 : 5672) !== listener.port) return false;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const listening = listener.host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === listening) return true;
  // '::' takes IPv4 connections too (dual stack); '0.0.0.0' only IPv4 ones.
  const anyV6 = listening === '::' || listening === '::0' || listening === '';
  const wildcard = anyV6 || listening === '0.0.0.0';
  if (host === 'localhost') return wildcard || listening === '127.0.0.1' || listening === '::1';
  if (!wildcard || !isIP(host) || (!anyV6 && isIP(host) !== 4)) return false;
  if (host === '::1' || /^127\./.test(host)) return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address.toLowerCase() === host));
}

function pem(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

/** Durable only when the terminus outlives the connection (AMQP expiry policy `never`). */
function isDurableSource(source: Source): boolean {
  return Number(source.durable ?? 0) > 0 && source.expiry_policy === 'never';
}

function linkError(condition: string, description: string): AmqpError {
  return { condition, description };
}

/**
 * Starts the embedded broker and resolves once it is listening.
 * @throws when the port cannot be bound or a TLS file cannot be read.
 */
export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  const log = opts.log ?? (() => {});
  const router = new TopicRouter(opts.maxQueued ?? 10000, log);
  const container = rhea.create_container({ id: `kojibox-broker-${randomUUID()}` });
  // Any credentials are fine: the broker does not authenticate, PLAIN is offered
  // only so clients configured with a user name can still connect.
  container.sasl_server_mechanisms.enable_anonymous();
  container.sasl_server_mechanisms.enable_plain(() => true);

  const connections = new Set<Connection>();
  const sockets = new Set<Socket>();
  const outlets = new Map<Sender, SenderOutlet>();
  const outletsByConnection = new Map<Connection, Set<SenderOutlet>>();
  const counters = { routed: 0, rejected: 0, delivered: 0 };
  let closing = false;

  const peer = (connection: Connection): string => {
    const socket = (connection as unknown as ConnectionInternals).socket;
    return socket?.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unknown peer';
  };

  /** Ends a receiving link's hold on its subscription; durable ones keep their queue. */
  const detachOutlet = (outlet: SenderOutlet, unsubscribe: boolean): void => {
    if (outlets.get(outlet.sender) !== outlet) return;
    outlets.delete(outlet.sender);
    outletsByConnection.get(outlet.sender.connection)?.delete(outlet);
    if (outlet.subscription) {
      // rhea announces a receiver's dispositions on its next tick, but a
      // detach read in the same chunk arrives at once: a delivery the
      // receiver already accepted or rejected is done, not to be sent again.
      const unsettled = [...outlet.inflight].filter(([delivery]) => !finallySettledByPeer(delivery)).map(([, message]) => message);
      router.detach(outlet.subscription, outlet, { unsubscribe, unsettled });
    }
    outlet.inflight.clear();
  };

  const dropConnection = (connection: Connection, how: string): void => {
    const wasOpen = connections.delete(connection);
    for (const outlet of outletsByConnection.get(connection) ?? []) detachOutlet(outlet, false);
    outletsByConnection.delete(connection);
    if (wasOpen) log(`mq: connection from ${connection.container_id} ${how}`);
  };

  const refuse = (sender: Sender | Receiver, condition: string, description: string): void => {
    log(`mq: refused link '${sender.name}': ${description}`);
    sender.close(linkError(condition, description));
  };

  /** A client attached a receiver: our end is a Sender feeding a subscription. */
  const openOutgoing = (sender: Sender): void => {
    const source = sender.source;
    if (closing) return refuse(sender, 'amqp:resource-limit-exceeded', 'the broker is shutting down');
    if (!source) return refuse(sender, 'amqp:invalid-field', 'a receiver needs a source');
    const address = source.dynamic ? `dynamic.${randomUUID()}` : source.address;
    if (!address) return refuse(sender, 'amqp:invalid-field', 'a receiver needs a source address');
    let filters;
    try {
      filters = readSourceFilters(source.filter);
      // Checked before a durable holder is displaced, so a bad selector changes nothing.
      if (filters.selector !== null && filters.selector.trim() !== '') parseSelector(filters.selector);
    } catch (err) {
      if (err instanceof FilterError) return refuse(sender, err.condition, err.message);
      if (err instanceof SelectorSyntaxError) return refuse(sender, 'amqp:invalid-field', err.message);
      throw err;
    }
    const durable: DurableIdentity | null = isDurableSource(source)
      ? { containerId: sender.connection.container_id, linkName: sender.name }
      : null;
    if (durable) {
      const holder = router.durableOutlet(durable);
      if (holder instanceof SenderOutlet) {
        holder.sender.close(linkError('amqp:link:stolen', `durable subscription '${durable.linkName}' was attached again`));
        detachOutlet(holder, false);
      }
    }
    const outlet = new SenderOutlet(sender, () => counters.delivered++);
    outlet.subscription = router.attach({ address, selector: filters.selector, durable }, outlet);
    outlets.set(sender, outlet);
    // Settlements are heard on the link itself: rhea looks for a listener on
    // the link, then its session, connection and container, copying each
    // listener list on the way, and two events per message made that walk
    // a visible share of the broker's work.
    for (const outcome of ['accepted', 'rejected', 'released', 'settled'] as const) {
      sender.on(outcome, (context: EventContext) => settleOutgoing(context, outcome));
    }
    let group = outletsByConnection.get(sender.connection);
    if (!group) outletsByConnection.set(sender.connection, (group = new Set()));
    group.add(outlet);
    // Echo the source so the receiver sees its address, durability and the filter we apply.
    sender.set_source({
      address: source.dynamic ? address : source.address,
      dynamic: source.dynamic,
      durable: source.durable,
      expiry_policy: source.expiry_policy,
      filter: filters.accepted,
    } as Source);
    // Honour a receiver that asked for pre-settled deliveries (at-most-once).
    if (sender.snd_settle_mode === 1) (sender as unknown as SenderInternals).local.attach.snd_settle_mode = 1;
    setImmediate(() => {
      outlet.ready = true;
      // Outside rhea's own event loop guard: an exception here would end the process.
      try {
        if (outlet.subscription) router.pump(outlet.subscription);
      } catch (err) {
        log(`mq: could not deliver to receiver '${sender.name}': ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    const what = filters.selector === null ? '' : ` selecting ${filters.selector}`;
    log(`mq: ${durable ? 'durable ' : ''}receiver '${sender.name}' attached to '${address}'${what}`);
  };

  /** A client attached a sender: our end is a Receiver whose messages get routed. */
  const openIncoming = (receiver: Receiver): void => {
    if (closing) return refuse(receiver, 'amqp:resource-limit-exceeded', 'the broker is shutting down');
    const target = receiver.target;
    receiver.set_target({ address: target?.address });
  };

  /**
   * The broker's decision on one message, whichever way it came: the topic
   * to route it to, or why it is refused. `linkAddress` is the sending
   * link's target; without one (an anonymous relay) the message names its topic.
   */
  const admit = (message: Message, linkAddress: string | undefined): { topic: string } | { condition: string; description: string } => {
    const rawAddress = linkAddress || message.to;
    if (!rawAddress) return { condition: 'amqp:precondition-failed', description: 'message has no address (no link target and no "to")' };
    const topic = normaliseAddress(String(rawAddress));
    let reason: string | null;
    try {
      reason = opts.reject ? opts.reject(message, topic) : null;
    } catch (err) {
      reason = `reject hook failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (reason) return { condition: 'amqp:precondition-failed', description: reason };
    return { topic };
  };

  const noteRejected = (description: string): void => {
    counters.rejected++;
    log(`mq: rejected a message: ${description}`);
  };

  const routeMessage = (context: EventContext): void => {
    const delivery = context.delivery!;
    const message = context.message!;
    const rejectWith = (condition: string, description: string): void => {
      noteRejected(description);
      // rhea 3.0.5 batches dispositions into ranges without comparing the
      // outcome of a range's first delivery, so an accept followed by a reject
      // in one tick would reach the sender as two accepts (a lost message).
      // Flushing before and after makes a rejection a range of its own.
      const incoming = (context.session as unknown as { incoming?: { process(s: unknown): void } }).incoming;
      incoming?.process(context.session);
      delivery.reject(linkError(condition, description));
      incoming?.process(context.session);
    };
    // rhea hands over undecoded bytes for any message format other than 0.
    if ((context as EventContext & { format?: number }).format) {
      return rejectWith('amqp:not-implemented', 'only AMQP message format 0 is supported');
    }
    const verdict = admit(message, context.receiver?.target?.address);
    if (!('topic' in verdict)) return rejectWith(verdict.condition, verdict.description);
    router.route({ topic: verdict.topic, payload: rawBytesOf(message) ?? rhea.message.encode(message) }, messageLookup(message));
    counters.routed++;
    delivery.accept();
  };

  /** A message handed over in-process; see Broker.publish. */
  const publish = (message: Message): PublishOutcome => {
    if (closing) return { outcome: 'unavailable', description: 'the broker is shutting down' };
    const verdict = admit(message, undefined);
    if (!('topic' in verdict)) {
      noteRejected(verdict.description);
      return { outcome: 'rejected', ...verdict };
    }
    // The same bytes an AMQP sender would have put on the wire for this message.
    router.route({ topic: verdict.topic, payload: encodeMessage(message) }, messageLookup(message));
    counters.routed++;
    return { outcome: 'accepted' };
  };

  /** A receiver settled one of our deliveries; `released` puts the message back. */
  const settleOutgoing = (context: EventContext, outcome: 'accepted' | 'rejected' | 'released' | 'settled'): void => {
    const outlet = context.sender ? outlets.get(context.sender) : undefined;
    const delivery = context.delivery;
    if (!outlet?.subscription || !delivery) return;
    const message = outlet.inflight.get(delivery);
    if (!message) return;
    outlet.inflight.delete(delivery);
    if (outcome === 'released') router.requeue(outlet.subscription, message);
    if (outcome === 'rejected') log(`mq: receiver '${outlet.sender.name}' rejected a message on '${message.topic}'`);
    router.pump(outlet.subscription);
  };

  container.on('connection_open', (context: EventContext) => {
    if (closing) {
      context.connection.close(linkError('amqp:connection:forced', 'the broker is shutting down'));
      return;
    }
    connections.add(context.connection);
    coalesceWrites(context.connection);
    log(`mq: connection from ${context.connection.container_id} (${peer(context.connection)})`);
  });
  container.on('connection_close', (context: EventContext) => dropConnection(context.connection, 'closed'));
  container.on('connection_error', (context: EventContext) => {
    const error = context.connection.error as AmqpError | undefined;
    log(`mq: connection from ${context.connection.container_id} closed with error: ${error?.description ?? error}`);
  });
  container.on('disconnected', (context: EventContext) => dropConnection(context.connection, 'dropped'));
  container.on('session_close', (context: EventContext) => {
    for (const outlet of outletsByConnection.get(context.connection) ?? []) {
      if (outlet.sender.session === context.session) detachOutlet(outlet, false);
    }
  });
  container.on('sender_open', (context: EventContext) => openOutgoing(context.sender!));
  container.on('sender_close', (context: EventContext) => {
    const outlet = outlets.get(context.sender!);
    // Closing (not merely detaching) a durable link is how AMQP unsubscribes.
    if (outlet) detachOutlet(outlet, (context.sender as unknown as SenderInternals).remote.detach?.closed === true);
  });
  container.on('sendable', (context: EventContext) => {
    const outlet = outlets.get(context.sender!);
    if (outlet?.subscription) router.pump(outlet.subscription);
  });
  container.on('sender_draining', (context: EventContext) => {
    const outlet = outlets.get(context.sender!);
    if (!outlet?.subscription) return;
    router.pump(outlet.subscription);
    if (outlet.ready && outlet.subscription.queue.length === 0) context.sender!.set_drained(true);
  });
  container.on('receiver_open', (context: EventContext) => openIncoming(context.receiver!));
  container.on('message', routeMessage);
  container.on('protocol_error', (err: unknown) => log(`mq: protocol error: ${String(err)}`));
  container.on('error', (err: unknown) => log(`mq: error: ${err instanceof Error ? err.message : String(err)}`));

  const tls = opts.tls;
  const listenOptions = {
    host: opts.host,
    port: opts.port,
    // Settlement is ours: a message is accepted only after it has been routed.
    autoaccept: false,
    offered_capabilities: ['ANONYMOUS-RELAY'],
    ...(tls
      ? {
          transport: 'tls' as const,
          cert: pem(tls.cert),
          key: pem(tls.key),
          ca: tls.ca === undefined ? undefined : pem(tls.ca),
          requestCert: tls.requestCert === true,
          rejectUnauthorized: tls.requestCert === true,
          enable_sasl_external: tls.requestCert === true,
        }
      : {}),
  };
  const server: Server = container.listen(listenOptions);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A socket error is reported to rhea through its own listener; this one
    // only keeps an error during a TLS handshake from becoming an uncaught exception.
    socket.on('error', () => {});
  });
  if (tls) server.on('tlsClientError', (err: Error) => log(`mq: TLS handshake failed: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const address = `${tls ? 'amqps' : 'amqp'}://${hostPart}:${port}`;
  log(`mq: broker listening on ${address}`);

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) {
        connection.close(linkError('amqp:connection:forced', 'the broker is shutting down'));
      }
      // Give clients a moment to answer the close frame, then cut what is left:
      // a client blocked elsewhere may never read it.
      const deadline = Date.now() + 250;
      while (sockets.size > 0 && Date.now() < deadline) await Bun.sleep(10);
      for (const socket of sockets) socket.destroy();
      await serverClosed;
      log(`mq: broker on ${address} closed`);
    })();
    return closed;
  };

  return {
    host: opts.host,
    port,
    address,
    close,
    publish,
    serves: (url) => !closing && brokerServes(url, { host: opts.host, port, tls: Boolean(tls) }),
    stats: () => ({
      connections: connections.size,
      messagesRouted: counters.routed,
      messagesRejected: counters.rejected,
      messagesDelivered: counters.delivered,
      messagesDropped: router.dropped,
      ...router.stats(),
    }),
  };
}
