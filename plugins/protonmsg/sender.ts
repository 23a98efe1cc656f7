/**
 * @module
 * The background sender: delivers outbox rows to the broker in id order
 * with rhea and deletes a row only once the broker settles it as accepted.
 * API calls never wait for it; they write rows and wake it after commit.
 *
 * One connection is kept open while it works. Connecting tries each url in
 * turn (the first that accepts wins, as Koji's fallbacks) and, when all
 * fail, waits with exponential backoff. Rows in flight when a connection
 * drops stay in the outbox and are sent again from the oldest, so delivery
 * is at least once; each message carries its row's unique message-id for
 * consumers to drop duplicates. A message the broker rejects is moved to
 * outbox_rejected and logged, so it cannot hold up the ones behind it.
 *
 * A url that the hub's own embedded broker serves (the default when the
 * config lists none) is not connected to: rows are handed to the broker
 * in-process (Broker.publish), skipping AMQP framing and decoding over
 * loopback TCP, which was most of the hub's work per message. The rules
 * stay those of the AMQP path: rows go in id order, batch_size per turn of
 * the event loop; a row is deleted only once the broker has accepted it
 * (it then sits in every matching subscription, as an AMQP accept means),
 * in the same batched deletes; a rejected row moves aside; a broker that
 * is shutting down counts as a lost connection, so the next url gets
 * tried. The TLS settings do not apply there: nothing crosses a wire and
 * the peer is this process. Every other url, and the embedded broker of
 * another process, goes over AMQP as before.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import rhea from 'rhea';
import type { ConnectionOptions, Connection, Delivery, EventContext, Message, Sender } from 'rhea';
import type { Broker } from '../../src/mq/broker.ts';
import { coalesceWrites } from '../../src/mq/writes.ts';
import { encodeMessage } from '../../src/mq/encode.ts';
import type { Logger } from '../../src/core/log.ts';
import type { Store } from '../../src/store/db.ts';
import {
  deleteOutbox,
  deleteOutboxBefore,
  deleteOutboxUpTo,
  markOutboxTried,
  oldestOutboxCreated,
  outboxAfter,
  outboxHasRows,
  rejectOutbox,
  type OutboxRow,
} from '../../src/store/outbox.ts';
import type { ProtonConfig } from './config.ts';

/** Settled rows are deleted in batches of this many, or after this long. */
const FLUSH_ROWS = 500;
const FLUSH_MS = 100;
/** How often queued rows are checked against max_age. */
const EXPIRY_CHECK_MS = 5000;

export interface SenderOptions {
  store: Store;
  log: Logger;
  config: ProtonConfig;
  /** Broker urls in order of preference (the embedded broker's when the config has none). */
  urls: string[];
  /** Backoff bounds in ms; tests shorten them. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** The hub's embedded broker: urls it serves get rows in-process instead of over AMQP. */
  local?: Pick<Broker, 'serves' | 'publish'> | null;
}

export interface SenderStats {
  sent: number;
  rejected: number;
  expired: number;
  /** Messages dropped because the queue is disabled and sending failed. */
  dropped: number;
  inflight: number;
  connectedTo: string | null;
}

export interface OutboxSender {
  /** Look for new rows soon (after a commit). Cheap; never blocks. */
  wake(): void;
  stop(): Promise<void>;
  stats(): SenderStats;
}

/** Where to connect for one url, as rhea wants it. Reads the TLS files each time so renewed ones are used. */
export function connectOptions(url: string, cfg: Pick<ProtonConfig, 'cert' | 'cacert'>): ConnectionOptions {
  const u = new URL(url);
  const secure = u.protocol === 'amqps:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port ? Number(u.port) : secure ? 5671 : 5672;
  const base = {
    host,
    port,
    reconnect: false,
    // Like proton, always talk SASL: ANONYMOUS unless the url names a user.
    username: u.username ? decodeURIComponent(u.username) : 'anonymous',
    password: u.password ? decodeURIComponent(u.password) : undefined,
    container_id: `kojibox-hub-protonmsg`,
  };
  if (!secure) return base as ConnectionOptions;
  const pem = cfg.cert ? readFileSync(cfg.cert, 'utf8') : undefined;
  return {
    ...base,
    transport: 'tls',
    ca: cfg.cacert ? readFileSync(cfg.cacert, 'utf8') : undefined,
    // Koji's cert option is one file holding both the certificate and its key.
    cert: pem,
    key: pem,
    enable_sasl_external: Boolean(pem),
    rejectUnauthorized: true,
    // Koji verifies the broker's chain (proton VERIFY_PEER), not its host name.
    checkServerIdentity: () => undefined,
    // rhea fills in the host when unset, and an IP address is not a valid SNI name.
    servername: isIP(host) ? '' : host,
  } as ConnectionOptions;
}

