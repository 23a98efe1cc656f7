import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, BIN, startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { addBuilderHost, adminSession, waitForState } from '../helpers/builder.ts';
import { kw, type ClientSession } from '../../src/client/session.ts';
import { uploadFile } from '../../src/client/upload.ts';
import { encodeResponse } from '../../src/core/xmlrpc.ts';

setDefaultTimeout(120000);

let hub: TestHub;
let s: ClientSession;
let dir: string;
/** A task with several outputs, run by hand as the all-in-one host. */
let taskId: number;
const files: Record<string, Uint8Array> = {};

/** The kojibox client run in a directory of our choosing (downloads land in the cwd). */
async function cliIn(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([BIN, '--server', hub.hubUrl, '--topurl', `${hub.url}/kojifiles`, '--user', 'admin', '--password', ADMIN_PASSWORD, '--config-root', hub.configRoot, ...args], {
    cwd, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore',
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  hub = await startHub({ allInOne: true });
  s = await adminSession(hub);
  dir = mkdtempSync(join(tmpdir(), 'kojibox-output-'));
  // a host no builder runs for, in a channel of its own: the test plays its builder
  await addBuilderHost(hub, 'by-hand', ['manual']);
  taskId = await s.call<number>('makeTask', 'sleep', [1], kw({ channel: 'manual' }));
  const host = await adminSession(hub, 'by-hand');
  expect(await host.call('host.openTask', taskId)).not.toBeNull();
  const rel = `tasks/${taskId % 10000}/${taskId}`;
  files['build.log'] = new TextEncoder().encode('line one\nline two\n');
  files['a b&c.txt'] = new TextEncoder().encode('<b>not markup</b>\n');
  files['sub/data.bin'] = crypto.getRandomValues(new Uint8Array(200000));
  for (const [name, data] of Object.entries(files)) {
    const local = join(dir, name.replace('/', '_'));
    writeFileSync(local, data);
    const slash = name.lastIndexOf('/');
    await uploadFile(host, local, slash < 0 ? rel : `${rel}/${name.slice(0, slash)}`, { name: name.slice(slash + 1) });
  }
  await host.call('host.closeTask', taskId, encodeResponse({ made: Object.keys(files).length }));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stopHub(hub);
});

describe('task output', () => {
  it('is listed in all four listTaskOutput shapes', async () => {
    expect(await s.call('listTaskOutput', taskId)).toEqual(['a b&c.txt', 'build.log', 'sub/data.bin']);
    expect(await s.call('listTaskOutput', taskId, kw({ all_volumes: true }))).toEqual({ 'a b&c.txt': ['DEFAULT'], 'build.log': ['DEFAULT'], 'sub/data.bin': ['DEFAULT'] });
    const stat = await s.call<Record<string, { st_size: string; st_mtime: number }>>('listTaskOutput', taskId, kw({ stat: true }));
    expect(stat['sub/data.bin']!.st_size).toBe('200000');
    expect(typeof stat['build.log']!.st_mtime).toBe('number');
    const both = await s.call<Record<string, Record<string, { st_size: string }>>>('listTaskOutput', taskId, kw({ stat: true, all_volumes: true }));
    expect(both['build.log']!.DEFAULT!.st_size).toBe(String(files['build.log']!.length));
  });

  it('is readable with downloadTaskOutput, by offset and from the end', async () => {
    const part = await s.call<string>('downloadTaskOutput', taskId, 'build.log', kw({ offset: 5, size: 3 }));
    expect(Buffer.from(part, 'base64').toString()).toBe('one');
    const tail = await s.call<string>('downloadTaskOutput', taskId, 'build.log', kw({ offset: -4, size: -1 }));
    expect(Buffer.from(tail, 'base64').toString()).toBe('two\n');
    await expect(s.call('downloadTaskOutput', taskId, '../../../etc/passwd')).rejects.toThrow('Invalid file name: ../../../etc/passwd');
    await expect(s.call('downloadTaskOutput', taskId, 'missing.log')).rejects.toThrow(`no file "missing.log" output by task ${taskId}`);
  });
});

describe('the task page', () => {
  it('shows the task and links every output file, and the links download them', async () => {
    const res = await fetch(`${hub.url}/koji/taskinfo?taskID=${taskId}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`<h1>Task ${taskId}: sleep (noarch)</h1>`);
    expect(page).toContain('<td class="CLOSED">closed</td>');
    expect(page).toContain('<td>by-hand</td>');
    expect(page).toContain('<td>manual</td>');
    expect(page).toContain('{&#39;made&#39;: 3}');
    // escaped text, and links for every file
    expect(page).toContain('a b&amp;c.txt');
    expect(page).not.toContain('<b>not markup</b>');
    const links = [...page.matchAll(/href="(\/kojifiles\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    expect(links.length).toBe(3);
    for (const [name, data] of Object.entries(files)) {
      const want = `/kojifiles/work/tasks/${taskId % 10000}/${taskId}/${name.split('/').map(encodeURIComponent).join('/')}`;
      expect(links).toContain(want);
      const got = new Uint8Array(await (await fetch(`${hub.url}${want}`)).arrayBuffer());
      expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    }
  });

  it('escapes a hostile request and shows the fault of a failed task', async () => {
    const id = await s.call<number>('makeTask', 'sleep', ['<script>alert(1)</script>']);
    await waitForState(s, id, ['FAILED']);
    const page = await (await fetch(`${hub.url}/koji/taskinfo?taskID=${id}`)).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('<th>Fault</th>');
    expect(page).toContain('(fault code 1)');
  });

  it('links parent and children, and answers unknown or malformed ids', async () => {
    const id = await s.call<number>('makeTask', 'waittest', [1, 0]);
    await waitForState(s, id, ['CLOSED']);
    const kids = await s.call<Array<{ id: number }>>('getTaskChildren', id);
    const page = await (await fetch(`${hub.url}/koji/taskinfo?taskID=${id}`)).text();
    for (const k of kids) expect(page).toContain(`<a href="/koji/taskinfo?taskID=${k.id}">`);
    const child = await (await fetch(`${hub.url}/koji/taskinfo?taskID=${kids[0]!.id}`)).text();
    expect(child).toContain(`<a href="/koji/taskinfo?taskID=${id}">${id} waittest (noarch)</a>`);
    expect((await fetch(`${hub.url}/koji/taskinfo?taskID=999999`)).status).toBe(404);
    expect((await fetch(`${hub.url}/koji/taskinfo?taskID=1%3Cx%3E`)).status).toBe(400);
  });
});

describe('waiting on subtasks with the default (long) polls', () => {
  it('resumes the parent as soon as its children finish', async () => {
    const t0 = Date.now();
    const id = await s.call<number>('makeTask', 'waittest', [2, 1]);
    await waitForState(s, id, ['CLOSED']);
    const kids = await s.call<Array<{ completion_ts: number }>>('getTaskChildren', id);
    const parent = await s.call<{ completion_ts: number }>('getTaskInfo', id);
    const lastChild = Math.max(...kids.map((k) => k.completion_ts));
    // the builder's long poll wakes for the children; no periodic re-check is needed
    expect(parent.completion_ts - lastChild).toBeLessThan(1.5);
    expect(Date.now() - t0).toBeLessThan(8000);
  });
});

describe('client downloads', () => {
  it('download-task --all fetches every non-log file over HTTP', async () => {
    const cwd = mkdtempSync(join(dir, 'dl-'));
    const r = await cliIn(cwd, ['download-task', '--all', '--logs', String(taskId)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Downloading [1/');
    expect(readFileSync(join(cwd, 'sub/data.noarch.bin')).equals(Buffer.from(files['sub/data.bin']!))).toBe(true);
    expect(readFileSync(join(cwd, 'build.noarch.log'), 'utf8')).toBe('line one\nline two\n');
  });

  it('download-logs writes each log of the task tree', async () => {
    const cwd = mkdtempSync(join(dir, 'logs-'));
    const r = await cliIn(cwd, ['download-logs', '-r', '-d', 'out', String(taskId)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Downloading: out/noarch-${taskId}/build.log`);
    expect(readFileSync(join(cwd, `out/noarch-${taskId}/build.log`), 'utf8')).toBe('line one\nline two\n');
    expect(existsSync(join(cwd, `out/noarch-${taskId}/a b&c.txt`))).toBe(false);
  });

  it('watch-logs follows a log while the task runs', async () => {
    const id = await s.call<number>('makeTask', 'sleep', [2]);
    const r = await hub.cli(['watch-logs', String(id)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Watching logs (this may be safely interrupted)...');
    expect(r.stdout).toContain(`==> ${id}:DEFAULT:task.log: <==`);
    expect(r.stdout).toContain('Sleeping for 2 seconds');
    expect(r.stdout).toContain('Finished sleeping');
    expect((await s.call<{ state: number }>('getTaskInfo', id)).state).toBe(2);
  });
});
