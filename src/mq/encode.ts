/**
 * @module
 * AMQP encoding of the messages kojibox itself sends (hub bus messages):
 * a string message-id and to, an optional ttl, application properties
 * with scalar values and a string body. rhea's encoder builds a typed tree
 * and a fresh buffer per string, which made it the largest cost per message
 * once the hub handed messages to its own broker in-process; this writes
 * the same sections straight into one buffer. The bytes are exactly rhea's
 * (test/unit/mq-encode.test.ts compares them), so receivers cannot tell the
 * difference; any message outside that shape is left to rhea.
 */
import rhea from 'rhea';
import type { Message } from 'rhea';

/** Keys the fast path knows; anything else goes to rhea. */
const KNOWN = new Set(['message_id', 'to', 'ttl', 'application_properties', 'body']);
const MAX_UINT = 4294967296;
/** rhea's bound (not -2^31): integers at or below it are written as long. */
const MIN_INT = -2147483647;

/** Grows as needed and is reused; every result is copied out of it. */
let scratch: Buffer = Buffer.allocUnsafe(4096);

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

class Writer {
  pos = 0;
  constructor(public buf: Buffer) {}

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A described section's constructor: 0x00, smallulong descriptor. */
  section(code: number): void {
    this.ensure(3);
    this.buf[this.pos++] = 0x00;
    this.buf[this.pos++] = 0x53;
    this.buf[this.pos++] = code;
  }

  /** str8 up to 255 UTF-8 bytes, str32 above, as rhea chooses. */
  string(s: string): void {
    const n = s.length <= 85 ? -1 : Buffer.byteLength(s);
    if (n <= 255) {
      // At most 85 UTF-16 units are at most 255 UTF-8 bytes.
      this.ensure(2 + (n < 0 ? s.length * 3 : n));
      const written = this.buf.write(s, this.pos + 2, 'utf8');
      this.buf[this.pos] = 0xa1;
      this.buf[this.pos + 1] = written;
      this.pos += 2 + written;
      return;
    }
    this.ensure(5 + n);
    this.buf[this.pos] = 0xb1;
    this.buf.writeUInt32BE(n, this.pos + 1);
    this.pos += 5 + this.buf.write(s, this.pos + 5, 'utf8');
  }

  /** rhea's uint choice: uint0, smalluint or uint. */
  uint(v: number): void {
    if (v === 0) return this.byte(0x43);
    if (v <= 255) {
      this.byte(0x52);
      return this.byte(v);
    }
    this.ensure(5);
    this.buf[this.pos] = 0x70;
    this.buf.writeUInt32BE(v, this.pos + 1);
    this.pos += 5;
  }

  /** A JSON-ish scalar the way rhea's generic wrap() types it. */
  value(v: unknown): void {
    if (typeof v === 'string') return this.string(v);
    if (typeof v === 'boolean') return this.byte(v ? 0x41 : 0x42);
    if (v === null) return this.byte(0x40);
    if (typeof v !== 'number') throw UNSUPPORTED;
    if (Number.isNaN(v)) return this.byte(0x40);
    if (Math.floor(v) - v !== 0) {
      this.ensure(9);
      this.buf[this.pos] = 0x82;
      this.buf.writeDoubleBE(v, this.pos + 1);
      this.pos += 9;
      return;
    }
    // rhea's own 64-bit arithmetic is exact only within the safe range.
    if (!Number.isSafeInteger(v)) throw UNSUPPORTED;
    if (v > 0 && v < MAX_UINT) return this.uint(v);
    if (v > 0) return this.fixed64(0x80, v);
    if (v > MIN_INT) {
      if (v < -128) {
        this.ensure(5);
        this.buf[this.pos] = 0x71;
        this.buf.writeInt32BE(v, this.pos + 1);
        this.pos += 5;
        return;
      }
      this.byte(0x54);
      this.ensure(1);
      this.buf.writeInt8(v, this.pos++);
      return;
    }
    this.fixed64(0x81, v);
  }

  private fixed64(code: number, v: number): void {
    this.ensure(9);
    this.buf[this.pos] = code;
    if (code === 0x80) this.buf.writeBigUInt64BE(BigInt(v), this.pos + 1);
    else this.buf.writeBigInt64BE(BigInt(v), this.pos + 1);
    this.pos += 9;
  }

  /** Starts a list32 or map32; returns where its size goes. */
  open32(code: number, count: number): number {
    this.ensure(9);
    const at = this.pos;
    this.buf[at] = code;
    this.buf.writeUInt32BE(count, at + 5);
    this.pos += 9;
    return at;
  }

  /** The size field counts the bytes after it, the count field included. */
  close32(at: number): void {
    this.buf.writeUInt32BE(this.pos - at - 5, at + 1);
  }
}

function fastEncode(message: Message): Buffer {
  const m = message as unknown as Record<string, unknown>;
  for (const key in m) if (!KNOWN.has(key) || m[key] === undefined) throw UNSUPPORTED;
  const { message_id: id, to, ttl, application_properties: props, body } = m;
  if (id !== undefined && typeof id !== 'string') throw UNSUPPORTED;
  if (to !== undefined && typeof to !== 'string') throw UNSUPPORTED;
  if (ttl !== undefined && !(Number.isInteger(ttl) && (ttl as number) >= 0 && (ttl as number) < MAX_UINT)) throw UNSUPPORTED;
  if (typeof body !== 'string') throw UNSUPPORTED;
  if (props !== undefined && (typeof props !== 'object' || props === null || Array.isArray(props) || Object.getPrototypeOf(props) !== Object.prototype)) {
    throw UNSUPPORTED;
  }
  const w = new Writer(scratch);
  // header: ttl is its third field; rhea writes an empty list without one
  w.section(0x70);
  if (ttl === undefined) w.byte(0x45);
  else {
    const at = w.open32(0xd0, 3);
    w.byte(0x40);
    w.byte(0x40);
    w.uint(ttl as number);
    w.close32(at);
  }
  // properties: message-id is field 0, to is field 2 (user-id between them)
  w.section(0x73);
  if (id === undefined && to === undefined) w.byte(0x45);
  else {
    const at = w.open32(0xd0, to === undefined ? 1 : 3);
    if (id === undefined) w.byte(0x40);
    else w.string(id);
    if (to !== undefined) {
      w.byte(0x40);
      w.string(to);
    }
    w.close32(at);
  }
  if (props) {
    const p = props as Record<string, unknown>;
    let count = 0;
    for (const _ in p) count += 2;
    w.section(0x74);
    const at = w.open32(0xd1, count);
    for (const key in p) {
      w.string(key);
      w.value(p[key]);
    }
    w.close32(at);
  }
  w.section(0x77);
  w.string(body);
  scratch = w.buf;
  return Buffer.from(w.buf.subarray(0, w.pos));
}

/** The bytes written directly, or null when the message is not of the shape kojibox sends. */
export function encodeDirect(message: Message): Buffer | null {
  try {
    return fastEncode(message);
  } catch (err) {
    if (err !== UNSUPPORTED) throw err;
    return null;
  }
}

/**
 * The AMQP bytes of `message`, identical to rhea.message.encode's: written
 * directly for the shape kojibox sends, by rhea for any other.
 */
export function encodeMessage(message: Message): Buffer {
  return encodeDirect(message) ?? rhea.message.encode(message);
}
