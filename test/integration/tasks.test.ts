import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { startHub, stopHub, python, type TestHub } from '../helpers/hub.ts';
import { adminSession, waitForState } from '../helpers/builder.ts';
import { kw, type ClientSession } from '../../src/client/session.ts';
import { KojiError } from '../../src/core/faults.ts';

const HUB_CONF = '[hub]\nReadyTimeout = 2\nHostTimeout = 3\n';
let hub: TestHub;
let s: ClientSession;

// hooks start hubs and builders, which takes longer than the default hook timeout
setDefaultTimeout(120000);

beforeAll(async () => {
  hub = await startHub({ allInOne: true, config: { 'koji-hub/hub.conf': HUB_CONF } });
  s = await adminSession(hub);
});
afterAll(() => stopHub(hub));

async function fault(p: Promise<unknown>): Promise<KojiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KojiError) return err;
    throw err;
  }
  throw new Error('expected a fault');
}

describe('the all-in-one build host', () => {
  it('is registered with this machine\'s arch and the default and createrepo channels', async () => {
    const r = await hub.cli(['hostinfo', 'aio-builder']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Name: aio-builder');
    expect(r.stdout).toMatch(/Arches: \S+ noarch/);
    expect(r.stdout).toContain('Channels: default createrepo');
    expect(r.stdout).toContain('Enabled: yes');
    expect(r.stdout).toContain('Ready: yes');
    const list = await hub.cli(['list-hosts']);
    expect(list.stdout).toMatch(/aio-builder\s+Y\s+Y\s+0\.0\/2\.0/);
    const ch = await hub.cli(['list-channels']);
    expect(ch.stdout).toMatch(/createrepo\s+1\s+1\s+0/);
    expect(ch.stdout).toMatch(/default\s+1\s+1\s+0/);
  });
});

describe('makeTask sleep', () => {
  it('goes FREE -> OPEN -> CLOSED on the all-in-one builder', async () => {
    expect((await hub.cli(['disable-host', 'aio-builder'])).code).toBe(0);
    const id = await s.call<number>('makeTask', 'sleep', [1]);
    await Bun.sleep(300);
    const free = await s.call<{ state: number; host_id: number | null }>('getTaskInfo', id);
    expect(free.state).toBe(0);
    expect(free.host_id).toBeNull();
    const info = await hub.cli(['taskinfo', String(id)]);
    expect(info.stdout).toContain('State: free');
    expect(info.stdout).toContain('Scheduler: no enabled host in channel default');
    expect((await hub.cli(['enable-host', 'aio-builder'])).code).toBe(0);
    const open = await waitForState(s, id, ['OPEN']);
    const host = await s.call<{ id: number; name: string }>('getHost', 'aio-builder');
    expect(open.host_id).toBe(host.id);
    const closed = await waitForState(s, id, ['CLOSED']);
    expect(closed.host_id).toBe(host.id);
    expect(await s.call('getTaskResult', id)).toBeNull();
    const log = Buffer.from(await s.call<string>('downloadTaskOutput', id, 'task.log'), 'base64').toString();
    expect(log).toContain('Sleeping for 1 seconds');
    expect(log).toContain('Finished sleeping');
  });

  it('watch-task prints the transitions and exits 0', async () => {
    // long enough to be still running when the client has started
    const id = await s.call<number>('makeTask', 'sleep', [4]);
    const r = await hub.cli(['watch-task', String(id)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Watching tasks (this may be safely interrupted)...');
    expect(r.stdout).toContain(`${id} sleep (noarch): open (aio-builder) -> closed`);
    expect(r.stdout).toContain('  0 free  0 open  1 done  0 failed');
    expect(r.stdout).toContain(`${id} sleep (noarch) completed successfully`);
  });
});

describe('subtasks', () => {
  it('a parent waits for its children and then closes', async () => {
    const id = await s.call<number>('makeTask', 'waittest', [2, 1]);
    const parent = await waitForState(s, id, ['OPEN']);
    expect(parent.state).toBe(1);
    // the parent waits while its sleeping children run
    let children: Array<{ id: number; state: number; label: string }> = [];
    for (let i = 0; i < 100 && children.length < 3; i++) {
      children = await s.call('getTaskChildren', id);
      await Bun.sleep(50);
    }
    expect(children.map((c) => c.label).sort()).toEqual(['0', '1', 'bad']);
    // once it has made them, it waits (still OPEN) while they run
    let waiting = await s.call<{ waiting: boolean; state: number }>('getTaskInfo', id);
    for (let i = 0; i < 40 && !waiting.waiting; i++) {
      await Bun.sleep(25);
      waiting = await s.call('getTaskInfo', id);
    }
    expect(waiting.state).toBe(1);
    expect(waiting.waiting).toBe(true);
    const running = await s.call<Array<{ state: number }>>('getTaskChildren', id);
    expect(running.some((c) => c.state !== 2 && c.state !== 5)).toBe(true);
    const done = await waitForState(s, id, ['CLOSED', 'FAILED']);
    expect(done.state).toBe(2);
    children = await s.call('getTaskChildren', id);
    const byLabel = Object.fromEntries(children.map((c) => [c.label, c.state]));
    expect(byLabel).toEqual({ '0': 2, '1': 2, bad: 5 });
    // every child finished before the parent
    const infos = await s.call<Array<{ completion_ts: number }>>('getTaskInfo', [...children.map((c) => c.id), id]);
    const parentDone = infos.at(-1)!.completion_ts;
    for (const c of infos.slice(0, -1)) expect(c.completion_ts).toBeLessThanOrEqual(parentDone);
    const r = await hub.cli(['taskinfo', '-r', String(id)]);
    expect(r.stdout).toContain(`  Task: ${children[0]!.id}`);
  });
});

describe('a failing handler', () => {
  it('ends FAILED, and getTaskResult raises its fault', async () => {
    const id = await s.call<number>('makeTask', 'sleep', ['BAD_ARG']);
    await waitForState(s, id, ['FAILED']);
    const f = await fault(s.call('getTaskResult', id));
    expect(f.faultCode).toBe(1);
    expect(f.message).toContain('sleep needs a number of seconds, not "BAD_ARG"');
    const asStruct = await s.call<{ faultCode: number; faultString: string }>('getTaskResult', id, kw({ raise_fault: false }));
    expect(asStruct.faultCode).toBe(1);
    const py = await python(hub.hubUrl, `
try:
    hub.getTaskResult(${id})
    out({'raised': False})
except x.Fault as f:
    out({'raised': True, 'code': f.faultCode, 'text': f.faultString})
`);
    expect(py.json).toMatchObject({ raised: true, code: 1 });
    const w = await hub.cli(['watch-task', String(id)]);
    expect(w.code).toBe(1);
    expect(w.stdout).toContain(`${id} sleep (noarch): FAILED: Fault: TypeError: sleep needs a number of seconds`);
    expect(w.stdout).toContain(`${id} sleep (noarch) failed`);
  });
});

describe('cancel', () => {
  it('stops a running task, which ends CANCELED and frees the host', async () => {
    const id = await s.call<number>('makeTask', 'sleep', [60]);
    await waitForState(s, id, ['OPEN']);
    const r = await hub.cli(['cancel', String(id)]);
    expect(r.code).toBe(0);
    const info = await waitForState(s, id, ['CANCELED']);
    expect(info.state).toBe(3);
    expect((await fault(s.call('getTaskResult', id))).message).toBe(`Task ${id} is canceled`);
    // the builder stopped it: no report comes later, and its load drops
    await Bun.sleep(500);
    expect((await s.call<{ state: number }>('getTaskInfo', id)).state).toBe(3);
    expect(hub.log()).toContain(`task ${id} stopped (the task is no longer open on this host`);
    const host = await s.call<{ task_load: number }>('getHost', 'aio-builder');
    expect(host.task_load).toBe(0);
  });

  it('refuses a user who neither owns nor runs the task', async () => {
    const id = await s.call<number>('makeTask', 'sleep', [0]);
    await hub.cli(['add-user', 'carol', '--password-stdin'], { stdin: 'carol-pw-123\n' });
    const carol = await adminSession(hub, 'carol');
    expect((await fault(carol.call('cancelTask', id))).message).toBe('Cannot cancel task, not owner');
  });
});

describe('resubmit', () => {
  it('runs a failed task again with the same request', async () => {
    const id = await s.call<number>('makeTask', 'sleep', ['BAD_ARG']);
    await waitForState(s, id, ['FAILED']);
    const r = await hub.cli(['resubmit', '--nowait', String(id)]);
    expect(r.code).toBe(0);
    const m = /Resubmitted task (\d+) as new task (\d+)/.exec(r.stdout);
    expect(m?.[1]).toBe(String(id));
    const again = Number(m![2]);
    expect(await s.call('getTaskRequest', again)).toEqual(['BAD_ARG']);
    expect((await fault(s.call('resubmitTask', again + 1000))).message).toBe(`No such task: ${again + 1000}`);
  });
});

describe('bad input', () => {
  it('refuses a task method no build host runs', async () => {
    const f = await fault(s.call('makeTask', 'noSuchMethod', []));
    expect(f.message).toBe('Unknown task method: noSuchMethod (no enabled build host has a handler for it)');
    const cli = await hub.cli(['make-task', 'noSuchMethod']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('GenericError: Unknown task method: noSuchMethod');
  });

  it('refuses a malformed arch and explains an arch no host builds', async () => {
    expect((await fault(s.call('makeTask', 'sleep', [1], kw({ arch: 'x86_64;rm' })))).message).toBe('Architecture can be only [a-zA-Z0-9_-]');
    const id = await s.call<number>('makeTask', 'sleep', [1], kw({ arch: 's390x' }));
    await Bun.sleep(300);
    expect((await s.call<{ state: number }>('getTaskInfo', id)).state).toBe(0);
    const r = await hub.cli(['taskinfo', String(id)]);
    expect(r.stdout).toMatch(/Scheduler: no enabled host in channel default supports arch s390x \(they build: noarch \S+\)/);
    await s.call('cancelTask', id);
  });

  it('leaves a task FREE in a channel with no hosts and says why', async () => {
    expect((await hub.cli(['add-channel', 'lonely'])).stdout).toMatch(/lonely added: id \d+/);
    const id = await s.call<number>('makeTask', 'sleep', [1], kw({ channel: 'lonely' }));
    await Bun.sleep(300);
    const info = await s.call<{ state: number; channel_id: number }>('getTaskInfo', id);
    expect(info.state).toBe(0);
    expect((await s.call<{ name: string }>('getChannel', info.channel_id)).name).toBe('lonely');
    const r = await hub.cli(['taskinfo', String(id)]);
    expect(r.stdout).toContain('State: free');
    expect(r.stdout).toContain('Scheduler: no hosts in channel lonely');
    expect((await fault(s.call('makeTask', 'sleep', [1], kw({ channel: 'nowhere' })))).message).toBe('No such channel: nowhere');
  });

  it('refuses non-admins makeTask and host calls', async () => {
    const carol = await adminSession(hub, 'carol');
    expect((await fault(carol.call('makeTask', 'sleep', [1]))).message).toBe('admin permission required (logged in as carol)');
    expect((await fault(carol.call('host.getID'))).faultName).toBe('AuthError');
  });
});

describe('listTasks and list-tasks', () => {
  it('filters, orders and threads tasks', async () => {
    const id = await s.call<number>('makeTask', 'sleep', [30]);
    await waitForState(s, id, ['OPEN']);
    const open = await s.call<Array<{ id: number; owner_name: string; request: unknown }>>('listTasks', { state: [1], method: 'sleep', decode: true }, { order: '-id' });
    expect(open[0]!.id).toBe(id);
    expect(open[0]!.owner_name).toBe('admin');
    expect(open[0]!.request).toEqual([30]);
    const raw = await s.call<Array<{ request: string }>>('listTasks', { state: [1], method: 'sleep' }, {});
    expect(raw[0]!.request).toContain('<methodCall>');
    expect(await s.call('listTasks', { state: [1], method: 'sleep' }, { countOnly: true })).toBeGreaterThanOrEqual(1);
    const r = await hub.cli(['list-tasks', '--method', 'sleep']);
    expect(r.stdout).toContain('ID       Pri  Owner                State    Arch       Name');
    expect(r.stdout).toMatch(new RegExp(`${id}\\s+20\\s+admin\\s+OPEN\\s+noarch\\s+sleep \\(noarch\\)`));
    await s.call('cancelTask', id);
  });
});
