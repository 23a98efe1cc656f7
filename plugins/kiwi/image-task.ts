/**
 * @module
 * The createKiwiImage task: one image for one arch. It makes a buildroot
 * from the build tag's repo with the `kiwi-build` group (or `kiwi`, as the
 * seed's setup names it), with network (as Koji's setup_dns) and, when the
 * tag says `mock.new_chroot=False`, the builder's /dev; checks the
 * description out into it (allowed SCMs only); optionally runs `make prep`;
 * writes the prepared description (includes resolved, repositories
 * replaced, version and release version set) as `<name>.<arch>.kiwi`;
 * runs `kiwi-ng system build` and `kiwi-ng result bundle` as root inside,
 * uploading kiwi's logs while they grow; uploads the bundle and returns
 * the image data, with the package list read from the bundle's
 * `.packages` file.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { LiveLog, TaskContext, TaskHandler } from '../../src/builder/handler.ts';
import { GenericError } from '../../src/core/faults.ts';
import { canonArch, hostArch } from '../../src/core/arch.ts';
import { kw } from '../../src/client/session.ts';
import type { RunOptions } from '../../src/builder/buildroot/backend.ts';
import { TaskBuildroot, topUrl } from '../../src/builder/buildroot/task-buildroot.ts';
import { exitText, namedArgs, optsOf } from '../../src/builder/handlers/build-common.ts';
import { prepareDescription, preparedName } from './description.ts';
import { checkoutDescription, descriptionFault, descriptionFile, includeReader } from './checkout.ts';
import { BUNDLE_DIR, buildLogPath, bundleLogPath, descriptionDir, resultBundleArgs, systemBuildArgs, type KiwiOpts } from './commands.ts';
import { parsePackageList, PackageListError, type ImagePackage } from './packages.ts';
import './signatures.ts';

type Dict = Record<string, unknown>;

/** The install groups a kiwi buildroot is made with, in order of preference. */
const INSTALL_GROUPS = ['kiwi-build', 'kiwi'];

/** setarch names for buildroot arches whose uname differs from the canonical arch. */
const SETARCH_NAMES: Record<string, string> = { i386: 'i686', armhfp: 'armv7l', arm: 'armv7l' };

/** The personality to run kiwi with, so it sees the image's arch (none for the host's own). */
function personality(arch: string): string | undefined {
  if (canonArch(arch) === canonArch(hostArch())) return undefined;
  return SETARCH_NAMES[arch] ?? arch;
}

/**
 * The group a kiwi buildroot installs: `kiwi-build` (Koji's builder and
 * its docs) when the tag has it, else `kiwi` (the seed's setup) when it
 * has that, else `kiwi-build` (none: the buildroot uses the host's /usr).
 */
export function chooseInstallGroup(groups: Dict[]): string {
  const names = new Set(groups.filter((g) => !g.blocked).map((g) => String(g.name)));
  return INSTALL_GROUPS.find((g) => names.has(g)) ?? INSTALL_GROUPS[0]!;
}

async function installGroup(task: TaskContext, tag: number, event: number): Promise<string> {
  return chooseInstallGroup(await task.session.call<Dict[]>('getTagGroups', tag, kw({ event })));
}

/**
 * Copy what a program appends to a file inside the buildroot into a task
 * log, every second and once more at the end, so the log can be watched
 * while kiwi works (Koji symlinks it into mock's result dir for that).
 */
