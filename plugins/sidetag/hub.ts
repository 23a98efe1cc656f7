/**
 * @module
 * The sidetag hub plugin (hub.conf `Plugins = sidetag_hub`, or `sidetag`):
 * the sidetag API, the is_sidetag / is_sidetag_owner policy tests, Koji's
 * `remove_empty` postUntag handler and kojibox's lifetime sweep. Config is
 * koji-hub/plugins/sidetag.conf, read at start so a bad file stops the hub.
 */
import type { HubPlugin } from '../../src/plugin.ts';
import type { CallbackFn } from '../../src/hub/callbacks.ts';
import { KojiError } from '../../src/core/faults.ts';
import { getTagInfo } from '../../src/hub/api/lookups.ts';
import { isStruct } from '../../src/hub/rpc/args.ts';
import { hasLifetime, loadSidetagConfig } from './config.ts';
import { formatDuration } from './duration.ts';
import { sidetagMethods } from './api.ts';
import { editSideTagMethods } from './edit.ts';
import { attachPolicyHub, sidetagPolicyTests } from './policy.ts';
import { isSidetag, removeSidetagInTx } from './rules.ts';
import { setSidetagConfig, sidetagConfig } from './state.ts';
import { startSweeper } from './lifetime.ts';
import { countTagged } from './store.ts';

/**
 * Koji's handle_sidetag_untag: with remove_empty, a sidetag whose last
 * build was just untagged is removed in the same transaction. A sidetag
 * that cannot be removed (its target is gone or changed) stays, silently.
 */
const onPostUntag: CallbackFn = (ctx, args) => {
  if (!sidetagConfig(ctx.hub).removeEmpty) return;
  const ref = isStruct(args.tag) ? args.tag.id : null;
  if (typeof ref !== 'number') return;
  const tag = getTagInfo(ctx, ref);
  if (!tag || !isSidetag(tag)) return;
  if (countTagged(ctx.store, tag.id) > 0) return;
  try {
    ctx.store.tx(() => removeSidetagInTx(ctx, tag));
  } catch (err) {
    // Koji catches GenericError, which every koji fault class extends
    if (err instanceof KojiError) return;
    throw err;
  }
  ctx.afterCommit(() => ctx.hub.log.child('sidetag').info(`removed empty sidetag ${tag.name} (remove_empty)`));
};

/** The hub part; start() reads sidetag.conf and starts the lifetime sweep when a lifetime is set. */
export const sidetagHub: HubPlugin = {
  name: 'sidetag_hub',
  aliases: ['sidetag'],
  methods: [...sidetagMethods, ...editSideTagMethods],
  policyTests: sidetagPolicyTests,
  callbacks: { postUntag: onPostUntag },
  start(hub) {
    const cfg = loadSidetagConfig(hub.configRoot);
    setSidetagConfig(hub, cfg);
    attachPolicyHub(hub);
    const log = hub.log.child('sidetag');
    if (!hasLifetime(cfg)) return;
    const rules = [
      cfg.maxAge !== null ? `max_age ${formatDuration(cfg.maxAge)}` : null,
      cfg.maxIdle !== null ? `max_idle ${formatDuration(cfg.maxIdle)}` : null,
      cfg.maxEmptyAge !== null ? `max_empty_age ${formatDuration(cfg.maxEmptyAge)}` : null,
    ].filter(Boolean);
    log.info(`sidetag lifetime: ${rules.join(', ')}; checked every ${formatDuration(cfg.sweepInterval)}`);
    return startSweeper(hub, cfg);
  },
};
