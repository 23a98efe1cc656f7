/**
 * @module
 * Reads the headers of an RPM file (lead, signature header, main header)
 * without librpm, so the hub can import packages and the builder can read a
 * source RPM's arch rules on any machine. Only what Koji reads is decoded:
 * identity, arch rules, build facts and the signature MD5 (payloadhash).
 */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';

const LEAD_MAGIC = 0xedabeedb;
const HEADER_MAGIC = [0x8e, 0xad, 0xe8, 0x01];
const LEAD_SIZE = 96;
/** More index entries or data than this is a corrupt (or hostile) file. */
const MAX_INDEX = 100_000;
const MAX_DATA = 256 * 1024 * 1024;

/** Tag numbers of the main header (rpmtag.h). */
export const RPMTAG = {
  NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, SUMMARY: 1004, DESCRIPTION: 1005,
  BUILDTIME: 1006, BUILDHOST: 1007, SIZE: 1009, DISTRIBUTION: 1010, VENDOR: 1011, LICENSE: 1014,
  PACKAGER: 1015, GROUP: 1016, URL: 1020, OS: 1021, ARCH: 1022, SOURCERPM: 1044,
  EXCLUDEARCH: 1059, EXCLUSIVEARCH: 1061, BUILDARCHS: 1089, SOURCEPACKAGE: 1106, SIGMD5: 261,
  REQUIREFLAGS: 1048, REQUIRENAME: 1049, REQUIREVERSION: 1050,
} as const;

/** The signature header's MD5 of header and payload. */
const SIGTAG_MD5 = 1004;

type TagValue = string | string[] | number[] | Uint8Array;

/** Header fields by the names rpm gives them (lower case), for getRPMHeaders. */
export const RPMTAG_NAMES: Record<string, number> = {
  name: 1000, version: 1001, release: 1002, epoch: 1003, summary: 1004, description: 1005, buildtime: 1006,
  buildhost: 1007, size: 1009, distribution: 1010, vendor: 1011, license: 1014, packager: 1015, group: 1016,
  url: 1020, os: 1021, arch: 1022, sourcerpm: 1044, archivesize: 1046, providename: 1047, requireflags: 1048,
  requirename: 1049, requireversion: 1050, conflictname: 1054, excludearch: 1059, exclusivearch: 1061,
  changelogtime: 1080, changelogname: 1081, changelogtext: 1082, buildarchs: 1089, obsoletename: 1090,
  cookie: 1094, sourcepackage: 1106, basenames: 1117, dirnames: 1118, optflags: 1122, payloadformat: 1124,
  payloadcompressor: 1125, disttag: 1155, sigmd5: 261,
};

/** Integer fields that are lists even with one entry. */
const ARRAY_INT_TAGS = new Set([1048, 1080]);

/** One decoded header: tag number to value (integers always as arrays). */
export class RpmHeader {
  constructor(private readonly tags: Map<number, TagValue>, private readonly types: Map<number, number> = new Map()) {}

  /**
   * A field as rpm's Python bindings give it: strings, lists of strings,
   * an integer (a list for list fields), binary data as hex; null if absent.
   */
  value(tag: number): string | string[] | number | number[] | null {
    const v = this.tags.get(tag);
    if (v === undefined) return null;
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    const type = this.types.get(tag);
    if (type === 9 && Array.isArray(v)) return (v[0] as string | undefined) ?? '';
    if (Array.isArray(v) && typeof v[0] === 'number' && v.length === 1 && !ARRAY_INT_TAGS.has(tag)) return v[0] as number;
    return v as string | string[] | number[];
  }

  has(tag: number): boolean {
    return this.tags.has(tag);
  }

  string(tag: number): string | null {
    const v = this.tags.get(tag);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
    return null;
  }

  strings(tag: number): string[] {
    const v = this.tags.get(tag);
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    return [];
  }

  int(tag: number): number | null {
    const v = this.tags.get(tag);
    return Array.isArray(v) && typeof v[0] === 'number' ? v[0] : null;
  }

  ints(tag: number): number[] {
    const v = this.tags.get(tag);
    return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : [];
  }

  bytes(tag: number): Uint8Array | null {
    const v = this.tags.get(tag);
    return v instanceof Uint8Array ? v : null;
  }
}

