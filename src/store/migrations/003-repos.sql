-- kojibox repos: indexes for the queries the repo service runs on every
-- pass (active requests per tag, repos by task, buildroot references).

CREATE INDEX repo_queue_active ON repo_queue (active, tag_id);
CREATE INDEX repo_queue_task ON repo_queue (task_id);
CREATE INDEX repo_task ON repo (task_id);
CREATE INDEX repo_state ON repo (state, tag_id);
CREATE INDEX standard_buildroot_repo ON standard_buildroot (repo_id);
