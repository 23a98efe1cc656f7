/**
 * protonmsg against the real binary, read by a consumer kojibox did not
 * write (Python qpid-proton): hub changes arrive on the embedded broker
 * with Koji's addresses, application properties and JSON bodies, and
 * topic_prefix / extra_limit behave as in Koji.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { ADMIN_PASSWORD, BIN, python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { freePort, startConsumer, until, type Consumer, type ReceivedMessage } from '../helpers/amqp.ts';
import { adminSession, buildTiny, importBuilt } from '../helpers/repo-fixtures.ts';

const HUB_CONF = '[hub]\nPlugins = protonmsg\n';

interface Bus {
  hub: TestHub;
  consumer: Consumer;
  url: string;
}

async function busHub(protonConf: string, address: string): Promise<Bus> {
  const port = await freePort();
  const hub = await startHub({
    config: { 'koji-hub/hub.conf': HUB_CONF, 'koji-hub/plugins/protonmsg.conf': protonConf },
    amqp: `127.0.0.1:${port}`,
  });
  const url = `amqp://127.0.0.1:${port}`;
  const consumer = startConsumer({ url, address });
  await consumer.ready;
  return { hub, consumer, url };
}

/** Runs API calls as admin in Python; the script's last `out(...)` is returned. */
async function asAdmin(hub: TestHub, code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, `p = login('admin', ${JSON.stringify(ADMIN_PASSWORD)})\n${code}`);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.json;
}

function byAddress(msgs: ReceivedMessage[], address: string): ReceivedMessage {
  const m = msgs.find((x) => x.address === address);
  if (!m) throw new Error(`no message for ${address}; got ${msgs.map((x) => x.address).join(', ')}`);
  return m;
}

