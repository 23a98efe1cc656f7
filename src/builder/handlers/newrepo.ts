/**
 * @module
 * The newRepo task (createrepo channel), as kojid runs it: host.repoInit
 * makes the repo and its package lists, then each arch gets its repodata
 * from the real createrepo_c (with the tag's comps.xml), and
 * host.repoDone moves it into place and marks the repo READY.
 *
 * Reuse, so a repo that changes little costs little: an arch whose
 * package list, block list, comps and options equal those of an existing
 * READY repo (the tag's own last repo, a `repo.oldrepo_hint` tag's, or a
 * parent's — a new child tag, say) gets that repo's repodata hard-linked;
 * otherwise createrepo_c runs with `--update` over the old repodata, so
 * only new packages are read. The createrepo runs of all arches run side
 * by side inside this task rather than as createrepo subtasks.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { GenericError, ParameterError } from '../../core/faults.ts';
import { kw } from '../../client/session.ts';
import { RefuseTask, type TaskContext, type TaskHandler } from '../handler.ts';
import { repoDir } from '../../hub/repos/paths.ts';
import { linkTree } from '../../hub/repos/link.ts';

type Dict = Record<string, unknown>;

interface OldRepo {
  id: number;
  path: string;
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

const readText = (p: string): string | null => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};

/** The options of a repo as repo.json records them (maven is handled by the hub). */
function jsonOpts(path: string): Dict | null {
  const text = readText(join(path, 'repo.json'));
  if (text === null) return null;
  try {
    const j = JSON.parse(text) as Dict;
    return { src: Boolean(j.with_src), separate_src: Boolean(j.with_separate_src), debuginfo: Boolean(j.with_debuginfo) };
  } catch {
    return null;
  }
}

/** Repo-level check (kojid's check_repo): same options and same comps. */
function sameRepoSetup(oldPath: string, newPath: string): boolean {
  const a = jsonOpts(oldPath);
  const b = jsonOpts(newPath);
  if (!a || !b || JSON.stringify(a) !== JSON.stringify(b)) return false;
  return readText(join(oldPath, 'groups', 'comps.xml')) === readText(join(newPath, 'groups', 'comps.xml'));
}

/** Arch-level check (kojid's check_arch_repo): same pkglist and blocklist, and repodata to take. */
function sameArchContent(oldPath: string, newPath: string, arch: string): boolean {
  for (const f of ['pkglist', 'blocklist']) {
    const a = readText(join(oldPath, arch, f));
    if (a === null || a !== readText(join(newPath, arch, f))) return false;
  }
  return existsSync(join(oldPath, arch, 'repodata', 'repomd.xml'));
}

/**
 * createrepo_c's reader threads: its default of 5, or one per CPU on
 * smaller machines, where more threads only contend (15% slower on 2).
 */
export function workerArgs(): string[] {
  const n = availableParallelism();
  return n < 5 ? ['--workers', String(n)] : [];
}

async function run(cmd: string[], logfile: string, signal: AbortSignal): Promise<number> {
  const fd = openSync(logfile, 'a');
  try {
    writeFileSync(fd, `$ ${cmd.join(' ')}\n`);
    const proc = Bun.spawn(cmd, { stdout: fd, stderr: fd, stdin: 'ignore', env: { ...process.env, LANG: 'C.UTF-8' } });
    const onAbort = () => proc.kill();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await proc.exited;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  } finally {
    closeSync(fd);
  }
}

