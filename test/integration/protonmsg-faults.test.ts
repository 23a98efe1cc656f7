/**
 * protonmsg when things go wrong, against the real binary: a broker that is
 * not there yet, a hub killed right after a change, a broker that rejects a
 * message, a dead first url, TLS with the wrong CA, expiry and a disabled
 * queue. The brokers here run in their own process (test/helpers/amqp_broker.ts)
 * and messages are read with Python's qpid-proton.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test';
import { Database } from 'bun:sqlite';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { freePort, startBrokerProcess, startConsumer, until, type BrokerProcess, type Consumer } from '../helpers/amqp.ts';

const HUB_CONF = '[hub]\nPlugins = protonmsg\n';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function hubWith(protonConf: string): Promise<TestHub> {
  const hub = await startHub({ config: { 'koji-hub/hub.conf': HUB_CONF, 'koji-hub/plugins/protonmsg.conf': protonConf } });
  cleanups.push(() => stopHub(hub));
  return hub;
}

async function broker(o: Parameters<typeof startBrokerProcess>[0] = {}): Promise<BrokerProcess> {
  const b = await startBrokerProcess(o);
  cleanups.push(() => b.stop());
  return b;
}

async function consumer(url: string, extra: Partial<Parameters<typeof startConsumer>[0]> = {}): Promise<Consumer> {
  const c = startConsumer({ url, address: 'koji.#', ...extra });
  cleanups.push(() => c.stop());
  await c.ready;
  return c;
}

async function asAdmin(hub: TestHub, code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, `p = login('admin', ${JSON.stringify(ADMIN_PASSWORD)})\n${code}`);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.json;
}

/** Reads the hub's outbox straight from its database. */
function outbox(hub: TestHub, table = 'outbox'): Array<Record<string, unknown>> {
  const db = new Database(join(hub.dataDir, 'kojibox.db'));
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    return db.query(`SELECT * FROM ${table} ORDER BY id`).all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

describe('protonmsg with nothing listening', () => {
  it('queues 1,000 events and delivers all of them, in order, once a broker starts there', async () => {
    const port = await freePort();
    const hub = await hubWith(`[broker]\nurls = amqp://127.0.0.1:${port}\ntopic_prefix = koji\n`);
    await asAdmin(hub, `
p.createTag('big')
for chunk in range(10):
    calls = [{'methodName': 'packageListAdd', 'params': ['big', 'pkg%04d' % (chunk * 100 + i), 'admin']} for i in range(100)]
    res = p.multiCall(calls)
    assert all(isinstance(r, list) for r in res), res[:3]
out(1)
`);
    expect(outbox(hub).length).toBe(1000);
    expect(hub.log()).toContain('could not connect to any broker');

    const b = await broker();
    const c = await consumer(b.url, { timeout: 60 });
    await b.openGate(port);
    const msgs = await c.waitFor(1000, 45000);
    expect(msgs.length).toBe(1000);
    expect(msgs.map((m) => m.properties.package)).toEqual(Array.from({ length: 1000 }, (_, i) => `pkg${String(i).padStart(4, '0')}`));
    expect(new Set(msgs.map((m) => m.id)).size).toBe(1000);
    await until(() => outbox(hub).length === 0, 10000, 'an empty outbox');
  }, 90000);
});

describe('protonmsg across a hub crash', () => {
  it('delivers the message of a change made right before SIGKILL after the restart', async () => {
    const port = await freePort();
    const hub = await hubWith(`[broker]\nurls = amqp://127.0.0.1:${port}\ntopic_prefix = koji\n`);
    await asAdmin(hub, `p.createTag('crash'); out(1)`);
    // The broker is not up, so the message can only be in the outbox when the hub dies.
    await asAdmin(hub, `p.packageListAdd('crash', 'survivor', 'admin'); out(1)`);
    await hub.stop('SIGKILL');
    const rows = outbox(hub);
    expect(rows.map((r) => r.address)).toEqual(['topic://koji.package.add']);
    expect(JSON.parse(String(rows[0]!.props)).package).toBe('survivor');

    const b = await broker();
    const c = await consumer(b.url);
    await b.openGate(port);
    await hub.restart();
    const msgs = await c.waitFor(1);
    const survivor = msgs.find((m) => m.properties.package === 'survivor');
    expect(survivor?.address).toBe('topic://koji.package.add');
    expect(survivor?.id).toBe(String(rows[0]!.message_id));
  }, 60000);

  it('still delivers when the broker was up and the hub died right after the change', async () => {
    const b = await broker();
    const port = await freePort();
    await b.openGate(port);
    const c = await consumer(b.url);
    const hub = await hubWith(`[broker]\nurls = amqp://127.0.0.1:${port}\ntopic_prefix = koji\n`);
    await asAdmin(hub, `p.createTag('crash2'); p.packageListAdd('crash2', 'quick', 'admin'); out(1)`);
    await hub.stop('SIGKILL');
    await hub.restart();
    const msgs = await c.waitFor(1);
    // at least once: possibly twice, always with the same message-id
    const quick = msgs.filter((m) => m.properties.package === 'quick');
    expect(quick.length).toBeGreaterThanOrEqual(1);
    expect(new Set(quick.map((m) => m.id)).size).toBe(1);
    await until(() => outbox(hub).length === 0, 10000, 'an empty outbox');
  }, 60000);
});

describe('protonmsg with an unhelpful broker', () => {
  it('moves a rejected message aside, logs it and delivers the rest in order', async () => {
    const b = await broker({ rejectProp: 'package=poison' });
    const c = await consumer(b.url);
    const hub = await hubWith(`[broker]\nurls = ${b.url}\ntopic_prefix = koji\n`);
    await asAdmin(hub, `
p.createTag('rej')
for name in ['before', 'poison', 'after']:
    p.packageListAdd('rej', name, 'admin')
out(1)
`);
    const msgs = await c.waitFor(2);
    expect(msgs.map((m) => m.properties.package)).toEqual(['before', 'after']);
    await until(() => outbox(hub).length === 0, 10000, 'an empty outbox');
    const aside = outbox(hub, 'outbox_rejected');
    expect(aside.length).toBe(1);
    expect(JSON.parse(String(aside[0]!.props)).package).toBe('poison');
    expect(String(aside[0]!.reason)).toContain('refusing package=poison');
    expect(hub.log()).toContain('message was rejected');
  }, 30000);

  it('sends to the second url when the first is down', async () => {
    const dead = await freePort();
    const b = await broker();
    const c = await consumer(b.url);
    const hub = await hubWith(`[broker]\nurls = amqp://127.0.0.1:${dead} ${b.url}\ntopic_prefix = koji\n`);
    await asAdmin(hub, `p.createTag('fallback'); p.packageListAdd('fallback', 'x', 'admin'); out(1)`);
    const msgs = await c.waitFor(1);
    expect(msgs[0]!.properties).toMatchObject({ package: 'x', tag: 'fallback' });
    expect(hub.log()).toContain(`connected to ${b.url}`);
  }, 30000);

  it('reconnects and resends what was in flight when the broker goes away mid-stream', async () => {
    const b = await broker();
    const port = await freePort();
    await b.openGate(port);
    const c = await consumer(b.url, { timeout: 60 });
    const hub = await hubWith(`[broker]\nurls = amqp://127.0.0.1:${port}\ntopic_prefix = koji\n`);
    await asAdmin(hub, `p.createTag('flap'); p.packageListAdd('flap', 'one', 'admin'); out(1)`);
    await c.waitFor(1);
    await until(() => outbox(hub).length === 0, 10000, 'the first message settled');
    await b.closeGate();
    await asAdmin(hub, `p.packageListAdd('flap', 'two', 'admin'); out(1)`);
    await Bun.sleep(500);
    expect(outbox(hub).map((r) => JSON.parse(String(r.props)).package)).toEqual(['two']);
    await b.openGate(port);
    const msgs = await c.waitFor(2);
    expect(msgs.map((m) => m.properties.package)).toEqual(['one', 'two']);
    await until(() => outbox(hub).length === 0, 10000, 'an empty outbox');
  }, 30000);
});

describe('protonmsg over TLS', () => {
  let dir: string;
  const file = (n: string) => join(dir, n);
  const openssl = (...args: string[]) => {
    const p = Bun.spawnSync(['openssl', ...args], { cwd: dir, stderr: 'pipe' });
    if (p.exitCode !== 0) throw new Error(`openssl ${args.join(' ')}: ${p.stderr.toString()}`);
  };
  const ca = (name: string) => openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
  const signed = (name: string, caName: string, ext: string) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    writeFileSync(file(`${name}.ext`), ext);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kojibox-tls-'));
    ca('goodca');
    ca('wrongca');
    signed('broker', 'goodca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    signed('hubclient', 'goodca', 'extendedKeyUsage=clientAuth\n');
    writeFileSync(file('hubclient.pem'), readFileSync(file('hubclient.crt'), 'utf8') + readFileSync(file('hubclient.key'), 'utf8'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a broker whose certificate the configured CA did not sign, and logs why', async () => {
    const b = await broker({ cert: file('broker.crt'), key: file('broker.key') });
    const hub = await hubWith(`[broker]\nurls = ${b.url}\ncacert = ${file('wrongca.crt')}\ncert = ${file('hubclient.pem')}\ntopic_prefix = koji\n`);
    await asAdmin(hub, `p.createTag('tls'); p.packageListAdd('tls', 'blocked', 'admin'); out(1)`);
    await until(() => /could not connect to any broker.*(certificate|verify)/i.test(hub.log()), 15000, 'a TLS refusal in the log');
    expect(outbox(hub).length).toBeGreaterThan(0);
    expect(((await b.stats()) as { messagesRouted: number }).messagesRouted).toBe(0);
  }, 30000);

  it('delivers over TLS with the right CA and a client certificate the broker requires', async () => {
    const b = await broker({ cert: file('broker.crt'), key: file('broker.key'), ca: file('goodca.crt') });
    const c = await consumer(b.url, { ca: file('goodca.crt'), cert: file('hubclient.crt'), key: file('hubclient.key') });
    const hub = await hubWith(`[broker]\nurls = ${b.url}\ncacert = ${file('goodca.crt')}\ncert = ${file('hubclient.pem')}\ntopic_prefix = koji\n`);
    await asAdmin(hub, `p.createTag('tls2'); p.packageListAdd('tls2', 'secure', 'admin'); out(1)`);
    const msgs = await c.waitFor(1);
    expect(msgs[0]!.properties).toMatchObject({ package: 'secure' });
  }, 30000);
});

describe('protonmsg queue settings', () => {
  it('drops queued messages older than max_age and counts them in the log', async () => {
    const port = await freePort();
    // 0.0005 hours = 1.8 s
    const hub = await hubWith(`[broker]\nurls = amqp://127.0.0.1:${port}\ntopic_prefix = koji\n[queue]\nmax_age = 0.0005\n`);
    await asAdmin(hub, `p.createTag('old'); p.packageListAdd('old', 'a', 'admin'); p.packageListAdd('old', 'b', 'admin'); out(1)`);
    expect(outbox(hub).length).toBe(2);
    await until(() => outbox(hub).length === 0, 40000, 'expired rows to go');
    // the two rows may expire in one pass or in two; the log counts each pass
    const dropped = () => [...hub.log().matchAll(/dropped (\d+) queued messages older than 0.0005 hours/g)].reduce((n, m) => n + Number(m[1]), 0);
    await until(() => dropped() === 2, 5000, 'expiry log lines counting 2 messages');
  }, 60000);

  it("drops what it could not send when the queue is disabled, as Koji does", async () => {
    const port = await freePort();
    const hub = await hubWith(`[broker]\nurls = amqp://127.0.0.1:${port}\ntopic_prefix = koji\n[queue]\nenabled = false\n`);
    await asAdmin(hub, `p.createTag('noq'); p.packageListAdd('noq', 'a', 'admin'); out(1)`);
    await until(() => hub.log().includes('could not send 1 messages. db queue disabled'), 15000, 'the drop log line');
    expect(outbox(hub).length).toBe(0);
  }, 30000);

  it('sends nothing and empties the outbox in test_mode', async () => {
    const hub = await hubWith(`[broker]\nurls = amqp://127.0.0.1:1\ntest_mode = true\ntopic_prefix = koji\n`);
    await asAdmin(hub, `p.createTag('tm'); p.packageListAdd('tm', 'a', 'admin'); out(1)`);
    await until(() => outbox(hub).length === 0, 10000, 'an empty outbox');
    expect(hub.log()).not.toContain('could not connect');
  }, 30000);
});
