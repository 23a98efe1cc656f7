/**
 * Issue 5 benchmark: wall time of `kojibox add-sidetag BASE --wait` (the
 * client process from start to exit, with login, createSideTag and the wait
 * for the sidetag's READY repo) on a base tag holding 1,000 RPMs whose repo
 * is current, divided by the time of one `createrepo_c` run over the same
 * RPMs. Target: under 0.25 (the sidetag repo reuses the base's repodata
 * instead of rebuilding it). Runs the all-in-one hub and builder.
 *
 * The RPMs (noarch subpackages of two source packages, built with
 * rpmbuild) are cached in the temp dir between runs. Each carries one file
 * of BENCH_SIDETAG_RPM_KB (default 256) KiB of random bytes, so the RPMs
 * are about that size: createrepo_c checksums every RPM whole, so its time
 * depends on their size, and RPMs of a few KiB (0 here) would measure
 * little more than its per-file overhead. Real packages are mostly bigger.
 * BENCH_SIDETAG_RPMS changes the count; BENCH_TRIALS the number of timed
 * runs (median).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, python, startHub, stopHub } from '../helpers/hub.ts';
import { median, report } from './lib.ts';

const COUNT = Number(process.env.BENCH_SIDETAG_RPMS ?? 1000);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const PAYLOAD_KB = Number(process.env.BENCH_SIDETAG_RPM_KB ?? 256);
const SOURCES = 2;

function spec(name: string, from: number, to: number): string {
  const out = [
    '%global __os_install_post %{nil}',
    '%global debug_package %{nil}',
    `Name: ${name}`, 'Version: 1.0', 'Release: 1', 'Summary: kojibox sidetag benchmark', 'License: MIT', 'BuildArch: noarch', 'AutoReqProv: no',
    '%description', 'Benchmark content.', '',
  ];
  for (let i = from; i <= to; i++) {
    const n = String(i).padStart(4, '0');
    out.push(`%package -n bench-sub-${n}`, 'AutoReqProv: no', `Summary: sub ${n}`, `%description -n bench-sub-${n}`, `Subpackage ${n}.`);
    out.push(`%files -n bench-sub-${n}`, `/usr/share/bench/${n}`, '');
  }
  out.push('%prep', '%build', '%install', 'mkdir -p %{buildroot}/usr/share/bench');
  const fill = PAYLOAD_KB > 0 ? `head -c ${PAYLOAD_KB}K /dev/urandom` : 'echo "$i"';
  out.push(`for i in $(seq ${from} ${to}); do f=$(printf %04d $i); ${fill} > %{buildroot}/usr/share/bench/$f; done`, '');
  return out.join('\n');
}

/** A directory with COUNT binary RPMs and their source RPMs, built once and kept. */
async function benchRpms(): Promise<string> {
  const dir = join(tmpdir(), `kojibox-bench-sidetag-rpms-${COUNT}x${PAYLOAD_KB}k`);
  const ready = join(dir, 'READY');
  if (existsSync(ready)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`building ${COUNT} RPMs of ~${PAYLOAD_KB} KiB with rpmbuild (once; cached in ${dir})...`);
  const per = Math.ceil(COUNT / SOURCES);
  const jobs = Array.from({ length: SOURCES }, async (_, k) => {
    const top = join(dir, `top${k}`);
    const specFile = join(dir, `bench${k}.spec`);
    writeFileSync(specFile, spec(`benchsrc${k}`, k * per + 1, Math.min(COUNT, (k + 1) * per)));
    const p = Bun.spawn(['rpmbuild', '-ba', '--define', `_topdir ${top}`, '--define', '_binary_payload w1.gzdio', specFile], { stdout: 'ignore', stderr: 'pipe' });
    const err = await new Response(p.stderr).text();
    if ((await p.exited) !== 0) throw new Error(`rpmbuild failed: ${err.slice(-2000)}`);
    for (const sub of ['SRPMS', 'RPMS/noarch']) {
      for (const f of readdirSync(join(top, sub))) copyFileSync(join(top, sub, f), join(dir, f));
    }
    rmSync(top, { recursive: true, force: true });
  });
  await Promise.all(jobs);
  writeFileSync(ready, '');
  return dir;
}

function rpmFiles(dir: string): { srpms: string[]; rpms: string[] } {
  const all = readdirSync(dir).filter((f) => f.endsWith('.rpm'));
  return { srpms: all.filter((f) => f.endsWith('.src.rpm')), rpms: all.filter((f) => !f.endsWith('.src.rpm')) };
}

