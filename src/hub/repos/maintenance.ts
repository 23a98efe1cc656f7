/**
 * @module
 * What kojira does for a Koji hub, done inside kojibox's hub: automatic
 * repo requests for the tags that need a current repo (build tags of
 * targets and tags with `repo.auto`), end events for repos whose tag has
 * changed, PROBLEM for repos stuck in INIT, and expiry and deletion of old
 * repos by kojira's retention settings (read from kojira/kojira.conf under
 * the config root when it exists).
 */
import { rmSync } from 'node:fs';
import { REPO_STATES, TASK_STATES } from '../../core/states.ts';
import { now } from '../../core/time.ts';
import { readConfigFile } from '../../config/root.ts';
import type { Row } from '../../store/db.ts';
import { lastEvent } from '../../store/events.ts';
import * as repos from '../../store/repos.ts';
import type { CallContext } from '../context.ts';
import type { Hub } from '../hub.ts';
import { getTagInfo } from '../api/lookups.ts';
import { tagLastChangeEventInTx } from '../api/tags.ts';
import { plainOpts } from './shape.ts';
import { repoDir } from './paths.ts';
import { repoReferences, repoSetState, requestRepo, tagFirstChangeEvent } from './requests.ts';

export interface RetentionConfig {
  /** Seconds a non-current READY repo is kept before it is expired (kojira repo_lifetime). */
  repo_lifetime: number;
  dist_repo_lifetime: number;
  /** Seconds an EXPIRED or PROBLEM repo is kept before deletion (kojira expired_repo_lifetime). */
  expired_repo_lifetime: number;
  /** Seconds a repo may stay in INIT (kojira init_timeout). */
  init_timeout: number;
  /** Seconds between expiry/deletion sweeps (kojira sleeptime). */
  sleeptime: number;
}

const DAY = 24 * 3600;

/** kojira's retention options from `<configRoot>/kojira/kojira.conf`, with kojira's defaults. */
export function loadRetention(configRoot: string): RetentionConfig {
  const doc = readConfigFile(configRoot, 'kojira/kojira.conf');
  const int = (key: string, dflt: number) => (doc?.has('kojira') ? (doc.getInt('kojira', key) ?? dflt) : dflt);
  const deleted = doc?.has('kojira') ? doc.getInt('kojira', 'deleted_repo_lifetime') : undefined;
  return {
    repo_lifetime: int('repo_lifetime', 7 * DAY),
    dist_repo_lifetime: int('dist_repo_lifetime', 7 * DAY),
    expired_repo_lifetime: int('expired_repo_lifetime', deleted ?? 7 * DAY),
    init_timeout: int('init_timeout', 7200),
    sleeptime: int('sleeptime', 15),
  };
}

function truthy(json: string | null): boolean | null {
  if (json === null) return null;
  try {
    const v = JSON.parse(json);
    return Boolean(v) && v !== 0 && v !== '';
  } catch {
    return null;
  }
}

/**
 * Tags whose repo kojibox keeps current: build tags of current targets and
 * tags with a true `repo.auto` extra, less tags with `repo.auto` set false.
 */
export function autoTagIds(ctx: CallContext): number[] {
  const wanted = new Set(repos.targetBuildTagIds(ctx.store));
  for (const { tag_id, value } of repos.extraValuesOfKey(ctx.store, 'repo.auto')) {
    const v = truthy(value);
    if (v === true) wanted.add(tag_id);
    else if (v === false) wanted.delete(tag_id);
  }
  const live = repos.liveTagIds(ctx.store, [...wanted]);
  return [...wanted].filter((id) => live.has(id)).sort((a, b) => a - b);
}

/**
 * Ask for a current repo of every automatic tag. The wanted event is the
 * tag's last change; a tag's `repo.lag` (seconds) lets it lag behind as
 * Koji's default_min_event does. Requests rank behind on-demand ones.
 * Returns the number of new requests.
 */
export function autoRequests(ctx: CallContext): number {
  let made = 0;
  for (const tagId of autoTagIds(ctx)) {
    const tag = getTagInfo(ctx, tagId, { strict: false });
    if (!tag) continue;
    const lag = tag.extra['repo.lag'];
    let minEvent: number | null | 'last' = 'last';
    if (Number.isInteger(lag) && (lag as number) > 0) {
      const last = tagLastChangeEventInTx(ctx, tagId, null);
      const base = lastEvent(ctx.store, now() - (lag as number));
      minEvent = last === null ? null : Math.min(last, base?.id ?? last);
    }
    const r = requestRepo(ctx, tagId, { minEvent, priority: 5, owner: null });
    if (r.request && !r.duplicate) made++;
  }
  return made;
}

