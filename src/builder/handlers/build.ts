/**
 * @module
 * The top `build` task (kojid's BuildTask): resolve the target, check the
 * build policies, get a repo of the build tag (waiting for one when asked),
 * make the SRPM (rebuildSRPM or buildSRPMFromSCM subtask), start the build
 * record (host.initBuild), run one buildArch subtask per arch, import the
 * results (host.completeBuild, or host.moveBuildToScratch for scratch
 * builds) and tag the build (tagBuild subtask). Any failure after the build
 * record exists marks it FAILED (host.failBuild).
 */
import { basename, join } from 'node:path';
import { BuildError, GenericError } from '../../core/faults.ts';
import { REPO_STATES } from '../../core/states.ts';
import { kw } from '../../client/session.ts';
import type { TaskContext, TaskHandler } from '../handler.ts';
import { isScmUrl } from '../scm.ts';
import { archList, chooseTaskArch, fetchWorkFile, namedArgs, optsOf, readSrpm, type Dict } from './build-common.ts';
import type { RpmInfo } from '../../core/rpm-header.ts';
import { getRepoFor } from './build-repo.ts';

interface BuildState {
  task: TaskContext;
  opts: Dict;
  eventId: number | null;
  source: { source: string; url: string } | null;
}

async function buildConfig(st: BuildState, tag: number | string): Promise<Dict> {
  return st.task.session.call<Dict>('getBuildConfig', tag, kw({ event: st.eventId }));
}

/** kojid's getSRPM: the SRPM to build, made by a subtask unless the tag says not to rebuild it. */
async function getSrpm(st: BuildState, src: string, buildTag: number, repoId: number): Promise<string> {
  let method: string | null = null;
  if (isScmUrl(src)) method = 'buildSRPMFromSCM';
  else {
    const cfg = await buildConfig(st, buildTag);
    let rebuild = ((cfg.extra as Dict | undefined) ?? {}).rebuild_srpm ?? true;
    if (st.opts.scratch && st.opts.rebuild_srpm !== undefined && st.opts.rebuild_srpm !== null) rebuild = st.opts.rebuild_srpm;
    if (rebuild) method = 'rebuildSRPM';
  }
  if (!method) return src;
  const cfg = await buildConfig(st, buildTag);
  const arch = chooseTaskArch('noarch', null, (cfg.arches as string | null) ?? null, (cfg.extra as Dict) ?? {}, st.task.config.literal_task_arches);
  const id = await st.task.subtask(method, [src, buildTag, { repo_id: repoId, scratch: st.opts.scratch ?? null }], { label: 'srpm', arch });
  const result = (await st.task.wait(id))[id] as Dict;
  if (result.source) st.source = result.source as { source: string; url: string };
  else st.task.logger.warn('subtask did not provide source data');
  return String(result.srpm);
}

async function readSrpmHeader(st: BuildState, srpm: string): Promise<RpmInfo> {
  const local = await fetchWorkFile(st.task, srpm, join(st.task.workdir, 'srpm-header'));
  if (!local) throw BuildError(`SRPM file missing: ${srpm}`);
  return readSrpm(local, basename(srpm));
}

/** One buildArch per arch; merge their results as kojid's runBuilds does. */
async function runBuilds(st: BuildState, srpm: string, h: RpmInfo, buildTag: number, arches: string[], repoId: number, failany: boolean) {
  const cfg = await buildConfig(st, buildTag);
  const subtasks = new Map<string, number>();
  let keepSrpm = true;
  for (const arch of arches) {
    const taskArch = chooseTaskArch(arch, h, (cfg.arches as string | null) ?? null, (cfg.extra as Dict) ?? {}, st.task.config.literal_task_arches);
    subtasks.set(arch, await st.task.subtask('buildArch', [srpm, buildTag, arch, keepSrpm, { repo_id: repoId }], { label: arch, arch: taskArch }));
    keepSrpm = false;
  }
  const results = await st.task.wait([...subtasks.values()], { all: true, failany });
  const rpms: string[] = [];
  const brmap: Record<string, number> = {};
  const logs: Record<string, string[]> = {};
  let builtSrpm: string | null = null;
  for (const [arch, id] of subtasks) {
    const r = results[id] as Dict;
    if (!r || (r as Dict).faultCode !== undefined) continue;
    const brootid = r.brootid as number;
    for (const f of r.rpms as string[]) {
      rpms.push(f);
      brmap[f] = brootid;
    }
    for (const f of r.logs as string[]) (logs[arch] ??= []).push(f);
    const srpms = r.srpms as string[];
    if (srpms.length) {
      if (builtSrpm) throw BuildError(`multiple builds returned a srpm.  task ${st.task.id}`);
      builtSrpm = srpms[0]!;
      brmap[builtSrpm] = brootid;
    }
  }
  if (!builtSrpm) throw BuildError('could not find a built srpm');
  return { srpm: builtSrpm, rpms, brmap, logs };
}

