-- kojibox tasks and scheduler: what the scheduler keeps beside the task and
-- host tables of 001 (Koji's scheduler_* tables), and indexes for the
-- queries it runs on every pass.

-- host-reported facts for the scheduler (methods it can run, maxjobs), JSON
CREATE TABLE scheduler_host_data (
  host_id INTEGER PRIMARY KEY REFERENCES host(id),
  data TEXT NOT NULL
);

-- a host that refused a task is not offered it again; soft refusals expire
CREATE TABLE scheduler_task_refusals (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES task(id),
  host_id INTEGER NOT NULL REFERENCES host(id),
  by_host INTEGER NOT NULL DEFAULT 0,
  soft INTEGER NOT NULL DEFAULT 1,
  msg TEXT NOT NULL DEFAULT '',
  time REAL NOT NULL
);
CREATE UNIQUE INDEX scheduler_task_refusals_pair ON scheduler_task_refusals (task_id, host_id);

-- one row per assignment; the active one tells when the task was assigned
CREATE TABLE scheduler_task_runs (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES task(id),
  host_id INTEGER NOT NULL REFERENCES host(id),
  active INTEGER CHECK (active = 1),
  create_time REAL NOT NULL
);
CREATE INDEX scheduler_task_runs_active ON scheduler_task_runs (task_id) WHERE active = 1;

CREATE TABLE scheduler_log_messages (
  id INTEGER PRIMARY KEY,
  task_id INTEGER REFERENCES task(id),
  host_id INTEGER REFERENCES host(id),
  msg_time REAL NOT NULL,
  msg TEXT NOT NULL
);
CREATE INDEX scheduler_log_messages_task ON scheduler_log_messages (task_id);

-- the scheduler reads FREE tasks in priority order on every pass
CREATE INDEX task_state_order ON task (state, priority, create_time, id);
CREATE INDEX task_owner ON task (owner);
