/**
 * @module
 * The rebuildSRPM task (kojid's RebuildSRPM): unpack an uploaded source
 * RPM in an `srpm-build` buildroot and build it again (`rpmbuild -rs`),
 * so the SRPM that gets imported carries the build tag's macros (dist,
 * vendor, packager). Returns {srpm, logs, brootid, source}.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BuildError } from '../../core/faults.ts';
import { readRpmInfo } from '../../core/rpm-header.ts';
import { kw } from '../../client/session.ts';
import type { TaskContext, TaskHandler } from '../handler.ts';
import { TaskBuildroot } from '../buildroot/task-buildroot.ts';
import { exitText, fetchWorkFile, namedArgs, optsOf, readSrpm, type Dict } from './build-common.ts';

/** Check the one SRPM a buildroot produced and upload it; returns its file name. */
export async function uploadBuiltSrpm(task: TaskContext, dir: string, shownDir: string): Promise<string> {
  const srpms = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.src.rpm')) : [];
  if (!srpms.length) throw BuildError(`No srpms found in ${shownDir}`);
  if (srpms.length > 1) throw BuildError(`Multiple srpms found in ${shownDir}: ${srpms.join(', ')}`);
  const path = join(dir, srpms[0]!);
  const h = readRpmInfo(path);
  const name = `${h.name}-${h.version}-${h.release}.src.rpm`;
  if (name !== srpms[0]) throw BuildError(`srpm name mismatch: ${name} != ${srpms[0]}`);
  await task.uploadFile(path);
  return name;
}

async function rebuildSrpm(task: TaskContext, params: unknown[], kwargs: Record<string, unknown>): Promise<Dict> {
  const a = namedArgs('rebuildSRPM', params, kwargs);
  const srpm = String(a.srpm);
  const opts = optsOf(a.opts);
  const repoId = opts.repo_id;
  if (!repoId) throw BuildError('A repo id must be provided');
  const repo = await task.session.call<Dict>('repoInfo', repoId, kw({ strict: true }));
  const tag = await task.session.call<Dict>('getTag', a.build_tag, kw({ strict: true, event: repo.create_event }));

  const local = await fetchWorkFile(task, srpm, join(task.workdir, 'input'));
  if (!local) throw BuildError(`Input SRPM file missing: ${srpm}`);
  readSrpm(local, basename(srpm));

  const broot = await TaskBuildroot.create(task, { tag: tag.id as number, arch: 'noarch', repoId: Number(repoId), installGroup: 'srpm-build' });
  const buildLog = task.openLog('build.log');
  try {
    const tmp = task.config.chroot_tmpdir.replace(/\/+$/, '');
    const top = `${tmp}/srpm_unpacked`;
    mkdirSync(broot.hostPath(`${tmp}/srpm`), { recursive: true });
    mkdirSync(broot.hostPath(top), { recursive: true });
    const inside = `${tmp}/srpm/${basename(srpm)}`;
    copyFileSync(local, broot.hostPath(inside));
    await broot.setState('BUILDING');
    // rpm -i and rpmbuild -bs of its spec, in one rpmbuild run
    const code = await broot.run(['rpmbuild', '--define', `_topdir ${top}`, '-rs', '--nodeps', '--target', 'noarch', inside], buildLog);
    if (code !== 0) throw BuildError(`error building srpm, ${exitText('rpmbuild', code, 'build.log')}`);
    const name = await uploadBuiltSrpm(task, broot.hostPath(`${top}/SRPMS`), `${top}/SRPMS`);
    await buildLog.close();
    await broot.rootLog.close();
    const up = task.uploadPath;
    const result = {
      srpm: `${up}/${name}`,
      logs: ['build.log', 'root.log'].map((f) => `${up}/${f}`),
      brootid: broot.id,
      source: { source: name, url: name },
    };
    await broot.done();
    return result;
  } catch (err) {
    await buildLog.flush();
    await broot.failed(`rebuildSRPM task ${task.id} failed: ${(err as Error).message}`);
    throw err;
  }
}

export const rebuildSrpmHandler: TaskHandler = {
  methods: ['rebuildSRPM'],
  weight: 1.0,
  run: rebuildSrpm,
};
