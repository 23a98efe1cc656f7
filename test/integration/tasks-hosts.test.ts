import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { adminSession, waitForState } from '../helpers/builder.ts';
import { kw, type ClientSession } from '../../src/client/session.ts';

setDefaultTimeout(120000);

const HUB_CONF = `[hub]
ReadyTimeout = 2
HostTimeout = 3

[policy]
tag =
    tag forbidden :: deny no builds go to forbidden
    all :: allow
`;
let hub: TestHub;
let s: ClientSession;

beforeAll(async () => {
  hub = await startHub({ allInOne: true, config: { 'koji-hub/hub.conf': HUB_CONF } });
  s = await adminSession(hub);
});
afterAll(() => stopHub(hub));

async function ok(args: string[], stdin?: string) {
  const r = await hub.cli(args, stdin === undefined ? {} : { stdin });
  if (r.code !== 0) throw new Error(`kojibox ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

describe('host administration', () => {
  it('adds, edits, disables and enables a host as koji does', async () => {
    expect(await ok(['add-host', 'h1', 'x86_64', 'aarch64'])).toMatch(/^h1 added: id \d+\n$/);
    const again = await hub.cli(['add-host', 'h1', 'x86_64']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('h1 is already in the database');
    expect(await ok(['edit-host', 'h1', '--capacity', '4.5', '--description', 'first line\nsecond', '--arches', 'x86_64,i686'])).toBe('Edited h1\n');
    expect(await ok(['edit-host', 'h1', '--capacity', '4.5'])).toBe('No changes made to h1\n');
    await ok(['disable-host', 'h1', '--comment', 'maintenance']);
    const info = await ok(['hostinfo', 'h1']);
    expect(info).toContain('Arches: x86_64 i686');
    expect(info).toContain('Capacity: 4.5');
    expect(info).toContain('Description: first line\n             second');
    expect(info).toContain('Comment: maintenance');
    expect(info).toContain('Enabled: no');
    expect(info).toContain('Ready: no');
    expect(info).toContain('Last Update: never');
    expect(info).toContain('Channels: default');
    await ok(['enable-host', 'h1']);
    expect((await s.call<{ enabled: boolean }>('getHost', 'h1')).enabled).toBe(true);
    const user = await s.call<{ usertype: number }>('getUser', 'h1');
    expect(user.usertype).toBe(1);
    const missing = await hub.cli(['enable-host', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('No such host: nope');
  });

  it('puts hosts into channels, creating one with --new', async () => {
    const none = await hub.cli(['add-host-to-channel', 'h1', 'image']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No such channel: image');
    await ok(['add-host-to-channel', '--new', 'h1', 'image']);
    const dup = await hub.cli(['add-host-to-channel', 'h1', 'image']);
    expect(dup.stderr).toContain('host h1 is already subscribed to the image channel');
    expect(await ok(['list-hosts', '--channel', 'image', '--quiet'])).toMatch(/^h1 +Y {3}N {3}/);
    const channels = await ok(['list-channels']);
    expect(channels).toMatch(/image\s+1\s+0\s+0\s+0\s+4\s+0%/);
    await ok(['remove-host-from-channel', 'h1', 'image']);
    const notIn = await hub.cli(['remove-host-from-channel', 'h1', 'image']);
    expect(notIn.stderr).toContain('Host h1 is not a member of channel image');
    await ok(['disable-channel', 'image', '--comment', 'unused']);
    expect(await ok(['list-channels', '--simple', '--quiet'])).toBe('createrepo\ndefault\nimage [disabled]\n');
    const disabled = await s.call('makeTask', 'sleep', [1], kw({ channel: 'image' })).catch((e: Error) => e.message);
    expect(disabled).toBe('Channel image is disabled.');
    await ok(['edit-channel', 'image', '--name', 'images', '--description', 'image builds']);
    expect(await s.call('getChannel', 'images')).toMatchObject({ name: 'images', description: 'image builds', enabled: false, comment: 'unused' });
  });

  it('answers the real koji client\'s shapes over XML-RPC', async () => {
    const py = await python(hub.hubUrl, `
h = hub.getHost('aio-builder')
hosts = hub.listHosts(kw(arches=['noarch'], enabled=True))
ch = hub.listChannels(kw(hostID=h['id']))
c = hub.getChannel('default')
out({'keys': sorted(h.keys()), 'cap': type(h['capacity']).__name__, 'load': type(h['task_load']).__name__,
     'ts': type(h['update_ts']).__name__, 'names': [x['name'] for x in hosts], 'ch': sorted(x['name'] for x in ch),
     'chkeys': sorted(c.keys()), 'none': hub.getHost('nobody')})
`);
    expect(py.stderr).toBe('');
    expect(py.json).toEqual({
      keys: ['arches', 'capacity', 'comment', 'description', 'enabled', 'id', 'name', 'ready', 'task_load', 'update_ts', 'user_id'],
      cap: 'float', load: 'float', ts: 'float', names: ['aio-builder'], ch: ['createrepo', 'default'],
      chkeys: ['comment', 'description', 'enabled', 'id', 'name'], none: null,
    });
  });

  it('returns task info in koji\'s shape, including for a list of ids', async () => {
    const id = await s.call<number>('makeTask', 'sleep', [0]);
    await waitForState(s, id, ['CLOSED']);
    const py = await python(hub.hubUrl, `
t = hub.getTaskInfo(${id}, kw(request=True))
many = hub.getTaskInfo([${id}, 999999])
out({'keys': sorted(t.keys()), 'request': t['request'], 'weight': type(t['weight']).__name__, 'many': [m and m['id'] for m in many],
     'done': hub.taskFinished(${id}), 'result': hub.getTaskResult(${id})})
`);
    expect(py.json).toEqual({
      keys: ['arch', 'awaited', 'channel_id', 'completion_time', 'completion_ts', 'create_time', 'create_ts', 'host_id', 'id', 'label', 'method', 'owner', 'parent', 'priority', 'request', 'start_time', 'start_ts', 'state', 'waiting', 'weight'],
      request: [0], weight: 'float', many: [id, null], done: true, result: null,
    });
  });
});

describe('tagBuild', () => {
  it('tags through a tagBuild task on the builder, and moves with fromtag', async () => {
    await ok(['add-tag', 'dest']);
    await ok(['add-tag', 'dest2']);
    await ok(['add-pkg', '--owner', 'admin', 'dest', 'hello']);
    await ok(['add-pkg', '--owner', 'admin', 'dest2', 'hello']);
    await s.call('createEmptyBuild', 'hello', '1.0', '1', null);
    const id = await s.call<number>('tagBuild', 'dest', 'hello-1.0-1');
    const task = await s.call<{ method: string; priority: number }>('getTaskInfo', id);
    expect(task).toMatchObject({ method: 'tagBuild', priority: 10 });
    await waitForState(s, id, ['CLOSED']);
    expect((await s.call<Array<{ nvr: string }>>('listTagged', 'dest')).map((b) => b.nvr)).toEqual(['hello-1.0-1']);
    const move = await s.call<number>('tagBuild', 'dest2', 'hello-1.0-1', kw({ fromtag: 'dest' }));
    await waitForState(s, move, ['CLOSED']);
    expect(await s.call('listTagged', 'dest')).toEqual([]);
    expect((await s.call<Array<{ nvr: string }>>('listTagged', 'dest2')).map((b) => b.nvr)).toEqual(['hello-1.0-1']);
  });

  it('refuses a package that is not listed, and a policy denial, before making a task', async () => {
    await ok(['add-tag', 'forbidden']);
    await ok(['add-tag', 'nopkg']);
    await ok(['add-pkg', '--owner', 'admin', 'forbidden', 'hello']);
    const notListed = await s.call('tagBuild', 'nopkg', 'hello-1.0-1').catch((e: Error & { faultName: string }) => `${e.faultName}: ${e.message}`);
    expect(notListed).toBe('TagError: Package hello not in list for nopkg');
    const denied = await s.call('tagBuild', 'forbidden', 'hello-1.0-1').catch((e: Error & { faultName: string }) => `${e.faultName}: ${e.message}`);
    expect(denied).toBe('ActionNotAllowed: policy violation (tag): no builds go to forbidden');
  });
});