describe('protonmsg on the embedded broker', () => {
  let bus: Bus;
  let views: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    bus = await busHub('[broker]\ntopic_prefix = koji\n', 'koji.#');
    views = (await asAdmin(bus.hub, `
p.createTag('f30')
p.packageListAdd('f30', 'foo', 'admin')
bid = p.createEmptyBuild('foo', '1.0', '1', None)
p.tagBuildBypass('f30', bid)
build = p.getBuild(bid)
p.untagBuildBypass('f30', bid)
out({'tag': p.getTag('f30'), 'build': build, 'user': p.getUser('admin'), 'pkg': p.getPackage('foo')})
`)) as Record<string, Record<string, unknown>>;
    await bus.consumer.waitFor(4);
  });
  afterAll(async () => {
    await bus?.consumer.stop();
    await stopHub(bus?.hub);
  });

  it('delivers the changes in the order they were made, each with a unique message-id', () => {
    const msgs = bus.consumer.messages;
    expect(msgs.map((m) => m.address)).toEqual([
      'topic://koji.package.add',
      'topic://koji.build.complete',
      'topic://koji.build.tag',
      'topic://koji.build.untag',
    ]);
    const ids = msgs.map((m) => m.id);
    expect(ids.every((id) => typeof id === 'string' && id.length >= 32)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("sends package.add with Koji's properties and the callback arguments as body", () => {
    const m = byAddress(bus.consumer.messages, 'topic://koji.package.add');
    expect(m.properties).toEqual({ type: 'PackageListChange', tag: 'f30', package: 'foo', action: 'add', user: 'admin' });
    const body = JSON.parse(m.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['action', 'tag', 'package', 'owner', 'block', 'extra_arches', 'force', 'update', 'user']);
    expect(body.tag).toEqual(views.tag!);
    expect(body.package).toEqual(views.pkg!);
    expect(body.owner).toBe(views.user!.id as number);
    expect(body).toMatchObject({ action: 'add', block: false, extra_arches: null, force: false, update: false });
    expect((body.user as Record<string, unknown>).name).toBe('admin');
    // Python's json.dumps spelling, not JavaScript's
    expect(m.body.startsWith('{"action": "add", "tag": {')).toBe(true);
  });

  it("sends build.tag and build.untag with the tag, build and user as getTag/getBuild/getUser show them", () => {
    for (const [address, type] of [['topic://koji.build.tag', 'Tag'], ['topic://koji.build.untag', 'Untag']] as const) {
      const m = byAddress(bus.consumer.messages, address);
      expect(m.properties).toEqual({ type, tag: 'f30', name: 'foo', version: '1.0', release: '1', user: 'admin' });
      const body = JSON.parse(m.body) as Record<string, unknown>;
      expect(Object.keys(body).slice(0, 4)).toEqual(['tag', 'build', 'user', 'force']);
      expect(body.tag).toEqual(views.tag!);
      expect(body.build).toEqual(views.build!);
      expect((body.user as Record<string, unknown>).id).toBe(views.user!.id as number);
      expect(body.force).toBe(false);
    }
  });

  it('sends build.complete with state names in properties and numbers plus btypes in the body', () => {
    const m = byAddress(bus.consumer.messages, 'topic://koji.build.complete');
    expect(m.properties).toEqual({ type: 'BuildStateChange', name: 'foo', version: '1.0', release: '1', attribute: 'state', old: null, new: 'COMPLETE' });
    const body = JSON.parse(m.body) as Record<string, unknown>;
    expect(body).toMatchObject({ attribute: 'state', old: null, new: 1, btypes: {} });
    expect((body.info as Record<string, unknown>).nvr).toBe('foo-1.0-1');
  });

  it('sends task state changes: task.free on creation and task.canceled on cancel', async () => {
    const before = bus.consumer.messages.length;
    const taskId = (await asAdmin(bus.hub, `
tid = p.makeTask('sleep', [1])
p.cancelTask(tid)
out(tid)
`)) as number;
    const msgs = (await bus.consumer.waitFor(before + 2)).slice(before);
    expect(msgs.map((m) => m.address)).toEqual(['topic://koji.task.free', 'topic://koji.task.canceled']);
    expect(msgs[0]!.properties).toEqual({ type: 'TaskStateChange', id: taskId, parent: null, method: 'sleep', attribute: 'state', old: null, new: 'FREE' });
    expect(msgs[1]!.properties).toEqual({ type: 'TaskStateChange', id: taskId, parent: null, method: 'sleep', attribute: 'state', old: 'FREE', new: 'CANCELED' });
    const body = JSON.parse(msgs[1]!.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['attribute', 'old', 'new', 'info']);
    expect((body.info as Record<string, unknown>).id).toBe(taskId);
  });
});

describe('topic_prefix and extra_limit', () => {
  const cases = [
    // RabbitMQ style stays as written; extra (None -> "null", 4 chars) is over a limit of 3
    { prefix: '/topic/VirtualTopic.eng.koji', sub: 'VirtualTopic.eng.koji.#', limit: 3, address: '/topic/VirtualTopic.eng.koji.build.tag', extraKept: false },
    // ActiveMQ style stays as written; a limit of 4 keeps it
    { prefix: 'topic://koji.staging', sub: 'koji.staging.#', limit: 4, address: 'topic://koji.staging.build.tag', extraKept: true },
    // anything else gets topic:// in front; 0 means no limit
    { prefix: 'eng.koji', sub: 'eng.koji.#', limit: 0, address: 'topic://eng.koji.build.tag', extraKept: true },
  ];
  for (const c of cases) {
    it(`prefix '${c.prefix}' with extra_limit ${c.limit} sends to ${c.address}${c.extraKept ? '' : ' without build.extra'}`, async () => {
      const bus = await busHub(`[broker]\ntopic_prefix = ${c.prefix}\n[message]\nextra_limit = ${c.limit}\n`, c.sub);
      try {
        await asAdmin(bus.hub, `
p.createTag('t1')
bid = p.createEmptyBuild('pkg', '2', '3', None)
p.tagBuildBypass('t1', bid)
out(1)
`);
        const msgs = await bus.consumer.waitFor(2);
        const tag = byAddress(msgs, c.address);
        const build = (JSON.parse(tag.body) as { build: Record<string, unknown> }).build;
        expect('extra' in build).toBe(c.extraKept);
        expect(build.nvr).toBe('pkg-2-3');
        const state = msgs.find((m) => m.address?.endsWith('.build.complete'))!;
        expect('extra' in (JSON.parse(state.body) as { info: Record<string, unknown> }).info).toBe(c.extraKept);
      } finally {
        await bus.consumer.stop();
        await stopHub(bus.hub);
      }
    }, 30000);
  }
});

describe('extra_limit with real build extra', () => {
  it('drops an oversized build.extra and keeps one within the limit', async () => {
    const bus = await busHub('[broker]\ntopic_prefix = koji\n[message]\nextra_limit = 100\n', 'koji.build.*');
    try {
      expect((await bus.hub.cli(['add-host', 'h1', 'x86_64'])).code).toBe(0);
      expect((await bus.hub.cli(['edit-user', 'h1', '--password-stdin'], { stdin: 'h1-pw-123\n' })).code).toBe(0);
      // a build host starts builds with whatever extra its task produced
      const ids = (await asAdmin(bus.hub, `
tid = p.makeTask('sleep', [100], kw(assign='h1'))
h = login('h1', 'h1-pw-123')
h.host.openTask(tid)
big = h.host.initBuild({'name': 'big', 'version': '1', 'release': '1', 'epoch': None, 'task_id': tid, 'extra': {'typeinfo': {'rpm': None}, 'blob': 'x' * 500}})
small = h.host.initBuild({'name': 'small', 'version': '1', 'release': '1', 'epoch': None, 'task_id': tid, 'extra': {'typeinfo': {'rpm': None}}})
out([big, small, p.getBuild(big)['extra']['blob'] == 'x' * 500])
`)) as [number, number, boolean];
      expect(ids[2]).toBe(true);
      const msgs = await bus.consumer.waitFor(2);
      const info = (name: string) => {
        const m = msgs.find((x) => x.properties.name === name)!;
        expect(m.address).toBe('topic://koji.build.building');
        expect(m.properties).toMatchObject({ type: 'BuildStateChange', attribute: 'state', old: null, new: 'BUILDING' });
        return (JSON.parse(m.body) as { info: Record<string, unknown> }).info;
      };
      expect('extra' in info('big')).toBe(false);
      expect(info('big').nvr).toBe('big-1-1');
      expect(info('small').extra).toEqual({ typeinfo: { rpm: null } });
    } finally {
      await bus.consumer.stop();
      await stopHub(bus.hub);
    }
  }, 60000);
});

describe('import messages', () => {
  it("sends import.rpm for each imported RPM with Koji's properties", async () => {
    const bus = await busHub('[broker]\ntopic_prefix = koji\n', 'koji.import.*');
    try {
      const built = await buildTiny({ name: 'msgtiny' }, bus.hub.dir);
      const s = await adminSession(bus.hub);
      await importBuilt(bus.hub, s, built);
      const files = [built.srpm, ...built.rpms];
      const msgs = await bus.consumer.waitFor(files.length);
      expect(msgs.every((m) => m.address === 'topic://koji.import.rpm')).toBe(true);
      expect(msgs[0]!.properties).toEqual({ type: 'Import', importType: 'rpm', name: 'msgtiny', version: '1.0', release: '1' });
      const body = JSON.parse(msgs[0]!.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['type', 'rpm', 'build', 'filepath', 'fileinfo']);
      expect(body.type).toBe('rpm');
      expect((body.build as Record<string, unknown>).nvr).toBe('msgtiny-1.0-1');
      expect((body.rpm as Record<string, unknown>).arch).toBe('src');
    } finally {
      await bus.consumer.stop();
      await stopHub(bus.hub);
    }
  }, 60000);
});

describe('watch-messages', () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await busHub('[broker]\ntopic_prefix = koji\n', 'koji.#');
    await asAdmin(bus.hub, `p.createTag('w1'); out(1)`);
  });
  afterAll(async () => {
    await bus?.consumer.stop();
    await stopHub(bus?.hub);
  });

  /** Starts the CLI and resolves once it has subscribed (its "watching" line on stderr). */
  async function watch(args: string[]) {
    const p = Bun.spawn([BIN, '--server', bus.hub.hubUrl, 'watch-messages', '--amqp', bus.url, ...args], { stdout: 'pipe', stderr: 'pipe' });
    const dec = new TextDecoder();
    let err = '';
    const reader = p.stderr.getReader();
    while (!err.includes('watching')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`watch-messages exited: ${err}`);
      err += dec.decode(value);
    }
    return { proc: p, stdout: new Response(p.stdout).text() };
  }

  it('prints matching messages as JSON lines for scripts and exits after --count', async () => {
    const w = await watch(['--json', '--topic', 'koji.package.*', '--count', '2']);
    await asAdmin(bus.hub, `
bid = p.createEmptyBuild('wpkg', '1', '1', None)
p.packageListAdd('w1', 'wa', 'admin')
p.tagBuildBypass('w1', bid)
p.packageListAdd('w1', 'wb', 'admin')
out(1)`);
    expect(await w.proc.exited).toBe(0);
    const lines = (await w.stdout).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.topic, l.address, (l.properties as Record<string, unknown>).package])).toEqual([
      ['koji.package.add', 'topic://koji.package.add', 'wa'],
      ['koji.package.add', 'topic://koji.package.add', 'wb'],
    ]);
    expect((lines[0]!.body as Record<string, unknown>).action).toBe('add');
    expect(typeof lines[0]!.message_id).toBe('string');
  }, 30000);

  it('prints one readable line per message and honours a selector', async () => {
    const w = await watch(['--selector', "type = 'PackageListChange' AND package LIKE 'keep%'", '--count', '1']);
    await asAdmin(bus.hub, `p.packageListAdd('w1', 'skipme', 'admin'); p.packageListAdd('w1', 'keepme', 'admin'); out(1)`);
    expect(await w.proc.exited).toBe(0);
    expect((await w.stdout).trim()).toBe('koji.package.add type=PackageListChange tag=w1 package=keepme action=add user=admin');
  }, 30000);

  it('with --durable gets what was sent while it was away', async () => {
    const first = await watch(['--json', '--durable', 'away', '--topic', 'koji.package.*', '--count', '1']);
    await asAdmin(bus.hub, `p.packageListAdd('w1', 'd1', 'admin'); out(1)`);
    expect(await first.proc.exited).toBe(0);
    // nobody listens now; the broker keeps these for the durable subscription
    await asAdmin(bus.hub, `p.packageListAdd('w1', 'd2', 'admin'); p.packageListAdd('w1', 'd3', 'admin'); out(1)`);
    await until(() => bus.consumer.messages.some((m) => m.properties.package === 'd3'), 10000, 'd3 on the bus');
    const again = await watch(['--json', '--durable', 'away', '--topic', 'koji.package.*', '--count', '2']);
    expect(await again.proc.exited).toBe(0);
    const got = (await again.stdout).trim().split('\n').map((l) => (JSON.parse(l) as { properties: { package: string } }).properties.package);
    expect(got).toEqual(['d2', 'd3']);
  }, 30000);

  it('fails with a clear message when no broker listens', async () => {
    const p = Bun.spawn([BIN, '--server', bus.hub.hubUrl, 'watch-messages', '--amqp', 'amqp://127.0.0.1:1'], { stdout: 'pipe', stderr: 'pipe' });
    expect(await p.exited).toBe(1);
    expect(await new Response(p.stderr).text()).toContain('amqp://127.0.0.1:1: disconnected');
  });
});
