import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { addBuilderHost, adminSession, startBuilder, waitForState, type TestBuilder } from '../helpers/builder.ts';
import { kw, type ClientSession } from '../../src/client/session.ts';

// short check-in timeouts so a dead builder is noticed within seconds
const HUB_CONF = '[hub]\nReadyTimeout = 2\nHostTimeout = 3\nAssignTimeout = 5\n';
let hub: TestHub;
let s: ClientSession;
const builders: TestBuilder[] = [];

// hooks start hubs and builders, which takes longer than the default hook timeout
setDefaultTimeout(120000);

beforeAll(async () => {
  hub = await startHub({ allInOne: true, config: { 'koji-hub/hub.conf': HUB_CONF } });
  s = await adminSession(hub);
  await addBuilderHost(hub, 'b2', ['special']);
});
afterAll(async () => {
  for (const b of builders) await b.stop('SIGKILL');
  await stopHub(hub);
});

async function hostOf(id: number): Promise<string | null> {
  const info = await s.call<{ host_id: number | null }>('getTaskInfo', id);
  return info.host_id === null ? null : (await s.call<{ name: string }>('getHost', info.host_id)).name;
}

describe('a second builder on the same machine', () => {
  it('takes only the tasks of its own channel', async () => {
    const b2 = await startBuilder(hub, 'b2');
    builders.push(b2);
    const channels = await hub.cli(['hostinfo', 'b2']);
    expect(channels.stdout).toContain('Channels: special');
    // one session's calls must be sequential (call numbers)
    const special: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < 3; i++) {
      special.push(await s.call<number>('makeTask', 'sleep', [0.2], kw({ channel: 'special' })));
      plain.push(await s.call<number>('makeTask', 'sleep', [0.2]));
    }
    for (const id of [...special, ...plain]) await waitForState(s, id, ['CLOSED']);
    for (const id of special) expect(await hostOf(id)).toBe('b2');
    for (const id of plain) expect(await hostOf(id)).toBe('aio-builder');
    const hosts = await hub.cli(['list-hosts', '--show-channels']);
    expect(hosts.stdout).toMatch(/b2\s+Y\s+Y\s+.*special/);
    expect(hosts.stdout).toMatch(/aio-builder\s+Y\s+Y\s+.*createrepo,default/);
  });

  it('lets a task be retaken after its builder is killed mid-task', async () => {
    const b2 = builders[0]!;
    const id = await s.call<number>('makeTask', 'sleep', [3], kw({ channel: 'special' }));
    await waitForState(s, id, ['OPEN']);
    expect(await hostOf(id)).toBe('b2');
    await b2.stop('SIGKILL');
    const killedAt = Date.now();
    // after HostTimeout without check-ins the task is FREE again and the host not ready
    const free = await waitForState(s, id, ['FREE'], 15000);
    expect(free.host_id).toBeNull();
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(2000);
    const host = await s.call<{ ready: boolean }>('getHost', 'b2');
    expect(host.ready).toBe(false);
    const why = await hub.cli(['taskinfo', String(id)]);
    expect(why.stdout).toContain('Scheduler: no suitable host is ready (not checked in recently: b2)');
    const again = await startBuilder(hub, 'b2');
    builders.push(again);
    await waitForState(s, id, ['CLOSED'], 15000);
    expect(await hostOf(id)).toBe('b2');
  });

  it('survives a hub restart and takes new tasks afterwards', async () => {
    await hub.stop('SIGTERM');
    await Bun.sleep(500);
    await hub.restart();
    s = await adminSession(hub);
    const id = await s.call<number>('makeTask', 'sleep', [0], kw({ channel: 'special' }));
    await waitForState(s, id, ['CLOSED'], 15000);
    expect(await hostOf(id)).toBe('b2');
    const aio = await s.call<number>('makeTask', 'sleep', [0]);
    await waitForState(s, aio, ['CLOSED'], 15000);
    expect(await hostOf(aio)).toBe('aio-builder');
  });

  it('sends a task its host refuses to another host', async () => {
    expect((await hub.cli(['add-host-to-channel', 'aio-builder', 'special'])).code).toBe(0);
    expect((await hub.cli(['disable-host', 'aio-builder'])).code).toBe(0);
    const id = await s.call<number>('makeTask', 'sleep', [30], kw({ channel: 'special' }));
    await waitForState(s, id, ['OPEN'], 10000);
    expect(await hostOf(id)).toBe('b2');
    expect((await hub.cli(['enable-host', 'aio-builder'])).code).toBe(0);
    // b2 gives the task up (as a builder does when a host check fails)
    const b2 = await adminSession(hub, 'b2');
    await b2.call('host.refuseTask', id, kw({ soft: false, msg: 'failed host check' }));
    await waitForState(s, id, ['OPEN'], 10000);
    expect(await hostOf(id)).toBe('aio-builder');
    await s.call('cancelTask', id);
    await waitForState(s, id, ['CANCELED']);
  });
});
