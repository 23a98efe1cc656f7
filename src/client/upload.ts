/**
 * @module
 * Uploading files to the hub with Koji's fast upload protocol: raw chunks
 * POSTed to the hub URL, each answered with its size and adler32 that we
 * check, then checkUpload to confirm the whole file. An interrupted upload
 * resumes where the hub's copy ends, once the hub's digest of that part
 * matches ours.
 */
import { KojiError } from '../core/faults.ts';
import { parseMethodResponse, XmlRpcFault } from '../core/xmlrpc.ts';
import { adler32, createVerifier } from '../core/checksum.ts';
import { faultToError, kw, type ClientSession } from './session.ts';

export const DEFAULT_BLOCKSIZE = 1 << 20;

export interface ChunkReply {
  size: number;
  fileverify: string;
  offset: number;
  hexdigest?: string;
}

export interface UploadOptions {
  /** Remote file name (default: the local base name). */
  name?: string;
  /** Bytes per request (default 1 MiB, as Koji). */
  blocksize?: number;
  /** Replace an existing file (the CLI's default). */
  overwrite?: boolean;
  volume?: string;
  /** Continue a partial upload whose start matches the local file. */
  resume?: boolean;
  /** Called after each chunk with bytes sent and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Attempts per chunk on connection errors. */
  retries?: number;
}

/** A session that serializes its calls (the builder's); uploads join its queue. */
interface Serialized {
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

function serialized(session: ClientSession): Serialized | null {
  const s = session as unknown as Partial<Serialized>;
  return typeof s.exclusive === 'function' ? (s as Serialized) : null;
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/**
 * Send one chunk at `offset` (-1 appends) and check the hub's answer
 * against our own size and adler32. The digest also goes along (a kojibox
 * hub refuses a chunk that arrived damaged before writing it).
 */
export async function uploadChunk(
  session: ClientSession,
  remoteDir: string,
  name: string,
  data: Uint8Array,
  offset: number,
  opts: { overwrite?: boolean; volume?: string } = {},
): Promise<ChunkReply> {
  if (!session.loggedIn) throw new KojiError('ActionNotAllowed', 'you must be logged in to upload');
  const digest = hex8(adler32(data));
  const send = async () => {
    const q = new URLSearchParams({ filename: name, filepath: remoteDir, fileverify: 'adler32', offset: String(offset), hexdigest: digest });
    if (opts.overwrite) q.set('overwrite', '1');
    if (opts.volume && opts.volume !== 'DEFAULT') q.set('volume', opts.volume);
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'User-Agent': 'koji/1',
      'Koji-Session-Id': String(session.sessionId),
      'Koji-Session-Key': String(session.sessionKey),
      'Koji-Session-Callnum': String(session.callnum),
    };
    session.callnum++;
    const res = await fetch(`${session.baseurl}?${q}`, { method: 'POST', body: data, headers });
    const text = await res.text();
    if (res.status !== 200) throw new KojiError('GenericError', `HTTP ${res.status} from hub during upload: ${text.trim().slice(0, 300)}`);
    try {
      return parseMethodResponse(text) as unknown as ChunkReply;
    } catch (err) {
      if (err instanceof XmlRpcFault) throw faultToError(err.faultCode, err.faultString);
      throw err;
    }
  };
  const lock = serialized(session);
  const reply = lock ? await lock.exclusive(send) : await send();
  if (Number(reply.size) !== data.length) {
    throw new KojiError('GenericError', `server returned wrong chunk size: ${reply.size} != ${data.length}`);
  }
  if (reply.hexdigest !== digest) throw new KojiError('GenericError', `upload checksum failed: ${reply.hexdigest} != ${digest}`);
  return reply;
}

interface CheckReply {
  size: number;
  mtime: number;
  sumlength?: number;
  hexdigest?: string;
}

async function localAdler(path: string, length: number, blocksize: number): Promise<string> {
  const file = Bun.file(path);
  let value = 1;
  for (let ofs = 0; ofs < length; ofs += blocksize) {
    value = adler32(new Uint8Array(await file.slice(ofs, Math.min(length, ofs + blocksize)).arrayBuffer()), value);
  }
  return hex8(value);
}

/**
 * Upload a local file to `<remoteDir>/<name>` below the hub's work
 * directory. Returns the size and adler32 the hub confirmed.
 */
export async function uploadFile(session: ClientSession, localPath: string, remoteDir: string, opts: UploadOptions = {}): Promise<{ size: number; hexdigest: string }> {
  const file = Bun.file(localPath);
  const size = file.size;
  const name = opts.name ?? localPath.slice(localPath.lastIndexOf('/') + 1);
  const blocksize = opts.blocksize ?? DEFAULT_BLOCKSIZE;
  const volume = opts.volume && opts.volume !== 'DEFAULT' ? opts.volume : undefined;
  const volumeKw = volume ? { volume } : {};
  let ofs = 0;
  let problems = false;
  let overwrite = Boolean(opts.overwrite);
  if (opts.resume) {
    const have = await session.call<CheckReply | null>('checkUpload', remoteDir, name, kw({ verify: 'adler32', ...volumeKw }));
    if (have && have.size <= size && have.size > 0 && have.hexdigest === (await localAdler(localPath, have.size, blocksize))) {
      ofs = Number(have.size);
      overwrite = false;
      problems = true;
    } else overwrite = true;
  }
  const full = createVerifier('adler32');
  if (ofs > 0) full.update(new Uint8Array(await file.slice(0, ofs).arrayBuffer()));
  opts.onProgress?.(ofs, size);
  let first = true;
  while (first || ofs < size) {
    const chunk = new Uint8Array(await file.slice(ofs, Math.min(size, ofs + blocksize)).arrayBuffer());
    let attempt = 0;
    for (;;) {
      try {
        await uploadChunk(session, remoteDir, name, chunk, ofs, { overwrite, volume });
        break;
      } catch (err) {
        // faults are answers; only a lost connection is worth another try
        if (err instanceof KojiError || ++attempt > (opts.retries ?? 3)) throw err;
        problems = true;
        await Bun.sleep(500 * attempt);
      }
    }
    // later chunks must not truncate what the first one wrote
    overwrite = false;
    full.update(chunk);
    ofs += chunk.length;
    first = false;
    opts.onProgress?.(ofs, size);
  }
  const checkOpts = problems ? { verify: 'adler32', ...volumeKw } : volumeKw;
  const result = await session.call<CheckReply | null>('checkUpload', remoteDir, name, kw(checkOpts));
  if (!result) throw new KojiError('GenericError', `File upload failed: ${remoteDir}/${name}`);
  if (Number(result.size) !== ofs) throw new KojiError('GenericError', `Uploaded file is wrong length: ${remoteDir}/${name}, ${result.size} != ${ofs}`);
  const hexdigest = full.hexdigest();
  if (problems && result.hexdigest !== hexdigest) {
    throw new KojiError('GenericError', `Uploaded file has wrong checksum: ${remoteDir}/${name}, ${result.hexdigest} != ${hexdigest}`);
  }
  return { size: ofs, hexdigest };
}
