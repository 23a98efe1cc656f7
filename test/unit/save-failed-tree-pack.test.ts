/**
 * The save-failed-tree packer on synthetic buildroots: what goes into the
 * tarball (names, links, contents) and what never does (credentials,
 * filtered paths, sockets, fifos, anything behind a symlink). Archives are
 * read back with tar-stream and checked with GNU tar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { isExcluded, packTree, type PackOptions, type PackReport } from '../../plugins/save_failed_tree/pack.ts';

interface Entry {
  name: string;
  type: string;
  linkname: string | null;
  mode: number;
  body: Buffer;
}

/** Pack and read the archive back: its entries in order, the raw bytes and the report. */
async function pack(opts: PackOptions): Promise<{ entries: Entry[]; bytes: Buffer; report: PackReport }> {
  const packed = packTree(opts);
  const chunks: Buffer[] = [];
  for await (const c of packed.stream) chunks.push(c as Buffer);
  const report = await packed.done;
  const bytes = Buffer.concat(chunks);
  const extract = tar.extract();
  const entries: Entry[] = [];
  const reading = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const c of entry) parts.push(c as Buffer);
      const h = entry.header;
      entries.push({ name: h.name, type: h.type, linkname: h.linkname ?? null, mode: h.mode, body: Buffer.concat(parts) });
    }
  })();
  Readable.from([bytes]).pipe(createGunzip()).pipe(extract as unknown as NodeJS.WritableStream);
  await reading;
  return { entries, bytes, report };
}

const names = (entries: Entry[]) => entries.map((e) => e.name);
const byName = (entries: Entry[], name: string) => entries.find((e) => e.name === name);