async function build(task: TaskContext, params: unknown[], kwargs: Record<string, unknown>): Promise<null> {
  const a = namedArgs('build', params, kwargs);
  const src = a.src;
  let target = a.target as string | number | null;
  const opts = { ...optsOf(a.opts) };
  const st: BuildState = { task, opts, eventId: null, source: null };
  const s = task.session;
  if (typeof src !== 'string') throw BuildError(`Invalid source specification: ${String(src)}`);
  if (opts.arch_override && !opts.scratch) throw BuildError('arch_override is only allowed for scratch builds');
  let repoInfo: Dict | null = null;
  if (opts.repo_id !== null && opts.repo_id !== undefined) {
    repoInfo = await s.call<Dict | null>('repoInfo', opts.repo_id);
    if (!repoInfo) throw BuildError(`No such repo: ${String(opts.repo_id)}`);
    const state = REPO_STATES.nameOf(repoInfo.state as number);
    if (state !== 'READY' && state !== 'EXPIRED') throw BuildError(`Bad repo: ${String(repoInfo.id)} (${state})`);
    st.eventId = repoInfo.create_event as number;
  }
  const cum = opts.custom_user_metadata;
  if (cum !== undefined && cum !== null && (typeof cum !== 'object' || Array.isArray(cum))) {
    throw BuildError('custom_user_metadata must be serializable to a JSON object');
  }
  const info = await s.call<Dict>('getTaskInfo', task.id);
  let targetInfo: Dict | null = null;
  if (target !== null && target !== undefined) targetInfo = await s.call<Dict | null>('getBuildTarget', target, kw({ event: st.eventId }));
  let destTag: number;
  let buildTag: number;
  if (targetInfo) {
    destTag = targetInfo.dest_tag as number;
    buildTag = targetInfo.build_tag as number;
    if (repoInfo && repoInfo.tag_id !== buildTag) {
      throw BuildError(`Repo/Target mismatch: ${String(repoInfo.tag_name)}/${String(targetInfo.build_tag_name)}`);
    }
  } else {
    if (!repoInfo) throw GenericError(`unknown build target: ${String(target)}`);
    buildTag = repoInfo.tag_id as number;
    if (target === null || target === undefined) {
      opts.skip_tag = true;
      destTag = buildTag;
    } else {
      const tag = await s.call<Dict | null>('getTag', target, kw({ event: st.eventId }));
      if (!tag) throw GenericError(`neither tag nor target: ${String(target)}`);
      destTag = tag.id as number;
    }
  }
  const policy: Dict = {
    user_id: info.owner, source: src, task_id: task.id, build_tag: buildTag, skip_tag: Boolean(opts.skip_tag),
    scratch: opts.scratch ?? null, draft: opts.draft ?? null, from_scm: isScmUrl(src), repo_id: opts.repo_id ?? null,
  };
  if (targetInfo) policy.target = targetInfo.name;
  if (!opts.skip_tag) policy.tag = destTag;
  if (!isScmUrl(src) && !opts.scratch) await s.call('host.assertPolicy', 'build_from_srpm', policy);
  if (opts.repo_id !== null && opts.repo_id !== undefined) await s.call('host.assertPolicy', 'build_from_repo_id', policy);
  await s.call('host.assertPolicy', 'build_rpm', policy);
  if (!repoInfo) {
    repoInfo = await getRepoFor(task, buildTag, (opts.wait_builds as string[] | undefined) ?? [], Boolean(opts.wait_repo));
    st.eventId = (await s.call<Dict>('getLastEvent')).id as number;
  }
  const repoId = repoInfo.id as number;
  const srpm = await getSrpm(st, src, buildTag, repoId);
  const h = await readSrpmHeader(st, srpm);
  const data: Dict = { name: h.name, version: h.version, release: h.release, epoch: h.epoch, task_id: task.id };
  if (st.source) {
    data.source = st.source.source;
    data.extra = { source: { original_url: st.source.url } };
  }
  if (cum) data.extra = { ...((data.extra as Dict) ?? {}), custom_user_metadata: cum };
  const pkgCfg = await s.call<Dict | null>('getPackageConfig', destTag, h.name, kw({ event: st.eventId }));
  if (!opts.skip_tag && !opts.scratch) {
    if (!pkgCfg) throw BuildError(`package ${h.name} not in list for tag ${String(targetInfo?.dest_tag_name ?? destTag)}`);
    if (pkgCfg.blocked) throw BuildError(`package ${h.name} is blocked for tag ${String(targetInfo?.dest_tag_name ?? destTag)}`);
  }
  const cfg = await buildConfig(st, buildTag);
  const arches = archList((cfg.arches as string | null) ?? null, String(cfg.name), h, (pkgCfg?.extra_arches as string | null) ?? null, opts);
  if (opts.draft) data.draft = opts.draft;
  let buildId: number | null = null;
  if (!opts.scratch) buildId = await s.call<number>('host.initBuild', data);
  const failany = Boolean(opts.fail_fast) || !task.config.build_arch_can_fail;
  try {
    const r = await runBuilds(st, srpm, h, buildTag, arches, repoId, failany);
    if (opts.scratch) await s.call('host.moveBuildToScratch', task.id, r.srpm, r.rpms, kw({ logs: r.logs }));
    else await s.call('host.completeBuild', task.id, buildId, r.srpm, r.rpms, r.brmap, kw({ logs: r.logs }));
  } catch (err) {
    if (buildId !== null) {
      await s.call('host.failBuild', task.id, buildId).catch((e) => task.logger.error(`could not mark build ${buildId} failed: ${(e as Error).message}`));
    }
    throw err;
  }
  if (!opts.skip_tag && !opts.scratch) {
    const id = await task.subtask('tagBuild', [destTag, buildId, false, null, true], { label: 'tag', arch: 'noarch' });
    await task.wait(id);
  }
  return null;
}

export const buildHandler: TaskHandler = {
  methods: ['build'],
  // it mostly waits on its subtasks
  weight: 0.2,
  run: build,
};
