/**
 * @module
 * The kiwi builder plugin (kojid.conf `plugin = kiwi`; the builder must be
 * in the `image` channel). `kiwiBuild` is the top task: it checks the
 * arches against the build tag, checks the description out from an
 * allowed SCM and reads its name, version and default profile, picks the
 * release (getNextRelease unless given), starts the image build record,
 * runs one createKiwiImage subtask per arch (the `optional_arches` may
 * fail, not all of them), then imports the images (or moves a scratch
 * build's files aside) and tags the build. A failure after the build
 * record exists marks it FAILED.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuilderPlugin } from '../../src/plugin.ts';
import type { TaskContext, TaskHandler } from '../../src/builder/handler.ts';
import { BuildError, GenericError } from '../../src/core/faults.ts';
import { canonArch } from '../../src/core/arch.ts';
import { kw } from '../../src/client/session.ts';
import { getRepoFor } from '../../src/builder/handlers/build-repo.ts';
import { namedArgs, optsOf } from '../../src/builder/handlers/build-common.ts';
import { topUrl } from '../../src/builder/buildroot/task-buildroot.ts';
import { readDescription } from './description.ts';
import { checkoutDescription, descriptionFault, descriptionFile } from './checkout.ts';
import { imageName } from './commands.ts';
import { createKiwiImageHandler } from './image-task.ts';
import './signatures.ts';

type Dict = Record<string, unknown>;

/** The task's options with Koji's defaults filled in. */
function normalizeOpts(raw: unknown, buildConfig: Dict): Dict {
  const opts: Dict = { ...optsOf(raw) };
  opts.scratch = Boolean(opts.scratch);
  if (!Array.isArray(opts.optional_arches)) opts.optional_arches = [];
  // the seed's "mock.new_chroot=False": kiwi needs the builder's /dev (loop devices)
  const extra = (buildConfig.extra as Dict | undefined) ?? {};
  if (extra['mock.new_chroot'] === false || extra['mock.new_chroot'] === 0 || extra['mock.new_chroot'] === 'False') opts.mount_dev = true;
  return opts;
}

/** The arches to build: the requested ones (each must be the tag's), else the tag's. */
export function buildArches(requested: string[], tagArches: string | null, tag: Dict): string[] {
  if (!tagArches) throw BuildError(`No arches for tag ${String(tag.name)} [${String(tag.id)}]`);
  const tagList = tagArches.split(/\s+/).filter(Boolean).map(canonArch);
  if (!requested.length) return [...new Set(tagList)];
  for (const a of requested) if (!tagList.includes(canonArch(a))) throw BuildError(`Invalid arch for build tag: ${a}`);
  return requested;
}

/** Koji's BuildImageTask.initImageBuild: the image must be in the destination tag's package list. */
async function initImageBuild(task: TaskContext, name: string, version: string, release: string, target: Dict, opts: Dict): Promise<Dict> {
  const s = task.session;
  const pkg = await s.call<Dict | null>('getPackageConfig', target.dest_tag_name, name);
  if (!opts.skip_tag && !opts.scratch) {
    if (!pkg) throw BuildError(`package (image) ${name} not in list for tag ${String(target.dest_tag_name)}`);
    if (pkg.blocked) throw BuildError(`package (image)  ${name} is blocked for tag ${String(target.dest_tag_name)}`);
  }
  return s.call<Dict>('host.initImageBuild', task.id, { name, version, release, epoch: 0 });
}

const isFault = (r: unknown) => typeof r === 'object' && r !== null && 'faultCode' in r;

async function kiwiBuild(task: TaskContext, params: unknown[], kwargs: Record<string, unknown>): Promise<string> {
  const a = namedArgs('kiwiBuild', params, kwargs);
  const s = task.session;
  const target = await s.call<Dict>('getBuildTarget', a.target, kw({ strict: true }));
  const buildTag = target.build_tag as number;
  const repo = await getRepoFor(task, buildTag, [], false);
  const cfg = await s.call<Dict>('getBuildConfig', buildTag);
  const arches = buildArches(Array.isArray(a.arches) ? a.arches.map(String) : String(a.arches ?? '').split(/\s+/).filter(Boolean), (cfg.arches as string | null) ?? null, cfg);
  const opts = normalizeOpts(a.opts, cfg);
  const optional = (opts.optional_arches as unknown[]).map(String);

  const scmdir = join(task.workdir, 'scmroot');
  mkdirSync(scmdir, { recursive: true });
  const checkout = await checkoutDescription(task, String(a.desc_url), Boolean(opts.scratch), scmdir, 'checkout.log');
  const descPath = String(a.desc_path);
  let info;
  try {
    info = readDescription(readFileSync(descriptionFile(checkout, descPath), 'utf8'), descPath);
  } catch (err) {
    throw descriptionFault(err);
  }
  const name = imageName(info.name, opts.profile as string | undefined, info.defaultProfile);
  const version = opts.version ? String(opts.version) : info.version;
  let release = opts.release ? String(opts.release) : await s.call<string>('getNextRelease', { name, version });
  task.logger.info(`image ${name}-${version}-${release} for ${arches.join(', ')}${optional.length ? ` (${optional.join(', ')} may fail)` : ''}`);

  let build: Dict | null = null;
  if (!opts.scratch) {
    build = await initImageBuild(task, name, version, release, target, opts);
    release = String(build.release);
  }
  const subtasks = new Map<string, number>();
  try {
    const canfail: number[] = [];
    for (const arch of arches) {
      const id = await task.subtask('createKiwiImage', [name, version, release, arch, target, buildTag, repo, a.desc_url, descPath, opts], { label: arch, arch });
      subtasks.set(arch, id);
      if (optional.includes(arch)) canfail.push(id);
    }
    const results = await task.wait([...subtasks.values()], { all: true, failany: true, canfail });
    if (Object.values(results).every(isFault)) throw GenericError('all subtasks failed');
    for (const [arch, id] of subtasks) {
      if (isFault(results[id])) task.logger.warn(`ignoring the failure of ${arch} (task ${id}): ${String((results[id] as Dict).faultString)}`);
    }
    const byId = Object.fromEntries(Object.entries(results).map(([k, v]) => [String(k), v]));
    if (opts.scratch) await s.call('host.moveImageBuildToScratch', task.id, byId);
    else await s.call('host.completeImageBuild', task.id, build!.id, byId);
  } catch (err) {
    if (build) {
      await s.call('host.failBuild', task.id, build.id).catch((e) => task.logger.error(`could not mark build ${String(build!.id)} failed: ${(e as Error).message}`));
    }
    throw err;
  }

  if (!opts.scratch && !opts.skip_tag) {
    const id = await task.subtask('tagBuild', [target.dest_tag, build!.id, false, null, true], { label: 'tag', arch: 'noarch' });
    await task.wait(id);
  }
  const top = task.config.topdir ? task.config.topdir.replace(/\/+$/, '') : topUrl(task.config);
  if (opts.scratch) {
    const dirs = [...subtasks.values()].map((id) => `${top}/work/tasks/${id % 10000}/${id}`);
    return `Scratch image build results in: ${dirs.join(', ')}`;
  }
  return `image build results in: ${top}/packages/${name}/${version}/${release}/images`;
}

const kiwiBuildHandler: TaskHandler = {
  methods: ['kiwiBuild'],
  // Koji's KiwiBuildTask weight; it mostly waits on its subtasks
  weight: 4.0,
  run: kiwiBuild,
};

export const kiwiBuilder: BuilderPlugin = { name: 'kiwi', handlers: [kiwiBuildHandler, createKiwiImageHandler] };
