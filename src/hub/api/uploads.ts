/**
 * @module
 * Upload checks and the legacy upload call: checkUpload (size, mtime and a
 * digest of what arrived, so a client can verify or resume) and uploadFile
 * (base64 chunks inside XML-RPC, for clients without fast upload).
 */
import { closeSync, ftruncateSync, lstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { GenericError, ParameterError } from '../../core/faults.ts';
import { RpcDouble } from '../../core/xmlrpc.ts';
import { createVerifier, isVerifyType, type VerifyType } from '../../core/checksum.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asInt } from '../rpc/args.ts';
import { pyRepr } from './common.ts';
import { uploadTarget } from '../upload-path.ts';

function verifyType(v: unknown): VerifyType {
  if (typeof v === 'string' && isVerifyType(v)) return v;
  throw GenericError(`Unsupported verify type: ${String(v)}`);
}

/** Digest of a file from `start` to its end. */
function fileDigest(path: string, kind: VerifyType, start: number): { length: number; hex: string } {
  const v = createVerifier(kind);
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  let pos = start;
  let length = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      v.update(buf.subarray(0, n));
      pos += n;
      length += n;
    }
  } finally {
    closeSync(fd);
  }
  return { length, hex: v.hexdigest() };
}

export const uploadMethods: ApiMethod[] = [
  api('checkUpload(path, name, verify=None, tail=None, volume=None)', 'Size and mtime of an uploaded file (and its digest with verify, of the last `tail` bytes with tail), or None if there is none.', { access: 'anon' }, (ctx, a) => {
    const target = uploadTarget(ctx, a.path, a.name, { create: false, volume: a.volume === null ? null : String(a.volume) });
    let st;
    try {
      st = statSync(target.file);
    } catch {
      return null;
    }
    if (!st.isFile()) throw GenericError(`Not a regular file: ${target.shown}`);
    const out: Record<string, unknown> = { size: st.size, mtime: new RpcDouble(st.mtimeMs / 1000) };
    if (a.verify !== null && a.verify !== '') {
      let start = 0;
      if (a.tail !== null) {
        const tail = asInt(a.tail, 'tail');
        if (tail < 0) throw GenericError(`Invalid tail value: ${pyRepr(a.tail)}`);
        start = Math.max(st.size - tail, 0);
      }
      const d = fileDigest(target.file, verifyType(a.verify), start);
      out.sumlength = d.length;
      out.hexdigest = d.hex;
    }
    return out;
  }),
  api('uploadFile(path, name, size, md5sum, offset, data, volume=None, checksum=None)', 'Legacy upload of one base64 chunk (offset -1 finishes the file and checks its size and digest). Returns True.', { access: 'login' }, (ctx, a) => {
    if (typeof a.data !== 'string') throw ParameterError(`Invalid type for data: ${pyRepr(a.data)}, expected base64 text`);
    const contents = Buffer.from(a.data, 'base64');
    const offset = asInt(a.offset, 'offset');
    const size = a.size === null ? null : asInt(a.size, 'size');
    const sum = a.checksum ?? a.md5sum;
    let verify: VerifyType | null = null;
    let digest: string | null = null;
    if (typeof sum === 'string') [verify, digest] = ['md5', sum];
    else if (Array.isArray(sum) && sum.length === 2) [verify, digest] = [verifyType(sum[0]), String(sum[1])];
    else if (sum !== null) throw ParameterError(`Invalid checksum: ${pyRepr(sum)}`);
    if (offset !== -1) {
      if (size !== null && size !== contents.length) throw GenericError(`upload size mismatch for ${String(a.name)}: declared ${size}, received ${contents.length}`);
      if (verify && digest !== null) {
        const v = createVerifier(verify);
        v.update(contents);
        if (v.hexdigest() !== digest) throw GenericError(`upload checksum mismatch for ${String(a.name)} at offset ${offset}`);
      }
    }
    const target = uploadTarget(ctx, a.path, a.name, { create: true, volume: a.volume === null ? null : String(a.volume) });
    let st = null;
    try {
      st = lstatSync(target.file);
    } catch {
      st = null;
    }
    if (st) {
      if (!st.isFile()) throw GenericError(`destination not a file: ${target.shown}`);
      // .log files may be uploaded again (logs of a restarted task)
      if (offset === 0 && !target.file.endsWith('.log')) throw GenericError(`file already exists: ${target.shown}`);
    }
    const fd = openSync(target.file, st ? 'r+' : 'w', 0o644);
    try {
      const current = st?.size ?? 0;
      if (offset === 0 || (offset === -1 && size === contents.length)) ftruncateSync(fd, 0);
      const at = offset === -1 ? (offset === -1 && size === contents.length ? 0 : current) : offset;
      if (offset > current) throw GenericError(`Invalid upload offset ${offset} for ${target.shown}: the file has only ${current} bytes`);
      let done = 0;
      while (done < contents.length) done += writeSync(fd, contents, done, contents.length - done, at + done);
      if (offset === -1 && size !== null) ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
    if (offset === -1 && verify && digest !== null) {
      const d = fileDigest(target.file, verify, 0);
      if (d.hex !== digest) throw GenericError(`upload checksum mismatch for ${target.shown}: expected ${digest}, file has ${d.hex}`);
    }
    return true;
  }),
];
