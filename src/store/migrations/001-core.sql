-- kojibox core schema. Tables follow Koji's data model so the API can return
-- Koji's shapes. Rows of versioned tables carry create_event/revoke_event
-- (and active = 1 while current, NULL once revoked), so any query can be
-- asked "as of event E". Times are epoch seconds (REAL).

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  time REAL NOT NULL
);

CREATE TABLE permissions (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  password TEXT,                       -- Bun.password hash, never plain text
  status INTEGER NOT NULL DEFAULT 0,   -- USER_STATUS
  usertype INTEGER NOT NULL DEFAULT 0  -- USERTYPES
);

CREATE TABLE user_krb_principals (
  user_id INTEGER NOT NULL REFERENCES users(id),
  krb_principal TEXT NOT NULL UNIQUE
);

CREATE TABLE user_perms (
  user_id INTEGER NOT NULL REFERENCES users(id),
  perm_id INTEGER NOT NULL REFERENCES permissions(id),
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX user_perms_active ON user_perms (user_id, perm_id) WHERE active = 1;

CREATE TABLE user_groups (
  user_id INTEGER NOT NULL REFERENCES users(id),
  group_id INTEGER NOT NULL REFERENCES users(id),
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX user_groups_active ON user_groups (user_id, group_id) WHERE active = 1;

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  key TEXT NOT NULL,
  authtype INTEGER NOT NULL,
  hostip TEXT,
  callnum INTEGER,
  start_time REAL NOT NULL,
  update_time REAL NOT NULL,
  renew_time REAL,
  exclusive INTEGER,
  master INTEGER REFERENCES sessions(id),
  closed INTEGER NOT NULL DEFAULT 0,
  expired INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE tag (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE tag_config (
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  arches TEXT,
  perm_id INTEGER REFERENCES permissions(id),
  locked INTEGER NOT NULL DEFAULT 0,
  maven_support INTEGER NOT NULL DEFAULT 0,
  maven_include_all INTEGER NOT NULL DEFAULT 0,
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX tag_config_active ON tag_config (tag_id) WHERE active = 1;
CREATE INDEX tag_config_events ON tag_config (tag_id, create_event, revoke_event);

-- value is JSON text; NULL means the key is blocked (editTag2 block_extra)
CREATE TABLE tag_extra (
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  key TEXT NOT NULL,
  value TEXT,
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX tag_extra_active ON tag_extra (tag_id, key) WHERE active = 1;
CREATE INDEX tag_extra_key ON tag_extra (key, active);

CREATE TABLE tag_inheritance (
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  parent_id INTEGER NOT NULL REFERENCES tag(id),
  priority INTEGER NOT NULL,
  maxdepth INTEGER,
  intransitive INTEGER NOT NULL DEFAULT 0,
  noconfig INTEGER NOT NULL DEFAULT 0,
  pkg_filter TEXT NOT NULL DEFAULT '',
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX tag_inheritance_active ON tag_inheritance (tag_id, parent_id) WHERE active = 1;
CREATE INDEX tag_inheritance_parent ON tag_inheritance (parent_id, active);

CREATE TABLE build_target (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE build_target_config (
  build_target_id INTEGER NOT NULL REFERENCES build_target(id),
  build_tag INTEGER NOT NULL REFERENCES tag(id),
  dest_tag INTEGER NOT NULL REFERENCES tag(id),
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX build_target_config_active ON build_target_config (build_target_id) WHERE active = 1;

CREATE TABLE package (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE tag_packages (
  package_id INTEGER NOT NULL REFERENCES package(id),
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  blocked INTEGER NOT NULL DEFAULT 0,
  extra_arches TEXT,
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX tag_packages_active ON tag_packages (package_id, tag_id) WHERE active = 1;
CREATE INDEX tag_packages_tag ON tag_packages (tag_id, active);

CREATE TABLE tag_package_owners (
  package_id INTEGER NOT NULL REFERENCES package(id),
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  owner INTEGER NOT NULL REFERENCES users(id),
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX tag_package_owners_active ON tag_package_owners (package_id, tag_id) WHERE active = 1;

CREATE TABLE groups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE group_config (
  group_id INTEGER NOT NULL REFERENCES groups(id),
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  blocked INTEGER NOT NULL DEFAULT 0,
  exported INTEGER NOT NULL DEFAULT 1,
  display_name TEXT NOT NULL,
  is_default INTEGER,
  uservisible INTEGER,
  description TEXT,
  langonly TEXT,
  biarchonly INTEGER,
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX group_config_active ON group_config (group_id, tag_id) WHERE active = 1;

CREATE TABLE group_package_listing (
  group_id INTEGER NOT NULL REFERENCES groups(id),
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  package TEXT NOT NULL,
  blocked INTEGER NOT NULL DEFAULT 0,
  type TEXT NOT NULL DEFAULT 'mandatory',
  basearchonly INTEGER,
  requires TEXT,
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX group_package_listing_active ON group_package_listing (group_id, tag_id, package) WHERE active = 1;

CREATE TABLE group_req_listing (
  group_id INTEGER NOT NULL REFERENCES groups(id),
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  req_id INTEGER NOT NULL REFERENCES groups(id),
  blocked INTEGER NOT NULL DEFAULT 0,
  type TEXT NOT NULL DEFAULT 'mandatory',
  is_metapkg INTEGER NOT NULL DEFAULT 0,
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX group_req_listing_active ON group_req_listing (group_id, tag_id, req_id) WHERE active = 1;

CREATE TABLE volume (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO volume (id, name) VALUES (0, 'DEFAULT');

CREATE TABLE content_generator (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE btype (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO btype (id, name) VALUES (1, 'rpm'), (2, 'maven'), (3, 'win'), (4, 'image');

CREATE TABLE build (
  id INTEGER PRIMARY KEY,
  pkg_id INTEGER NOT NULL REFERENCES package(id),
  version TEXT NOT NULL,
  release TEXT NOT NULL,
  epoch INTEGER,
  draft INTEGER NOT NULL DEFAULT 0,
  state INTEGER NOT NULL,
  task_id INTEGER,
  owner INTEGER NOT NULL REFERENCES users(id),
  create_event INTEGER NOT NULL REFERENCES events(id),
  start_time REAL,
  completion_time REAL,
  promotion_time REAL,
  promoter INTEGER REFERENCES users(id),
  volume_id INTEGER NOT NULL DEFAULT 0 REFERENCES volume(id),
  source TEXT,
  extra TEXT,
  cg_id INTEGER REFERENCES content_generator(id)
);
CREATE UNIQUE INDEX build_nvr ON build (pkg_id, version, release) WHERE draft = 0;
CREATE INDEX build_task ON build (task_id);

CREATE TABLE build_types (
  build_id INTEGER NOT NULL REFERENCES build(id),
  btype_id INTEGER NOT NULL REFERENCES btype(id),
  PRIMARY KEY (build_id, btype_id)
);

CREATE TABLE tag_listing (
  build_id INTEGER NOT NULL REFERENCES build(id),
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX tag_listing_active ON tag_listing (build_id, tag_id) WHERE active = 1;
CREATE INDEX tag_listing_tag ON tag_listing (tag_id, active);
CREATE INDEX tag_listing_events ON tag_listing (tag_id, create_event, revoke_event);

CREATE TABLE channels (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  comment TEXT
);
INSERT INTO channels (id, name) VALUES (1, 'default'), (2, 'createrepo');

CREATE TABLE host (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL UNIQUE REFERENCES users(id),
  name TEXT NOT NULL UNIQUE,
  update_time REAL,
  ready INTEGER NOT NULL DEFAULT 0,
  task_load REAL NOT NULL DEFAULT 0
);

CREATE TABLE host_config (
  host_id INTEGER NOT NULL REFERENCES host(id),
  arches TEXT,
  capacity REAL NOT NULL DEFAULT 2.0,
  description TEXT,
  comment TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX host_config_active ON host_config (host_id) WHERE active = 1;

CREATE TABLE host_channels (
  host_id INTEGER NOT NULL REFERENCES host(id),
  channel_id INTEGER NOT NULL REFERENCES channels(id),
  create_event INTEGER NOT NULL REFERENCES events(id),
  revoke_event INTEGER REFERENCES events(id),
  creator_id INTEGER REFERENCES users(id),
  revoker_id INTEGER REFERENCES users(id),
  active INTEGER CHECK (active = 1)
);
CREATE UNIQUE INDEX host_channels_active ON host_channels (host_id, channel_id) WHERE active = 1;

-- request and result hold XML-RPC encoded values, as Koji stores them
CREATE TABLE task (
  id INTEGER PRIMARY KEY,
  state INTEGER NOT NULL,
  create_time REAL NOT NULL,
  start_time REAL,
  completion_time REAL,
  channel_id INTEGER NOT NULL REFERENCES channels(id),
  host_id INTEGER REFERENCES host(id),
  parent INTEGER REFERENCES task(id),
  label TEXT,
  waiting INTEGER,
  awaited INTEGER,
  owner INTEGER NOT NULL REFERENCES users(id),
  method TEXT NOT NULL,
  request TEXT NOT NULL,
  result TEXT,
  eta REAL,
  arch TEXT NOT NULL,
  priority INTEGER NOT NULL,
  weight REAL NOT NULL DEFAULT 1.0
);
CREATE INDEX task_state ON task (state, channel_id);
CREATE INDEX task_parent ON task (parent);
CREATE INDEX task_host ON task (host_id, state);

CREATE TABLE repo (
  id INTEGER PRIMARY KEY,
  create_event INTEGER NOT NULL REFERENCES events(id),
  creation_time REAL NOT NULL,
  state_time REAL,
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  state INTEGER NOT NULL,
  dist INTEGER NOT NULL DEFAULT 0,
  opts TEXT,
  custom_opts TEXT,
  task_id INTEGER REFERENCES task(id),
  begin_event INTEGER,
  end_event INTEGER
);
CREATE INDEX repo_tag ON repo (tag_id, state);

CREATE TABLE repo_queue (
  id INTEGER PRIMARY KEY,
  create_time REAL NOT NULL,
  owner INTEGER REFERENCES users(id),
  priority INTEGER NOT NULL DEFAULT 20,
  tag_id INTEGER NOT NULL REFERENCES tag(id),
  at_event INTEGER,
  min_event INTEGER,
  opts TEXT,
  update_time REAL,
  active INTEGER NOT NULL DEFAULT 1,
  task_id INTEGER REFERENCES task(id),
  tries INTEGER NOT NULL DEFAULT 0,
  repo_id INTEGER REFERENCES repo(id)
);

CREATE TABLE buildroot (
  id INTEGER PRIMARY KEY,
  br_type INTEGER NOT NULL DEFAULT 0,
  cg_id INTEGER REFERENCES content_generator(id),
  cg_version TEXT,
  container_type TEXT,
  container_arch TEXT,
  host_os TEXT,
  host_arch TEXT,
  extra TEXT
);

CREATE TABLE standard_buildroot (
  buildroot_id INTEGER PRIMARY KEY REFERENCES buildroot(id),
  host_id INTEGER NOT NULL REFERENCES host(id),
  repo_id INTEGER NOT NULL REFERENCES repo(id),
  task_id INTEGER NOT NULL REFERENCES task(id),
  create_event INTEGER NOT NULL REFERENCES events(id),
  retire_event INTEGER,
  state INTEGER NOT NULL
);
CREATE INDEX standard_buildroot_task ON standard_buildroot (task_id);

CREATE TABLE rpminfo (
  id INTEGER PRIMARY KEY,
  build_id INTEGER REFERENCES build(id),
  buildroot_id INTEGER REFERENCES buildroot(id),
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  release TEXT NOT NULL,
  epoch INTEGER,
  arch TEXT NOT NULL,
  draft INTEGER NOT NULL DEFAULT 0,
  external_repo_id INTEGER NOT NULL DEFAULT 0,
  payloadhash TEXT NOT NULL,
  size INTEGER NOT NULL,
  buildtime INTEGER NOT NULL,
  metadata_only INTEGER NOT NULL DEFAULT 0,
  extra TEXT
);
CREATE INDEX rpminfo_build ON rpminfo (build_id);
CREATE UNIQUE INDEX rpminfo_nvra ON rpminfo (name, version, release, arch, external_repo_id) WHERE draft = 0;

CREATE TABLE buildroot_listing (
  buildroot_id INTEGER NOT NULL REFERENCES buildroot(id),
  rpm_id INTEGER NOT NULL REFERENCES rpminfo(id),
  is_update INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (buildroot_id, rpm_id)
);

CREATE TABLE archivetypes (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  extensions TEXT NOT NULL,
  compression_type TEXT
);

CREATE TABLE archiveinfo (
  id INTEGER PRIMARY KEY,
  type_id INTEGER NOT NULL REFERENCES archivetypes(id),
  btype_id INTEGER REFERENCES btype(id),
  build_id INTEGER NOT NULL REFERENCES build(id),
  buildroot_id INTEGER REFERENCES buildroot(id),
  filename TEXT NOT NULL,
  size INTEGER NOT NULL,
  checksum TEXT NOT NULL,
  checksum_type INTEGER NOT NULL,
  metadata_only INTEGER NOT NULL DEFAULT 0,
  extra TEXT
);
CREATE INDEX archiveinfo_build ON archiveinfo (build_id);

CREATE TABLE image_archives (
  archive_id INTEGER PRIMARY KEY REFERENCES archiveinfo(id),
  arch TEXT NOT NULL
);

CREATE TABLE archive_rpm_components (
  archive_id INTEGER NOT NULL REFERENCES archiveinfo(id),
  rpm_id INTEGER NOT NULL REFERENCES rpminfo(id),
  PRIMARY KEY (archive_id, rpm_id)
);

-- messages waiting to leave the process; written in the same transaction as
-- the change they describe, deleted once a broker accepts them
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL,
  props TEXT NOT NULL,
  body TEXT NOT NULL,
  message_id TEXT NOT NULL UNIQUE,
  created REAL NOT NULL,
  tries INTEGER NOT NULL DEFAULT 0
);
