import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, stopHub, python, type TestHub } from '../helpers/hub.ts';
import { adminSession } from '../helpers/builder.ts';
import { kw, type ClientSession } from '../../src/client/session.ts';
import { uploadChunk, uploadFile } from '../../src/client/upload.ts';
import { KojiError } from '../../src/core/faults.ts';
import { adler32 } from '../../src/core/checksum.ts';

setDefaultTimeout(120000);

let hub: TestHub;
let s: ClientSession;
let dir: string;

beforeAll(async () => {
  hub = await startHub();
  s = await adminSession(hub);
  dir = mkdtempSync(join(tmpdir(), 'kojibox-upload-'));
  await hub.cli(['add-user', 'bob', '--password-stdin'], { stdin: 'bob-pw-123\n' });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stopHub(hub);
});

const work = (rel: string) => join(hub.dataDir, 'topdir/work', rel);

function randomFile(name: string, size: number): string {
  const path = join(dir, name);
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(size, i + 65536)));
  writeFileSync(path, data);
  return path;
}

async function fault(p: Promise<unknown>): Promise<KojiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KojiError) return err;
    throw err;
  }
  throw new Error('expected a fault');
}

/** A raw fast-upload POST, as a client other than ours might send it. */
async function rawPost(query: Record<string, string>, body: Uint8Array): Promise<string> {
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Koji-Session-Id': String(s.sessionId),
    'Koji-Session-Key': String(s.sessionKey),
    'Koji-Session-Callnum': String(s.callnum++),
  };
  const res = await fetch(`${hub.hubUrl}?${new URLSearchParams(query)}`, { method: 'POST', body, headers });
  expect(res.status).toBe(200);
  return res.text();
}

describe('fast upload', () => {
  it('uploads a file in verified chunks that checkUpload confirms', async () => {
    const local = randomFile('big.bin', 3 * 1024 * 1024 + 123);
    const seen: number[] = [];
    const r = await uploadFile(s, local, 'cli-build/one', { onProgress: (done) => seen.push(done) });
    expect(r.size).toBe(3 * 1024 * 1024 + 123);
    expect(readFileSync(work('cli-build/one/big.bin')).equals(readFileSync(local))).toBe(true);
    expect(seen).toEqual([0, 1048576, 2097152, 3145728, 3145851]);
    const check = await s.call<{ size: number; hexdigest: string }>('checkUpload', 'cli-build/one', 'big.bin', kw({ verify: 'adler32' }));
    expect(check.size).toBe(r.size);
    expect(check.hexdigest).toBe(r.hexdigest);
    expect(check.hexdigest).toBe(adler32(readFileSync(local)).toString(16).padStart(8, '0'));
    // the directory belongs to its first uploader
    expect(readFileSync(work('cli-build/one/.user'), 'utf8')).toBe(String((await s.call<{ id: number }>('getLoggedInUser')).id));
  });

  it('resumes an interrupted upload where the hub copy ends', async () => {
    const local = randomFile('resume.bin', 2 * 1024 * 1024 + 5000);
    const all = readFileSync(local);
    // the first chunk arrived, then the connection was lost
    await uploadChunk(s, 'cli-build/two', 'resume.bin', all.subarray(0, 1048576), 0);
    const seen: number[] = [];
    await uploadFile(s, local, 'cli-build/two', { resume: true, onProgress: (done) => seen.push(done) });
    expect(seen[0]).toBe(1048576);
    expect(readFileSync(work('cli-build/two/resume.bin')).equals(all)).toBe(true);
  });

  it('starts over when the partial copy on the hub does not match', async () => {
    const local = randomFile('other.bin', 1500000);
    await uploadChunk(s, 'cli-build/three', 'other.bin', new Uint8Array(1000).fill(7), 0);
    const seen: number[] = [];
    await uploadFile(s, local, 'cli-build/three', { resume: true, onProgress: (done) => seen.push(done) });
    expect(seen[0]).toBe(0);
    expect(readFileSync(work('cli-build/three/other.bin')).equals(readFileSync(local))).toBe(true);
  });

  it('appends with offset -1 and answers with the offset it wrote at', async () => {
    await uploadChunk(s, 'cli-build/four', 'log.txt', new TextEncoder().encode('one\n'), 0);
    const reply = await uploadChunk(s, 'cli-build/four', 'log.txt', new TextEncoder().encode('two\n'), -1);
    expect(reply.offset).toBe(4);
    expect(readFileSync(work('cli-build/four/log.txt'), 'utf8')).toBe('one\ntwo\n');
  });
});

