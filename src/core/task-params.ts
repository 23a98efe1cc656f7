/**
 * @module
 * Task requests by parameter name. A task's request is a flat argument
 * list (kwargs as a trailing `__starstar` struct); Koji's standard task
 * methods have known signatures, so the hub can find the source, target or
 * tag of a task for policies and the client can label tasks the way Koji
 * does ("build (f30-candidate, hello-1.0-1.src.rpm)").
 */
import { KojiError } from './faults.ts';

interface TaskSignature {
  args: string[];
  /** Defaults of the last args, in order. */
  defaults?: unknown[];
  varargs?: string;
  varkw?: string;
}

const sig = (args: string[], defaults?: unknown[], varargs?: string, varkw?: string): TaskSignature => ({ args, defaults, varargs, varkw });

/** Parameter names of Koji's task methods (several where Koji accepted older forms). */
const SIGNATURES: Record<string, TaskSignature[]> = {
  chainbuild: [sig(['srcs', 'target', 'opts'], [null])],
  waitrepo: [sig(['tag', 'newer_than', 'nvrs', 'min_event'], [null, null, null])],
  createLiveMedia: [sig(['name', 'version', 'release', 'arch', 'target_info', 'build_tag', 'repo_info', 'ksfile', 'opts'], [null])],
  createAppliance: [sig(['name', 'version', 'release', 'arch', 'target_info', 'build_tag', 'repo_info', 'ksfile', 'opts'], [null])],
  livecd: [sig(['name', 'version', 'arch', 'target', 'ksfile', 'opts'], [null])],
  buildNotification: [sig(['recipients', 'build', 'target', 'weburl'])],
  buildMaven: [sig(['url', 'build_tag', 'opts'], [null])],
  build: [sig(['src', 'target', 'opts'], [null])],
  buildSRPMFromSCM: [sig(['url', 'build_tag', 'opts'], [null])],
  rebuildSRPM: [sig(['srpm', 'build_tag', 'opts'], [null])],
  createrepo: [sig(['repo_id', 'arch', 'oldrepo'])],
  livemedia: [sig(['name', 'version', 'arches', 'target', 'ksfile', 'opts'], [null])],
  indirectionimage: [sig(['opts'])],
  wrapperRPM: [sig(['spec_url', 'build_target', 'build', 'task', 'opts'], [null])],
  createLiveCD: [sig(['name', 'version', 'release', 'arch', 'target_info', 'build_tag', 'repo_info', 'ksfile', 'opts'], [null])],
  appliance: [sig(['name', 'version', 'arch', 'target', 'ksfile', 'opts'], [null])],
  image: [sig(['name', 'version', 'arches', 'target', 'inst_tree', 'opts'], [null])],
  tagBuild: [sig(['tag_id', 'build_id', 'force', 'fromtag', 'ignore_success'], [false, null, false])],
  chainmaven: [sig(['builds', 'target', 'opts'], [null])],
  newRepo: [
    sig(['tag', 'event', 'src', 'debuginfo', 'separate_src'], [null, false, false, false]),
    sig(['tag', 'event', 'src', 'debuginfo', 'separate_src', 'opts'], [null, null, null, null, null]),
  ],
  createImage: [sig(['name', 'version', 'release', 'arch', 'target_info', 'build_tag', 'repo_info', 'inst_tree', 'opts'], [null])],
  tagNotification: [
    sig(['recipients', 'is_successful', 'tag_info', 'from_info', 'build_info', 'user_info', 'ignore_success', 'failure_msg'], [null, '']),
  ],
  buildArch: [sig(['pkg', 'root', 'arch', 'keep_srpm', 'opts'], [null])],
  maven: [sig(['url', 'target', 'opts'], [null])],
  waittest: [sig(['count', 'seconds'], [10])],
  default: [sig([], undefined, 'args', 'opts')],
  shutdown: [sig([])],
  restartVerify: [sig(['task_id', 'host'])],
  someMethod: [sig([], undefined, 'args')],
  restart: [sig(['host'])],
  fork: [sig(['n', 'm'], [5, 37])],
  sleep: [sig(['n'])],
  dependantTask: [sig(['wait_list', 'task_list'])],
  subtask: [sig(['n'], [4])],
  restartHosts: [sig(['options'], [null])],
  runroot: [
    sig(
      ['root', 'arch', 'command', 'keep', 'packages', 'mounts', 'repo_id', 'skip_setarch', 'weight', 'upload_logs', 'new_chroot'],
      [false, [], [], null, false, null, null, false],
    ),
  ],
  distRepo: [sig(['tag', 'repo_id', 'keys', 'task_opts'])],
  createdistrepo: [sig(['tag', 'repo_id', 'arch', 'keys', 'opts'])],
  saveFailedTree: [sig(['buildrootID', 'full'], [false])],
  vmExec: [sig(['name', 'task_info', 'opts'])],
  winbuild: [sig(['name', 'source_url', 'target', 'opts'])],
};

/**
 * Add the signature of a plugin's task method (Koji's plugins add theirs to
 * LEGACY_SIGNATURES), so policies and task labels can read its arguments
 * by name. `defaults` are those of the last arguments, in order.
 */
export function registerTaskSignature(method: string, args: string[], defaults?: unknown[]): void {
  const s = sig(args, defaults);
  const list = (SIGNATURES[method] ??= []);
  if (!list.some((x) => JSON.stringify(x) === JSON.stringify(s))) list.push(s);
}

/** The method has no known signature (a plugin's task the client does not know). */
export class UnknownTaskMethod extends Error {}