/** The handler's arguments: the 1.35 form (tag, event, opts) or the legacy flags. */
function parseArgs(params: unknown[], kwargs: Dict): { tag: unknown; event: number | null; opts: Dict | null } {
  const names = ['tag', 'event', 'src', 'debuginfo', 'separate_src', 'opts'];
  const a: Dict = {};
  params.forEach((v, i) => {
    if (i >= names.length) throw ParameterError(`newRepo takes at most ${names.length} arguments`);
    a[names[i]!] = v;
  });
  for (const [k, v] of Object.entries(kwargs)) {
    if (!names.includes(k)) throw ParameterError(`newRepo() got an unexpected keyword argument '${k}'`);
    a[k] = v;
  }
  if (a.tag === undefined) throw ParameterError("newRepo() missing required argument: 'tag'");
  const legacy: Dict = {};
  for (const k of ['src', 'debuginfo', 'separate_src']) if (a[k] !== undefined && a[k] !== null) legacy[k] = Boolean(a[k]);
  let opts = (a.opts ?? null) as Dict | null;
  if (Object.keys(legacy).length) {
    if (opts !== null) throw ParameterError('opts parameter cannot be combined with legacy options');
    opts = legacy;
  }
  const event = a.event === undefined || a.event === null ? null : Number(a.event);
  return { tag: a.tag, event, opts };
}

/** Hint tags (`repo.oldrepo_hint`, one or a list) and parents, nearest first: where old repodata may come from. */
function candidateTags(tinfo: Dict, parents: Dict[]): unknown[] {
  const raw = ((tinfo.extra ?? {}) as Dict)['repo.oldrepo_hint'];
  const hints = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const byDepth = [...parents].sort((x, y) => Number(x.currdepth) - Number(y.currdepth));
  return [...hints, ...byDepth.map((l) => l.parent_id)];
}

function toOldRepo(topdir: string, repo: unknown): OldRepo | null {
  if (!repo || repo instanceof Error || typeof (repo as Dict).id !== 'number') return null;
  const r = repo as Dict;
  return { id: r.id as number, path: repoDir(topdir, String(r.tag_name), r.id as number) };
}

interface ArchResult {
  files: string[];
  cloned: boolean;
}

