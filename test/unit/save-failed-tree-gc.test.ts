/**
 * The save-failed-tree garbage collector: the retention rule (max_age,
 * then the total size cap, oldest first) and a pass over a real store and
 * task directories, including volumes, the record the task page reads and
 * the log lines. Also the plugin's config files and size/duration units.
 */
import { afterEach, beforeEach, describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hub } from '../../src/hub/hub.ts';
import { Store } from '../../src/store/db.ts';
import { HUB_DEFAULTS } from '../../src/config/hub.ts';
import { parseIni } from '../../src/config/ini.ts';
import { createLogger } from '../../src/core/log.ts';
import { TASK_STATES } from '../../src/core/states.ts';
import { insertTask } from '../../src/store/tasks.ts';
import { insertUser } from '../../src/store/users.ts';
import { taskDir } from '../../src/hub/tasks/output.ts';
import { chooseVictims, collectedNote, collectGarbage, type Tarball } from '../../plugins/save_failed_tree/gc.ts';
import { builderConfigFromIni, hubConfigFromIni } from '../../plugins/save_failed_tree/config.ts';
import { parseDuration, parseSize } from '../../plugins/save_failed_tree/units.ts';
import { saveFailedTreeHub } from '../../plugins/save_failed_tree/hub.ts';

const DAY = 86400;
const MIB = 1024 * 1024;

function tarball(taskId: number, ageDays: number, sizeMiB: number, now: number): Tarball {
  return { taskId, volume: 'DEFAULT', file: `broot-${taskId}.tar.gz`, path: `/x/${taskId}`, size: sizeMiB * MIB, mtime: now - ageDays * DAY };
}

describe('chooseVictims', () => {
  const now = 1_700_000_000;
  it('deletes what is older than max_age', () => {
    const v = chooseVictims([tarball(1, 20, 1, now), tarball(2, 3, 1, now), tarball(3, 15, 1, now)], { maxAge: 14 * DAY, maxTotalSize: null }, now);
    expect(v.map((t) => [t.taskId, t.reason])).toEqual([[1, 'max_age'], [3, 'max_age']]);
  });

  it('then deletes the oldest until the rest fit under the cap', () => {
    const list = [tarball(1, 1, 40, now), tarball(2, 5, 30, now), tarball(3, 3, 20, now), tarball(4, 2, 10, now)];
    const v = chooseVictims(list, { maxAge: null, maxTotalSize: 45 * MIB }, now);
    // oldest first: 2 (5 days) and 3 (3 days) leave 40 + 10 = 50 > 45, so 4 (2 days) goes too; 40 fits
    expect(v.map((t) => t.taskId)).toEqual([2, 3, 4]);
    expect(v.every((t) => t.reason === 'max_total_size')).toBe(true);
  });

  it('counts only what max_age left towards the cap', () => {
    const list = [tarball(1, 30, 100, now), tarball(2, 2, 10, now), tarball(3, 1, 10, now)];
    const v = chooseVictims(list, { maxAge: 7 * DAY, maxTotalSize: 20 * MIB }, now);
    expect(v.map((t) => [t.taskId, t.reason])).toEqual([[1, 'max_age']]);
  });

  it('keeps everything without limits', () => {
    expect(chooseVictims([tarball(1, 1000, 1000, now)], { maxAge: null, maxTotalSize: null }, now)).toEqual([]);
  });
});

