/**
 * @module
 * The protonmsg hub plugin (hub.conf `Plugins = protonmsg`): Koji's
 * callbacks become bus messages written to the outbox in the same
 * transaction as the change, and a background sender delivers them after
 * commit. Unlike Koji, which sends inside each API call after commit and
 * can lose messages when the hub dies in between, a message exists exactly
 * when its change does.
 */
import type { HubPlugin } from '../../src/plugin.ts';
import type { CallbackFn, CallbackName } from '../../src/hub/callbacks.ts';
import type { CallContext } from '../../src/hub/context.ts';
import type { Hub } from '../../src/hub/hub.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { buildTypeNames } from '../../src/store/builds.ts';
import { insertOutbox, OUTBOX_REJECTED_SQL } from '../../src/store/outbox.ts';
import { embeddedBroker, embeddedBrokerUrl } from '../../src/hub/services/broker.ts';
import { CONFIG_PATH, fullAddress, loadProtonConfig, type ProtonConfig } from './config.ts';
import { MESSAGE_BUILDERS, type MessageContext } from './messages.ts';
import { startSender } from './sender.ts';

/** The hub.notify topic that tells the sender new rows were committed. */
export const OUTBOX_TOPIC = 'protonmsg.outbox';

/** Config per running hub: callbacks run in calls and need it without a global. */
const configs = new WeakMap<Hub, ProtonConfig>();

function configOf(hub: Hub): ProtonConfig {
  let cfg = configs.get(hub);
  if (!cfg) {
    // Callbacks can run before start() only in tests that skip it.
    cfg = loadProtonConfig(hub.configRoot);
    configs.set(hub, cfg);
  }
  return cfg;
}

function queueMessage(ctx: CallContext, name: CallbackName, args: Record<string, unknown>): void {
  const cfg = configOf(ctx.hub);
  const log = ctx.hub.log;
  const mc: MessageContext = {
    extraLimit: cfg.extraLimit,
    buildTypes: (id) => buildTypeNames(ctx.store, id),
    dropped: (nvr, size, limit) => log.debug(`dropping 'extra' from build ${nvr} (length: ${size} > ${limit})`),
  };
  const msg = MESSAGE_BUILDERS[name]?.(args, mc);
  if (!msg) return;
  insertOutbox(ctx.store, {
    address: fullAddress(cfg, msg.address),
    props: JSON.stringify(msg.props),
    body: msg.body,
    // Time-ordered ids keep the unique index's inserts and deletes on a few pages.
    messageId: Bun.randomUUIDv7(),
    created: Date.now() / 1000,
  });
  ctx.afterCommit(() => ctx.hub.notify(OUTBOX_TOPIC));
}

const callbacks: Partial<Record<CallbackName, CallbackFn>> = {};
for (const name of Object.keys(MESSAGE_BUILDERS) as CallbackName[]) {
  callbacks[name] = (ctx, args) => queueMessage(ctx, name, args);
}

export const protonmsgHub: HubPlugin = {
  name: 'protonmsg',
  callbacks,
  migrations: [{ id: 'plugin-protonmsg-001', sql: OUTBOX_REJECTED_SQL }],
  start(hub) {
    const cfg = loadProtonConfig(hub.configRoot);
    configs.set(hub, cfg);
    const log = hub.log.child('protonmsg');
    let urls = cfg.urls;
    if (!urls.length && !cfg.testMode) {
      const embedded = embeddedBrokerUrl(hub);
      if (!embedded) {
        throw new ConfigError('[broker] urls is empty and the embedded AMQP broker is off (--amqp-listen off); set urls or enable the broker', { file: CONFIG_PATH });
      }
      urls = [embedded];
    }
    // Messages for the hub's own broker skip AMQP over loopback (see sender.ts).
    const local = embeddedBroker(hub);
    const shown = urls.map((u) => (local?.serves(u) ? `${u} (this hub's broker, in-process)` : u));
    log.info(cfg.testMode ? 'test mode: messages are dropped, not sent' : `sending messages to ${shown.join(' ')} with topic prefix ${cfg.topicPrefix}`);
    const sender = startSender({ store: hub.store, log, config: cfg, urls, local });
    const unsubscribe = hub.subscribe((topic) => {
      if (topic === OUTBOX_TOPIC) sender.wake();
    });
    return async () => {
      unsubscribe();
      await sender.stop();
      configs.delete(hub);
    };
  },
};
