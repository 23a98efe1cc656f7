/**
 * Issue 4 benchmark (c): wall time of a one-package build on the
 * all-in-one appliance — `kojibox build <target> pkg.src.rpm --wait`, from
 * upload to the client's exit: rebuildSRPM, buildArch in a bubblewrap
 * buildroot, import, tagging — divided by plain `rpmbuild --rebuild` of the
 * same SRPM on the same machine. Target: at most 1.5.
 *
 * The package (test/fixtures/bench/benchpkg.spec) compiles generated C for
 * a few seconds, as a small real package does; BENCH_FUNCS sets its size
 * (default 600 functions), BENCH_RUNS the number of measured builds.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startHub, stopHub } from '../helpers/hub.ts';
import { hostArch } from '../../src/core/arch.ts';
import { median, report } from './lib.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FUNCS = Number(process.env.BENCH_FUNCS ?? 600);
const SPEC = readFileSync(resolve(import.meta.dir, '../fixtures/bench/benchpkg.spec'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'kojibox-bench-build-'));

/** An SRPM of the bench package with this release (each kojibox build needs a new NVR). */
function srpm(release: number): string {
  const top = join(work, `srpm-${release}`);
  const spec = join(work, `benchpkg-${release}.spec`);
  writeFileSync(spec, SPEC.replace(/^Release:\s+1$/m, `Release:        ${release}`).replace('%global bench_funcs 600', `%global bench_funcs ${FUNCS}`));
  const r = Bun.spawnSync(['rpmbuild', '--define', `_topdir ${top}`, '-bs', spec], { stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return join(top, 'SRPMS', readdirSync(join(top, 'SRPMS'))[0]!);
}

/** Wall time (ms) of plain rpmbuild --rebuild of an SRPM in a fresh topdir. */
function timeRpmbuild(path: string, n: number): number {
  const top = join(work, `plain-${n}`);
  const t0 = performance.now();
  const r = Bun.spawnSync(['rpmbuild', '--define', `_topdir ${top}`, '--rebuild', path], { stdout: 'pipe', stderr: 'pipe' });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  rmSync(top, { recursive: true, force: true });
  return ms;
}

const hub = await startHub({ allInOne: true });
try {
  const must = async (args: string[]) => {
    const r = await hub.cli(args);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  await must(['add-tag', 'bench']);
  await must(['add-tag', 'bench-build', '--parent', 'bench', '--arches', hostArch()]);
  await must(['add-target', 'bench-candidate', 'bench-build', 'bench']);
  await must(['add-pkg', '--owner', 'admin', 'bench', 'benchpkg']);

  // warm-up: the first build also waits for the build tag's first repo
  await must(['build', 'bench-candidate', srpm(1), '--wait', '--noprogress', '--quiet']);
  const kojibox: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const path = srpm(i + 2);
    plain.push(timeRpmbuild(path, i));
    const t0 = performance.now();
    await must(['build', 'bench-candidate', path, '--wait', '--noprogress', '--quiet']);
    kojibox.push(performance.now() - t0);
  }
  report(`build (c): one-package build, ${FUNCS} functions, median of ${RUNS}`, median(kojibox), median(plain), 'ms', '<= 1.5');
} finally {
  await stopHub(hub);
  rmSync(work, { recursive: true, force: true });
}
