/**
 * @module
 * The transfer progress line Koji's CLI draws for uploads and downloads:
 * `[=====        ]  42% 00:00:03 12.00 MiB   4.00 MiB/sec`, redrawn in
 * place. Only on a terminal: piped output stays clean.
 */

export function formatSize(size: number): string {
  if (size >= 1073741824) return `${(size / 1073741824).toFixed(2)} GiB`;
  if (size >= 1048576) return `${(size / 1048576).toFixed(2)} MiB`;
  if (size >= 1024) return `${(size / 1024).toFixed(2)} KiB`;
  return `${size.toFixed(2)} B`;
}

function formatSecs(t: number): string {
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = Math.floor(t % 60);
  return [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
}

export interface Progress {
  update(done: number, total: number): void;
  /** End the line (only if something was drawn). */
  finish(): void;
}

/** A progress line on stdout when it is a terminal and not quiet; otherwise nothing. */
export function progressBar(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = opts.stream ?? process.stdout;
  if (opts.quiet || !stream.isTTY) return { update() {}, finish() {} };
  const start = performance.now();
  let lastDone = 0;
  let lastTime = start;
  let drawn = false;
  return {
    update(done, total) {
      const t = performance.now();
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const elapsed = (t - start) / 1000;
      const lap = (t - lastTime) / 1000;
      const speed = done === total ? (elapsed > 0 ? done / elapsed : 0) : lap > 0 ? (done - lastDone) / lap : 0;
      const bar = '='.repeat(Math.floor(fraction * 36)).padEnd(36);
      const pct = `${String(Math.floor(fraction * 100)).padStart(2, '0')}%`;
      stream.write(`[${bar}] ${pct.padStart(4)} ${formatSecs(elapsed).padStart(8)} ${formatSize(done).padStart(10)} ${(speed ? `${formatSize(speed)}/sec` : '- B/sec').padStart(14)}\r`);
      lastDone = done;
      lastTime = t;
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}
