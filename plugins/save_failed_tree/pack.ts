/**
 * @module
 * Packs a buildroot's tree into a gzip-compressed tar stream without a temp
 * copy: entries are read straight from disk into tar-stream and zlib, and
 * the consumer's pace (the chunked upload) throttles the reading, so memory
 * stays flat however big the tree is.
 *
 * The tree is hostile input (a failed build wrote it), so the walk:
 * - never follows a symlink: links are stored as links, their targets never read
 *   (files are opened with O_NOFOLLOW and re-checked, in case one was swapped in);
 * - skips sockets, devices and fifos (a fifo would block the reader);
 * - leaves out every path matching a filter, and always Kerberos credential
 *   caches and keytabs; a matching directory is left out with all it holds.
 *
 * Filters are Python fnmatch globs (`*` crosses `/`) matched against the
 * entry's path inside the buildroot (`/tmp/krb5cc_0`, `/builddir/build/...`),
 * so both koji's shipped style (`*\/tmp/krb5cc`) and absolute patterns
 * (`/etc/*.keytab`) work. Entries are named `<top>/<path inside>`, e.g.
 * `broot-12/builddir/build/SOURCES/hello.tar.gz`, so unpacking never spills
 * into the current directory.
 */
import { constants as fsc, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, type FileHandle } from 'node:fs/promises';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Header, Pack } from 'tar-stream';
import { fnmatchAny } from '../../src/core/fnmatch.ts';

/** Left out of every tarball, whatever the config says (credentials). */
export const ALWAYS_EXCLUDED: readonly string[] = Object.freeze(['*/tmp/krb5cc*', '*/etc/*.keytab']);

export interface PackOptions {
  /** The buildroot's tree on the builder: what is `/` inside it. */
  root: string;
  /** The path inside the tree to pack: `/builddir`, or `/` for the whole tree. */
  subtree: string;
  /** Top directory of every entry in the archive, e.g. `broot-12`. */
  top: string;
  /** Globs from the config (Python fnmatch); ALWAYS_EXCLUDED is added. */
  filters?: readonly string[];
  /** gzip level; default 6, as `tar -czf`. */
  level?: number;
  /** Bytes per read; default 256 KiB. */
  chunkSize?: number;
  /** Told about each entry left out for a reason other than a filter. */
  onSkip?: (path: string, reason: string) => void;
}

export interface PackReport {
  /** Entries written (directories, files, links). */
  entries: number;
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  /** Bytes of file content read from the tree. */
  treeBytes: number;
  /** Paths left out by a filter (a directory counts once). */
  excluded: number;
  /** Entries left out because they are not packable (sockets, devices, unreadable files). */
  skipped: number;
  /** The first SAMPLE_LIMIT of each, for logs. */
  excludedSample: string[];
  skippedSample: string[];
}

export interface PackedTree {
  /** The .tar.gz bytes; read at your own pace. */
  stream: Readable;
  /** Resolves when the last byte is produced; rejects (and the stream errors) if packing fails. */
  done: Promise<PackReport>;
  /** Stop packing (the consumer gave up): files are closed, the stream errors with `reason`. */
  abort(reason?: Error): void;
}

const SAMPLE_LIMIT = 50;

type EntryHeader = Partial<Header> & Pick<Header, 'name'>;

// Node's and streamx's emitters type their listeners differently; both accept these.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

/** What waiting for 'drain' needs of a Node or streamx writable. */
interface Drainable {
  readonly destroyed: boolean;
  write(data: Uint8Array): boolean;
  on(event: 'drain' | 'error' | 'close', fn: Listener): unknown;
  off(event: 'drain' | 'error' | 'close', fn: Listener): unknown;
}

/**
 * Resolves on 'drain'; rejects if the stream errors or closes first, or on
 * abort, so a destroyed stream never leaves a writer waiting forever.
 */
function drained(stream: Drainable, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: unknown) => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error('stream closed'));
    const onAbort = () => done(signal.reason);
    if (signal.aborted) return done(signal.reason);
    // a destroyed stream has already said 'close' and will say nothing more
    if (stream.destroyed) return done(new Error('stream destroyed'));
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
    signal.addEventListener('abort', onAbort);
  });
}

async function write(stream: Drainable, data: Uint8Array, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (stream.destroyed) throw new Error('stream destroyed');
  if (!stream.write(data)) await drained(stream, signal);
}

/** Whether a path inside the tree is left out by the filters (ALWAYS_EXCLUDED included). */
export function isExcluded(insidePath: string, filters: readonly string[]): boolean {
  return fnmatchAny(insidePath, ALWAYS_EXCLUDED) || fnmatchAny(insidePath, filters);
}

/**
 * Start packing `subtree` of `root`. Nothing is read until the stream is
 * consumed; a missing subtree rejects `done` (check before, for a friendly
 * message).
 */
