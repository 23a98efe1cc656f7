/**
 * @module
 * save-failed-tree packing: a 1 GiB tree shaped like a failed build's
 * buildroot (many small source and object files, a few big compressed
 * tarballs, symlinks) packed by the plugin's packTree into a .tar.gz file,
 * against `tar -czf` of the same tree into the same directory. Reports the
 * throughput ratio (target >= 0.9) and the packer's peak RSS growth
 * (target < 64 MiB), measured in a fresh process from its VmHWM.
 *
 * A second measurement is the builder's whole path: packTree streamed by
 * uploadStream in 1 MiB fast-upload chunks to a real kojibox hub (started
 * from dist/kojibox, or KOJIBOX_BIN) on this machine.
 *
 * SFT_BENCH_MIB changes the tree size; SFT_BENCH_DIR where it is built.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, report } from './lib.ts';
import { ADMIN_PASSWORD, startHub, stopHub } from '../helpers/hub.ts';

const MIB = 1024 * 1024;

if (process.argv[2] === '--pack') {
  await packChild(process.argv[3]!, process.argv[4]!, process.argv[5]);
  process.exit(0);
}

/**
 * Run in a fresh process: pack `root` to the file `out`, or with a hub URL
 * upload it there as `out`; print JSON {ms, baseline, peak}.
 */
async function packChild(root: string, out: string, hubUrl?: string): Promise<void> {
  const { packTree } = await import('../../plugins/save_failed_tree/pack.ts');
  const { uploadStream } = await import('../../plugins/save_failed_tree/upload-stream.ts');
  const { ClientSession } = await import('../../src/client/session.ts');
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  const status = () => Bun.file('/proc/self/status').text();
  const kib = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  const session = hubUrl ? new ClientSession(hubUrl) : null;
  if (session) await session.login('admin', ADMIN_PASSWORD);
  Bun.gc(true);
  const baseline = kib(await status(), 'VmRSS');
  const t0 = performance.now();
  const packed = packTree({ root, subtree: '/', top: 'broot-1' });
  if (session) await uploadStream(session, packed.stream, `bench/${process.pid}`, out);
  else await pipeline(packed.stream, createWriteStream(out));
  await packed.done;
  const ms = performance.now() - t0;
  const peak = kib(await status(), 'VmHWM');
  console.log(JSON.stringify({ ms, baseline, peak }));
}

/** Text that compresses about as well as source code and logs (~3:1 with gzip -6). */
function textPool(bytes: number): Buffer {
  const words = Array.from({ length: 4000 }, (_, i) => (i * 2654435761 >>> 0).toString(36).slice(0, 2 + (i % 9)));
  const parts: string[] = [];
  let n = 0;
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  while (n < bytes) {
    const line = Array.from({ length: 3 + Math.floor(rnd() * 12) }, () => words[Math.floor(rnd() * words.length)]).join(' ') + '\n';
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

/** Build the tree; returns its content bytes. */
function buildTree(root: string, total: number): number {
  const pool = textPool(16 * MIB);
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  let written = 0;
  // ~30%: compressed source tarballs and rpms (incompressible)
  const bigDir = join(root, 'builddir/build/SOURCES');
  mkdirSync(bigDir, { recursive: true });
  for (let i = 0; written < total * 0.3; i++) {
    const size = Math.floor((8 + rnd() * 40) * MIB);
    writeFileSync(join(bigDir, `source-${i}.tar.xz`), crypto.getRandomValues(Buffer.alloc(Math.min(size, 64 * MIB)).subarray(0, size)) as Buffer);
    written += size;
  }
  // the rest: a source tree and a /usr of small to medium text-like files, log-uniform 512 B .. 2 MiB
  for (let d = 0; written < total; d++) {
    const dir = join(root, d % 2 ? `usr/share/pkg${d >> 4}/sub${d}` : `builddir/build/BUILD/proj-1.0/src/mod${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 40 && written < total; f++) {
      const size = Math.floor(512 * Math.pow(4096, rnd()));
      const start = Math.floor(rnd() * (pool.length - size));
      writeFileSync(join(dir, `file${f}.c`), pool.subarray(start, start + size));
      written += size;
    }
    if (d % 10 === 0) symlinkSync(`../mod${d}/file0.c`, join(dir, 'link.c'));
  }
  return written;
}

async function timeTar(root: string, out: string): Promise<number> {
  const t0 = performance.now();
  const p = Bun.spawn(['tar', '-czf', out, '-C', root, '.'], { stdout: 'ignore', stderr: 'inherit' });
  if ((await p.exited) !== 0) throw new Error('tar failed');
  return performance.now() - t0;
}

async function timePack(root: string, out: string, hubUrl?: string): Promise<{ ms: number; growth: number }> {
  const p = Bun.spawn([process.execPath, import.meta.path, '--pack', root, out, ...(hubUrl ? [hubUrl] : [])], { stdout: 'pipe', stderr: 'inherit' });
  const text = await new Response(p.stdout).text();
  if ((await p.exited) !== 0) throw new Error('packing failed');
  const r = JSON.parse(text.trim().split('\n').pop()!) as { ms: number; baseline: number; peak: number };
  return { ms: r.ms, growth: r.peak - r.baseline };
}

const sizeMiB = Number(process.env.SFT_BENCH_MIB ?? 1024);
const base = mkdtempSync(join(process.env.SFT_BENCH_DIR ?? tmpdir(), 'sft-bench-'));
try {
  const root = join(base, 'root');
  const bytes = buildTree(root, sizeMiB * MIB);
  console.log(`tree: ${(bytes / MIB).toFixed(0)} MiB of files under ${root}`);
  const tarOut = join(base, 'tar.tar.gz');
  const packOut = join(base, 'pack.tar.gz');
  await timeTar(root, tarOut); // warm the page cache so both read from memory
  const hub = await startHub();
  const tarMs: number[] = [];
  const packMs: number[] = [];
  const uploadMs: number[] = [];
  const growth: number[] = [];
  const uploadGrowth: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      tarMs.push(await timeTar(root, tarOut));
      const p = await timePack(root, packOut);
      packMs.push(p.ms);
      growth.push(p.growth);
      const u = await timePack(root, `broot-${i}.tar.gz`, hub.hubUrl);
      uploadMs.push(u.ms);
      uploadGrowth.push(u.growth);
    }
  } finally {
    await stopHub(hub);
  }
  const mibps = (ms: number) => bytes / MIB / (ms / 1000);
  report('packTree to a file, throughput', mibps(median(packMs)), mibps(median(tarMs)), 'MiB/s', '>= 0.9');
  report('packTree + upload to a hub, throughput', mibps(median(uploadMs)), mibps(median(tarMs)), 'MiB/s', '>= 0.9');
  console.log(`tarball sizes: packTree ${(statSync(packOut).size / MIB).toFixed(1)} MiB, tar -czf ${(statSync(tarOut).size / MIB).toFixed(1)} MiB`);
  console.log(`peak RSS growth: packing ${(Math.max(...growth) / MIB).toFixed(1)} MiB, packing + uploading ${(Math.max(...uploadGrowth) / MIB).toFixed(1)} MiB (target < 64 MiB)`);
} finally {
  rmSync(base, { recursive: true, force: true });
}
