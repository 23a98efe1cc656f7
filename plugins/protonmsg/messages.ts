/**
 * @module
 * Hub callbacks turned into bus messages with Koji's addresses (`build.tag`,
 * `task.closed`, ...), application properties and JSON bodies. The body is
 * the callback's keyword arguments, as Koji sends them, with the same
 * adjustments Koji makes (oversized build.extra dropped, `btypes` added to
 * build state changes, `task_id` added to repo messages).
 *
 * Core code may pass states as numbers or names and users, tags or packages
 * as objects or names; the builders accept both and write what Koji writes.
 */
import { BUILD_STATES, TASK_STATES } from '../../src/core/states.ts';
import type { CallbackArgs, CallbackName } from '../../src/hub/callbacks.ts';
import { pyJsonDumps } from './json.ts';

/** A message ready for the outbox: address without the topic prefix. */
export interface OutMessage {
  address: string;
  props: Record<string, unknown>;
  /** JSON text, as Koji's json.dumps writes it. */
  body: string;
}

export interface MessageContext {
  /** 0 = no limit. */
  extraLimit: number;
  /** Build type names of a build, or null when the build is unknown. */
  buildTypes(buildId: number): string[] | null;
  /** Called when extra is dropped, for a debug line. */
  dropped?(nvr: string, size: number, limit: number): void;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `name` of an info struct (or the value itself when core passed a name). */
function nameOf(v: unknown): unknown {
  if (isObj(v)) return v.name ?? null;
  return v ?? null;
}

function field(v: unknown, key: string): unknown {
  return isObj(v) ? (v[key] ?? null) : null;
}

/** State number to name; a name passes through (upper-cased). */
function stateName(names: readonly string[], v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    const name = names[v];
    if (name === undefined) throw new Error(`unknown state ${v}`);
    return name;
  }
  return String(v).toUpperCase();
}

/** State name to number; a number passes through. */
function stateNumber(names: readonly string[], v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  const n = names.indexOf(String(v).toUpperCase());
  if (n < 0) throw new Error(`unknown state ${String(v)}`);
  return n;
}

/** The keyword arguments Koji would have passed (our bus adds `cbtype`). */
function kwargs(args: CallbackArgs): Obj {
  const { cbtype: _cbtype, ...rest } = args;
  return rest;
}

/** Koji's _strip_extra: drop `extra` when its JSON is longer than the limit. */
export function stripExtra(build: unknown, mc: MessageContext): unknown {
  if (!mc.extraLimit || !isObj(build)) return build;
  const size = pyJsonDumps(build.extra === undefined ? {} : build.extra).length;
  if (size <= mc.extraLimit) return build;
  mc.dropped?.(String(build.nvr ?? `${build.name}-${build.version}-${build.release}`), size, mc.extraLimit);
  const { extra: _extra, ...rest } = build;
  return rest;
}

/** Koji's get_build_type: each type of the build with its typeinfo from extra. */
function buildTypesOf(info: unknown, mc: MessageContext): Obj | null {
  if (!isObj(info) || typeof info.id !== 'number') return null;
  const names = mc.buildTypes(info.id);
  if (!names) return null;
  const typeinfo = field(info.extra, 'typeinfo');
  const out: Obj = {};
  for (const name of names) out[name] = field(typeinfo, name);
  return out;
}

function message(address: string, props: Obj, body: Obj): OutMessage {
  return { address, props, body: pyJsonDumps(body) };
}

function tagMessage(address: string, cb: CallbackName, args: CallbackArgs, mc: MessageContext): OutMessage {
  const kw = kwargs(args);
  kw.build = stripExtra(kw.build, mc);
  return message(address, {
    type: cb.slice(4),
    tag: nameOf(kw.tag),
    name: field(kw.build, 'name'),
    version: field(kw.build, 'version'),
    release: field(kw.build, 'release'),
    user: nameOf(kw.user),
  }, kw);
}

type Builder = (args: CallbackArgs, mc: MessageContext) => OutMessage | null;

