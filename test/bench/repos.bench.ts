/**
 * @module
 * Repo regeneration against createrepo_c alone, on a tag of 1,000 small
 * RPMs (10 builds of 100 noarch packages, built once with rpmbuild and
 * cached). Each kojibox measurement is end to end, as a client sees it: a
 * repo request (`repo.request(force=True)`) followed by the RepoWatcher
 * that `wait-repo --request` uses until the repo is READY, so it includes
 * the hub's repo_init, task scheduling, the builder, createrepo_c and
 * repoDone. Baselines run `createrepo_c` on a directory
 * of the same RPM files, interleaved with the kojibox runs.
 *
 * (a) the first repo of a tag (nothing to reuse: a full createrepo_c
 *     inside), target ratio <= 1.3; also a regeneration after one more
 *     build was tagged (createrepo_c --update from the previous repo);
 * (b) a new empty child tag of that tag (its parent's repodata is reused),
 *     target ratio < 0.2.
 *
 * REPO_BENCH_RUNS sets the samples per measurement (default 5);
 * REPO_BENCH_CACHE where the RPMs are kept between runs.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, report } from './lib.ts';
import { startHub, stopHub } from '../helpers/hub.ts';
import { adminSession, buildTiny, importBuilt, TINY_SPEC, type BuiltRpms } from '../helpers/repo-fixtures.ts';
import { kw, type ClientSession } from '../../src/client/session.ts';
import { RepoWatcher } from '../../src/client/wait-repo.ts';
import { workerArgs } from '../../src/builder/handlers/newrepo.ts';

const RUNS = Number(process.env.REPO_BENCH_RUNS ?? 5);
const BUILDS = 10;
const PER_BUILD = 100;
const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';

type Dict = Record<string, unknown>;

/** The fixture builds, from the cache when the spec has not changed. */
async function fixtureBuilds(): Promise<BuiltRpms[]> {
  const specHash = new Bun.CryptoHasher('sha256').update(await Bun.file(TINY_SPEC).text()).digest('hex').slice(0, 12);
  const cache = process.env.REPO_BENCH_CACHE ?? join(tmpdir(), `kojibox-repo-bench-${specHash}`);
  const names = Array.from({ length: BUILDS }, (_, i) => `bench${i}`);
  const done = join(cache, 'complete.json');
  if (existsSync(done)) return JSON.parse(await Bun.file(done).text()) as BuiltRpms[];
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  console.log(`building ${BUILDS * PER_BUILD} RPMs with rpmbuild into ${cache} (once)...`);
  const out: BuiltRpms[] = [];
  // two rpmbuilds at a time: most of their time is spent compressing payloads
  for (let i = 0; i < names.length; i += 2) {
    out.push(...(await Promise.all(names.slice(i, i + 2).map((name) => buildTiny({ name, subpkgs: PER_BUILD - 1 }, cache)))));
  }
  out.push(await buildTiny({ name: 'benchextra' }, cache));
  writeFileSync(done, JSON.stringify(out));
  return out;
}

