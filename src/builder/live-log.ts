/**
 * @module
 * A task log uploaded while it grows. Writes go to a local file; every
 * second (and on close) the new bytes are sent to the hub at the offset
 * where the last upload ended, so `watch-logs` can follow the task and a
 * lost connection only delays the log.
 */
import { appendFileSync, closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { ClientSession } from '../client/session.ts';
import { DEFAULT_BLOCKSIZE, uploadChunk } from '../client/upload.ts';
import type { Logger } from '../core/log.ts';
import type { LiveLog } from './handler.ts';

const FLUSH_DELAY_MS = 1000;

export class UploadingLog implements LiveLog {
  private uploaded = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly session: ClientSession,
    private readonly remoteDir: string,
    private readonly name: string,
    readonly path: string,
    private readonly log: Logger,
  ) {}

  write(text: string | Uint8Array): void {
    if (this.closed) return;
    appendFileSync(this.path, text);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, FLUSH_DELAY_MS);
  }

  /** Upload what is new; flushes never overlap, so offsets stay in order. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.send()).catch((err) => {
      this.log.warn(`could not upload ${this.name} yet: ${(err as Error).message}`);
    });
    return this.flushing;
  }

  private async send(): Promise<void> {
    if (!existsSync(this.path)) return;
    const size = statSync(this.path).size;
    if (size <= this.uploaded && this.uploaded > 0) return;
    const fd = openSync(this.path, 'r');
    try {
      do {
        const length = Math.min(DEFAULT_BLOCKSIZE, size - this.uploaded);
        const buf = Buffer.alloc(length);
        const n = length > 0 ? readSync(fd, buf, 0, length, this.uploaded) : 0;
        // the first chunk replaces a log left by an earlier run of the task
        await uploadChunk(this.session, this.remoteDir, this.name, buf.subarray(0, n), this.uploaded, { overwrite: this.uploaded === 0 });
        this.uploaded += n;
      } while (this.uploaded < size);
    } finally {
      closeSync(fd);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return this.flushing;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
