/**
 * @module
 * Terminal output for the client. Writes are synchronous: the CLI exits
 * right after a command, and Bun's buffered process.stdout on a pipe may
 * still hold data then (long list-api output was cut short). A pipe that is
 * full (a slow reader) is waited for, not dropped.
 */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Write all of `data` to a file descriptor (1 = stdout, 2 = stderr). */
export function writeAll(fd: number, data: string | Uint8Array): void {
  let buf = typeof data === 'string' ? Buffer.from(data) : data;
  while (buf.length > 0) {
    try {
      const n = writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // the reader went away (`kojibox list-api | head`): the rest is unwanted
      if (code === 'EPIPE') return;
      // a non-blocking pipe whose reader is behind: wait a moment and retry
      if (code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

export const writeStdout = (data: string | Uint8Array) => writeAll(1, data);
export const writeStderr = (data: string | Uint8Array) => writeAll(2, data);