export function packTree(opts: PackOptions): PackedTree {
  const tarStream = tar.pack();
  const gzip = createGzip({ level: opts.level ?? 6 });
  // The consumer reads from a PassThrough so an error anywhere reaches it once.
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const stop = new AbortController();
  const walker = new Walker(opts, tarStream, stop.signal);
  // Failures reach the caller through `done` and the output stream; the
  // inner streams' own 'error' events must not also crash the process.
  tarStream.on('error', () => {});
  gzip.on('error', () => {});
  // Whatever the walk is waiting for (a read, tar-stream, gzip), destroying the streams ends it.
  stop.signal.addEventListener('abort', () => {
    const reason = stop.signal.reason as Error;
    tarStream.destroy(reason);
    gzip.destroy(reason);
    out.destroy(reason);
  });
  const done = (async () => {
    const feeding = feed(tarStream, gzip, stop.signal);
    const piping = pipeTo(gzip, out, stop.signal);
    // Either may fail while the walk is still running (the consumer destroyed
    // the stream, say): stop the walk, which then reports the failure below.
    feeding.catch((err) => stop.abort(err));
    piping.catch((err) => stop.abort(err));
    try {
      await walker.run();
      tarStream.finalize();
      await feeding;
      await piping;
      return walker.report;
    } catch (err) {
      const reason = stop.signal.aborted ? (stop.signal.reason as Error) : (err as Error);
      stop.abort(reason);
      // the other loops end with the same error; nothing more to report from them
      await Promise.allSettled([feeding, piping]);
      throw reason;
    }
  })();
  // The consumer sees failures through the stream; keep `done` from being an unhandled rejection.
  done.catch(() => {});
  return { stream: out, done, abort: (reason) => stop.abort(reason ?? new Error('packing aborted')) };
}

/** Copy bytes from one stream to another, honouring backpressure, until the end or an abort. */
async function copy(from: AsyncIterable<Buffer>, to: Writable, signal: AbortSignal): Promise<void> {
  for await (const chunk of from) await write(to, chunk, signal);
  to.end();
}

const feed = (from: Pack, to: Writable, signal: AbortSignal) => copy(from as AsyncIterable<Buffer>, to, signal);
const pipeTo = (from: Readable, to: Writable, signal: AbortSignal) => copy(from, to, signal);

/** Depth-first walk in name order (as tarfile.add), writing entries as it goes. */
class Walker {
  readonly report: PackReport = {
    entries: 0, files: 0, directories: 0, symlinks: 0, hardlinks: 0, treeBytes: 0,
    excluded: 0, skipped: 0, excludedSample: [], skippedSample: [],
  };
  private readonly filters: readonly string[];
  private readonly chunkSize: number;
  /** dev:ino of files with several links -> the archive name they were first stored under. */
  private readonly linked = new Map<string, string>();

  constructor(private readonly opts: PackOptions, private readonly tar: Pack, private readonly signal: AbortSignal) {
    this.filters = opts.filters ?? [];
    this.chunkSize = opts.chunkSize ?? 256 * 1024;
  }

  async run(): Promise<void> {
    const rootStat = await lstat(this.opts.root);
    await this.entry({ name: `${this.opts.top}/`, type: 'directory', ...meta(rootStat) });
    const inside = normalizeInside(this.opts.subtree);
    if (inside === '/') {
      await this.directoryContents(this.opts.root, '/');
      return;
    }
    // Each component below the root is stored as itself: a symlinked /builddir is a link, not followed.
    const parts = inside.split('/').filter(Boolean);
    let insidePath = '';
    for (const [i, part] of parts.entries()) {
      insidePath += `/${part}`;
      const hostPath = this.opts.root + insidePath;
      const st = await lstat(hostPath);
      if (i < parts.length - 1) {
        if (!st.isDirectory()) throw new Error(`${insidePath} is not a directory`);
        await this.entry({ name: `${this.opts.top}${insidePath}/`, type: 'directory', ...meta(st) });
      } else {
        await this.visit(hostPath, insidePath, st);
      }
    }
  }

