/**
 * @module
 * Koji's fast upload: a raw-body POST to /kojihub with
 * `?filename=&filepath=&fileverify=&offset=[&overwrite=1][&volume=]`, one
 * chunk per request, answered with an XML-RPC struct {size, fileverify,
 * offset, hexdigest}. The client compares the digest with its own; kojibox
 * also accepts `hexdigest=` so a corrupt chunk is refused before it is
 * written. Offsets must continue the file (no holes); -1 appends.
 */
import { closeSync, ftruncateSync, lstatSync, openSync, writeSync } from 'node:fs';
import { GenericError, KojiError } from '../core/faults.ts';
import { encodeFault, encodeResponse } from '../core/xmlrpc.ts';
import { createVerifier, isVerifyType, type VerifyType } from '../core/checksum.ts';
import type { Hub } from './hub.ts';
import { CallContext } from './context.ts';
import { credentialsFrom, validateSession } from './auth.ts';
import { uploadTarget } from './upload-path.ts';
import type { UploadHandler } from './app.ts';

export interface ChunkRequest {
  name: string;
  path: string;
  verify: VerifyType | null;
  offset: number;
  overwrite: boolean;
  volume: string;
  /** kojibox: the digest the client computed; a mismatch refuses the chunk. */
  expected: string | null;
}

/** The query of an upload POST, checked. */
export function parseChunkQuery(q: URLSearchParams): ChunkRequest {
  const name = q.get('filename');
  if (name === null) throw GenericError('upload needs a filename');
  const verify = q.get('fileverify') ?? '';
  if (verify && !isVerifyType(verify)) throw GenericError(`Unsupported verify type: ${verify}`);
  const rawOffset = (q.get('offset') ?? '0').trim();
  if (!/^-?\d+$/.test(rawOffset)) throw GenericError(`Invalid upload offset: ${rawOffset}`);
  const offset = Number(rawOffset);
  if (offset < -1) throw GenericError(`Invalid upload offset: ${offset}`);
  return {
    name,
    path: q.get('filepath') ?? '',
    verify: verify ? (verify as VerifyType) : null,
    offset,
    // Koji treats any non-empty value as true
    overwrite: Boolean(q.get('overwrite')),
    volume: q.get('volume') || 'DEFAULT',
    expected: q.get('hexdigest'),
  };
}

/** Write one chunk where the request says; returns the reply struct. */
export function writeChunk(ctx: CallContext, r: ChunkRequest, body: Uint8Array): Record<string, string | number | null> {
  let digest: string | null = null;
  if (r.verify) {
    const v = createVerifier(r.verify);
    v.update(body);
    digest = v.hexdigest();
  }
  if (r.expected !== null && r.verify && r.expected.toLowerCase() !== digest) {
    throw GenericError(`Upload checksum mismatch for ${r.path}/${r.name} at offset ${r.offset}: client ${r.verify} ${r.expected}, received ${digest}`);
  }
  const target = uploadTarget(ctx, r.path, r.name, { create: true, volume: r.volume });
  let st = null;
  try {
    st = lstatSync(target.file);
  } catch {
    st = null;
  }
  if (st) {
    if (st.isSymbolicLink()) throw GenericError(`destination is a symlink: ${target.shown}`);
    if (!st.isFile()) throw GenericError(`destination not a file: ${target.shown}`);
    if (r.offset === 0 && !r.overwrite) throw GenericError(`upload path exists: ${target.shown}`);
  }
  const size = st?.size ?? 0;
  let at: number;
  if (r.offset === -1) at = size;
  else {
    if (r.offset > size) throw GenericError(`Invalid upload offset ${r.offset} for ${target.shown}: the file has only ${size} bytes`);
    if (!r.overwrite && r.offset + body.length < size) {
      throw GenericError(`Incorrect upload length for ${target.shown} - Expected ${r.offset + body.length}, actual ${size}`);
    }
    at = r.offset;
  }
  const fd = openSync(target.file, st ? 'r+' : 'w', 0o644);
  try {
    if (r.overwrite && r.offset !== -1) ftruncateSync(fd, at);
    let done = 0;
    while (done < body.length) done += writeSync(fd, body, done, body.length - done, at + done);
  } finally {
    closeSync(fd);
  }
  const reply: Record<string, string | number | null> = { size: body.length, fileverify: r.verify ?? '', offset: at };
  if (digest !== null) reply.hexdigest = digest;
  return reply;
}

function xml(body: string): Response {
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/xml' } });
}

/** The /kojihub raw-upload handler (see AppParts.upload). */
export const handleUpload: UploadHandler = async (hub: Hub, req: Request, remoteAddr: string) => {
  const body = new Uint8Array(await req.arrayBuffer());
  const query = new URL(req.url).searchParams;
  try {
    if (hub.offline) throw new KojiError('ServerOffline', hub.config.OfflineMessage || 'server is offline');
    const cred = credentialsFrom(req.headers, query, !hub.config.DisableURLSessions);
    const reply = hub.store.tx(() => {
      if (!cred) throw new KojiError('ActionNotAllowed', 'you must be logged-in to upload a file');
      const { session } = validateSession(hub.store, cred, remoteAddr, {
        renewalTimeoutMinutes: hub.config.SessionRenewalTimeout,
        checkClientIP: hub.config.CheckClientIP,
      }, { allowExpired: false, skipCallnum: false });
      const ctx = new CallContext(hub, session, remoteAddr, 'rawUpload');
      if (hub.config.LockOut && !ctx.isAdmin) throw new KojiError('ServerOffline', 'Server disabled for maintenance');
      return writeChunk(ctx, parseChunkQuery(query), body);
    });
    return xml(encodeResponse(reply));
  } catch (err) {
    if (err instanceof KojiError) return xml(encodeFault(err.faultCode, err.message));
    hub.log.error(`upload failed: ${(err as Error).stack ?? err}`);
    return xml(encodeFault(1, `<class '${(err as Error).name}'>: ${(err as Error).message}`));
  }
};
