/**
 * @module
 * The kiwi hub plugin (hub.conf `Plugins = kiwi`): `kiwiBuild` makes a
 * kiwiBuild task in the `image` channel for the builder part, and the host
 * calls the builder imports images with (host.initImageBuild,
 * host.completeImageBuild, host.moveImageBuildToScratch; host.failBuild is
 * the core one). Koji's type checks come first; then kojibox checks what it
 * can before any task exists (target, arches against the build tag, repo
 * syntax, an SCM URL), so such mistakes are refused at once instead of
 * failing a task later.
 */
import type { HubPlugin } from '../../src/plugin.ts';
import type { CallContext } from '../../src/hub/context.ts';
import { api } from '../../src/hub/rpc/method.ts';
import { pyType } from '../../src/hub/rpc/args.ts';
import { ActionNotAllowed, BuildError, GenericError, ParameterError } from '../../src/core/faults.ts';
import { PRIO_DEFAULT } from '../../src/core/states.ts';
import { canonArch } from '../../src/core/arch.ts';
import { isScmUrl } from '../../src/core/scm-url.ts';
import { createTask } from '../../src/hub/tasks/index.ts';
import { getBuildTargetInfo } from '../../src/hub/api/targets.ts';
import { buildConfig } from '../../src/hub/api/tags.ts';
import { pyRepr } from '../../src/hub/api/common.ts';
import { DescriptionError, parseRepoSpec } from './description.ts';
import { completeImageBuild, initImageBuild, moveImageBuildToScratch } from './images.ts';
import archiveTypesSql from './archivetypes.sql' with { type: 'text' };
import './signatures.ts';

type Dict = Record<string, unknown>;

/** Python's str() of a value, as Koji's convert_value puts it in its message. */
function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** Koji's convert_value(check_only=True): the value must already have the type. */
function checkType(v: unknown, type: 'str' | 'list' | 'int'): void {
  const ok = type === 'str' ? typeof v === 'string' : type === 'list' ? Array.isArray(v) : typeof v === 'number' && Number.isInteger(v);
  if (!ok) throw ParameterError(`Invalid type for value '${pyStr(v)}': ${pyType(v)}, expected type <class '${type}'>`);
}

/** Koji's parse_arches(strict=True): a list or a space-separated string of [a-zA-Z0-9_-] words. */
function parseArchList(v: unknown, allowNone: boolean): string[] {
  if (v === null || v === undefined) {
    if (allowNone) return [];
    throw ParameterError('Invalid type, expected a list of arches');
  }
  const list = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : null;
  if (!list) throw ParameterError(`Invalid type for value '${pyStr(v)}': ${pyType(v)}, expected type <class 'list'>`);
  for (const a of list) if (!/^[a-zA-Z0-9_-]*$/.test(a)) throw GenericError('Architecture can be only [a-zA-Z0-9_-]');
  return list.filter(Boolean);
}

/** The build tag's arches must cover the requested ones (kiwiBuild's builder check, made before the task exists). */
function checkArches(ctx: CallContext, buildTag: number, arches: string[]): void {
  const cfg = buildConfig(ctx, buildTag, null);
  if (!cfg.arches) throw BuildError(`No arches for tag ${cfg.name} [${cfg.id}]`);
  const tagArches = cfg.arches.split(/\s+/).filter(Boolean).map(canonArch);
  for (const a of arches) if (!tagArches.includes(canonArch(a))) throw BuildError(`Invalid arch for build tag: ${a}`);
}

function checkDescriptionPath(path: string): void {
  const parts = path.split('/');
  if (!path || path.startsWith('/') || parts.includes('..') || path.endsWith('/')) {
    throw GenericError(`Invalid description path: ${path} (a file path inside the checkout is needed)`);
  }
}