let base: string;
let root: string;
/** A file outside the tree that a symlink points at. */
let hostSecret: string;
const SECRET = 'host-only-secret-3f9c1b';

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'sft-pack-'));
  hostSecret = join(base, 'host-secret.txt');
  writeFileSync(hostSecret, SECRET);
  root = join(base, 'root');
  const w = (p: string, text: string | Buffer) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  w('builddir/build/SOURCES/hello-1.0.tar.gz', 'source tarball');
  w('builddir/build/SPECS/hello.spec', 'Name: hello\n');
  w('builddir/build/BUILD/hello-1.0/big.bin', Buffer.alloc(300_000, 7));
  w('builddir/secret_data/inner.txt', 'filtered directory content');
  w('builddir/notes.secret', 'filtered file');
  w('tmp/krb5cc_0', 'kerberos cache');
  w('tmp/krb5cc_1000_XyZ', 'another cache');
  w('etc/host.keytab', 'keytab');
  w('etc/passwd', 'root:x:0:0::/root:/bin/bash\n');
  w('usr/bin/tool', '#!/bin/sh\n');
  symlinkSync(hostSecret, join(root, 'builddir/escape'));
  symlinkSync('../../../..', join(root, 'builddir/build/up'));
  symlinkSync(base, join(root, 'builddir/hostdir'));
  linkSync(join(root, 'builddir/build/SPECS/hello.spec'), join(root, 'builddir/build/hello.spec.link'));
  Bun.spawnSync(['mkfifo', join(root, 'builddir/pipe')]);
  Bun.spawnSync(['/usr/bin/python3', '-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(join(root, 'builddir/agent.sock'))})`]);
  const long = 'd'.repeat(60) + '/' + 'e'.repeat(70) + '/ünïcødé-' + 'f'.repeat(80) + '.txt';
  w(`builddir/${long}`, 'long name');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('packTree', () => {
  it('packs /builddir under broot-<id>/ with file contents intact', async () => {
    const { entries } = await pack({ root, subtree: '/builddir', top: 'broot-7' });
    expect(names(entries).slice(0, 2)).toEqual(['broot-7/', 'broot-7/builddir/']);
    expect(names(entries).every((n) => n.startsWith('broot-7/builddir/') || n === 'broot-7/')).toBe(true);
    expect(byName(entries, 'broot-7/builddir/build/SOURCES/hello-1.0.tar.gz')?.body.toString()).toBe('source tarball');
    const big = byName(entries, 'broot-7/builddir/build/BUILD/hello-1.0/big.bin')!;
    expect(big.body.equals(Buffer.alloc(300_000, 7))).toBe(true);
    expect(byName(entries, 'broot-7/builddir/build/')?.type).toBe('directory');
    expect(names(entries)).not.toContain('broot-7/etc/passwd');
  });

  it('packs the whole tree with subtree /', async () => {
    const { entries } = await pack({ root, subtree: '/', top: 'broot-7' });
    expect(names(entries)).toContain('broot-7/etc/passwd');
    expect(names(entries)).toContain('broot-7/usr/bin/tool');
    expect(names(entries)).toContain('broot-7/builddir/build/SPECS/hello.spec');
  });

  it('stores a symlink out of the tree as a link and never its target', async () => {
    const { entries, bytes } = await pack({ root, subtree: '/', top: 'broot-7' });
    const escape = byName(entries, 'broot-7/builddir/escape')!;
    expect(escape.type).toBe('symlink');
    expect(escape.linkname).toBe(hostSecret);
    expect(escape.body.length).toBe(0);
    expect(byName(entries, 'broot-7/builddir/build/up')).toMatchObject({ type: 'symlink', linkname: '../../../..' });
    // a link to a host directory is not descended into
    expect(byName(entries, 'broot-7/builddir/hostdir')?.type).toBe('symlink');
    expect(names(entries).some((n) => n.startsWith('broot-7/builddir/hostdir/'))).toBe(false);
    for (const e of entries) expect(e.body.includes(SECRET)).toBe(false);
    const plain = Bun.gunzipSync(new Uint8Array(bytes));
    expect(Buffer.from(plain).includes(SECRET)).toBe(false);
  });

  it('stores a symlinked /builddir as a link instead of following it', async () => {
    const other = join(base, 'linked-root');
    mkdirSync(join(other, 'etc'), { recursive: true });
    symlinkSync(join(root, 'etc'), join(other, 'builddir'));
    const { entries } = await pack({ root: other, subtree: '/builddir', top: 'broot-8' });
    expect(names(entries)).toEqual(['broot-8/', 'broot-8/builddir']);
    expect(entries[1]).toMatchObject({ type: 'symlink', linkname: join(root, 'etc') });
  });

  it('always leaves out Kerberos caches and keytabs, even with no filters', async () => {
    const { entries, report } = await pack({ root, subtree: '/', top: 'broot-7', filters: [] });
    const all = names(entries);
    expect(all).not.toContain('broot-7/tmp/krb5cc_0');
    expect(all).not.toContain('broot-7/tmp/krb5cc_1000_XyZ');
    expect(all).not.toContain('broot-7/etc/host.keytab');
    expect(all).toContain('broot-7/tmp/');
    expect(report.excludedSample).toEqual(expect.arrayContaining(['/tmp/krb5cc_0', '/tmp/krb5cc_1000_XyZ', '/etc/host.keytab']));
  });

  it('leaves out configured filter paths, a matching directory with everything in it', async () => {
    const filters = ['*/builddir/secret_data', '/builddir/*.secret'];
    const { entries } = await pack({ root, subtree: '/builddir', top: 'broot-7', filters });
    const all = names(entries);
    expect(all.some((n) => n.includes('secret_data'))).toBe(false);
    expect(all).not.toContain('broot-7/builddir/notes.secret');
    expect(all).toContain('broot-7/builddir/build/SPECS/hello.spec');
  });

  it('skips sockets and fifos and says so', async () => {
    const skipped: string[] = [];
    const { entries, report } = await pack({ root, subtree: '/builddir', top: 'broot-7', onSkip: (p, why) => skipped.push(`${p} ${why}`) });
    expect(names(entries)).not.toContain('broot-7/builddir/pipe');
    expect(names(entries)).not.toContain('broot-7/builddir/agent.sock');
    expect(skipped).toEqual(expect.arrayContaining(['/builddir/pipe fifo', '/builddir/agent.sock socket']));
    expect(report.skipped).toBe(2);
  });

  it('stores a second hard link as a link to the first', async () => {
    const { entries } = await pack({ root, subtree: '/builddir', top: 'broot-7' });
    const first = 'broot-7/builddir/build/SPECS/hello.spec';
    const second = 'broot-7/builddir/build/hello.spec.link';
    const linked = [byName(entries, first)!, byName(entries, second)!];
    expect(linked.map((e) => e.type).sort()).toEqual(['file', 'link']);
    const link = linked.find((e) => e.type === 'link')!;
    expect(link.linkname).toBe(linked.find((e) => e.type === 'file')!.name);
  });

  it('keeps long and non-ASCII names (pax headers) readable by GNU tar', async () => {
    const { entries, bytes } = await pack({ root, subtree: '/builddir', top: 'broot-7' });
    const long = entries.find((e) => e.name.includes('ünïcødé-'));
    expect(long?.body.toString()).toBe('long name');
    const file = join(base, 'check.tar.gz');
    writeFileSync(file, bytes);
    const listing = Bun.spawnSync(['tar', '-tzf', file]);
    expect(listing.exitCode).toBe(0);
    expect(listing.stdout.toString()).toContain('ünïcødé-');
  });

  it('rejects when the subtree is missing', async () => {
    const packed = packTree({ root, subtree: '/nowhere', top: 'broot-7' });
    const streamError = new Promise((resolve) => packed.stream.on('error', resolve));
    packed.stream.resume();
    await expect(packed.done).rejects.toThrow(/ENOENT/);
    expect(String(await streamError)).toContain('ENOENT');
  });

  it('stops reading when aborted by the consumer', async () => {
    const packed = packTree({ root, subtree: '/', top: 'broot-7', chunkSize: 1024 });
    const it = packed.stream[Symbol.asyncIterator]();
    await it.next();
    packed.abort(new Error('upload failed'));
    await expect(packed.done).rejects.toThrow('upload failed');
    await expect(it.next()).rejects.toThrow('upload failed');
  });

  it('stops when the consumer destroys the stream', async () => {
    const packed = packTree({ root, subtree: '/', top: 'broot-7', chunkSize: 1024 });
    packed.stream.on('error', () => {});
    const it = packed.stream[Symbol.asyncIterator]();
    await it.next();
    packed.stream.destroy(new Error('gone away'));
    await expect(packed.done).rejects.toThrow();
  });
});

describe('isExcluded', () => {
  it('matches with Python fnmatch rules, where * crosses slashes', () => {
    expect(isExcluded('/tmp/krb5cc_0', [])).toBe(true);
    expect(isExcluded('/builddir/x/tmp/krb5cc', [])).toBe(true);
    expect(isExcluded('/etc/pki/host.keytab', [])).toBe(true);
    expect(isExcluded('/etc/keytab', [])).toBe(false);
    expect(isExcluded('/tmp/secret_data', ['/tmp/secret_data'])).toBe(true);
    expect(isExcluded('/builddir/a/b/c.log', ['*/a/*.log'])).toBe(true);
    expect(isExcluded('/builddir/a.txt', ['/builddir/?.TXT'])).toBe(false);
  });
});
