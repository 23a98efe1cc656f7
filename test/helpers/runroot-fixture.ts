/**
 * @module
 * A tag whose buildroots come from its repo (dnf --installroot), for the
 * runroot tests and benchmark: its build group is one package holding a
 * shell and the C library copied from the host (x86_64 paths), and the repo
 * also holds `hello` from test/fixtures. The RPMs are built with the host's
 * rpmbuild, uploaded and imported with importRPM as `koji import` does, and
 * tagged; then the repo is generated.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClientSession } from '../../src/client/session.ts';
import { uploadFile } from '../../src/client/upload.ts';
import { ADMIN_PASSWORD, type TestHub } from './hub.ts';

export const HELLO_SPEC = resolve(import.meta.dir, '../fixtures/hello/hello.spec');

/** Name of the build group package. */
export const BASE_PACKAGE = 'kojibox-test-base';

export const BASE_SPEC = `
%global debug_package %{nil}
%global __os_install_post %{nil}
Name: ${BASE_PACKAGE}
Version: 1
Release: 1
Summary: A shell and the C library
License: MIT
AutoReqProv: no
Provides: /bin/sh
%description
The smallest buildroot a shell command runs in.
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/lib/x86_64-linux-gnu %{buildroot}/usr/lib64
cp /bin/dash %{buildroot}/usr/bin/dash
ln -s dash %{buildroot}/usr/bin/sh
cp -L /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 %{buildroot}/usr/lib/x86_64-linux-gnu/
ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 %{buildroot}/usr/lib64/ld-linux-x86-64.so.2
ln -s usr/bin %{buildroot}/bin
ln -s usr/lib %{buildroot}/lib
ln -s usr/lib64 %{buildroot}/lib64
%files
/usr/bin/dash
/usr/bin/sh
/usr/lib/x86_64-linux-gnu/libc.so.6
/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
/usr/lib64/ld-linux-x86-64.so.2
/bin
/lib
/lib64
`;

/** Whether this machine can build the base package (x86_64 Debian/Fedora library paths). */
export function canBuildBase(): boolean {
  return process.arch === 'x64' && Bun.spawnSync(['test', '-e', '/lib/x86_64-linux-gnu/libc.so.6']).exitCode === 0;
}

function rpmbuild(top: string, args: string[]): void {
  const r = Bun.spawnSync(['rpmbuild', '--define', `_topdir ${top}`, ...args], { stderr: 'pipe', stdout: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`rpmbuild ${args.join(' ')}: ${r.stderr.toString()}`);
}

/** Build the base and hello packages under `dir`; returns source RPMs first, then binary ones. */
export function buildFixtureRpms(dir: string): string[] {
  const top = join(dir, 'rpmbuild');
  const spec = join(dir, `${BASE_PACKAGE}.spec`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(spec, BASE_SPEC);
  rpmbuild(top, ['-ba', spec]);
  rpmbuild(top, ['-ba', HELLO_SPEC]);
  const out = join(dir, 'rpms');
  mkdirSync(out, { recursive: true });
  const srpms = readdirSync(join(top, 'SRPMS')).map((f) => join(top, 'SRPMS', f));
  const rpms = readdirSync(join(top, 'RPMS')).flatMap((a) => readdirSync(join(top, 'RPMS', a)).map((f) => join(top, 'RPMS', a, f)));
  return [...srpms, ...rpms].map((p) => {
    const dst = join(out, p.slice(p.lastIndexOf('/') + 1));
    copyFileSync(p, dst);
    return dst;
  });
}

/** Upload and import RPMs as admin (source RPMs must come before their binary RPMs). */
export async function importRpms(hub: TestHub, paths: string[]): Promise<void> {
  const s = new ClientSession(hub.hubUrl);
  await s.login('admin', ADMIN_PASSWORD);
  try {
    for (const [i, path] of paths.entries()) {
      const dir = `cli-import/runroot-${process.pid}-${i}`;
      await uploadFile(s, path, dir, { overwrite: true });
      await s.call('importRPM', dir, path.slice(path.lastIndexOf('/') + 1));
    }
  } finally {
    await s.logout();
  }
}

/**
 * Make `tag` a tag whose build group is the base package, holding base and
 * hello, with a current repo.
 */
export async function setupRepoTag(hub: TestHub, tag: string, arch: string, workDir: string): Promise<void> {
  const ok = async (args: string[]) => {
    const r = await hub.cli(args);
    if (r.code !== 0) throw new Error(`${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  };
  await ok(['add-tag', tag, '--arches', arch]);
  await ok(['add-pkg', '--owner', 'admin', tag, BASE_PACKAGE, 'hello']);
  await importRpms(hub, buildFixtureRpms(workDir));
  await ok(['tag-build', tag, `${BASE_PACKAGE}-1-1`, 'hello-1.0-1']);
  await ok(['add-group', tag, 'build']);
  await ok(['add-group-pkg', tag, 'build', BASE_PACKAGE]);
  await ok(['regen-repo', tag]);
}
