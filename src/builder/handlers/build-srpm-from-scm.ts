/**
 * @module
 * The buildSRPMFromSCM task (kojid's BuildSRPMFromSCMTask): check the URL
 * against allowed_scms (and/or the build_from_scm policy), check the
 * sources out into an `srpm-build` buildroot (with network, as kojid's
 * setup_dns), run the source command, and build the SRPM with
 * `rpmbuild -bs` inside. Returns {srpm, logs, brootid, source}.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { BuildError, ConfigurationError } from '../../core/faults.ts';
import { kw } from '../../client/session.ts';
import type { TaskContext, TaskHandler } from '../handler.ts';
import { TaskBuildroot } from '../buildroot/task-buildroot.ts';
import { Scm } from '../scm.ts';
import { exitText, namedArgs, optsOf, type Dict } from './build-common.ts';
import { uploadBuiltSrpm } from './rebuild-srpm.ts';

/** kojid's spec_sanity_checks: these are the build system's to set. */
export function specSanityChecks(text: string): void {
  for (const tag of ['Packager', 'Distribution', 'Vendor']) {
    if (new RegExp(`^${tag}:`, 'm').test(text)) throw BuildError(`${tag} is not allowed to be set in spec file`);
  }
  for (const tag of ['packager', 'distribution', 'vendor']) {
    if (new RegExp(`^%define\\s+${tag}\\s+`, 'm').test(text)) throw BuildError(`${tag} is not allowed to be defined in spec file`);
  }
}

/** The one spec of a checkout (or the one named like the checkout when there are several). */
function findSpec(sourcedir: string, rpmLayout: boolean): string {
  const list = (d: string) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.spec')).map((f) => join(d, f)) : []);
  let specs = list(sourcedir);
  if (!specs.length && rpmLayout) specs = list(join(sourcedir, 'SPECS'));
  if (!specs.length) throw BuildError('No spec file found');
  if (specs.length === 1) return specs[0]!;
  const own = basename(sourcedir);
  const match = [join(sourcedir, `${own}.spec`), join(sourcedir, 'SPECS', `${own}.spec`)].find((p) => specs.includes(p));
  if (!match) throw BuildError(`Multiple spec files found but none is matching SCM checkout dir name: ${specs.join(', ')}`);
  return match;
}

async function checkAllowed(task: TaskContext, scm: Scm, opts: Dict): Promise<void> {
  const c = task.config;
  if (c.allowed_scms_use_config) scm.assertAllowedByConfig(c.allowed_scms);
  if (c.allowed_scms_use_policy) {
    const channel = await task.session.call<Dict>('getChannel', task.info.channel_id, kw({ strict: true }));
    const data = { user_id: task.info.owner, channel: channel.name, scratch: opts.scratch ?? null, ...scm.policyData() };
    scm.applyPolicyResult(await task.session.call<string | null>('host.evalPolicy', 'build_from_scm', data));
  }
  if (!c.allowed_scms_use_config && !c.allowed_scms_use_policy) {
    throw ConfigurationError('allowed_scms_use_config and allowed_scms_use_policy are both off: no SCM is allowed');
  }
}

async function buildSrpmFromScm(task: TaskContext, params: unknown[], kwargs: Record<string, unknown>): Promise<Dict> {
  const a = namedArgs('buildSRPMFromSCM', params, kwargs);
  const opts = optsOf(a.opts);
  const scm = new Scm(String(a.url), task.config.allow_password_in_scm_url);
  await checkAllowed(task, scm, opts);
  const repoId = opts.repo_id;
  if (!repoId) throw BuildError('A repo id must be provided');
  const repo = await task.session.call<Dict>('repoInfo', repoId, kw({ strict: true }));
  const tag = await task.session.call<Dict>('getTag', a.build_tag, kw({ strict: true, event: repo.create_event }));

  const broot = await TaskBuildroot.create(task, { tag: tag.id as number, arch: 'noarch', repoId: Number(repoId), installGroup: 'srpm-build', network: true });
  const checkoutLog = task.openLog('checkout.log');
  const buildLog = task.openLog('build.log');
  try {
    const tmp = task.config.chroot_tmpdir.replace(/\/+$/, '');
    const scmdir = broot.hostPath(`${tmp}/scmroot`);
    mkdirSync(scmdir, { recursive: true });
    // the checkout runs on the builder (git and credentials live here); the tree is the buildroot's
    const sourcedir = await scm.checkout(scmdir, checkoutLog.path, task.signal);
    await checkoutLog.flush();
    const source = await scm.source();
    const specPath = findSpec(sourcedir, task.config.support_rpm_source_layout);
    specSanityChecks(readFileSync(specPath, 'utf8'));
    await broot.setState('BUILDING');
    const inside = (p: string) => `/${relative(broot.hostPath('/'), p)}`;
    if (scm.sourceCmd) {
      const code = await broot.run(scm.sourceCmd, buildLog, { cwd: inside(sourcedir) });
      if (code !== 0) throw BuildError(`error retrieving sources, ${exitText(scm.sourceCmd[0]!, code, 'build.log')}`);
    }
    const alt = join(sourcedir, 'SOURCES');
    const sources = task.config.support_rpm_source_layout && existsSync(alt) ? alt : sourcedir;
    const top = `${tmp}/srpm_build`;
    const code = await broot.run(
      ['rpmbuild', '--define', `_topdir ${top}`, '--define', `_sourcedir ${inside(sources)}`, '-bs', '--nodeps', '--target', 'noarch', inside(specPath)],
      buildLog,
    );
    if (code !== 0) throw BuildError(`error building srpm, ${exitText('rpmbuild', code, 'build.log')}`);
    const name = await uploadBuiltSrpm(task, broot.hostPath(`${top}/SRPMS`), inside(sourcedir));
    await Promise.all([checkoutLog.close(), buildLog.close(), broot.rootLog.close()]);
    const up = task.uploadPath;
    const result = {
      srpm: `${up}/${name}`,
      logs: ['checkout.log', 'build.log', 'root.log'].map((f) => `${up}/${f}`),
      brootid: broot.id,
      source,
    };
    await broot.done();
    return result;
  } catch (err) {
    await Promise.all([checkoutLog.flush(), buildLog.flush()]);
    await broot.failed(`buildSRPMFromSCM task ${task.id} failed: ${(err as Error).message}`);
    throw err;
  }
}

export const buildSrpmFromScmHandler: TaskHandler = {
  methods: ['buildSRPMFromSCM'],
  weight: 1.0,
  run: buildSrpmFromScm,
};