/** A url without its password, for logs. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function errorText(err: unknown): string {
  if (!err) return 'connection closed';
  if (err instanceof Error) return err.message;
  if (typeof err === 'object') {
    const e = err as { description?: string; condition?: string };
    if (e.description || e.condition) return [e.condition, e.description].filter(Boolean).join(': ');
  }
  return String(err);
}

/** Sending to the hub's own broker in-process (see the module comment). */
interface LocalLive {
  url: string;
  broker: Pick<Broker, 'publish'>;
}

interface Live {
  conn: Connection;
  url: string;
  open: boolean;
  links: Map<string, Sender>;
}

/**
 * Start delivering. The returned sender keeps working until stop(); every
 * failure is logged and retried, never thrown.
 */
export function startSender(opts: SenderOptions): OutboxSender {
  const { store, config: cfg } = opts;
  const log = opts.log;
  const retryMin = opts.retryMinMs ?? 250;
  const retryMax = opts.retryMaxMs ?? 5000;
  const container = rhea.create_container({ id: 'kojibox-hub-protonmsg' });
  const ttlMs = cfg.ttl ? Math.round(cfg.ttl * 1000) : undefined;

  let stopped = false;
  let live: Live | null = null;
  let localLive: LocalLive | null = null;
  let connecting = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = retryMin;
  let sendTimer: ReturnType<typeof setTimeout> | null = null;
  let pumpQueued = false;
  /** The last read found every row there was; only a wake-up brings more. */
  let drained = false;
  const inflight = new Map<Delivery, OutboxRow>();
  const acceptedIds: number[] = [];
  let lastExpiry = 0;
  let lastFailureLog = 0;
  const counts = { sent: 0, rejected: 0, expired: 0, dropped: 0 };

  /**
   * Runs fn from a timer or a rhea event: a database error must neither
   * crash the hub nor break rhea's dispatch, so it is logged and retried.
   * Rows stay in the outbox until deleted, so nothing is lost by a failure.
   */
  const guarded = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A): void => {
    try {
      fn(...args);
    } catch (err) {
      log.error(`sender failed: ${errorText(err)}`);
      scheduleRetry();
    }
  };

  const schedulePump = (): void => {
    if (pumpQueued || stopped) return;
    pumpQueued = true;
    setImmediate(
      guarded(() => {
        pumpQueued = false;
        pump();
      }),
    );
  };

  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  /** Delete the rows the broker accepted. */
  const flushAccepted = (): void => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (!acceptedIds.length) return;
    const ids = acceptedIds.splice(0);
    deleteOutbox(store, ids);
  };

  /**
   * Deleting is bookkeeping: consumers already have the messages. Each
   * transaction has a fixed cost, so while messages stream, settled rows are
   * deleted every FLUSH_ROWS or FLUSH_MS; at rest, at once. A crash in
   * between only means those messages go out again (same message-ids).
   */
  const noteAccepted = (): void => {
    if (acceptedIds.length >= FLUSH_ROWS || (inflight.size === 0 && drained)) return flushAccepted();
    flushTimer ??= setTimeout(guarded(flushAccepted), FLUSH_MS);
  };

  const expireOld = (): void => {
    const t = Date.now();
    // max_age is in hours; looking every few seconds is plenty and keeps reads off the hot path.
    if (t - lastExpiry < EXPIRY_CHECK_MS) return;
    lastExpiry = t;
    const cutoff = t / 1000 - cfg.maxAge * 3600;
    // Rows are written in time order, so the first row says whether any expired.
    const oldest = oldestOutboxCreated(store);
    if (oldest === null || oldest >= cutoff) return;
    const n = deleteOutboxBefore(store, cutoff);
    if (n) {
      counts.expired += n;
      log.error(`dropped ${n} queued messages older than ${cfg.maxAge} hours (max_age)`);
    }
  };

  const clearSendTimer = (): void => {
    if (sendTimer) clearTimeout(sendTimer);
    sendTimer = null;
  };

  /** When messages in flight last made progress (sent or settled). */
  let lastProgress = 0;

  /**
   * Note progress for the send timeout, which measures time without progress
   * while messages are in flight. One timer re-arms itself for the time left,
   * so a settlement costs no timer churn.
   */
  const armSendTimer = (): void => {
    lastProgress = Date.now();
    if (sendTimer || !inflight.size) return;
    const check = (): void => {
      sendTimer = null;
      if (!inflight.size || !live) return;
      const left = lastProgress + cfg.sendTimeout * 1000 - Date.now();
      if (left > 0) {
        sendTimer = setTimeout(check, left);
        return;
      }
      log.error(`send timeout expired with ${inflight.size} messages unsettled by ${shown(live.url)}`);
      dropConnection();
      scheduleRetry();
    };
    sendTimer = setTimeout(check, cfg.sendTimeout * 1000);
  };

  /** Forget the connection; rows in flight will be sent again. */
  const dropConnection = (): void => {
    clearSendTimer();
    const old = live;
    live = null;
    if (inflight.size) {
      markOutboxTried(store, [...inflight.values()].map((r) => r.id));
      inflight.clear();
    }
    flushAccepted();
    if (old) {
      old.conn.removeAllListeners();
      old.conn.on('error', () => {});
      old.conn.on('disconnected', () => {});
      try {
        old.conn.close();
      } catch {
        // already closed
      }
    }
  };

  const scheduleRetry = (): void => {
    if (stopped || retryTimer) return;
    const delay = retryDelay;
    retryDelay = Math.min(retryDelay * 2, retryMax);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      schedulePump();
    }, delay);
  };

  const onAllFailed = (failures: string[]): void => {
    const t = Date.now();
    if (t - lastFailureLog > 60_000) {
      lastFailureLog = t;
      log.error(`could not connect to any broker (${failures.join('; ')}); messages stay queued`);
    }
    if (!cfg.queueEnabled) {
      const last = outboxAfter(store, 0, 1_000_000).at(-1);
      if (last) {
        const n = deleteOutboxUpTo(store, last.id);
        counts.dropped += n;
        log.error(`could not send ${n} messages. db queue disabled`);
      }
    }
    scheduleRetry();
  };

  const attachEvents = (l: Live, onOpen: () => void, onFail: (why: string) => void): void => {
    const c = l.conn;
    const gone = guarded((why: string) => {
      if (live !== l) return onFail(why);
      log.warn(`connection to ${shown(l.url)} lost: ${why}`);
      dropConnection();
      scheduleRetry();
    });
    c.on('connection_open', () => {
      l.open = true;
      onOpen();
    });
    c.on('disconnected', (ctx: EventContext) => gone(errorText(ctx.error)));
    c.on('connection_close', () => gone(errorText(c.error)));
    c.on('connection_error', () => gone(errorText(c.error)));
    c.on('error', (err: unknown) => gone(errorText(err)));
    c.on('sender_error', (ctx: EventContext) => gone(`link to ${ctx.sender?.target?.address} refused: ${errorText(ctx.sender?.error)}`));
    c.on('sendable', () => schedulePump());
    c.on('accepted', guarded((ctx: EventContext) => {
      if (live !== l || !ctx.delivery) return;
      const row = inflight.get(ctx.delivery);
      if (!row) return;
      inflight.delete(ctx.delivery);
      acceptedIds.push(row.id);
      counts.sent++;
      armSendTimer();
      noteAccepted();
      // Refill in batches (half a window at a time) so each database round
      // trip moves many rows; with nothing more to read, only tidy up at the end.
      if (inflight.size === 0 || (!drained && inflight.size <= cfg.batchSize / 2)) schedulePump();
    }));
    c.on('rejected', guarded((ctx: EventContext) => {
      if (live !== l || !ctx.delivery) return;
      const row = inflight.get(ctx.delivery);
      if (!row) return;
      inflight.delete(ctx.delivery);
      moveAside(row, errorText((ctx.delivery.remote_state as { error?: unknown } | undefined)?.error ?? 'rejected'), l.url);
      armSendTimer();
      schedulePump();
    }));
    const retryLater = guarded((ctx: EventContext, how: string) => {
      if (live !== l || !ctx.delivery || !inflight.has(ctx.delivery)) return;
      const row = inflight.get(ctx.delivery)!;
      // The broker did not take it; start again from the oldest unsent row after a pause.
      log.warn(`message ${row.message_id} was ${how} by ${shown(l.url)}; will retry`);
      dropConnection();
      scheduleRetry();
    });
    c.on('released', (ctx: EventContext) => retryLater(ctx, 'released'));
    c.on('modified', (ctx: EventContext) => retryLater(ctx, 'modified'));
  };

  /** Try the urls in order until one opens; on success the pump resumes. */
  const connect = (): void => {
    connecting = true;
    const failures: string[] = [];
    const attempt = (i: number): void => {
      if (stopped) return;
      if (i >= opts.urls.length) {
        connecting = false;
        onAllFailed(failures);
        return;
      }
      const url = opts.urls[i]!;
      if (opts.local?.serves(url)) {
        connecting = false;
        localLive = { url, broker: opts.local };
        retryDelay = retryMin;
        if (i > 0 || lastFailureLog) log.info(`sending to ${shown(url)}, the hub's own broker, in-process`);
        else log.debug(`sending to ${shown(url)}, the hub's own broker, in-process`);
        lastFailureLog = 0;
        schedulePump();
        return;
      }
      let settled = false;
      let l: Live;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        failures.push(`${shown(url)}: ${why}`);
        log.debug(`cannot connect to ${shown(url)}: ${why}`);
        l.conn.removeAllListeners();
        l.conn.on('error', () => {});
        l.conn.on('disconnected', () => {});
        try {
          l.conn.close();
          (l.conn as unknown as { socket?: { destroy(): void } }).socket?.destroy();
        } catch {
          // nothing to close
        }
        attempt(i + 1);
      };
      let options: ConnectionOptions;
      try {
        options = connectOptions(url, cfg);
      } catch (err) {
        failures.push(`${shown(url)}: ${errorText(err)}`);
        attempt(i + 1);
        return;
      }
      let conn: Connection;
      try {
        conn = container.connect(options);
        // a batch of transfers leaves in one socket write, not one per message
        coalesceWrites(conn);
      } catch (err) {
        // e.g. a cert file that is not PEM: tls.connect throws before any socket exists
        failures.push(`${shown(url)}: ${errorText(err)}`);
        attempt(i + 1);
        return;
      }
      const timer = setTimeout(() => fail(`no connection within ${cfg.connectTimeout} s (connect_timeout)`), cfg.connectTimeout * 1000);
      l = { conn, url, open: false, links: new Map() };
      attachEvents(l, () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        connecting = false;
        live = l;
        retryDelay = retryMin;
        if (i > 0 || lastFailureLog) log.info(`connected to ${shown(url)}`);
        else log.debug(`connected to ${shown(url)}`);
        lastFailureLog = 0;
        schedulePump();
      }, fail);
    };
    attempt(0);
  };

  /** The message for a row; both paths send exactly this. */
  const messageOf = (row: OutboxRow): Message => ({
    message_id: row.message_id,
    to: row.address,
    application_properties: JSON.parse(row.props) as Record<string, unknown>,
    body: row.body,
    ...(ttlMs ? { ttl: ttlMs } : {}),
  });

  /** Moves a row the broker refused aside (a broker refusing one message must not hold up the rest). */
  const moveAside = (row: OutboxRow, reason: string, url: string): void => {
    flushAccepted();
    rejectOutbox(store, row.id, reason, Date.now() / 1000);
    counts.rejected++;
    log.error(`message was rejected by ${shown(url)}: ${reason}; moved aside (message-id ${row.message_id}, address ${row.address}, properties ${row.props})`);
  };

  /**
   * One batch to the hub's own broker. Its answer is immediate, so nothing
   * is in flight: accepted rows wait only for their batched delete, and the
   * next batch is read on the next turn of the event loop, which lets the
   * broker write to its receivers and the hub answer calls in between.
   */
  const pumpLocal = (l: LocalLive): void => {
    // Accepted rows not yet deleted are the newest sent; see pump() on ids.
    const cursor = acceptedIds.length ? acceptedIds[acceptedIds.length - 1]! : 0;
    const rows = outboxAfter(store, cursor, cfg.batchSize);
    drained = rows.length < cfg.batchSize;
    for (const row of rows) {
      const result = l.broker.publish(messageOf(row));
      if (result.outcome === 'accepted') {
        acceptedIds.push(row.id);
        counts.sent++;
      } else if (result.outcome === 'rejected') {
        moveAside(row, [result.condition, result.description].join(': '), l.url);
      } else {
        log.warn(`${shown(l.url)} (the hub's own broker) stopped taking messages: ${result.description}`);
        flushAccepted();
        localLive = null;
        scheduleRetry();
        return;
      }
    }
    noteAccepted();
    if (!drained) schedulePump();
  };

  const linkFor = (l: Live, address: string): Sender => {
    let link = l.links.get(address);
    if (!link) {
      link = l.conn.open_sender({ target: { address }, autosettle: true });
      l.links.set(address, link);
    }
    return link;
  };

  const pumpTestMode = (): void => {
    for (;;) {
      const rows = outboxAfter(store, 0, cfg.batchSize);
      if (!rows.length) return;
      const done: number[] = [];
      let held = false;
      for (const row of rows) {
        if (cfg.testModeFail && Math.random() * 100 < cfg.testModeFail) {
          log.info('test mode: simulating an unsent message');
          held = true;
          break;
        }
        log.debug(`test mode: skipped msg: ${row.address} ${row.props}`);
        done.push(row.id);
      }
      deleteOutbox(store, done);
      counts.sent += done.length;
      if (held) return scheduleRetry();
    }
  };

  const pump = (): void => {
    if (stopped) return;
    expireOld();
    if (cfg.testMode) return pumpTestMode();
    if (localLive) return pumpLocal(localLive);
    if (!live) {
      if (!connecting && !retryTimer && outboxHasRows(store)) connect();
      return;
    }
    if (!live.open) return;
    // Rows above the newest one sent (in flight, or accepted and not yet
    // deleted) are unsent. SQLite reuses ids once the highest row is deleted,
    // so with none of those start from 0 (everything in the table is then
    // unsent); while one is in the table, new rows get ids above it.
    let cursor = 0;
    for (const row of inflight.values()) cursor = Math.max(cursor, row.id);
    for (const id of acceptedIds) cursor = Math.max(cursor, id);
    while (inflight.size < cfg.batchSize) {
      const want = cfg.batchSize - inflight.size;
      const rows = outboxAfter(store, cursor, want);
      drained = rows.length < want;
      if (!rows.length) break;
      for (const row of rows) {
        const link = linkFor(live, row.address);
        // Stop at the first row that cannot go yet, so order holds across addresses.
        if (!link.sendable()) return armSendTimer();
        // Format 0 with a Buffer: rhea sends these bytes (the same it would encode) as they are.
        const delivery = link.send(encodeMessage(messageOf(row)), undefined, 0);
        inflight.set(delivery, row);
        cursor = row.id;
      }
      if (drained) break;
    }
    armSendTimer();
  };

  // Expiry and rows written by anything that did not wake us get looked at now and then.
  const tick = setInterval(() => schedulePump(), 30_000);
  schedulePump();

  return {
    wake() {
      drained = false;
      schedulePump();
    },
    stats: () => ({ ...counts, inflight: inflight.size, connectedTo: live?.url ?? localLive?.url ?? null }),
    async stop() {
      stopped = true;
      clearInterval(tick);
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      clearSendTimer();
      // Give settlements already on their way a moment to arrive.
      const deadline = Date.now() + 1000;
      while (inflight.size && live && Date.now() < deadline) await Bun.sleep(10);
      flushAccepted();
      localLive = null;
      const l = live;
      live = null;
      inflight.clear();
      if (l) {
        l.conn.removeAllListeners();
        l.conn.on('error', () => {});
        l.conn.on('disconnected', () => {});
        const closed = new Promise<void>((resolve) => {
          l.conn.once('connection_close', () => resolve());
          setTimeout(resolve, 500);
        });
        l.conn.close();
        await closed;
      }
    },
  };
}