function isStruct(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

/** Split a flat argument list into positional args and kwargs (the trailing `__starstar` struct). */
export function decodeArgs(params: readonly unknown[]): { args: unknown[]; kwargs: Record<string, unknown> } {
  const last = params[params.length - 1];
  if (isStruct(last) && last.__starstar) {
    const { __starstar: _, ...kwargs } = last;
    return { args: params.slice(0, -1), kwargs };
  }
  return { args: [...params], kwargs: {} };
}

/** Append kwargs as a `__starstar` struct, as koji.encode_args does (nothing when empty). */
export function encodeArgs(args: readonly unknown[], kwargs: Record<string, unknown> = {}): unknown[] {
  return Object.keys(kwargs).length ? [...args, { ...kwargs, __starstar: true }] : [...args];
}

function bind(s: TaskSignature, args: unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (args.length > s.args.length && !s.varargs) throw new Error(`too many positional arguments (${args.length})`);
  s.args.forEach((name, i) => {
    if (i < args.length) out[name] = args[i];
  });
  if (s.varargs) out[s.varargs] = args.slice(s.args.length);
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (s.args.includes(k)) {
      if (k in out) throw new Error(`multiple values for ${k}`);
      out[k] = v;
    } else if (s.varkw) extra[k] = v;
    else throw new Error(`unexpected keyword argument ${k}`);
  }
  const defaults = s.defaults ?? [];
  const firstDefault = s.args.length - defaults.length;
  s.args.forEach((name, i) => {
    if (name in out) return;
    if (i < firstDefault) throw new Error(`missing argument ${name}`);
    out[name] = defaults[i - firstDefault];
  });
  if (s.varkw) out[s.varkw] = extra;
  return out;
}

/**
 * A task's parameters by name. New-style requests (one struct with
 * `__method__`) are returned as they are.
 * @throws UnknownTaskMethod for a method without a known signature
 * @throws KojiError ParameterError when no signature fits
 */
export function parseTaskParams(method: string, params: readonly unknown[]): Record<string, unknown> {
  const first = params[0];
  if (params.length === 1 && isStruct(first) && '__method__' in first) {
    const { __method__: _, ...rest } = first;
    return rest;
  }
  const signatures = SIGNATURES[method];
  if (!signatures) throw new UnknownTaskMethod(`No legacy signature for ${method}`);
  const { args, kwargs } = decodeArgs(params);
  let first_error = '';
  for (const s of signatures) {
    try {
      return bind(s, args, kwargs);
    } catch (err) {
      first_error ||= (err as Error).message;
    }
  }
  throw new KojiError('ParameterError', `Invalid signature for ${method}: ${first_error}`);
}

function nameOf(v: unknown): string {
  if (isStruct(v) && 'name' in v) return String(v.name);
  return String(v);
}

function basename(p: unknown): string {
  const s = String(p ?? '');
  return s.slice(s.lastIndexOf('/') + 1);
}

/** An SCM URL shortened as Koji shows it: the last path part and the fragment. */
function moduleInfo(url: unknown): string {
  const s = String(url ?? '');
  const hash = s.indexOf('#');
  const path = hash >= 0 ? s.slice(0, hash) : s;
  const frag = hash >= 0 ? s.slice(hash + 1) : '';
  const name = basename(path.replace(/\?.*$/, '').replace(/\/+$/, '')).replace(/\.git$/, '');
  return frag ? `${name}:${frag}` : name;
}

/** Koji's taskLabel: "method (detail)" or "method (arch)"; never throws. */
export function taskLabel(info: { method: string; arch: string; request?: unknown }): string {
  try {
    return labelOf(info);
  } catch {
    return 'malformed task';
  }
}

function labelOf(info: { method: string; arch: string; request?: unknown }): string {
  const { method, arch } = info;
  let params: Record<string, unknown> | null = null;
  try {
    params = parseTaskParams(method, Array.isArray(info.request) ? info.request : []);
  } catch (err) {
    if (err instanceof KojiError) return `${method} (${arch}, unknown args)`;
    params = null;
  }
  let extra = '';
  const p = params ?? {};
  if (params) {
    if (method === 'build' || method === 'maven') {
      const src = String(p.src ?? p.url ?? '');
      extra = `${nameOf(p.target ?? p.build_tag)}, ${src.includes('://') ? moduleInfo(src) : basename(src)}`;
    } else if (method === 'buildSRPMFromSCM') extra = moduleInfo(p.url);
    else if (method === 'buildArch') extra = `${basename(nameOf(p.pkg))}, ${String(p.arch)}`;
    else if (method === 'buildMaven') extra = nameOf(p.build_tag);
    else if (method === 'newRepo' || method === 'distRepo') extra = nameOf(p.tag);
    else if (method === 'createrepo') extra = String(p.arch);
    else if (method === 'createdistrepo') extra = `${String(p.repo_id)}, ${String(p.arch)}`;
    else if (method === 'chainbuild' || method === 'chainmaven') extra = nameOf(p.target);
    else if (method === 'winbuild') extra = `${nameOf(p.target)}, ${moduleInfo(p.source_url)}`;
    else if (method === 'vmExec') extra = String(p.name);
    else if (method === 'dependantTask') extra = (p.task_list as unknown[][]).map((t) => String(t[0])).join(', ');
    else if (method === 'waitrepo') {
      extra = nameOf(p.tag);
      if (Array.isArray(p.nvrs)) extra += `, ${p.nvrs.join(', ')}`;
    } else if (method === 'restart' || method === 'restartVerify') extra = nameOf(p.host);
  }
  return extra ? `${method} (${extra})` : `${method} (${arch})`;
}
