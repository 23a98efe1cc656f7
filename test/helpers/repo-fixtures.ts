/**
 * @module
 * Repo test fixtures: tiny RPMs built with the real rpmbuild from
 * test/fixtures/repos/tiny.spec, imported into a running hub with
 * importRPM, and readers for the repodata createrepo_c wrote.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ClientSession } from '../../src/client/session.ts';
import { ADMIN_PASSWORD, ROOT, type TestHub } from './hub.ts';

export const TINY_SPEC = resolve(ROOT, 'test/fixtures/repos/tiny.spec');

export interface TinyOptions {
  name: string;
  version?: string;
  release?: string;
  /** Extra noarch subpackages NAME-sub1..N. */
  subpkgs?: number;
  /** Extra noarch subpackages by name (e.g. ['debuginfo', 'doc']). */
  subnames?: string[];
  /** Build the main package for the host arch instead of noarch. */
  archful?: boolean;
}

export interface BuiltRpms {
  nvr: string;
  srpm: string;
  /** Binary RPM paths. */
  rpms: string[];
}

/** Build one tiny package (source and binaries) with rpmbuild into a fresh directory. */
export async function buildTiny(o: TinyOptions, parent = tmpdir()): Promise<BuiltRpms> {
  const top = mkdtempSync(join(parent, `tiny-${o.name}-`));
  const version = o.version ?? '1.0';
  const release = o.release ?? '1';
  const defs = [
    ['_topdir', top], ['pkgname', o.name], ['pkgver', version], ['pkgrel', release], ['subpkgs', String(o.subpkgs ?? 0)],
    ['subnames', (o.subnames ?? []).join(' ') || '%{nil}'],
  ];
  if (o.archful) defs.push(['archful', '1']);
  const args = ['rpmbuild', '-ba', ...defs.flatMap(([k, v]) => ['--define', `${k} ${v}`]), TINY_SPEC];
  const p = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe' });
  const [err, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`rpmbuild failed for ${o.name}:\n${err}`);
  const rpms: string[] = [];
  for (const arch of readdirSync(join(top, 'RPMS'))) for (const f of readdirSync(join(top, 'RPMS', arch))) rpms.push(join(top, 'RPMS', arch, f));
  return { nvr: `${o.name}-${version}-${release}`, srpm: join(top, 'SRPMS', `${o.name}-${version}-${release}.src.rpm`), rpms: rpms.sort() };
}

/** A session logged in as admin. */
export async function adminSession(hub: TestHub): Promise<ClientSession> {
  const s = new ClientSession(hub.hubUrl);
  await s.login('admin', ADMIN_PASSWORD);
  return s;
}

let importSeq = 0;

/** Put the files in the hub's work dir (as an upload would) and importRPM them, SRPM first. */
export async function importBuilt(hub: TestHub, s: ClientSession, built: BuiltRpms, batch = 200): Promise<void> {
  const rel = `test-import/${process.pid}-${++importSeq}`;
  const dir = join(hub.dataDir, 'topdir', 'work', rel);
  mkdirSync(dir, { recursive: true });
  const files = [built.srpm, ...built.rpms];
  for (const f of files) copyFileSync(f, join(dir, basename(f)));
  for (let i = 0; i < files.length; i += batch) {
    await s.multiCall(files.slice(i, i + batch).map((f) => ['importRPM', rel, basename(f)] as [string, ...unknown[]]), true);
  }
}

export interface PrimaryPackage {
  name: string;
  arch: string;
  version: string;
  release: string;
  href: string;
}

/** The packages listed in a repodata directory's primary.xml.gz. */
export function readPrimary(repodata: string): PrimaryPackage[] {
  const repomd = readFileSync(join(repodata, 'repomd.xml'), 'utf8');
  const m = /<data type="primary">[\s\S]*?<location href="repodata\/([^"]+)"/.exec(repomd);
  if (!m) throw new Error(`no primary in ${repodata}/repomd.xml`);
  const xml = gunzipSync(readFileSync(join(repodata, m[1]!))).toString('utf8');
  const out: PrimaryPackage[] = [];
  for (const pkg of xml.split('<package ').slice(1)) {
    const name = /<name>([^<]*)<\/name>/.exec(pkg)?.[1] ?? '';
    const arch = /<arch>([^<]*)<\/arch>/.exec(pkg)?.[1] ?? '';
    const ver = /<version [^>]*ver="([^"]*)"[^>]*rel="([^"]*)"/.exec(pkg);
    const href = /<location href="([^"]*)"/.exec(pkg)?.[1] ?? '';
    out.push({ name, arch, version: ver?.[1] ?? '', release: ver?.[2] ?? '', href });
  }
  return out.sort((a, b) => (a.name + a.arch < b.name + b.arch ? -1 : 1));
}

/** Names (name.arch) in a repo's arch repodata. */
export function repoPackages(topdir: string, tag: string, repoId: number, arch: string): string[] {
  return readPrimary(join(topdir, 'repos', tag, String(repoId), arch, 'repodata'))
    .map((p) => `${p.name}-${p.version}-${p.release}.${p.arch}`)
    .sort();
}
