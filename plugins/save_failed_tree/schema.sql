-- Tarballs the collector deleted: the task page says when, and the
-- collector skips those tasks from then on.
CREATE TABLE save_failed_tree_collected (
  task_id INTEGER NOT NULL REFERENCES task(id),
  volume TEXT NOT NULL,
  file TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime REAL NOT NULL,
  collected_ts REAL NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (task_id, volume, file)
);
