/**
 * @module
 * The hub's garbage collector for saved trees (the seed's TODO): tarballs
 * older than `max_age` go, then the oldest ones until all of them together
 * fit in `max_total_size`. Every deletion is logged and recorded, so the
 * task page can say when its tarball was collected. Only finished tasks are
 * looked at: a tarball still being uploaded is never touched.
 */
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Hub } from '../../src/hub/hub.ts';
import { taskDir } from '../../src/hub/tasks/output.ts';
import { volumeNames } from '../../src/store/tasks.ts';
import type { HubTreeConfig } from './config.ts';
import { collectedOf, recordCollected, uncollectedTasks } from './store.ts';
import { formatSize } from './units.ts';

/** Names the builder uploads: broot-<buildroot id>.tar.gz. */
export const TARBALL_NAME = /^broot-\d+\.tar\.gz$/;

export interface Tarball {
  taskId: number;
  volume: string;
  /** File name inside the task's output directory. */
  file: string;
  /** Absolute path on the hub. */
  path: string;
  size: number;
  /** Epoch seconds of the last write (when the upload finished). */
  mtime: number;
}

export type GcReason = 'max_age' | 'max_total_size';

export interface Victim extends Tarball {
  reason: GcReason;
}

export type GcPolicy = Pick<HubTreeConfig, 'maxAge' | 'maxTotalSize'>;

/**
 * Which tarballs to delete, oldest first: everything past maxAge, then the
 * oldest of the rest while their total exceeds maxTotalSize. Pure.
 */
export function chooseVictims(tarballs: readonly Tarball[], policy: GcPolicy, now: number): Victim[] {
  const byAge = [...tarballs].sort((a, b) => a.mtime - b.mtime || a.taskId - b.taskId || a.path.localeCompare(b.path));
  const victims: Victim[] = [];
  const kept: Tarball[] = [];
  for (const t of byAge) {
    if (policy.maxAge !== null && now - t.mtime > policy.maxAge) victims.push({ ...t, reason: 'max_age' });
    else kept.push(t);
  }
  if (policy.maxTotalSize !== null) {
    let total = kept.reduce((sum, t) => sum + t.size, 0);
    for (const t of kept) {
      if (total <= policy.maxTotalSize) break;
      victims.push({ ...t, reason: 'max_total_size' });
      total -= t.size;
    }
  }
  return victims;
}

/** Volumes the hub knows: the store's and hub.conf [volumes]. */
export function knownVolumes(hub: Hub): string[] {
  const names = new Set(['DEFAULT', ...volumeNames(hub.store), ...Object.keys(hub.config.volumes ?? {})]);
  return [...names];
}

/** Tarballs of finished saveFailedTree tasks not yet collected, on every volume. */
export function findTarballs(hub: Hub): Tarball[] {
  const found: Tarball[] = [];
  const volumes = knownVolumes(hub);
  for (const taskId of uncollectedTasks(hub.store)) {
    for (const volume of volumes) {
      const dir = taskDir(hub, taskId, volume);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const file of names) {
        if (!TARBALL_NAME.test(file)) continue;
        const path = join(dir, file);
        try {
          const st = statSync(path);
          if (st.isFile()) found.push({ taskId, volume, file, path, size: st.size, mtime: st.mtimeMs / 1000 });
        } catch {
          // removed between the listing and the stat: nothing to collect
        }
      }
    }
  }
  return found;
}

/**
 * One collector pass: find, choose, delete, record, log. Returns what was
 * deleted. Errors deleting one file are logged and do not stop the pass.
 */
export function collectGarbage(hub: Hub, policy: GcPolicy, now = Date.now() / 1000): Victim[] {
  if (policy.maxAge === null && policy.maxTotalSize === null) return [];
  const log = hub.log.child('save_failed_tree');
  const victims = chooseVictims(findTarballs(hub), policy, now);
  const deleted: Victim[] = [];
  for (const v of victims) {
    try {
      unlinkSync(v.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        log.error(`gc: cannot delete ${v.path}: ${(err as Error).message}`);
        continue;
      }
    }
    hub.store.tx(() =>
      recordCollected(hub.store, {
        task_id: v.taskId, volume: v.volume, file: v.file, size: v.size, mtime: v.mtime, collected_ts: now, reason: v.reason,
      }),
    );
    const ageDays = ((now - v.mtime) / 86400).toFixed(1);
    log.info(`gc: deleted ${v.path} (task ${v.taskId}, volume ${v.volume}, ${formatSize(v.size)}, ${ageDays} days old): ${v.reason}`);
    deleted.push(v);
  }
  return deleted;
}

/**
 * Run the collector now and then every `gcInterval` seconds; returns the
 * stop function the plugin contract wants.
 */
export function startCollector(hub: Hub, config: HubTreeConfig): () => void {
  const log = hub.log.child('save_failed_tree');
  const pass = () => {
    try {
      collectGarbage(hub, config);
    } catch (err) {
      log.error(`gc pass failed: ${(err as Error).message}`);
    }
  };
  const first = setTimeout(pass, 0);
  const timer = setInterval(pass, config.gcInterval * 1000);
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}

/** One line for the task page, or null: when and why the collector removed this task's tarball. */
export function collectedNote(hub: Hub, taskId: number): string | null {
  const rows = collectedOf(hub.store, taskId);
  if (rows.length === 0) return null;
  return rows
    .map((r) => {
      const why = r.reason === 'max_age' ? 'it was older than max_age' : 'saved trees exceeded max_total_size';
      return `${r.file} (${formatSize(r.size)}) was deleted by the garbage collector on ${new Date(r.collected_ts * 1000).toISOString()}: ${why}`;
    })
    .join('; ');
}
