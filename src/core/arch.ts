/**
 * @module
 * Arch names as Koji treats them: the canonical arch of an RPM arch (the
 * repo and buildroot directory it belongs to) and this machine's own arch,
 * which builder and hub both need.
 */
import { fnmatch } from './fnmatch.ts';

/** koji.canonArch: i686 -> i386, armv7hl -> armhfp, ppc64p7 -> ppc64 ... */
export function canonArch(arch: string): string {
  if (fnmatch(arch, 'i?86') || arch === 'athlon') return 'i386';
  if (arch === 'ia32e') return 'x86_64';
  if (arch === 'ppc64le') return 'ppc64le';
  if (fnmatch(arch, 'ppc64*')) return 'ppc64';
  if (fnmatch(arch, 'sparc64*')) return 'sparc64';
  if (fnmatch(arch, 'sparc*')) return 'sparc';
  if (fnmatch(arch, 'alpha*')) return 'alpha';
  if (fnmatch(arch, 'arm*h*')) return 'armhfp';
  if (fnmatch(arch, 'arm*')) return 'arm';
  return arch;
}

const NODE_TO_RPM: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** This machine's RPM arch (uname -m), e.g. x86_64. */
export function hostArch(): string {
  return NODE_TO_RPM[process.arch] ?? process.arch;
}
