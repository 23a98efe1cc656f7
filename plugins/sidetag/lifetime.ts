/**
 * @module
 * Sidetag lifetimes, which Koji leaves to a cron script
 * (koji-sidetag-cleanup). The hub sweeps on a timer and removes a sidetag
 * (target, tag; its repos go with the tag) once it is past `max_age` since
 * creation, past `max_idle` since anything happened in it, or empty of
 * builds and past `max_empty_age` since anything happened in it. A sidetag
 * in use (a build running in it or waiting to) is left for a later sweep, and a true `sidetag_keep` in its extra exempts
 * it. Each removal is its own transaction and fires the delete callbacks,
 * so messaging announces it; the hub log says what went and why.
 */
import type { Hub } from '../../src/hub/hub.ts';
import { CallContext } from '../../src/hub/context.ts';
import { getTagInfo } from '../../src/hub/api/lookups.ts';
import { truthy } from '../../src/hub/policy/index.ts';
import type { SidetagConfig } from './config.ts';
import { formatDuration } from './duration.ts';
import { isSidetag, removeSidetagInTx } from './rules.ts';
import { listSidetags, sidetagFacts, type SidetagFacts } from './store.ts';

export interface Expiry {
  /** When the sidetag becomes removable (epoch seconds). */
  at: number;
  /** Which rule, as the log and the listing say it. */
  reason: string;
}

/** Whether the tag extra exempts a sidetag from the lifetime rules. */
export function isKept(extra: Record<string, unknown>): boolean {
  return truthy(extra.sidetag_keep);
}

/** The earliest moment a lifetime rule removes the sidetag, or null when none applies. */
export function expiryOf(f: SidetagFacts, kept: boolean, cfg: Pick<SidetagConfig, 'maxAge' | 'maxIdle' | 'maxEmptyAge'>): Expiry | null {
  if (kept) return null;
  const found: Expiry[] = [];
  if (cfg.maxAge !== null) found.push({ at: f.createdTs + cfg.maxAge, reason: `max_age ${formatDuration(cfg.maxAge)}` });
  if (cfg.maxIdle !== null) found.push({ at: f.lastActivityTs + cfg.maxIdle, reason: `max_idle ${formatDuration(cfg.maxIdle)}` });
  if (cfg.maxEmptyAge !== null && f.builds === 0) {
    found.push({ at: f.lastActivityTs + cfg.maxEmptyAge, reason: `max_empty_age ${formatDuration(cfg.maxEmptyAge)}` });
  }
  if (!found.length) return null;
  return found.reduce((a, b) => (b.at < a.at ? b : a));
}

export interface SweepResult {
  removed: string[];
  /** Expired but in use, so kept for now. */
  postponed: string[];
}

/** One pass over all sidetags at time `now` (seconds); removes the expired ones. */
export function sweepOnce(hub: Hub, cfg: SidetagConfig, now: number): SweepResult {
  const log = hub.log.child('sidetag');
  const result: SweepResult = { removed: [], postponed: [] };
  const candidates = listSidetags(hub.store);
  for (const row of candidates) {
    try {
      hub.store.tx(() => {
        const ctx = new CallContext(hub, null, '127.0.0.1', 'sidetag.lifetime');
        const tag = getTagInfo(ctx, row.id);
        if (!tag || !isSidetag(tag)) return;
        const facts = sidetagFacts(hub.store, tag.id);
        const expiry = expiryOf(facts, isKept(tag.extra), cfg);
        if (!expiry || expiry.at > now) return;
        if (facts.inUse) {
          result.postponed.push(tag.name);
          return;
        }
        removeSidetagInTx(ctx, tag);
        const owner = row.user_name ?? `user ${row.user_id}`;
        const what =
          `created ${formatDuration(now - facts.createdTs)} ago, idle for ${formatDuration(now - facts.lastActivityTs)}, ` +
          `${facts.builds} build${facts.builds === 1 ? '' : 's'}`;
        ctx.afterCommit(() => {
          result.removed.push(tag.name);
          log.info(`removed sidetag ${tag.name} (id ${tag.id}, owner ${owner}) with its target and repos: ${expiry.reason} (${what})`);
        });
      });
    } catch (err) {
      log.warn(`could not remove expired sidetag ${row.name}: ${(err as Error).message}`);
    }
  }
  if (result.postponed.length) log.debug(`expired but in use, kept for now: ${result.postponed.join(', ')}`);
  return result;
}

/** Run the sweep every `sweepInterval` seconds (and once shortly after start); returns the stop function. */
export function startSweeper(hub: Hub, cfg: SidetagConfig): () => void {
  const run = () => {
    try {
      sweepOnce(hub, cfg, Date.now() / 1000);
    } catch (err) {
      hub.log.error(`sidetag lifetime sweep failed: ${(err as Error).message}`);
    }
  };
  const first = setTimeout(run, Math.min(cfg.sweepInterval, 5) * 1000);
  const timer = setInterval(run, cfg.sweepInterval * 1000);
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
