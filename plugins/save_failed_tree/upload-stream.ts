/**
 * @module
 * Uploading a stream of unknown length to the hub in fast-upload chunks, so
 * a tarball goes from the packer to the hub without touching the builder's
 * disk. Bytes are gathered into blocks of `blocksize`; each block is sent
 * (and retried on a lost connection) before more is read, so memory holds
 * one block plus what the producer buffers. At the end checkUpload confirms
 * the hub has every byte.
 */
import { KojiError } from '../../src/core/faults.ts';
import { createVerifier } from '../../src/core/checksum.ts';
import { kw, type ClientSession } from '../../src/client/session.ts';
import { DEFAULT_BLOCKSIZE, uploadChunk } from '../../src/client/upload.ts';

export interface StreamUploadOptions {
  /** Bytes per request; default 1 MiB, as koji. */
  blocksize?: number;
  /** Hub volume; null/undefined/DEFAULT = the default one. */
  volume?: string | null;
  /** Attempts per block on connection errors. */
  retries?: number;
  signal?: AbortSignal;
}

export interface StreamUploadResult {
  size: number;
  /** adler32 of the whole file, hex, as the hub confirmed it. */
  hexdigest: string;
}

/**
 * Upload everything `source` yields to `<remoteDir>/<name>` below the hub's
 * work directory. A failure of the source aborts the upload with its error.
 */
export async function uploadStream(
  session: ClientSession,
  source: AsyncIterable<Uint8Array>,
  remoteDir: string,
  name: string,
  opts: StreamUploadOptions = {},
): Promise<StreamUploadResult> {
  const blocksize = opts.blocksize ?? DEFAULT_BLOCKSIZE;
  const volume = opts.volume && opts.volume !== 'DEFAULT' ? opts.volume : undefined;
  const whole = createVerifier('adler32');
  let offset = 0;
  const block = new Uint8Array(blocksize);
  let filled = 0;
  let retried = false;

  const send = async (data: Uint8Array) => {
    opts.signal?.throwIfAborted();
    let attempt = 0;
    for (;;) {
      try {
        // The first block replaces any leftover of an earlier attempt at this task.
        await uploadChunk(session, remoteDir, name, data, offset, { overwrite: offset === 0, volume });
        break;
      } catch (err) {
        // faults are the hub's answer; only a lost connection is worth another try
        if (err instanceof KojiError || ++attempt > (opts.retries ?? 3)) throw err;
        retried = true;
        await Bun.sleep(500 * attempt);
      }
    }
    whole.update(data);
    offset += data.length;
  };

  let sentAny = false;
  for await (const chunk of source) {
    let pos = 0;
    while (pos < chunk.length) {
      const n = Math.min(blocksize - filled, chunk.length - pos);
      block.set(chunk.subarray(pos, pos + n), filled);
      filled += n;
      pos += n;
      if (filled === blocksize) {
        // the request is answered before send returns, so the block is free again
        await send(block);
        sentAny = true;
        filled = 0;
      }
    }
  }
  if (filled > 0 || !sentAny) await send(block.subarray(0, filled));

  const volumeKw = volume ? { volume } : {};
  // Each chunk's adler32 was checked on arrival; the whole file is re-read
  // on the hub (as koji does) only if a chunk had to be sent again.
  const check = await session.call<{ size: number | string; hexdigest?: string } | null>(
    'checkUpload', remoteDir, name, kw(retried ? { verify: 'adler32', ...volumeKw } : volumeKw),
  );
  const hexdigest = whole.hexdigest();
  if (!check) throw new KojiError('GenericError', `File upload failed: ${remoteDir}/${name}`);
  if (Number(check.size) !== offset) throw new KojiError('GenericError', `Uploaded file is wrong length: ${remoteDir}/${name}, ${check.size} != ${offset}`);
  if (retried && check.hexdigest !== hexdigest) throw new KojiError('GenericError', `Uploaded file has wrong checksum: ${remoteDir}/${name}, ${check.hexdigest} != ${hexdigest}`);
  return { size: offset, hexdigest };
}