function createrepoSeconds(rpmDir: string): number {
  const work = mkdtempSync(join(tmpdir(), 'kojibox-bench-createrepo-'));
  for (const f of rpmFiles(rpmDir).rpms) copyFileSync(join(rpmDir, f), join(work, f));
  const times: number[] = [];
  // one untimed run first, so no run pays for reading the fresh copies from disk
  for (let i = -1; i < TRIALS; i++) {
    rmSync(join(work, 'repodata'), { recursive: true, force: true });
    const t0 = performance.now();
    const p = Bun.spawnSync(['createrepo_c', '--quiet', work]);
    if (p.exitCode !== 0) throw new Error(`createrepo_c failed: ${p.stderr.toString()}`);
    if (i >= 0) times.push((performance.now() - t0) / 1000);
  }
  rmSync(work, { recursive: true, force: true });
  return median(times);
}

async function admin(hubUrl: string, code: string): Promise<unknown> {
  const r = await python(hubUrl, `p = login('admin', ${JSON.stringify(ADMIN_PASSWORD)})\n${code}`);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.json;
}

const rpmDir = await benchRpms();
const { srpms, rpms } = rpmFiles(rpmDir);
if (rpms.length !== COUNT) throw new Error(`expected ${COUNT} RPMs in ${rpmDir}, found ${rpms.length}`);
const hub = await startHub({ allInOne: true, config: { 'koji-hub/hub.conf': '[hub]\nPlugins = sidetag_hub\n' } });
try {
  const upload = join(hub.dataDir, 'topdir', 'work', 'bench-import');
  mkdirSync(upload, { recursive: true });
  for (const f of [...srpms, ...rpms]) copyFileSync(join(rpmDir, f), join(upload, f));
  console.log(`importing ${rpms.length} RPMs into f30-build and waiting for its repo...`);
  await admin(hub.hubUrl, `
import time
p.createTag('f30-build', kw(arches='x86_64'))
def mc(calls):
    for r in p.multiCall(calls):
        if isinstance(r, dict):
            raise Exception(r['faultString'])
mc([{'methodName': 'importRPM', 'params': ['bench-import', f]} for f in ${JSON.stringify(srpms)}])
mc([{'methodName': 'importRPM', 'params': ['bench-import', f]} for f in ${JSON.stringify(rpms)}])
builds = [p.getBuild(f[:-len('.src.rpm')]) for f in ${JSON.stringify(srpms)}]
mc([{'methodName': 'packageListAdd', 'params': ['f30-build', b['name'], 'admin']} for b in builds])
mc([{'methodName': 'tagBuildBypass', 'params': ['f30-build', b['id']]} for b in builds])
p.createBuildTarget('f30', 'f30-build', 'f30-build')
req = p.repo.request('f30-build', kw(min_event='last'))
deadline = time.time() + 1800
while not req['repo']:
    if time.time() > deadline:
        raise Exception('no repo for f30-build after 30 minutes')
    time.sleep(0.5)
    req = p.repo.checkRequest(req['request']['id'])
    if not req['repo'] and not req['request']['active']:
        raise Exception('repo request for f30-build failed: %r' % req)
out(req['repo']['id'])
`);
  const waits: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const t0 = performance.now();
    const r = await hub.cli(['add-sidetag', 'f30-build', '--wait']);
    const t = (performance.now() - t0) / 1000;
    if (r.code !== 0 || !/Successfully waited/.test(r.stdout)) throw new Error(`add-sidetag --wait failed: ${r.stdout}${r.stderr}`);
    waits.push(t);
  }
  const baseline = createrepoSeconds(rpmDir);
  const mib = rpms.reduce((n, f) => n + statSync(join(rpmDir, f)).size, 0) / 2 ** 20;
  console.log(`add-sidetag --wait runs: ${waits.map((w) => w.toFixed(3)).join(' ')} s; createrepo_c over ${COUNT} RPMs (${mib.toFixed(0)} MiB): ${baseline.toFixed(3)} s`);
  report(`add-sidetag --wait on a base tag with ${COUNT} RPMs / one createrepo_c run`, median(waits) * 1000, baseline * 1000, 'ms', '< 0.25');
} finally {
  await stopHub(hub);
}
