/**
 * The scheduler's records as Koji 1.34+ exposes them: scheduler.getTaskRuns,
 * getTaskRefusals, getLogMessages and getHostData through a foreign
 * client, and the `scheduler-info` / `scheduler-logs` commands, against
 * the all-in-one hub and its builder.
 */
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { addBuilderHost, adminSession, waitForState } from '../helpers/builder.ts';
import type { ClientSession } from '../../src/client/session.ts';

setDefaultTimeout(120000);

let hub: TestHub;
let s: ClientSession;
let taskId = 0;

async function py(code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, code);
  if (r.code !== 0) throw new Error(`python failed:\n${r.stderr}\n${r.stdout}`);
  return r.json;
}

beforeAll(async () => {
  hub = await startHub({ allInOne: true, env: { TZ: 'UTC' } });
  s = await adminSession(hub);
  taskId = await s.call<number>('makeTask', 'sleep', [0]);
  await waitForState(s, taskId, ['CLOSED']);
});
afterAll(async () => {
  await s?.logout().catch(() => {});
  await stopHub(hub);
});

describe('scheduler.* calls', () => {
  it('returns the task runs with Koji\'s fields and types', async () => {
    const r = (await py(`
runs = hub.scheduler.getTaskRuns([['task_id', '=', ${taskId}]])
full = hub.scheduler.getTaskRuns([['task_id', ${taskId}]], ['task_id', 'host_name', 'state', 'method', 'create_ts', 'start_ts', 'completion_ts'])
newest = hub.scheduler.getTaskRuns(None, ['id'], {'order': '-id', 'limit': 1})
every = hub.scheduler.getTaskRuns(None, ['id'])
count = hub.scheduler.getTaskRuns([['host_name', '=', 'aio-builder']], None, {'countOnly': True})
ended = hub.scheduler.getTaskRuns([['task_id', '=', ${taskId}], ['active', '=', False]])
out({
  'keys': sorted(runs[0].keys()), 'n': len(runs), 'types': [type(runs[0][k]).__name__ for k in ('active', 'create_ts')],
  'full': full[0], 'floats': [type(full[0][k]).__name__ for k in ('create_ts', 'start_ts', 'completion_ts')],
  'ended': [r['active'] for r in ended],
  'newest': newest[0]['id'], 'maxid': max(x['id'] for x in every), 'count': count,
  'bad': fault(lambda: hub.scheduler.getTaskRuns([['nosuch', '=', 1]])),
})`)) as Record<string, any>;
    expect(r.keys).toEqual(['active', 'create_ts', 'host_id', 'id', 'task_id']);
    expect(r.n).toBe(1);
    expect(r.types).toEqual(['bool', 'float']);
    // the task is finished, so its run is no longer active, and a clause on that finds it
    expect(r.ended).toEqual([false]);
    expect(r.full).toMatchObject({ task_id: taskId, host_name: 'aio-builder', state: 2, method: 'sleep' });
    expect(r.floats).toEqual(['float', 'float', 'float']);
    expect(r.full.start_ts).toBeGreaterThanOrEqual(r.full.create_ts);
    expect(r.full.completion_ts).toBeGreaterThanOrEqual(r.full.start_ts);
    expect(r.newest).toBe(r.maxid);
    expect(r.count).toBeGreaterThanOrEqual(1);
    expect(r.bad.faultString).toContain('Invalid field for query nosuch');
  });

  it('logs each assignment and answers log, refusal and host data queries', async () => {
    const r = (await py(`
logs = hub.scheduler.getLogMessages([['task_id', '=', ${taskId}]], ['task_id', 'host_name', 'msg', 'msg_ts', 'method'])
host = hub.getHost('aio-builder')
data = hub.scheduler.getHostData(host['id'])
alldata = hub.scheduler.getHostData()
refusals = hub.scheduler.getTaskRefusals([['task_id', '=', ${taskId}]])
out({'logs': logs, 'ts': type(logs[0]['msg_ts']).__name__, 'host': host['id'], 'data': data, 'n': len(alldata), 'refusals': refusals})`)) as Record<string, any>;
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]).toMatchObject({ task_id: taskId, host_name: 'aio-builder', msg: 'Assigning task', method: 'sleep' });
    expect(r.ts).toBe('float');
    expect(r.data).toHaveLength(1);
    expect(r.data[0].host_id).toBe(r.host);
    // what the builder reports: the task methods it runs
    expect(r.data[0].data.methods).toContain('sleep');
    expect(r.n).toBeGreaterThanOrEqual(1);
    expect(r.refusals).toEqual([]);
  });

  it('records a host\'s refusal and shows it with Koji\'s fields', async () => {
    // b2 is the only host of its channel and never runs, so the refused task stays FREE (and its refusal kept)
    await addBuilderHost(hub, 'b2', ['b2-only']);
    const r = (await py(`
import time
p = login('admin', 'admin-test-password')
tid = p.makeTask('sleep', [0], kw(channel='b2-only', assign='b2'))
h = login('b2', 'b2-pw-123')
h.host.refuseTask(tid, kw(soft=False, msg='no room'))
rows = hub.scheduler.getTaskRefusals([['task_id', '=', tid]], ['task_id', 'host_name', 'by_host', 'soft', 'msg', 'ts', 'state'])
logs = hub.scheduler.getLogMessages([['task_id', '=', tid]], ['msg'])
out({'tid': tid, 'rows': rows, 'ts': type(rows[0]['ts']).__name__, 'logs': [l['msg'] for l in logs]})`)) as Record<string, any>;
    expect(r.rows).toEqual([{ task_id: r.tid, host_name: 'b2', by_host: true, soft: false, msg: 'no room', ts: r.rows[0].ts, state: 0 }]);
    expect(r.ts).toBe('float');
    expect(r.logs).toEqual(['Assigning task', 'Host refused task: no room']);
  });
});

