/**
 * @module
 * The parts of a buildroot tree kojibox writes itself: the directories a
 * build uses (/builddir, /tmp, /var/tmp, kojid's chroot_tmpdir), the build
 * user (mock's `mockbuild` in group `mock`), /etc/hosts, the rpm macros the
 * tag and kojid.conf ask for, and, for a tree that borrows the host's /usr,
 * the top-level links and host files it is run with.
 */
import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The unprivileged user builds run as, named and numbered as mock does. */
export const BUILD_USER = { name: 'mockbuild', uid: 1000, group: 'mock', gid: 135, home: '/builddir' } as const;

/** Directories every tree has, inside paths. */
export function treeDirs(chrootTmpdir: string): string[] {
  return ['/builddir', '/builddir/build', '/tmp', '/var/tmp', '/etc/rpm', chrootTmpdir, '/proc', '/dev'];
}

/** Create the build directories and write /etc files that do not come from packages. */
export function writeSkeleton(root: string, opts: { hostname: string; macros: Record<string, string>; chrootTmpdir: string }): void {
  for (const d of treeDirs(opts.chrootTmpdir)) mkdirSync(join(root, d), { recursive: true });
  ensureLines(join(root, 'etc/passwd'), [
    'root:x:0:0:root:/root:/bin/bash',
    `${BUILD_USER.name}:x:${BUILD_USER.uid}:${BUILD_USER.gid}::${BUILD_USER.home}:/bin/bash`,
    'nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin',
  ]);
  ensureLines(join(root, 'etc/group'), ['root:x:0:', `${BUILD_USER.group}:x:${BUILD_USER.gid}:`, 'nobody:x:65534:']);
  // rpm asks for the fully qualified host name; without this it warns in every log
  writeFileSync(join(root, 'etc/hosts'), `127.0.0.1 localhost ${opts.hostname}\n::1 localhost ${opts.hostname}\n`);
  writeFileSync(join(root, 'etc/rpm/macros.koji'), macroText({ _topdir: '/builddir/build', ...opts.macros }));
}

/** rpm macro file text: one `%name value` line each; multi-line values are continued. */
export function macroText(macros: Record<string, string>): string {
  return Object.entries(macros)
    .map(([k, v]) => `%${k.replace(/^%/, '')} ${String(v).replace(/\n/g, '\\\n')}`)
    .join('\n') + '\n';
}

/** Append the lines whose first field (name) the file does not have yet. */
function ensureLines(path: string, lines: string[]): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const have = new Set(text.split('\n').map((l) => l.split(':')[0]));
  const missing = lines.filter((l) => !have.has(l.split(':')[0]));
  if (!missing.length) return;
  appendFileSync(path, (text && !text.endsWith('\n') ? '\n' : '') + missing.join('\n') + '\n');
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Top-level entries that live in /usr on merged-usr systems. */
const USR_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/**
 * Host files a borrowed-/usr tree sees read-only: what programs in /usr
 * expect in /etc (dynamic linker cache, alternatives, name service, time
 * zone, certificates); never secrets such as shadow or ssh keys.
 */
export const HOST_ETC = [
  'alternatives', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'nsswitch.conf', 'localtime',
  'services', 'protocols', 'mime.types', 'magic', 'ssl', 'pki', 'ca-certificates', 'crypto-policies',
];

/**
 * Lay out a tree for running with the host's /usr: link /bin, /lib... as the
 * host does (merged usr), or leave mount points where the host has real
 * directories. Returns the host paths to bind read-only.
 */
export function layoutHostUsr(root: string): string[] {
  const binds = ['/usr'];
  mkdirSync(join(root, 'usr'), { recursive: true });
  for (const name of USR_LINKS) {
    const host = `/${name}`;
    let st;
    try {
      st = lstatSync(host);
    } catch {
      continue;
    }
    const inTree = join(root, name);
    if (st.isSymbolicLink()) {
      // lstat: the link dangles on the host side until /usr is mounted inside
      if (!lexists(inTree)) symlinkSync(readlinkSync(host), inTree);
    } else if (st.isDirectory()) {
      mkdirSync(inTree, { recursive: true });
      binds.push(host);
    }
  }
  return binds;
}