  private async directoryContents(hostDir: string, insideDir: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(hostDir);
    } catch (err) {
      this.skip(insideDir + '/*', `cannot list: ${(err as NodeJS.ErrnoException).code ?? err}`);
      return;
    }
    names.sort();
    const base = insideDir === '/' ? '' : insideDir;
    for (const name of names) {
      this.signal.throwIfAborted();
      const insidePath = `${base}/${name}`;
      const hostPath = `${hostDir}/${name}`;
      let st: Stats;
      try {
        st = await lstat(hostPath);
      } catch (err) {
        // gone since the listing; nothing to store
        this.skip(insidePath, `cannot stat: ${(err as NodeJS.ErrnoException).code ?? err}`);
        continue;
      }
      await this.visit(hostPath, insidePath, st);
    }
  }

  private async visit(hostPath: string, insidePath: string, st: Stats): Promise<void> {
    if (isExcluded(insidePath, this.filters)) {
      this.report.excluded++;
      if (this.report.excludedSample.length < SAMPLE_LIMIT) this.report.excludedSample.push(insidePath);
      return;
    }
    const name = this.opts.top + insidePath;
    if (st.isDirectory()) {
      await this.entry({ name: `${name}/`, type: 'directory', ...meta(st) });
      this.report.directories++;
      await this.directoryContents(hostPath, insidePath);
    } else if (st.isSymbolicLink()) {
      const target = await readlink(hostPath);
      await this.entry({ name, type: 'symlink', linkname: target, ...meta(st) });
      this.report.symlinks++;
    } else if (st.isFile()) {
      await this.file(hostPath, insidePath, name, st);
    } else {
      this.skip(insidePath, st.isSocket() ? 'socket' : st.isFIFO() ? 'fifo' : 'device');
    }
  }

  private async file(hostPath: string, insidePath: string, name: string, st: Stats): Promise<void> {
    const key = `${st.dev}:${st.ino}`;
    if (st.nlink > 1) {
      const first = this.linked.get(key);
      if (first !== undefined) {
        await this.entry({ name, type: 'link', linkname: first, ...meta(st) });
        this.report.hardlinks++;
        return;
      }
    }
    let fh: FileHandle;
    try {
      fh = await open(hostPath, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
    } catch (err) {
      this.skip(insidePath, `cannot open: ${(err as NodeJS.ErrnoException).code ?? err}`);
      return;
    }
    try {
      const now = await fh.stat();
      // Swapped for something else since the lstat: store nothing rather than the wrong thing.
      if (!now.isFile() || now.ino !== st.ino || now.dev !== st.dev) {
        this.skip(insidePath, 'changed while packing');
        return;
      }
      const size = now.size;
      let sink!: Drainable & { end(data?: unknown): unknown };
      const written = new Promise<void>((resolve, reject) => {
        sink = this.tar.entry({ name, type: 'file', ...meta(now), size }, (err) => (err ? reject(err) : resolve()));
      });
      // its failure arrives through the entry callback above
      sink.on('error', () => {});
      let pos = 0;
      while (pos < size) {
        const want = Math.min(this.chunkSize, size - pos);
        // A fresh buffer each time: tar-stream keeps a reference until gzip has taken it.
        const buf = Buffer.allocUnsafe(want);
        let got = 0;
        let problem = `shrank below ${size} bytes`;
        try {
          got = (await fh.read(buf, 0, want, pos)).bytesRead;
        } catch (err) {
          problem = `read error at ${pos}: ${(err as NodeJS.ErrnoException).code ?? err}`;
        }
        if (got === 0) {
          // The header already promised `size` bytes: pad, so the archive stays readable.
          this.skip(insidePath, `${problem}; zero-padded`);
          await writeZeros(sink, size - pos, this.signal);
          pos = size;
          break;
        }
        pos += got;
        await write(sink, got === want ? buf : buf.subarray(0, got), this.signal);
      }
      sink.end();
      await written;
      this.report.treeBytes += size;
      this.report.files++;
      this.report.entries++;
      if (st.nlink > 1) this.linked.set(key, name);
    } finally {
      await fh.close();
    }
  }

  /** Write a bodiless entry and wait until tar-stream has taken it. */
  private async entry(header: EntryHeader): Promise<void> {
    this.signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      this.tar.entry(header, (err) => (err ? reject(err) : resolve()));
    });
    this.report.entries++;
  }

  private skip(insidePath: string, reason: string): void {
    this.report.skipped++;
    if (this.report.skippedSample.length < SAMPLE_LIMIT) this.report.skippedSample.push(`${insidePath}: ${reason}`);
    this.opts.onSkip?.(insidePath, reason);
  }
}

async function writeZeros(sink: Drainable, count: number, signal: AbortSignal): Promise<void> {
  const zeros = Buffer.alloc(Math.min(count, 64 * 1024));
  while (count > 0) {
    const n = Math.min(count, zeros.length);
    await write(sink, zeros.subarray(0, n), signal);
    count -= n;
  }
}

function meta(st: Stats): Pick<EntryHeader, 'mode' | 'uid' | 'gid' | 'mtime'> {
  return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
}

/** `/builddir/` or `builddir` -> `/builddir`; `` or `/` -> `/`. Refuses `..`. */
function normalizeInside(path: string): string {
  const parts = path.split('/').filter((p) => p && p !== '.');
  if (parts.includes('..')) throw new Error(`bad subtree: ${path}`);
  return '/' + parts.join('/');
}
