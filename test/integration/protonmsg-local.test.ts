/**
 * protonmsg against the real binary when a configured url is the hub's own
 * embedded broker: messages are handed over in-process (no AMQP connection
 * from the hub to itself) and still reach a consumer kojibox did not write
 * (Python qpid-proton), in order, including after failing over from a dead
 * first url.
 */
import { afterEach, describe, expect, it } from 'bun:test';
import { ADMIN_PASSWORD, python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { freePort, startConsumer, until, type Consumer } from '../helpers/amqp.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function hubOn(port: number, urls: string): Promise<TestHub> {
  const hub = await startHub({
    amqp: `127.0.0.1:${port}`,
    // debug: the broker logs each connection
    env: { KOJIBOX_LOG: 'debug' },
    config: { 'koji-hub/hub.conf': '[hub]\nPlugins = protonmsg\n', 'koji-hub/plugins/protonmsg.conf': `[broker]\nurls = ${urls}\ntopic_prefix = koji\n` },
  });
  cleanups.push(() => stopHub(hub));
  return hub;
}

async function consumer(port: number): Promise<Consumer> {
  const c = startConsumer({ url: `amqp://127.0.0.1:${port}`, address: 'koji.package.*' });
  cleanups.push(() => c.stop());
  await c.ready;
  return c;
}

/** Adds pkg0..pkg(n-1) to a new tag, one call each. */
async function addPackages(hub: TestHub, n: number): Promise<void> {
  const r = await python(hub.hubUrl, `p = login('admin', ${JSON.stringify(ADMIN_PASSWORD)})
p.createTag('f30')
for i in range(${n}):
    p.packageListAdd('f30', 'pkg%d' % i, 'admin')
out(True)`);
  if (r.code !== 0) throw new Error(r.stderr);
}

const names = (n: number) => [...Array(n).keys()].map((i) => `pkg${i}`);

describe('protonmsg to the hub\'s own broker', () => {
  it('hands messages over in-process when a url names the embedded broker', async () => {
    const port = await freePort();
    const hub = await hubOn(port, `amqp://localhost:${port}`);
    expect(hub.log()).toContain(`amqp://localhost:${port} (this hub's broker, in-process)`);
    const c = await consumer(port);
    await addPackages(hub, 40);
    expect((await c.waitFor(40)).map((m) => m.properties.package)).toEqual(names(40));
    // the broker saw the consumer connect, but never the hub's sender
    const connections = hub.log().split('\n').filter((l) => l.includes('mq: connection from '));
    expect(connections.length).toBeGreaterThan(0);
    expect(connections.filter((l) => l.includes('kojibox-hub-protonmsg'))).toEqual([]);
  });

  it('fails over from a dead first url to its own broker', async () => {
    const port = await freePort();
    const dead = await freePort();
    const hub = await hubOn(port, `amqp://127.0.0.1:${dead} amqp://127.0.0.1:${port}`);
    const c = await consumer(port);
    await addPackages(hub, 20);
    expect((await c.waitFor(20)).map((m) => m.properties.package)).toEqual(names(20));
    await until(() => hub.log().includes(`sending to amqp://127.0.0.1:${port}, the hub's own broker, in-process`), 5000, 'the failover log line');
  });
});
