/**
 * @module
 * dnf against one buildroot tree (`--installroot`) and only the tag's repo:
 * does the repo hold the install group, install packages, list what the
 * tree's rpm database has. dnf's cache and logs live inside the tree, so a
 * buildroot leaves nothing behind on the host.
 */
import { existsSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstalledPackage } from './backend.ts';
import { hostArch } from '../../core/arch.ts';

/** Whether dnf is on this builder at all. */
export function haveDnf(): boolean {
  return Bun.which('dnf') !== null;
}

export interface DnfTarget {
  /** The buildroot directory (holds dnf.conf) and its tree. */
  dir: string;
  root: string;
  repoUrl: string;
  arch: string;
}

/** Write the dnf.conf that sees only the tag's repo. */
export function writeDnfConf(t: DnfTarget): string {
  const conf = join(t.dir, 'dnf.conf');
  const reposd = join(t.dir, 'repos.d');
  mkdirSync(reposd, { recursive: true });
  const url = /^[a-z]+:\/\//.test(t.repoUrl) ? t.repoUrl : `file://${t.repoUrl}`;
  writeFileSync(
    conf,
    [
      '[main]',
      // paths in [main] are taken inside the installroot, so the cache goes away with the tree
      'cachedir=/var/cache/kojibox-dnf',
      `reposdir=${reposd}`,
      'keepcache=0',
      'gpgcheck=0',
      'install_weak_deps=0',
      'best=1',
      'metadata_expire=0',
      '',
      '[koji]',
      'name=koji',
      `baseurl=${url}`,
      'gpgcheck=0',
      'skip_if_unavailable=0',
      '',
    ].join('\n'),
  );
  return conf;
}

function dnfArgs(t: DnfTarget): string[] {
  const args = ['dnf', '-y', '-c', join(t.dir, 'dnf.conf'), '--installroot', t.root, '--releasever', 'kojibox', '--disableplugin=*'];
  if (t.arch !== 'noarch' && t.arch !== hostArch()) {
    args.push(`--forcearch=${t.arch}`);
  }
  return args;
}

async function runLogged(cmd: string[], logfile: string, env?: Record<string, string>): Promise<{ code: number; stdout: string }> {
  const fd = openSync(logfile, 'a');
  try {
    const proc = Bun.spawn(cmd, { stdout: 'pipe', stderr: fd, stdin: 'ignore', env: { ...process.env, LANG: 'C.UTF-8', ...env } });
    const stdout = await new Response(proc.stdout).text();
    const code = await proc.exited;
    return { code, stdout };
  } finally {
    closeSync(fd);
  }
}

/** Names among `names` that the repo holds (one repoquery). */
export async function repoHolds(t: DnfTarget, names: string[], logfile: string): Promise<Set<string>> {
  writeDnfConf(t);
  const r = await runLogged([...dnfArgs(t), '-q', 'repoquery', '--qf', '%{name}', ...names], logfile);
  if (r.code !== 0) return new Set();
  return new Set(r.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
}

/** Install packages (names or dependency specs) into the tree; throws with dnf's exit code on failure. */
export async function dnfInstall(t: DnfTarget, packages: string[], logfile: string): Promise<void> {
  if (!packages.length) return;
  writeDnfConf(t);
  const fd = openSync(logfile, 'a');
  try {
    const proc = Bun.spawn([...dnfArgs(t), 'install', ...packages], { stdout: fd, stderr: fd, stdin: 'ignore', env: { ...process.env, LANG: 'C.UTF-8' } });
    const code = await proc.exited;
    if (code !== 0) throw new Error(`dnf install failed (exit ${code}); see root.log`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Where the tree's rpm database is: the modern and the old place, or where
 * the host's rpm put it (Debian's rpm uses $HOME/.rpmdb).
 */
export function rpmDbPath(root: string): string | null {
  for (const p of ['/usr/lib/sysimage/rpm', '/var/lib/rpm', '/root/.rpmdb']) {
    if (existsSync(join(root, p))) return p;
  }
  return null;
}

const QF = '%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{EPOCH}\\t%{ARCH}\\t%{SIGMD5}\\t%{SIZE}\\t%{BUILDTIME}\\n';

/** Packages installed in a tree, read with the host's rpm. Trees without a database list nothing. */
export async function installedPackages(root: string): Promise<InstalledPackage[]> {
  const dbpath = rpmDbPath(root);
  if (!dbpath || !Bun.which('rpm')) return [];
  const proc = Bun.spawn(['rpm', '--root', root, '--dbpath', dbpath, '-qa', '--qf', QF], { stdout: 'pipe', stderr: 'pipe' });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) return [];
  const list: InstalledPackage[] = [];
  for (const line of out.split('\n')) {
    const f = line.split('\t');
    if (f.length < 8) continue;
    const [name, version, release, epoch, arch, sigmd5, size, buildtime] = f as [string, string, string, string, string, string, string, string];
    // rpm's placeholders, not real packages
    if (name === 'gpg-pubkey' || name === 'buildsys-build') continue;
    list.push({
      name,
      version,
      release,
      epoch: epoch === '(none)' ? null : Number(epoch),
      arch,
      payloadhash: sigmd5 === '(none)' ? '' : sigmd5,
      size: Number(size) || 0,
      buildtime: Number(buildtime) || 0,
    });
  }
  return list;
}