const kiwiBuild = api(
  'kiwiBuild(target, arches, desc_url, desc_path, optional_arches=None, profile=None, scratch=False, priority=None, make_prep=False, repos=None, release=None, type=None, type_attr=None, result_bundle_name_format=None, use_buildroot_repo=True, version=None, repo_releasever=None)',
  'Build images with kiwi for a target from a description in an SCM (desc_url, desc_path inside it): makes a kiwiBuild task in the image channel and returns its id. repos: "[TYPE:]URL [attr=value]..." kiwi repositories (rpm-md when no type); use_buildroot_repo adds the build tag\'s repo.',
  { access: 'image' },
  (ctx, a) => {
    for (const v of [a.desc_url, a.desc_path, a.profile, a.version, a.release, a.repo_releasever]) {
      if (v !== null && v !== undefined) checkType(v, 'str');
    }
    if (a.repos) checkType(a.repos, 'list');
    if (a.type_attr) checkType(a.type_attr, 'list');
    if (a.result_bundle_name_format) checkType(a.result_bundle_name_format, 'str');
    if (a.type !== null && a.type !== undefined) checkType(a.type, 'str');
    const target = getBuildTargetInfo(ctx, a.target, null, true)!;
    const arches = parseArchList(a.arches, false);
    const optional = parseArchList(a.optional_arches, true);

    if (typeof a.desc_url !== 'string' || !a.desc_url) throw GenericError('desc_url is required: the SCM URL of the description');
    if (!isScmUrl(a.desc_url)) throw GenericError(`Invalid SCM URL: ${a.desc_url}`);
    if (typeof a.desc_path !== 'string') throw GenericError('desc_path is required: the description file in the checkout');
    checkDescriptionPath(a.desc_path);
    checkArches(ctx, target.build_tag, arches);
    const repos = (a.repos || []) as unknown[];
    for (const r of repos) {
      if (typeof r !== 'string') throw ParameterError(`Invalid repo: ${pyRepr(r)}, expected a string`);
      try {
        parseRepoSpec(r);
      } catch (err) {
        if (err instanceof DescriptionError) throw GenericError(err.message);
        throw err;
      }
    }
    if (!repos.length && !a.use_buildroot_repo) {
      throw GenericError('No repositories to build the image from: give repos or use the buildroot repo');
    }
    const typeAttr = (a.type_attr || []) as unknown[];
    for (const t of typeAttr) {
      if (typeof t !== 'string' || !/^[^=\s]+=/.test(t)) throw ParameterError(`Invalid type attribute: ${pyRepr(t)}, expected "attribute=value"`);
    }

    const taskOpts: { channel: string; priority?: number } = { channel: 'image' };
    if (a.priority) {
      checkType(a.priority, 'int');
      const p = a.priority as number;
      if (p < 0 && !ctx.hasPerm('admin')) throw ActionNotAllowed('only admins may create high-priority tasks');
      taskOpts.priority = PRIO_DEFAULT + p;
    }
    const opts: Dict = {};
    if (a.scratch) opts.scratch = true;
    if (a.profile) opts.profile = a.profile;
    if (a.version) opts.version = a.version;
    if (a.release) opts.release = a.release;
    if (optional.length) opts.optional_arches = optional;
    if (repos.length) opts.repos = repos;
    if (a.repo_releasever) opts.repo_releasever = a.repo_releasever;
    if (a.make_prep) opts.make_prep = true;
    if (a.type) opts.type = a.type;
    if (a.use_buildroot_repo) opts.use_buildroot_repo = true;
    if (typeAttr.length) opts.type_attr = typeAttr;
    if (a.result_bundle_name_format) opts.result_bundle_name_format = a.result_bundle_name_format;
    return createTask(ctx, { method: 'kiwiBuild', params: [a.target, arches, a.desc_url, a.desc_path, opts], opts: taskOpts });
  },
);

const hostMethods = [
  api('host.initImageBuild(task_id, build_info)', 'Create the BUILDING image build of this host\'s task (build_info: name, version, release, epoch); returns the build data with its id.', { access: 'host' }, (ctx, a) =>
    initImageBuild(ctx, a.task_id, a.build_info),
  ),
  api('host.completeImageBuild(task_id, build_id, results)', 'Import the images, logs and package lists the subtasks uploaded (results: their image data by subtask id) into the BUILDING build, which becomes COMPLETE.', { access: 'host' }, (ctx, a) =>
    completeImageBuild(ctx, a.task_id, a.build_id, a.results),
  ),
  api('host.moveImageBuildToScratch(task_id, results)', 'Keep a scratch image build\'s files under scratch/<owner>/task_<subtask> (not imported).', { access: 'host' }, (ctx, a) =>
    moveImageBuildToScratch(ctx, a.task_id, a.results),
  ),
];

export const kiwiHub: HubPlugin = {
  name: 'kiwi',
  methods: [kiwiBuild, ...hostMethods],
  migrations: [{ id: 'plugin-kiwi-001', sql: archiveTypesSql }],
};