describe('bad uploads', () => {
  it('refuses an offset beyond the end of the file', async () => {
    const f = await fault(uploadChunk(s, 'cli-build/bad', 'gap.bin', new Uint8Array(10), 4096));
    expect(f.message).toBe('Invalid upload offset 4096 for cli-build/bad/gap.bin: the file has only 0 bytes');
    const bad = await fault(uploadChunk(s, 'cli-build/bad', 'gap.bin', new Uint8Array(10), -5));
    expect(bad.message).toBe('Invalid upload offset: -5');
  });

  it('refuses a chunk whose checksum does not match, without writing it', async () => {
    const body = new TextEncoder().encode('hello');
    const xml = await rawPost({ filename: 'sum.txt', filepath: 'cli-build/sum', fileverify: 'adler32', offset: '0', hexdigest: 'deadbeef' }, body);
    expect(xml).toContain('<name>faultCode</name><value><int>1000</int>');
    expect(xml).toContain(`Upload checksum mismatch for cli-build/sum/sum.txt at offset 0: client adler32 deadbeef, received ${adler32(body).toString(16).padStart(8, '0')}`);
    expect(await s.call('checkUpload', 'cli-build/sum', 'sum.txt')).toBeNull();
    const unknown = await rawPost({ filename: 'sum.txt', filepath: 'cli-build/sum', fileverify: 'crc64', offset: '0' }, body);
    expect(unknown).toContain('Unsupported verify type: crc64');
  });

  it('refuses paths that leave the work directory', async () => {
    for (const path of ['../escape', '/etc', 'a/../../escape', '..', '.', '']) {
      const f = await fault(uploadChunk(s, path, 'x.txt', new Uint8Array(1), 0));
      expect(f.message).toBe(`Invalid upload directory: ${path}`);
    }
    for (const name of ['../x', '.hidden', 'a/b']) {
      const f = await fault(uploadChunk(s, 'cli-build/names', name, new Uint8Array(1), 0));
      expect(f.message).toBe(`Invalid upload filename: ${name}`);
    }
  });

  it('refuses another user\'s directory and task directories to non-hosts', async () => {
    const bob = await adminSession(hub, 'bob');
    await uploadChunk(s, 'cli-build/admins', 'a.txt', new Uint8Array(1), 0);
    const f = await fault(uploadChunk(bob, 'cli-build/admins', 'b.txt', new Uint8Array(1), 0));
    expect(f.message).toBe('Invalid upload directory, not owner: cli-build/admins');
    const t = await fault(uploadChunk(s, 'tasks/1/1', 'a.log', new Uint8Array(1), 0));
    expect(t.faultName).toBe('AuthError');
    expect(t.message).toMatch(/^User \d+ is not a host$/);
    const bad = await fault(uploadChunk(s, 'tasks/1', 'a.log', new Uint8Array(1), 0));
    expect(bad.message).toBe('Invalid task upload directory: tasks/1');
  });

  it('refuses an existing file at offset 0 without overwrite, and anonymous uploads', async () => {
    await uploadChunk(s, 'cli-build/exists', 'f.bin', new Uint8Array(3), 0);
    const f = await fault(uploadChunk(s, 'cli-build/exists', 'f.bin', new Uint8Array(3), 0));
    expect(f.message).toBe('upload path exists: cli-build/exists/f.bin');
    await uploadChunk(s, 'cli-build/exists', 'f.bin', new Uint8Array(2), 0, { overwrite: true });
    expect(readFileSync(work('cli-build/exists/f.bin')).length).toBe(2);
    const res = await fetch(`${hub.hubUrl}?filename=x&filepath=cli-build/anon&offset=0`, { method: 'POST', body: 'x', headers: { 'Content-Type': 'application/octet-stream' } });
    expect(await res.text()).toContain('you must be logged-in to upload a file');
  });
});

describe('legacy uploadFile', () => {
  it('writes base64 chunks, checks the final digest, and refuses a wrong one', async () => {
    const py = await python(hub.hubUrl, `
import base64, hashlib
s = login('admin', ${JSON.stringify('admin-test-password')})
data = b'legacy upload ' * 100
h = hashlib.sha256(data).hexdigest()
ok = s.uploadFile('cli-build/legacy', 'l.bin', len(data), ['sha256', h], 0, base64.b64encode(data).decode())
fin = s.uploadFile('cli-build/legacy', 'l.bin', len(data), ['sha256', h], -1, '')
bad = fault(lambda: s.uploadFile('cli-build/legacy', 'm.bin', 4, ['sha256', '00'], 0, base64.b64encode(b'abcd').decode()))
chk = s.checkUpload('cli-build/legacy', 'l.bin', 'sha256')
out({'ok': ok, 'fin': fin, 'bad': bad, 'size': chk['size'], 'same': chk['hexdigest'] == h})
`);
    expect(py.stderr).toBe('');
    expect(py.json).toEqual({
      ok: true, fin: true, size: 1400, same: true,
      bad: { faultCode: 1000, faultString: 'upload checksum mismatch for m.bin at offset 0' },
    });
  });
});

describe('symlinks in the topdir', () => {
  it('lists and serves a link to a file inside the topdir, never one pointing outside it', async () => {
    const { mkdirSync, symlinkSync } = await import('node:fs');
    const taskId = (await s.call('makeTask', 'sleep', [0])) as number;
    const tdir = join(hub.dataDir, 'topdir/work/tasks', String(taskId % 10000), String(taskId));
    mkdirSync(tdir, { recursive: true });
    const inside = join(hub.dataDir, 'topdir/packages/x/1/1/noarch');
    mkdirSync(inside, { recursive: true });
    writeFileSync(join(inside, 'x-1-1.noarch.rpm'), 'rpm bytes');
    symlinkSync(join(inside, 'x-1-1.noarch.rpm'), join(tdir, 'x-1-1.noarch.rpm'));
    symlinkSync('/etc/passwd', join(tdir, 'passwd.log'));
    const listed = (await s.call('listTaskOutput', taskId)) as string[];
    expect(listed).toContain('x-1-1.noarch.rpm');
    expect(listed).not.toContain('passwd.log');
    const b64 = (await s.call('downloadTaskOutput', taskId, 'x-1-1.noarch.rpm')) as string;
    expect(Buffer.from(b64, 'base64').toString()).toBe('rpm bytes');
    const refused = await fault(s.call('downloadTaskOutput', taskId, 'passwd.log'));
    expect(refused.message).toBe(`no file "passwd.log" output by task ${taskId}`);
    const base = `${hub.url}/kojifiles/work/tasks/${taskId % 10000}/${taskId}`;
    expect(await (await fetch(`${base}/x-1-1.noarch.rpm`)).text()).toBe('rpm bytes');
    const leak = await fetch(`${base}/passwd.log`);
    expect(leak.status).toBe(403);
    expect(await leak.text()).not.toContain('root:');
  });
});
