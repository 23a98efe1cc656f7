/**
 * @module
 * The plugin's SQL: finished saveFailedTree tasks the collector has yet to
 * look at, and the record of what it deleted.
 */
import type { Store } from '../../src/store/db.ts';
import { TASK_STATES } from '../../src/core/states.ts';

export const METHOD = 'saveFailedTree';

export interface CollectedRow {
  task_id: number;
  volume: string;
  file: string;
  size: number;
  mtime: number;
  collected_ts: number;
  reason: string;
}

/** Finished saveFailedTree tasks with no tarball collected yet, oldest first. */
export function uncollectedTasks(store: Store): number[] {
  return store
    .all<{ id: number }>(
      `SELECT t.id FROM task t
        WHERE t.method = ? AND t.state IN (?, ?, ?)
          AND NOT EXISTS (SELECT 1 FROM save_failed_tree_collected c WHERE c.task_id = t.id)
        ORDER BY t.id`,
      [METHOD, TASK_STATES.CLOSED, TASK_STATES.FAILED, TASK_STATES.CANCELED],
    )
    .map((r) => r.id);
}

export function recordCollected(store: Store, row: CollectedRow): void {
  store.run(
    `INSERT OR REPLACE INTO save_failed_tree_collected (task_id, volume, file, size, mtime, collected_ts, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [row.task_id, row.volume, row.file, row.size, row.mtime, row.collected_ts, row.reason],
  );
}

/** What the collector deleted from a task's output. */
export function collectedOf(store: Store, taskId: number): CollectedRow[] {
  return store.all<CollectedRow>(
    'SELECT task_id, volume, file, size, mtime, collected_ts, reason FROM save_failed_tree_collected WHERE task_id = ? ORDER BY file',
    [taskId],
  );
}
