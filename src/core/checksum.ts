/**
 * @module
 * The checksums Koji's upload protocol verifies chunks and files with:
 * adler32 (as "%08x"), md5 and sha256, behind one incremental interface.
 */

const MOD_ADLER = 65521;
// largest run of bytes whose sums cannot overflow before the modulo
const NMAX = 5552;

/** Incremental adler32: feed the previous value to continue a running sum. */
export function adler32(data: Uint8Array, prev = 1): number {
  let a = prev & 0xffff;
  let b = (prev >>> 16) & 0xffff;
  let i = 0;
  while (i < data.length) {
    const end = Math.min(i + NMAX, data.length);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= MOD_ADLER;
    b %= MOD_ADLER;
  }
  return ((b << 16) | a) >>> 0;
}

export type VerifyType = 'adler32' | 'md5' | 'sha256';

export interface Verifier {
  update(data: Uint8Array): void;
  hexdigest(): string;
}

class Adler32Verifier implements Verifier {
  private value = 1;
  update(data: Uint8Array): void {
    this.value = adler32(data, this.value);
  }
  hexdigest(): string {
    return this.value.toString(16).padStart(8, '0');
  }
}

class HashVerifier implements Verifier {
  private readonly hasher: Bun.CryptoHasher;
  constructor(kind: 'md5' | 'sha256') {
    this.hasher = new Bun.CryptoHasher(kind);
  }
  update(data: Uint8Array): void {
    this.hasher.update(data);
  }
  hexdigest(): string {
    return this.hasher.digest('hex');
  }
}

export function isVerifyType(v: string): v is VerifyType {
  return v === 'adler32' || v === 'md5' || v === 'sha256';
}

export function createVerifier(kind: VerifyType): Verifier {
  return kind === 'adler32' ? new Adler32Verifier() : new HashVerifier(kind);
}

/** One-shot digest of some bytes. */
export function digestHex(kind: VerifyType, data: Uint8Array): string {
  const v = createVerifier(kind);
  v.update(data);
  return v.hexdigest();
}