/** Koji's update_end_events: READY repos whose tags changed get the event of that change. */
export function updateEndEvents(ctx: CallContext): number {
  const lastByTag = new Map<number, number | null>();
  let n = 0;
  for (const r of repos.readyReposWithoutEnd(ctx.store, REPO_STATES.READY)) {
    if (!lastByTag.has(r.tag_id)) {
      const info = getTagInfo(ctx, r.tag_id, { strict: false, event: 'auto' });
      lastByTag.set(r.tag_id, info ? tagLastChangeEventInTx(ctx, r.tag_id, null) : null);
    }
    const last = lastByTag.get(r.tag_id);
    if (last === null || last === undefined || last <= r.create_event) continue;
    const end = tagFirstChangeEvent(ctx, r.tag_id, r.create_event);
    if (end !== null) {
      repos.setRepoEndEvent(ctx.store, r.id, end);
      n++;
    }
  }
  return n;
}

/** Repo directories to remove once the transaction that marked them DELETED commits. */
export type Removal = string;

/**
 * kojira's check_init / expire_check / delete_check over all repos that
 * are not DELETED. Returns the directories to remove after commit.
 */
export function sweepRepos(ctx: CallContext, ret: RetentionConfig): Removal[] {
  const rows = repos.queryRepos(ctx.store, [['state', '!=', REPO_STATES.DELETED]], '**', { order: 'id' }) as Row[];
  const time = now();
  const removals: Removal[] = [];
  const targetTags = new Set(repos.targetBuildTagIds(ctx.store));
  for (const r of rows) {
    const age = time - ((r.state_time as number | null) ?? (r.creation_time as number));
    if (r.state === REPO_STATES.INIT) {
      const ts = r.task_state as number | null;
      if (age > ret.init_timeout || ts === TASK_STATES.FAILED || ts === TASK_STATES.CANCELED) {
        ctx.hub.log.warn(`Problem repo ${r.id} (tag ${r.tag_name}): ${age > ret.init_timeout ? 'stale in INIT' : `task ${r.task_id} failed`}`);
        repoSetState(ctx, r.id, REPO_STATES.PROBLEM);
      }
      continue;
    }
    if (r.state === REPO_STATES.READY) {
      const custom = plainOpts(r.custom_opts);
      const hasCustom = Object.keys(custom).length > 0;
      if (r.end_event === null && !hasCustom) continue;
      if (age <= (r.dist ? ret.dist_repo_lifetime : ret.repo_lifetime)) continue;
      if (!hasCustom && targetTags.has(r.tag_id as number) && isLatest(ctx, r)) continue;
      ctx.hub.log.info(`Expiring repo ${r.id} for tag ${r.tag_name}`);
      repoSetState(ctx, r.id, REPO_STATES.EXPIRED);
      continue;
    }
    if (r.state === REPO_STATES.EXPIRED || r.state === REPO_STATES.PROBLEM) {
      if (age < ret.expired_repo_lifetime) continue;
      if (repoReferences(ctx, r.id as number).length) continue;
      repoSetState(ctx, r.id, REPO_STATES.DELETED);
      ctx.hub.log.info(`Set repo ${r.id} state to deleted`);
      removals.push(repoDir(ctx.hub.topdir, String(r.tag_name), r.id as number));
    }
  }
  return removals;
}

function isLatest(ctx: CallContext, r: Row): boolean {
  const newer = repos.queryRepos(
    ctx.store,
    [['tag_id', '=', r.tag_id], ['state', '=', REPO_STATES.READY], ['create_event', '>', r.create_event], ['dist', 'IS', false], ['custom_opts', '=', {}]],
    ['id'],
  ) as Row[];
  return newer.length === 0;
}

/** Remove deleted repos' directories (outside any transaction). */
export function removeRepoDirs(hub: Hub, dirs: Removal[]): void {
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
      hub.log.info(`Removed repo directory ${dir}`);
    } catch (err) {
      hub.log.error(`Failed to remove ${dir}: ${(err as Error).message}`);
    }
  }
}