async function createrepoArch(
  task: TaskContext,
  arch: string,
  repoPath: string,
  outdir: string,
  old: OldRepo | null,
  logfile: string,
): Promise<ArchResult> {
  const archdir = join(repoPath, arch);
  const datadir = join(outdir, 'repodata');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const pkglistPath = join(archdir, 'pkglist');
  const empty = statSync(pkglistPath).size === 0;
  // no sqlite databases: dnf reads the XML metadata only, and making them doubles createrepo_c's time
  const cmd = [task.config.use_createrepo_c ? 'createrepo_c' : 'createrepo', '--error-exit-val', '--no-database', ...workerArgs(), '-o', outdir];
  if (!empty) cmd.push('-i', pkglistPath);
  const comps = join(repoPath, 'groups', 'comps.xml');
  if (existsSync(comps)) cmd.push('-g', comps);
  if (!empty && old && task.config.createrepo_update) {
    const olddata = join(old.path, arch, 'repodata');
    if (isDir(olddata)) {
      // hard links are safe: createrepo_c writes new files and swaps the directory
      linkTree(olddata, datadir);
      rmSync(join(datadir, 'pkgorigins.gz'), { force: true });
      cmd.push('--update');
      if (task.config.createrepo_skip_stat) cmd.push('--skip-stat');
    } else task.logger.warn(`old repodata is missing: ${olddata}`);
  }
  cmd.push(empty ? outdir : archdir);
  const code = await run(cmd, logfile, task.signal);
  task.checkAborted();
  if (code !== 0) throw GenericError(`failed to create repo: ${cmd.join(' ')} exited with status ${code}`);
  if (empty) writeFileSync(join(datadir, 'EMPTY_REPO'), 'This repo is empty because its tag has no content for this arch\n');
  return { files: readdirSync(datadir).filter((f) => statSync(join(datadir, f)).isFile()), cloned: false };
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export const newRepoHandler: TaskHandler = {
  methods: ['newRepo'],
  weight: 0.1,
  async run(task, params, kwargs) {
    const { tag, event, opts } = parseArgs(params, kwargs);
    const topdir = task.config.topdir;
    if (!topdir || !isDir(join(topdir, 'repos'))) throw new RefuseTask(`No access to repos dir ${topdir ? join(topdir, 'repos') : '(no topdir set)'}`);
    const s = task.session;
    // the tag and where old repodata may be, then the repo itself: two round trips (kojid's get_old_repo and repoInit)
    const [tinfoR, ownR, parentsR] = await s.multiCall([
      ['getTag', tag, kw({ strict: true, event })],
      ['getRepo', tag],
      ['getFullInheritance', tag],
    ], true);
    const tinfo = tinfoR as Dict;
    const others = candidateTags(tinfo, Array.isArray(parentsR) ? (parentsR as Dict[]) : []);
    const initKw: Dict = { opts, task_id: task.id };
    if (event !== null) initKw.event = event;
    const [initR, ...otherRepos] = await s.multiCall([
      ['host.repoInit', tinfo.id, kw(initKw)],
      ...others.map((t) => ['getRepo', t] as [string, ...unknown[]]),
    ]);
    if (initR instanceof Error) throw initR;
    const [repoId, eventId] = initR as [number, number];
    otherRepos.forEach((r, i) => {
      if (r instanceof Error) task.logger.warn(`no old repo from ${String(others[i])}: ${r.message}`);
    });
    const repoPath = repoDir(topdir, String(tinfo.name), repoId);
    if (!isDir(repoPath)) throw GenericError(`Repo directory missing: ${repoPath}`);
    const arches = readdirSync(repoPath).filter((f) => f !== 'groups' && existsSync(join(repoPath, f, 'pkglist')));

    const candidates = [ownR, ...otherRepos].map((r) => toOldRepo(topdir, r)).filter((r): r is OldRepo => r !== null);
    const cloneFrom = candidates.find((c) => c.id !== repoId && isDir(c.path) && sameRepoSetup(c.path, repoPath)) ?? null;
    const updateFrom = candidates.find((c) => c.id !== repoId && isDir(c.path)) ?? null;

    // write where the hub moves files from when its work dir is ours too; else upload
    const workdir = join(topdir, 'work');
    const direct = writable(workdir);
    const stageRoot = direct ? join(workdir, task.uploadPath) : join(task.workdir, 'stage');
    const logfile = join(task.workdir, 'createrepo.log');
    mkdirSync(task.workdir, { recursive: true });

    const results = await Promise.all(
      arches.map(async (arch): Promise<[string, ArchResult]> => {
        const outdir = join(stageRoot, `repo-${arch}`);
        if (cloneFrom && sameArchContent(cloneFrom.path, repoPath, arch)) {
          rmSync(outdir, { recursive: true, force: true });
          task.logger.info(`Reusing repodata of repo ${cloneFrom.id} for ${arch}`);
          return [arch, { files: linkTree(join(cloneFrom.path, arch, 'repodata'), join(outdir, 'repodata')), cloned: true }];
        }
        return [arch, await createrepoArch(task, arch, repoPath, outdir, updateFrom, logfile)];
      }),
    );

    const data: Dict = {};
    for (const [arch, r] of results) {
      const rel = `repo-${arch}/repodata`;
      if (!direct) {
        for (const f of r.files) await task.uploadFile(join(stageRoot, rel, f), { relPath: rel });
      }
      data[arch] = [`${task.uploadPath}/${rel}`, r.files];
    }
    if (existsSync(logfile)) await task.uploadFile(logfile);
    const cloned = results.filter(([, r]) => r.cloned).map(([a]) => a);
    const doneKw: Dict = {};
    if (cloned.length && cloneFrom) doneKw.repo_json_updates = { cloned_from_repo_id: cloneFrom.id, cloned_archs: cloned };
    await s.call('host.repoDone', repoId, data, kw(doneKw));
    if (direct) for (const [arch] of results) rmSync(join(stageRoot, `repo-${arch}`), { recursive: true, force: true });
    return [repoId, eventId];
  },
};