function time(cmd: string[]): number {
  const t0 = performance.now();
  const p = Bun.spawnSync(cmd, { stdout: 'ignore', stderr: 'pipe' });
  if (p.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed: ${p.stderr.toString()}`);
  return performance.now() - t0;
}

/** createrepo_c over a plain directory of the RPMs; returns ms. */
function baseline(dir: string, args: string[]): number {
  rmSync(join(dir, 'repodata'), { recursive: true, force: true });
  return time(['createrepo_c', ...args, dir]);
}

/**
 * A forced repo request, followed as `wait-repo --request` follows it (the
 * RepoWatcher: repo.checkRequest, waitTaskChange on its newRepo task);
 * returns ms and the repo.
 */
async function regen(s: ClientSession, tag: string): Promise<{ ms: number; repo: Dict; taskMs: number }> {
  const t0 = performance.now();
  const w0 = Date.now() / 1000;
  const watcher = await RepoWatcher.create(s, tag, { pause: 5, timeout: 5 });
  const r = await s.call<{ request: Dict }>('repo.request', tag, kw({ min_event: 'last', force: true }));
  const repo = await watcher.waitRequest(r.request);
  const ms = performance.now() - t0;
  const info = await s.call<Dict>('repoInfo', repo.id);
  const taskMs = ((info.state_ts as number) - (info.creation_ts as number)) * 1000;
  if (process.env.REPO_BENCH_PHASES) {
    const rel = (x: unknown) => (((x as number) - w0) * 1000).toFixed(0);
    // the hub makes some repos itself (reused repodata): no task then
    const task = repo.task_id ? await s.call<Dict>('getTaskInfo', repo.task_id) : null;
    const taskPart = task ? `task created ${rel(task.create_ts)} started ${rel(task.start_ts)} ` : 'no task ';
    console.log(`  ${tag}: ${taskPart}repoInit ${rel(info.creation_ts)} ready ${rel(info.state_ts)} seen ${ms.toFixed(0)} ms`);
  }
  return { ms, repo, taskMs };
}

const builds = await fixtureBuilds();
const main = builds.filter((b) => b.nvr.startsWith('bench') && !b.nvr.startsWith('benchextra'));
const extra = builds.find((b) => b.nvr.startsWith('benchextra'))!;
const rpmCount = main.reduce((n, b) => n + b.rpms.length, 0);

const plain = mkdtempSync(join(tmpdir(), 'repo-bench-plain-'));
for (const b of main) for (const f of b.rpms) cpSync(f, join(plain, f.split('/').pop()!));

const hub = await startHub({ allInOne: true });
try {
  const s = await adminSession(hub);
  const pkgNames = [...main, extra].map((b) => b.nvr.replace(/-[^-]+-[^-]+$/, ''));
  for (const b of [...main, extra]) await importBuilt(hub, s, b);
  const tags = Array.from({ length: RUNS }, (_, i) => `big${i}`);
  for (const tag of tags) {
    await s.call('createTag', tag, kw({ arches: ARCH }));
    await s.multiCall(pkgNames.map((p) => ['packageListAdd', tag, p, kw({ owner: 'admin' })] as [string, ...unknown[]]), true);
    await s.call('massTag', tag, main.map((b) => b.nvr));
  }
  console.log(`tag of ${rpmCount} RPMs in ${main.length} builds, ${RUNS} samples each`);
  // createrepo_c as kojibox runs it (same output, same threads), and as a user would by default
  const SAME = ['--no-database', ...workerArgs()];
  // warm the page cache and the builder before measuring
  baseline(plain, SAME);

  // each kojibox run is paired with a createrepo_c run just before it, so
  // load from elsewhere on the machine hits both sides of a ratio alike
  const base: number[] = [];
  const baseDb: number[] = [];
  const first: number[] = [];
  const firstTask: number[] = [];
  for (const tag of tags) {
    baseDb.push(baseline(plain, []));
    base.push(baseline(plain, SAME));
    const r = await regen(s, tag);
    first.push(r.ms);
    firstTask.push(r.taskMs);
  }
  const updateBase: number[] = [];
  const update: number[] = [];
  for (const tag of tags) {
    await s.call('tagBuildBypass', tag, extra.nvr);
    updateBase.push(baseline(plain, SAME));
    update.push((await regen(s, tag)).ms);
  }
  const childBase: number[] = [];
  const child: number[] = [];
  for (const [i, tag] of tags.entries()) {
    await s.call('createTag', `side${i}`, kw({ parent: tag, arches: ARCH }));
    childBase.push(baseline(plain, SAME));
    child.push((await regen(s, `side${i}`)).ms);
  }
  await s.logout();

  const paired = (xs: number[], bs: number[]) => median(xs.map((x, i) => x / bs[i]!));
  const line = (name: string, xs: number[], bs: number[], target: string) => {
    report(name, median(xs), median(bs), 'ms', target);
    console.log(`    median of the ${xs.length} paired ratios: ${paired(xs, bs).toFixed(3)}`);
  };
  console.log(`createrepo_c ${SAME.join(' ')} (as kojibox runs it): median ${median(base).toFixed(0)} ms; createrepo_c with its defaults (sqlite databases too): median ${median(baseDb).toFixed(0)} ms`);
  console.log(`kojibox first repo: median ${median(first).toFixed(0)} ms end to end, of which repoInit to READY ${median(firstTask).toFixed(0)} ms`);
  line(`(a) first repo of a ${rpmCount}-RPM tag / createrepo_c`, first, base, '<= 1.3');
  line(`(a) first repo of a ${rpmCount}-RPM tag / createrepo_c with its defaults`, first, baseDb, '<= 1.3');
  line('(a) regeneration after tagging one build / createrepo_c', update, updateBase, '<= 1.3');
  line('(b) new empty child tag / createrepo_c', child, childBase, '< 0.2');
} finally {
  await stopHub(hub);
  rmSync(plain, { recursive: true, force: true });
}