function follow(hostFile: string, log: LiveLog): { stop(): Promise<void> } {
  let offset = 0;
  const pump = () => {
    if (!existsSync(hostFile)) return;
    const size = statSync(hostFile).size;
    if (size <= offset) return;
    const fd = openSync(hostFile, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      const n = readSync(fd, buf, 0, buf.length, offset);
      offset += n;
      log.write(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  };
  const timer = setInterval(() => {
    pump();
    void log.flush();
  }, 1000);
  return {
    async stop() {
      clearInterval(timer);
      pump();
      await log.close();
    },
  };
}

/**
 * How kiwi runs: always as root with network (kiwi installs packages);
 * `privileged` is the seed's "chroot, not container" (tag extra
 * mock.new_chroot=False): no user namespace and the builder's /dev, which
 * debootstrap (mknod) and disk images (loop devices) need. The buildroot
 * backend honours it when the builder runs as root.
 */
type KiwiRun = Omit<RunOptions, 'logfile'> & { cwd: string; privileged: boolean };

/** Run kiwi-ng inside with its output in `out` and its own log file followed into `followed`. */
async function runKiwi(br: TaskBuildroot, task: TaskContext, what: string, cmd: string[], out: LiveLog, followed: string, insideLog: string, run: KiwiRun): Promise<void> {
  const f = follow(br.hostPath(insideLog), task.openLog(followed));
  let code: number;
  try {
    out.write(`+ ${cmd.join(' ')}\n`);
    const opts: KiwiRun = { ...run, asRoot: true, network: true };
    code = await br.run(cmd, out, opts);
  } finally {
    await f.stop();
  }
  if (code !== 0) throw GenericError(`Kiwi failed: ${exitText(what, code, `${followed} and ${basename(out.path)}`)}`);
}

/** The package list of the image from the bundle's `.packages` file ([] with a warning when there is none). */
function packageList(task: TaskContext, bundleDir: string, files: string[]): ImagePackage[] {
  const file = files.find((f) => f.endsWith('.packages'));
  if (!file) {
    task.logger.warn('the bundle has no .packages file: no package list is recorded for the image');
    return [];
  }
  try {
    return parsePackageList(readFileSync(join(bundleDir, file), 'utf8'), file);
  } catch (err) {
    if (err instanceof PackageListError) throw GenericError(`Cannot read the image's package list: ${err.message}`);
    throw err;
  }
}

async function createKiwiImage(task: TaskContext, params: unknown[], kwargs: Record<string, unknown>): Promise<Dict> {
  const a = namedArgs('createKiwiImage', params, kwargs);
  const opts = optsOf(a.opts);
  const target = optsOf(a.target_info);
  const repoInfo = optsOf(a.repo_info);
  const arch = String(a.arch);
  const name = String(a.name);
  const version = String(a.version);
  const release = String(a.release);
  const scratch = Boolean(opts.scratch);
  const buildTag = target.build_tag as number;
  const repoId = Number(repoInfo.id);
  const repo = await task.session.call<Dict>('repoInfo', repoId, kw({ strict: true }));

  const group = await installGroup(task, buildTag, repo.create_event as number);
  const br = await TaskBuildroot.create(task, { tag: buildTag, arch, repoId, installGroup: group, network: true });
  const kiwiLog = task.openLog(`kiwi-ng.${arch}.log`);
  try {
    const tmp = task.config.chroot_tmpdir.replace(/\/+$/, '') || '/chroot_tmpdir';
    const scmdir = br.hostPath(tmp);
    mkdirSync(scmdir, { recursive: true });
    const checkout = await checkoutDescription(task, String(a.desc_url), scratch, scmdir, `checkout-${arch}.log`);
    const descPath = String(a.desc_path);
    const descFile = descriptionFile(checkout, descPath);
    const inside = (p: string) => `/${relative(br.hostPath('/'), p)}`;
    const run: KiwiRun = { cwd: tmp, personality: personality(br.arch), privileged: Boolean(opts.mount_dev) };
    if (run.privileged) task.logger.info("tag extra mock.new_chroot=False: kiwi asks the buildroot for the old chroot mode (real root, no user namespace, the builder's /dev)");
    await br.setState('BUILDING');

    if (opts.make_prep) {
      const prep: KiwiRun = { ...run, cwd: inside(dirname(descFile)), asRoot: true, network: true };
      const code = await br.run(['make', 'prep'], kiwiLog, prep);
      if (code !== 0) throw GenericError(`Preparation step failed: ${exitText('make prep', code, basename(kiwiLog.path))}`);
    }

    // user repos, then the build tag's repo when asked for
    const repos = Array.isArray(opts.repos) ? opts.repos.map(String) : [];
    if (opts.use_buildroot_repo) repos.push(`${topUrl(task.config)}/repos/${String(target.build_tag_name)}/${repoId}/${br.arch}`);
    let prepared;
    try {
      prepared = prepareDescription(readFileSync(descFile, 'utf8'), {
        file: descPath, name, version, releaseVersion: String(opts.repo_releasever ?? version), repos,
        readInclude: includeReader(checkout, descFile),
      });
    } catch (err) {
      throw descriptionFault(err);
    }
    const kiwiFile = join(dirname(descFile), preparedName(descPath, arch));
    writeFileSync(kiwiFile, prepared.xml);
    // kiwi must take the prepared description, not find the original
    if (kiwiFile !== descFile) unlinkSync(descFile);
    await task.uploadFile(kiwiFile);
    task.logger.info(`description ${descPath} prepared as ${basename(kiwiFile)} (types: ${prepared.types.join(', ') || 'none'}); repositories: ${repos.join(', ')}`);

    const kopts = opts as KiwiOpts;
    const description = descriptionDir(basename(checkout), descPath);
    await runKiwi(br, task, 'kiwi-ng system build', systemBuildArgs(kopts, basename(kiwiFile), description, arch), kiwiLog, `image-root.${arch}.log`, buildLogPath(arch), run);
    await runKiwi(br, task, 'kiwi-ng result bundle', resultBundleArgs(kopts, release, arch), kiwiLog, `kiwi-result-bundle.${arch}.log`, bundleLogPath(arch), run);
    task.checkAborted();

    const bundleDir = br.hostPath(BUNDLE_DIR);
    const files = existsSync(bundleDir) ? readdirSync(bundleDir).filter((f) => statSync(join(bundleDir, f)).isFile()).sort() : [];
    if (!files.length) throw GenericError('Kiwi failed: the result bundle is empty');
    for (const f of files) await task.uploadFile(join(bundleDir, f), { name: f });
    const imgdata: Dict = {
      arch, task_id: task.id, logs: [basename(kiwiFile)], name, version, release, rpmlist: [], files, buildroot_id: br.id,
    };
    if (!scratch) imgdata.rpmlist = packageList(task, bundleDir, files);
    await Promise.all([kiwiLog.close(), br.rootLog.close()]);
    await br.done();
    task.logger.info(`uploaded ${files.join(', ')}`);
    return imgdata;
  } catch (err) {
    await kiwiLog.close().catch(() => undefined);
    await br.failed(`createKiwiImage task ${task.id} failed: ${(err as Error).message}`);
    throw err;
  }
}

export const createKiwiImageHandler: TaskHandler = {
  methods: ['createKiwiImage'],
  // Koji's KiwiCreateImageTask weight
  weight: 2.0,
  run: createKiwiImage,
};