describe('collectGarbage', () => {
  let dir: string;
  let hub: Hub;
  let lines: string[];
  let owner: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sft-gc-'));
    const store = new Store(join(dir, 'db.sqlite'));
    store.migrate(saveFailedTreeHub.migrations);
    store.run("INSERT INTO volume (id, name) VALUES (1, 'scratch')");
    lines = [];
    const config = { ...HUB_DEFAULTS, volumes: { scratch: join(dir, 'scratch-volume') } };
    hub = new Hub({ config, store, topdir: join(dir, 'top'), configRoot: dir, log: createLogger('hub', (l) => lines.push(l)), plugins: [], coreMethods: [] });
    owner = insertUser(store, { name: 'alice', password: null, status: 0, usertype: 0 });
  });

  afterEach(() => {
    hub.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function task(method: string, state: number): number {
    return insertTask(hub.store, {
      state, owner, method, request: '<methodCall/>', priority: 20, parent: null, label: null, channel_id: 1,
      arch: 'noarch', weight: 3, host_id: null, create_time: 0,
    });
  }

  /** A tarball (and a log beside it) in a task's output directory, `ageDays` old. */
  function output(taskId: number, volume: string, sizeMiB: number, ageDays: number, now: number): string {
    const d = taskDir(hub, taskId, volume);
    mkdirSync(d, { recursive: true });
    const file = join(d, `broot-${taskId}.tar.gz`);
    writeFileSync(file, Buffer.alloc(sizeMiB * MIB));
    writeFileSync(join(d, 'task.log'), 'log');
    const t = now - ageDays * DAY;
    utimesSync(file, t, t);
    return file;
  }

  it('deletes old tarballs and the oldest over the cap on every volume, records and logs it', () => {
    const now = Date.now() / 1000;
    const a = task('saveFailedTree', TASK_STATES.CLOSED);
    const b = task('saveFailedTree', TASK_STATES.CLOSED);
    const c = task('saveFailedTree', TASK_STATES.CLOSED);
    const d = task('saveFailedTree', TASK_STATES.CLOSED);
    const fa = output(a, 'DEFAULT', 1, 30, now);
    const fb = output(b, 'scratch', 3, 5, now);
    const fc = output(c, 'DEFAULT', 2, 2, now);
    const fd = output(d, 'scratch', 2, 1, now);
    expect(fb.startsWith(join(dir, 'scratch-volume', 'work', 'tasks'))).toBe(true);

    const deleted = collectGarbage(hub, { maxAge: 14 * DAY, maxTotalSize: 5 * MIB }, now);
    expect(deleted.map((v) => [v.taskId, v.reason])).toEqual([[a, 'max_age'], [b, 'max_total_size']]);
    expect([existsSync(fa), existsSync(fb), existsSync(fc), existsSync(fd)]).toEqual([false, false, true, true]);
    // the rest of the task's output stays
    expect(existsSync(join(taskDir(hub, a, 'DEFAULT'), 'task.log'))).toBe(true);
    expect(lines.filter((l) => l.includes('gc: deleted'))).toHaveLength(2);
    expect(lines.find((l) => l.includes(fb))).toContain('volume scratch');
    expect(lines.find((l) => l.includes(fb))).toContain('max_total_size');
    expect(collectedNote(hub, a)).toContain(`broot-${a}.tar.gz (1.0 MiB) was deleted by the garbage collector on `);
    expect(collectedNote(hub, a)).toContain('older than max_age');
    expect(collectedNote(hub, c)).toBeNull();
    // a second pass has nothing left to do
    expect(collectGarbage(hub, { maxAge: 14 * DAY, maxTotalSize: 5 * MIB }, now)).toEqual([]);
  });

  it('leaves unfinished tasks and other methods alone', () => {
    const now = Date.now() / 1000;
    const open = task('saveFailedTree', TASK_STATES.OPEN);
    const other = task('buildArch', TASK_STATES.FAILED);
    const fo = output(open, 'DEFAULT', 1, 100, now);
    const fx = output(other, 'DEFAULT', 1, 100, now);
    expect(collectGarbage(hub, { maxAge: DAY, maxTotalSize: 1 }, now)).toEqual([]);
    expect(existsSync(fo) && existsSync(fx)).toBe(true);
  });
});

describe('save_failed_tree.conf', () => {
  it('reads allowed_methods as koji does, blanks around commas aside', () => {
    expect(hubConfigFromIni(null).allowedMethods).toEqual(['buildArch']);
    expect(hubConfigFromIni(parseIni('[permissions]\nallowed_methods = buildArch, runroot\n')).allowedMethods).toEqual(['buildArch', 'runroot']);
    expect(hubConfigFromIni(parseIni('[permissions]\nallowed_methods = *\n')).allowedMethods).toBe('*');
    expect(() => hubConfigFromIni(parseIni('[permissions]\nallowed_methods = *,buildArch\n'))).toThrow("'*' must be the only entry");
  });

  it('reads the collector settings with units; 0 means no limit', () => {
    const c = hubConfigFromIni(parseIni('[gc]\nmax_age = 3 days\nmax_total_size = 20 GiB\ninterval = 10 min\n'));
    expect(c).toMatchObject({ maxAge: 3 * DAY, maxTotalSize: 20 * 1024 ** 3, gcInterval: 600 });
    expect(hubConfigFromIni(parseIni('[gc]\nmax_age = 0\nmax_total_size = 0\n'))).toMatchObject({ maxAge: null, maxTotalSize: null });
    expect(() => hubConfigFromIni(parseIni('[gc]\nmax_age = soon\n'))).toThrow('[gc] max_age');
  });

  it('takes the builder volume from [general], else [global], and splits filters on blanks', () => {
    expect(builderConfigFromIni(parseIni('[global]\nvolume = DEFAULT\n[filters]\npaths = */tmp/krb5cc */etc/*.keytab\n'))).toEqual({
      filters: ['*/tmp/krb5cc', '*/etc/*.keytab'], volume: null,
    });
    expect(builderConfigFromIni(parseIni('[global]\nvolume = trees\n')).volume).toBe('trees');
    expect(builderConfigFromIni(parseIni('[general]\nvolume = a\n[global]\nvolume = b\n')).volume).toBe('a');
    expect(builderConfigFromIni(null)).toEqual({ filters: [], volume: null });
  });
});

describe('parseDuration and parseSize', () => {
  it('read the forms people write', () => {
    expect(parseDuration('2 weeks')).toBe(14 * DAY);
    expect(parseDuration('36h')).toBe(36 * 3600);
    expect(parseDuration('1 day 12 hours')).toBe(1.5 * DAY);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('0.5s')).toBe(0.5);
    expect(parseSize('500M')).toBe(500 * MIB);
    expect(parseSize('1.5 GiB')).toBe(1.5 * 1024 * MIB);
    expect(parseSize('4096')).toBe(4096);
    expect(() => parseSize('lots')).toThrow('invalid size');
    expect(() => parseDuration('3 fortnights')).toThrow("unknown unit 'fortnights'");
  });
});