/** What Koji reads from a package header, with Koji's field names. */
export interface RpmInfo {
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  /** 'src' for a source package, as Koji records it. */
  arch: string;
  /** True for a source RPM (Koji's `sourcepackage` field). */
  sourcepackage: boolean;
  /** The SRPM a binary package came from; null for a source package. */
  sourcerpm: string | null;
  buildtime: number;
  /** Hex of the signature header's MD5 of header+payload. */
  payloadhash: string;
  buildarchs: string[];
  exclusivearch: string[];
  excludearch: string[];
  packager: string | null;
  vendor: string | null;
  distribution: string | null;
  summary: string | null;
  /** Requirements (for a source RPM: its BuildRequires). */
  requires: RpmRequire[];
  /** Byte size of the file. */
  filesize: number;
}

export interface RpmRequire {
  name: string;
  /** RPMSENSE_* flags (LESS 2, GREATER 4, EQUAL 8, ...). */
  flags: number;
  version: string;
}

export class RpmFormatError extends Error {}

/** A requirement as dnf takes it on the command line: `name`, or `name >= version`. */
export function requireSpec(r: RpmRequire): string {
  const op = (r.flags & 2 ? '<' : '') + (r.flags & 4 ? '>' : '') + (r.flags & 8 ? '=' : '');
  return r.version && op ? `${r.name} ${op === '=' ? '=' : op} ${r.version}` : r.name;
}

