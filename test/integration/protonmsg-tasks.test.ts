/**
 * protonmsg for work the builder does, against the real binary with its
 * all-in-one build host: a task finishing and a repo becoming ready arrive
 * on the embedded broker with Koji's addresses, properties and bodies, read
 * by Python's qpid-proton.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { ADMIN_PASSWORD, python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { freePort, startConsumer, until, type Consumer, type ReceivedMessage } from '../helpers/amqp.ts';

let hub: TestHub;
let consumer: Consumer;

beforeAll(async () => {
  const port = await freePort();
  hub = await startHub({
    allInOne: true,
    amqp: `127.0.0.1:${port}`,
    config: { 'koji-hub/hub.conf': '[hub]\nPlugins = protonmsg\n', 'koji-hub/plugins/protonmsg.conf': '[broker]\ntopic_prefix = koji\n' },
  });
  consumer = startConsumer({ url: `amqp://127.0.0.1:${port}`, address: 'koji.#', timeout: 120 });
  await consumer.ready;
});
afterAll(async () => {
  await consumer?.stop();
  await stopHub(hub);
});

async function asAdmin(code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, `p = login('admin', ${JSON.stringify(ADMIN_PASSWORD)})\n${code}`);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.json;
}

const taskMessages = (id: number): ReceivedMessage[] => consumer.messages.filter((m) => m.address?.startsWith('topic://koji.task.') && m.properties.id === id);

describe('task messages', () => {
  it('follows a task from task.free to task.closed with Koji properties and body', async () => {
    const id = (await asAdmin(`out(p.makeTask('sleep', [0]))`)) as number;
    await until(() => taskMessages(id).some((m) => m.address === 'topic://koji.task.closed'), 30000, 'task.closed');
    const msgs = taskMessages(id);
    expect(msgs.map((m) => m.address)).toEqual(['topic://koji.task.free', 'topic://koji.task.assigned', 'topic://koji.task.open', 'topic://koji.task.closed']);
    const closed = msgs.at(-1)!;
    expect(closed.properties).toEqual({ type: 'TaskStateChange', id, parent: null, method: 'sleep', attribute: 'state', old: 'OPEN', new: 'CLOSED' });
    const body = JSON.parse(closed.body) as { attribute: string; old: string; new: string; info: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['attribute', 'old', 'new', 'info']);
    expect(body).toMatchObject({ attribute: 'state', old: 'OPEN', new: 'CLOSED' });
    const info = (await asAdmin(`out(p.getTaskInfo(${id}, True))`)) as Record<string, unknown>;
    expect(body.info.id).toBe(id);
    expect(body.info.state).toBe(2);
    // Koji adds the result to a CLOSED task's info (sleep returns None)
    expect('result' in body.info).toBe(true);
    expect(body.info.result).toBeNull();
    expect(body.info.request).toEqual(info.request);
    expect(body.info.completion_time).toBe(info.completion_time);
  }, 60000);
});

describe('repo messages', () => {
  it('sends repo.init and repo.done for a regenerated repo', async () => {
    const add = await hub.cli(['add-tag', 'repo-tag', '--arches', 'x86_64']);
    expect(add.code).toBe(0);
    const regen = await hub.cli(['regen-repo', 'repo-tag']);
    expect(regen.code).toBe(0);
    const done = await until(() => consumer.messages.find((m) => m.address === 'topic://koji.repo.done' && m.properties.tag === 'repo-tag'), 30000, 'repo.done');
    const init = consumer.messages.find((m) => m.address === 'topic://koji.repo.init' && m.properties.tag === 'repo-tag')!;
    const repoId = done.properties.repo_id as number;
    const repo = (await asAdmin(`out(p.repoInfo(${repoId}))`)) as Record<string, unknown>;
    expect(init.properties).toEqual({ type: 'RepoInit', tag: 'repo-tag', repo_id: repoId, task_id: repo.task_id });
    const initBody = JSON.parse(init.body) as Record<string, unknown>;
    expect(Object.keys(initBody).slice(0, 4)).toEqual(['tag', 'event', 'repo_id', 'task_id']);
    expect((initBody.tag as Record<string, unknown>).name).toBe('repo-tag');
    expect(done.properties).toEqual({ type: 'RepoDone', tag: 'repo-tag', repo_id: repoId, task_id: repo.task_id, expire: false });
    const doneBody = JSON.parse(done.body) as Record<string, unknown>;
    expect(Object.keys(doneBody)).toEqual(['repo', 'data', 'expire', 'task_id']);
    // Koji's body takes task_id from the callback arguments, where it is never set
    expect(doneBody.task_id).toBeNull();
    expect((doneBody.repo as Record<string, unknown>).id).toBe(repoId);
    expect((doneBody.repo as Record<string, unknown>).tag_name).toBe('repo-tag');
    // the newRepo task that made it finished too
    await until(() => taskMessages(repo.task_id as number).some((m) => m.address === 'topic://koji.task.closed'), 20000, 'newRepo task.closed');
  }, 120000);
});