describe('scheduler-info and scheduler-logs', () => {
  it('prints the runs as koji does, with the host\'s data', async () => {
    const r = await hub.cli(['scheduler-info', '--task', String(taskId), '--host', 'aio-builder']);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Task\s+Host\s+State\s+Created\s+Started\s+Ended\s*$/);
    expect(lines[1]).toMatch(/^-+$/);
    expect(lines[1]!.length).toBe(lines[0]!.length);
    expect(lines[2]).toMatch(new RegExp(`^${taskId}\\s+aio-builder\\s+CLOSED\\s+\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d`));
    expect(lines[3]).toBe('Host data for aio-builder:');
    expect(lines[4]).toMatch(/^\{.*'methods': \[.*'sleep'.*\]/);
    const bad = await hub.cli(['scheduler-info', '--state', 'BOGUS']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid choice: 'BOGUS'");
  });

  it('limits to the newest runs and filters by state', async () => {
    const second = await s.call<number>('makeTask', 'sleep', [0]);
    await waitForState(s, second, ['CLOSED']);
    const last = await hub.cli(['--quiet', 'scheduler-info', '--limit', '1']);
    expect(last.stdout.trim().split('\n')).toHaveLength(1);
    expect(last.stdout).toMatch(new RegExp(`^${second}\\s`));
    const open = await hub.cli(['--quiet', 'scheduler-info', '--state', 'OPEN']);
    expect(open.stdout.trim()).toBe('');
  });

  it('prints the log as koji does', async () => {
    const r = await hub.cli(['scheduler-logs', '--task', String(taskId)]);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Task\s+Host\s+Time\s+Message\s*$/);
    expect(lines[2]).toMatch(new RegExp(`^${taskId}\\s+aio-builder\\s+\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\\s+Assigning task\\s*$`));
    const none = await hub.cli(['--quiet', 'scheduler-logs', '--from', String(Date.now() / 1000 + 3600)]);
    expect(none.stdout).toBe('');
    const usage = await hub.cli(['scheduler-logs', '--from', '1', '--to', '2', '--limit', '3']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("If both --from and --to are used, --limit shouldn't be used");
  });
});