/** One builder per callback Koji's protonmsg listens to. */
export const MESSAGE_BUILDERS: Partial<Record<CallbackName, Builder>> = {
  postPackageListChange(args) {
    const kw = kwargs(args);
    const action = String(kw.action);
    return message(`package.${action}`, {
      type: 'PackageListChange',
      tag: nameOf(kw.tag),
      package: nameOf(kw.package),
      action,
      user: nameOf(kw.user),
    }, kw);
  },

  postTaskStateChange(args) {
    const kw = kwargs(args);
    if (kw.attribute !== 'state') return null;
    // Koji hands its callbacks task states as names.
    kw.old = stateName(TASK_STATES.names, kw.old);
    kw.new = stateName(TASK_STATES.names, kw.new);
    return message(`task.${String(kw.new).toLowerCase()}`, {
      type: 'TaskStateChange',
      id: field(kw.info, 'id'),
      parent: field(kw.info, 'parent'),
      method: field(kw.info, 'method'),
      attribute: kw.attribute,
      old: kw.old,
      new: kw.new,
    }, kw);
  },

  postBuildStateChange(args, mc) {
    const kw = kwargs(args);
    if (kw.attribute !== 'state') return null;
    // ...and build states as numbers; only the properties carry names.
    kw.old = stateNumber(BUILD_STATES.names, kw.old);
    kw.new = stateNumber(BUILD_STATES.names, kw.new);
    const oldName = stateName(BUILD_STATES.names, kw.old);
    const newName = stateName(BUILD_STATES.names, kw.new)!;
    const full = kw.info;
    kw.info = stripExtra(full, mc);
    kw.btypes = buildTypesOf(full, mc);
    return message(`build.${newName.toLowerCase()}`, {
      type: 'BuildStateChange',
      name: field(kw.info, 'name'),
      version: field(kw.info, 'version'),
      release: field(kw.info, 'release'),
      attribute: kw.attribute,
      old: oldName,
      new: newName,
    }, kw);
  },

  postImport(args, mc) {
    const kw = kwargs(args);
    kw.build = stripExtra(kw.build, mc);
    return message(`import.${String(kw.type)}`, {
      type: 'Import',
      importType: kw.type,
      name: field(kw.build, 'name'),
      version: field(kw.build, 'version'),
      release: field(kw.build, 'release'),
    }, kw);
  },

  postRPMSign(args, mc) {
    const kw = kwargs(args);
    if (!kw.sigkey) return null;
    kw.build = stripExtra(kw.build, mc);
    return message('sign.rpm', {
      type: 'RPMSign',
      sigkey: kw.sigkey,
      name: field(kw.build, 'name'),
      version: field(kw.build, 'version'),
      release: field(kw.build, 'release'),
      rpm_name: field(kw.rpm, 'name'),
      rpm_version: field(kw.rpm, 'version'),
      rpm_release: field(kw.rpm, 'release'),
      rpm_arch: field(kw.rpm, 'arch'),
    }, kw);
  },

  postTag: (args, mc) => tagMessage('build.tag', 'postTag', args, mc),
  postUntag: (args, mc) => tagMessage('build.untag', 'postUntag', args, mc),

  postRepoInit(args) {
    const kw = kwargs(args);
    kw.task_id = kw.task_id ?? null;
    return message('repo.init', {
      type: 'RepoInit',
      tag: nameOf(kw.tag),
      repo_id: kw.repo_id ?? null,
      task_id: kw.task_id,
    }, kw);
  },

  postRepoDone(args) {
    const kw = kwargs(args);
    // Koji's body gets task_id from the arguments (always None there); the
    // properties take the repo's own task.
    kw.task_id = kw.task_id ?? null;
    return message('repo.done', {
      type: 'RepoDone',
      tag: field(kw.repo, 'tag_name'),
      repo_id: field(kw.repo, 'id'),
      task_id: field(kw.repo, 'task_id'),
      expire: kw.expire ?? null,
    }, kw);
  },

  postBuildPromote(args, mc) {
    const kw = kwargs(args);
    kw.build = stripExtra(kw.build, mc);
    return message('build.promote', {
      type: 'BuildPromote',
      build_id: field(kw.build, 'id'),
      name: field(kw.build, 'name'),
      version: field(kw.build, 'version'),
      release: field(kw.build, 'release'),
      draft_release: kw.draft_release ?? null,
      target_release: kw.target_release ?? null,
      user: nameOf(kw.user),
    }, kw);
  },
};
