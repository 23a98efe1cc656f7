/**
 * Issue 6 benchmark: wall time of `kojibox runroot TAG ARCH true`, from
 * submitting to the client's exit, on the all-in-one appliance, divided by
 * the wall time of making and running the same bubblewrap sandbox by hand
 * (a shell script: make the tree, run bwrap with `true`, delete the tree).
 * Target: at most 3.
 *
 * Two tags: one whose buildroot is installed from its repo with dnf (by
 * hand: the same dnf --installroot from the same repo URL), and one whose
 * buildroot borrows the host's /usr (by hand: mkdir, bwrap with /usr bound,
 * rm). The first is the case the target is about; the second shows the
 * fixed cost of a task (client start, scheduling, logs) next to a bare
 * sandbox of a few milliseconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { python, startHub, stopHub } from '../helpers/hub.ts';
import { BASE_PACKAGE, canBuildBase, setupRepoTag } from '../helpers/runroot-fixture.ts';
import { hostArch } from '../../src/core/arch.ts';
import { median, report } from './lib.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const ARCH = hostArch();
const HOST = 'aio-builder';

const work = mkdtempSync(join(tmpdir(), 'kojibox-bench-runroot-'));
const hub = await startHub({
  allInOne: true,
  config: { 'koji-hub/hub.conf': '[hub]\nPlugins = runroot_hub\n', 'kojid/kojid.conf': '[kojid]\nplugin = runroot\n' },
});

async function must(args: string[]): Promise<string> {
  const r = await hub.cli(args);
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Median wall time (ms) of `kojibox runroot TAG ARCH true`, after one warm-up run. */
async function timeRunroot(tag: string): Promise<number> {
  await must(['runroot', tag, ARCH, 'true']);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await must(['runroot', tag, ARCH, 'true']);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median wall time (ms) of a shell script, after one warm-up run. */
function timeScript(script: string): number {
  const run = () => {
    const t0 = performance.now();
    const r = Bun.spawnSync(['bash', '-c', script], { stdout: 'pipe', stderr: 'pipe' });
    if (r.exitCode !== 0) throw new Error(`by-hand script failed: ${r.stderr.toString()}${r.stdout.toString()}`);
    return performance.now() - t0;
  };
  run();
  return median(Array.from({ length: RUNS }, run));
}

const BWRAP = [
  'bwrap --unshare-all --share-net --die-with-parent --new-session --bind "$T/root" /',
  '--proc /proc --dev /dev --uid 0 --gid 0 --chdir /builddir --clearenv',
  '--setenv PATH /usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin',
].join(' ');

/** By hand, borrowing the host's /usr: the tree is a few directories and links. */
const HOST_SCRIPT = `
set -e
T=$(mktemp -d ${work}/hand-XXXXXX)
mkdir -p "$T/root/builddir" "$T/root/tmp" "$T/root/etc" "$T/root/usr"
for d in bin sbin lib lib64; do ln -s usr/$d "$T/root/$d"; done
printf 'root:x:0:0:root:/root:/bin/bash\\n' > "$T/root/etc/passwd"
${BWRAP} --ro-bind /usr /usr -- /bin/sh -c true
rm -rf "$T"
`;

/** By hand, from the tag's repo: what mock or a person would do with dnf. */
function repoScript(repoUrl: string): string {
  return `
set -e
T=$(mktemp -d ${work}/hand-XXXXXX)
mkdir -p "$T/root" "$T/repos.d"
cat > "$T/dnf.conf" <<EOF
[main]
cachedir=/var/cache/hand-dnf
reposdir=$T/repos.d
keepcache=0
gpgcheck=0
install_weak_deps=0
metadata_expire=0
[koji]
name=koji
baseurl=${repoUrl}
gpgcheck=0
EOF
dnf -y -q -c "$T/dnf.conf" --installroot "$T/root" --releasever kojibox --disableplugin='*' install ${BASE_PACKAGE} >/dev/null
mkdir -p "$T/root/builddir" "$T/root/tmp"
${BWRAP} -- /bin/sh -c true
rm -rf "$T"
`;
}

try {
  await must(['add-host-to-channel', '--new', HOST, 'runroot']);
  await must(['add-tag', 'bench-host', '--arches', ARCH]);
  const hostMs = await timeRunroot('bench-host');
  const hostHand = timeScript(HOST_SCRIPT);

  if (canBuildBase()) {
    await setupRepoTag(hub, 'bench-repo', ARCH, join(work, 'fixture'));
    const repo = await python(hub.hubUrl, `out(hub.getRepo('bench-repo')['id'])`);
    const repoUrl = `${hub.url}/kojifiles/repos/bench-repo/${repo.json}/${ARCH}`;
    const repoMs = await timeRunroot('bench-repo');
    const repoHand = timeScript(repoScript(repoUrl));
    report('runroot TAG ARCH true, buildroot from the repo (dnf)', repoMs, repoHand, 'ms', '<= 3');
  } else {
    console.log('runroot from the repo: skipped (the base fixture needs x86_64 library paths)');
  }
  report("runroot TAG ARCH true, buildroot on the host's /usr", hostMs, hostHand, 'ms', 'informational: fixed cost of a task vs a bare sandbox');
} finally {
  await stopHub(hub);
  rmSync(work, { recursive: true, force: true });
}
