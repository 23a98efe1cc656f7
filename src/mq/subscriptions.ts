/**
 * @module
 * Topic subscriptions and their queues, independent of the AMQP library:
 * each receiving link is a subscription with an address pattern, an optional
 * selector and a bounded queue of messages waiting for credit. Durable
 * subscriptions outlive their link and keep collecting messages until the
 * same container id and link name attach again.
 */

import { compileAddress } from './address.ts';
import type { AddressPattern } from './address.ts';
import { parseSelector } from './selector.ts';
import type { SelectorExpr } from './selector.ts';
import { matchesSelector } from './selector-eval.ts';
import type { SelectorLookup } from './selector-eval.ts';

/** One routed message, already encoded once for every subscriber. */
export interface QueuedMessage {
  readonly topic: string;
  readonly payload: Buffer;
}

/** The attached link a subscription delivers through. */
export interface Outlet {
  /** True while the link has credit (and session window) for one more message. */
  canSend(): boolean;
  send(message: QueuedMessage): void;
}

/** How a durable subscription is named by AMQP: the client's container id and its link name. */
export interface DurableIdentity {
  readonly containerId: string;
  readonly linkName: string;
}

export interface SubscriptionSpec {
  /** The receiver's source address as given (prefixes and wildcards allowed). */
  readonly address: string;
  /** Selector text; null or blank for none. */
  readonly selector: string | null;
  readonly durable: DurableIdentity | null;
}

export class Subscription {
  readonly pattern: AddressPattern;
  readonly selectorExpr: SelectorExpr | null;
  queue: QueuedMessage[] = [];
  outlet: Outlet | null = null;
  /** Messages dropped since the queue last had room; reported once it drains. */
  dropping = 0;

  constructor(
    readonly spec: SubscriptionSpec,
    readonly selectorText: string | null,
  ) {
    this.pattern = compileAddress(spec.address);
    // Parse before anything is registered: a bad selector must refuse the link.
    this.selectorExpr = selectorText === null ? null : parseSelector(selectorText);
  }

  get label(): string {
    const who = this.spec.durable ? `durable subscription ${this.spec.durable.containerId}/${this.spec.durable.linkName}` : 'subscription';
    return `${who} on '${this.pattern.source}'`;
  }
}

export interface DurableSubscriptionStats {
  containerId: string;
  linkName: string;
  address: string;
  selector: string | null;
  attached: boolean;
  queued: number;
}

function durableKey(id: DurableIdentity): string {
  return `${id.containerId}\u0000${id.linkName}`;
}

function blankToNull(selector: string | null): string | null {
  return selector === null || selector.trim() === '' ? null : selector;
}

/** All subscriptions of one broker and the fan-out between them. */
export class TopicRouter {
  private readonly subscriptions = new Set<Subscription>();
  private readonly durable = new Map<string, Subscription>();
  /** Messages discarded because a queue was full. */
  dropped = 0;

  constructor(
    private readonly maxQueued: number,
    private readonly log: (line: string) => void,
  ) {}

  /** The outlet currently attached to a durable subscription, if any. */
  durableOutlet(identity: DurableIdentity): Outlet | null {
    return this.durable.get(durableKey(identity))?.outlet ?? null;
  }

  /**
   * Attaches an outlet to a new subscription, or to the durable subscription
   * it names. A durable subscription whose address or selector changed is
   * replaced, as JMS does for a re-subscription under the same name. The
   * caller detaches any outlet still holding the durable subscription first.
   * @throws SelectorSyntaxError when the selector does not parse.
   */
  attach(spec: SubscriptionSpec, outlet: Outlet): Subscription {
    const selectorText = blankToNull(spec.selector);
    const fresh = new Subscription(spec, selectorText);
    let subscription = fresh;
    if (spec.durable) {
      const key = durableKey(spec.durable);
      const existing = this.durable.get(key);
      if (existing && existing.pattern.source === fresh.pattern.source && existing.selectorText === selectorText) {
        subscription = existing;
      } else {
        if (existing) {
          this.subscriptions.delete(existing);
          this.log(`mq: ${existing.label} re-subscribed with a different address or selector; ${existing.queue.length} queued messages discarded`);
        }
        this.durable.set(key, fresh);
      }
    }
    subscription.outlet = outlet;
    this.subscriptions.add(subscription);
    this.pump(subscription);
    return subscription;
  }

  /**
   * Detaches an outlet. A durable subscription keeps its queue (with the
   * messages the link had not settled put back first) unless the client
   * unsubscribed; any other subscription ends with its link.
   */
  detach(subscription: Subscription, outlet: Outlet, options: { unsubscribe: boolean; unsettled: QueuedMessage[] }): void {
    if (subscription.outlet !== outlet) return;
    subscription.outlet = null;
    const durable = subscription.spec.durable;
    if (durable && !options.unsubscribe && this.durable.get(durableKey(durable)) === subscription) {
      subscription.queue = [...options.unsettled, ...subscription.queue];
      this.trim(subscription);
      return;
    }
    if (durable && this.durable.get(durableKey(durable)) === subscription) this.durable.delete(durableKey(durable));
    this.subscriptions.delete(subscription);
  }

  /** Puts a message the receiver released back at the head of its queue. */
  requeue(subscription: Subscription, message: QueuedMessage): void {
    if (!this.subscriptions.has(subscription)) return;
    subscription.queue.unshift(message);
    this.trim(subscription);
    this.pump(subscription);
  }

  /**
   * Fans one message out to every subscription whose pattern and selector
   * match, and returns how many took it.
   */
  route(message: QueuedMessage, lookup: SelectorLookup): number {
    let taken = 0;
    for (const subscription of this.subscriptions) {
      if (!subscription.pattern.matches(message.topic)) continue;
      if (subscription.selectorExpr && !matchesSelector(subscription.selectorExpr, lookup)) continue;
      subscription.queue.push(message);
      this.trim(subscription);
      this.pump(subscription);
      taken++;
    }
    return taken;
  }

  /** Sends queued messages while the attached link has credit. */
  pump(subscription: Subscription): void {
    const outlet = subscription.outlet;
    if (!outlet) return;
    while (subscription.queue.length > 0 && outlet.canSend()) {
      outlet.send(subscription.queue.shift()!);
    }
    if (subscription.dropping > 0 && subscription.queue.length < this.maxQueued) {
      this.log(`mq: ${subscription.label} has room again after dropping ${subscription.dropping} messages`);
      subscription.dropping = 0;
    }
  }

  /** Counts of live and durable subscriptions, for Broker.stats(). */
  stats(): { subscriptions: number; durable: DurableSubscriptionStats[] } {
    const durable = [...this.durable.values()].map((s) => ({
      containerId: s.spec.durable!.containerId,
      linkName: s.spec.durable!.linkName,
      address: s.pattern.source,
      selector: s.selectorText,
      attached: s.outlet !== null,
      queued: s.queue.length,
    }));
    return { subscriptions: this.subscriptions.size, durable };
  }

  /** Enforces maxQueued by dropping the oldest messages, logging once per overflow. */
  private trim(subscription: Subscription): void {
    const excess = subscription.queue.length - this.maxQueued;
    if (excess <= 0) return;
    subscription.queue.splice(0, excess);
    if (subscription.dropping === 0) {
      this.log(`mq: ${subscription.label} is full (${this.maxQueued} messages); dropping the oldest`);
    }
    subscription.dropping += excess;
    this.dropped += excess;
  }
}
