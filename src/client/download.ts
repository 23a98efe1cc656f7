/**
 * @module
 * Downloading a file from the hub's topurl as koji's download_file does:
 * HEAD for the size, a partial file continued with a Range request, the
 * server's Last-Modified kept as the file's mtime, a progress line on a
 * terminal.
 */
import { appendFileSync, existsSync, mkdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KojiError } from '../core/faults.ts';
import { progressBar } from './progress.ts';
import { writeStdout } from './output.ts';

export interface DownloadOptions {
  quiet?: boolean;
  noprogress?: boolean;
  /** For "Downloading [num/count]: path". */
  num?: number;
  count?: number;
  /** Print a line per file (default true unless quiet). */
  out?: (line: string) => void;
}

/** Fetch `url` into `dest` (relative paths create their directories). */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<void> {
  const out = opts.out ?? ((l: string) => writeStdout(l + '\n'));
  if (dest.includes('/')) mkdirSync(dirname(dest), { recursive: true });
  if (!opts.quiet) out(opts.num && opts.count ? `Downloading [${opts.num}/${opts.count}]: ${dest}` : `Downloading: ${dest}`);
  let total: number | null = null;
  const head = await fetch(url, { method: 'HEAD' });
  if (head.status === 200 && head.headers.get('content-length')) total = Number(head.headers.get('content-length'));
  const headers: Record<string, string> = {};
  let pos = 0;
  if (total !== null && existsSync(dest)) {
    pos = statSync(dest).size;
    if (pos === total) {
      if (!opts.quiet) out(`File ${dest} already downloaded, skipping`);
      return;
    }
    if (pos > 0 && pos < total) {
      if (!opts.quiet) out(`Appending to existing file ${dest}`);
      headers.Range = `bytes=${pos}-`;
    } else pos = 0;
  }
  const res = await fetch(url, { headers });
  if (res.status !== 200 && res.status !== 206) throw new KojiError('GenericError', `Download of ${url} failed: HTTP ${res.status}`);
  if (res.status === 200) pos = 0;
  if (pos === 0) writeFileSync(dest, new Uint8Array());
  const bar = progressBar({ quiet: opts.quiet || opts.noprogress });
  const length = total ?? Number(res.headers.get('content-length') ?? 0);
  let got = pos;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      appendFileSync(dest, chunk);
      got += chunk.length;
      bar.update(got, length || got);
    }
  } finally {
    bar.finish();
  }
  if (got === 0 && statSync(dest).size === 0 && length !== 0) unlinkSync(dest);
  const modified = res.headers.get('last-modified');
  if (modified && existsSync(dest)) {
    const mtime = new Date(modified);
    if (!Number.isNaN(mtime.getTime())) utimesSync(dest, new Date(), mtime);
  }
}
