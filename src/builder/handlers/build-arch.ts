/**
 * @module
 * The buildArch task (kojid's BuildArchTask): rebuild a source RPM for one
 * arch in a fresh buildroot of the build tag's repo, as the unprivileged
 * build user, and upload the RPMs (the SRPM too when keep_srpm) and the
 * logs. A failing build leaves a FAILED task whose output has root.log and
 * build.log, an EXPIRED buildroot record, and the tree kept on this
 * builder for kojid.conf's failed_buildroot_lifetime.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BuildError } from '../../core/faults.ts';
import { requireSpec, readRpmInfo } from '../../core/rpm-header.ts';
import { kw } from '../../client/session.ts';
import type { TaskContext, TaskHandler } from '../handler.ts';
import { TaskBuildroot } from '../buildroot/task-buildroot.ts';
import { exitText, fetchWorkFile, namedArgs, optsOf, readSrpm, rpmbuildOutput, type Dict } from './build-common.ts';

/** Kojid's srpm_sanity_checks: the build system must have set these. */
function srpmSanityChecks(path: string): void {
  const h = readRpmInfo(path);
  if (!h.packager) throw BuildError('The build system failed to set the packager tag');
  if (!h.vendor) throw BuildError('The build system failed to set the vendor tag');
  if (!h.distribution) throw BuildError('The build system failed to set the distribution tag');
}

async function buildArch(task: TaskContext, params: unknown[], kwargs: Record<string, unknown>): Promise<Dict> {
  const a = namedArgs('buildArch', params, kwargs);
  const pkg = String(a.pkg);
  const arch = String(a.arch);
  const opts = optsOf(a.opts);
  const repoId = opts.repo_id;
  if (!repoId) throw BuildError('A repo id must be provided');
  const s = task.session;
  await s.call('repoInfo', repoId, kw({ strict: true }));

  const local = await fetchWorkFile(task, pkg, join(task.workdir, 'srpm'));
  if (!local) throw BuildError(`SRPM file missing: ${pkg}`);
  const h = readSrpm(local, basename(pkg));

  const broot = await TaskBuildroot.create(task, {
    tag: a.root as string | number, arch, repoId: Number(repoId), preferredArch: arch === 'noarch' ? task.info.arch : null,
  });
  const buildLog = task.openLog('build.log');
  try {
    if (broot.br.mode === 'repo') {
      const deps = h.requires.filter((r) => !r.name.startsWith('rpmlib(')).map(requireSpec);
      await broot.install(deps);
    }
    const inside = '/builddir/build/originals';
    mkdirSync(broot.hostPath(inside), { recursive: true });
    copyFileSync(local, broot.hostPath(`${inside}/${basename(local)}`));
    await broot.setState('BUILDING');
    // as mock's --rebuild, in one rpmbuild: unpack the SRPM, build source and binary packages.
    // Dependencies were installed from the repo above (repo mode) or are the host's (host mode).
    const code = await broot.run(['rpmbuild', '-ra', '--nodeps', '--target', arch, `${inside}/${basename(local)}`], buildLog);
    await broot.updateList();
    if (code !== 0) throw BuildError(`error building package (arch ${arch}), ${exitText('rpmbuild', code, 'build.log')}`);

    const out = rpmbuildOutput(broot.hostPath('/builddir/build'));
    for (const f of out.rpms) await task.uploadFile(f);
    const keepSrpm = Boolean(a.keep_srpm);
    if (keepSrpm) {
      if (!out.srpms.length) throw BuildError(`no srpm files found for task ${task.id}`);
      if (out.srpms.length > 1) throw BuildError(`multiple srpm files found for task ${task.id}: ${out.srpms.map((f) => basename(f)).join(', ')}`);
      srpmSanityChecks(out.srpms[0]!);
      await task.uploadFile(out.srpms[0]!);
    }
    await buildLog.close();
    await broot.rootLog.close();
    const up = task.uploadPath;
    const result = {
      rpms: out.rpms.map((f) => `${up}/${basename(f)}`),
      srpms: keepSrpm ? out.srpms.map((f) => `${up}/${basename(f)}`) : [],
      logs: ['build.log', 'root.log'].map((f) => `${up}/${f}`),
      brootid: broot.id,
    };
    await broot.done();
    return result;
  } catch (err) {
    await buildLog.flush();
    await broot.failed(`buildArch task ${task.id} failed: ${(err as Error).message}`);
    throw err;
  }
}

export const buildArchHandler: TaskHandler = {
  methods: ['buildArch'],
  weight: 1.5,
  run: buildArch,
};