/** Read the signature and main headers of an RPM file. */
export function readRpmHeaders(path: string): { lead: { type: number }; signature: RpmHeader; header: RpmHeader; size: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const reader = new FileReader(fd, size);
    if (size < 4) throw new RpmFormatError('not an RPM file (too short)');
    const magic = reader.read(0, 4, 'lead');
    if (new DataView(magic.buffer, magic.byteOffset, 4).getUint32(0) !== LEAD_MAGIC) throw new RpmFormatError('not an RPM file (bad lead magic)');
    const lead = reader.read(0, LEAD_SIZE, 'lead');
    const dv = new DataView(lead.buffer, lead.byteOffset, lead.byteLength);
    const type = dv.getUint16(6);
    const sig = readHeaderAt(reader, LEAD_SIZE, 'signature');
    // the signature header is padded to a multiple of 8 bytes
    const mainAt = LEAD_SIZE + align8(sig.length);
    const main = readHeaderAt(reader, mainAt, 'main');
    return { lead: { type }, signature: sig.header, header: main.header, size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Koji's fields of an RPM file. Throws RpmFormatError for anything that is
 * not a well-formed RPM.
 */
export function readRpmInfo(path: string): RpmInfo {
  const { signature, header: h, size } = readRpmHeaders(path);
  const name = h.string(RPMTAG.NAME);
  const version = h.string(RPMTAG.VERSION);
  const release = h.string(RPMTAG.RELEASE);
  if (!name || version === null || release === null) throw new RpmFormatError('RPM header lacks name, version or release');
  // rpm itself calls a package a source package when it names no source rpm
  const sourcerpm = h.string(RPMTAG.SOURCERPM);
  const sourcepackage = h.has(RPMTAG.SOURCEPACKAGE) || sourcerpm === null;
  const md5 = signature.bytes(SIGTAG_MD5) ?? h.bytes(RPMTAG.SIGMD5);
  return {
    name,
    version,
    release,
    epoch: h.int(RPMTAG.EPOCH),
    arch: sourcepackage ? 'src' : (h.string(RPMTAG.ARCH) ?? ''),
    sourcepackage,
    sourcerpm: sourcepackage ? null : sourcerpm,
    buildtime: h.int(RPMTAG.BUILDTIME) ?? 0,
    payloadhash: md5 ? Buffer.from(md5).toString('hex') : '',
    buildarchs: h.strings(RPMTAG.BUILDARCHS),
    exclusivearch: h.strings(RPMTAG.EXCLUSIVEARCH),
    excludearch: h.strings(RPMTAG.EXCLUDEARCH),
    packager: h.string(RPMTAG.PACKAGER),
    vendor: h.string(RPMTAG.VENDOR),
    distribution: h.string(RPMTAG.DISTRIBUTION),
    summary: h.string(RPMTAG.SUMMARY),
    requires: requiresOf(h),
    filesize: size,
  };
}

function requiresOf(h: RpmHeader): RpmRequire[] {
  const names = h.strings(RPMTAG.REQUIRENAME);
  const versions = h.strings(RPMTAG.REQUIREVERSION);
  const flags = h.ints(RPMTAG.REQUIREFLAGS);
  return names.map((name, i) => ({ name, flags: flags[i] ?? 0, version: versions[i] ?? '' }));
}

/** The file name Koji expects for a package: `name-version-release.arch.rpm`. */
export function rpmFileName(info: Pick<RpmInfo, 'name' | 'version' | 'release' | 'arch'>): string {
  return `${info.name}-${info.version}-${info.release}.${info.arch}.rpm`;
}

/** Whether a file starts with the RPM lead magic (cheap check before a full read). */
export function looksLikeRpm(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(4);
      return readSync(fd, b, 0, 4, 0) === 4 && b.readUInt32BE(0) === LEAD_MAGIC;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

class FileReader {
  constructor(private readonly fd: number, readonly size: number) {}

  read(offset: number, length: number, what: string): Uint8Array {
    if (offset + length > this.size) throw new RpmFormatError(`truncated RPM file (${what})`);
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, offset + got);
      if (n <= 0) throw new RpmFormatError(`truncated RPM file (${what})`);
      got += n;
    }
    return buf;
  }
}

function readHeaderAt(reader: FileReader, offset: number, what: string): { header: RpmHeader; length: number } {
  const intro = reader.read(offset, 16, `${what} header`);
  for (let i = 0; i < 4; i++) {
    if (intro[i] !== HEADER_MAGIC[i]) throw new RpmFormatError(`bad ${what} header magic`);
  }
  const dv = new DataView(intro.buffer, intro.byteOffset, 16);
  const count = dv.getUint32(8);
  const dataLen = dv.getUint32(12);
  if (count > MAX_INDEX || dataLen > MAX_DATA) throw new RpmFormatError(`implausible ${what} header size`);
  const index = reader.read(offset + 16, count * 16, `${what} index`);
  const data = reader.read(offset + 16 + count * 16, dataLen, `${what} data`);
  const types = new Map<number, number>();
  return { header: new RpmHeader(decodeIndex(index, data, count, what, types), types), length: 16 + count * 16 + dataLen };
}

function decodeIndex(index: Uint8Array, data: Uint8Array, count: number, what: string, types: Map<number, number>): Map<number, TagValue> {
  const iv = new DataView(index.buffer, index.byteOffset, index.byteLength);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const tags = new Map<number, TagValue>();
  const bad = () => new RpmFormatError(`corrupt ${what} header entry`);
  for (let i = 0; i < count; i++) {
    const tag = iv.getUint32(i * 16);
    const type = iv.getUint32(i * 16 + 4);
    const off = iv.getUint32(i * 16 + 8);
    const n = iv.getUint32(i * 16 + 12);
    if (off > data.length) throw bad();
    types.set(tag, type);
    switch (type) {
      case 2: // INT8
      case 1: // CHAR
        if (off + n > data.length) throw bad();
        tags.set(tag, Array.from(data.subarray(off, off + n)));
        break;
      case 3: // INT16
        if (off + n * 2 > data.length) throw bad();
        tags.set(tag, Array.from({ length: n }, (_, k) => dv.getUint16(off + k * 2)));
        break;
      case 4: // INT32
        if (off + n * 4 > data.length) throw bad();
        tags.set(tag, Array.from({ length: n }, (_, k) => dv.getUint32(off + k * 4)));
        break;
      case 5: // INT64
        if (off + n * 8 > data.length) throw bad();
        tags.set(tag, Array.from({ length: n }, (_, k) => Number(dv.getBigUint64(off + k * 8))));
        break;
      case 6: // STRING
        tags.set(tag, cString(data, off, bad).text);
        break;
      case 7: // BIN
        if (off + n > data.length) throw bad();
        tags.set(tag, data.slice(off, off + n));
        break;
      case 8: // STRING_ARRAY
      case 9: { // I18NSTRING: the first entry is the C locale
        const list: string[] = [];
        let p = off;
        for (let k = 0; k < n; k++) {
          const s = cString(data, p, bad);
          list.push(s.text);
          p = s.end + 1;
        }
        tags.set(tag, list);
        break;
      }
      default:
        break;
    }
  }
  return tags;
}

function cString(data: Uint8Array, off: number, bad: () => Error): { text: string; end: number } {
  const end = data.indexOf(0, off);
  if (end < 0) throw bad();
  return { text: Buffer.from(data.subarray(off, end)).toString('utf8'), end };
}
