/**
 * @module
 * Repo options (src, debuginfo, separate_src, maven): checking what a
 * caller passes, and working out a tag's defaults from hub.conf
 * (DebuginfoTags, SourceTags, SeparateSourceTags, EnableMaven) and the
 * tag's `repo.opts` / legacy `with_debuginfo` extra, as Koji 1.35 does.
 */
import { ParameterError } from '../../core/faults.ts';
import { fnmatch } from '../../core/fnmatch.ts';
import type { HubConfig } from '../../config/hub.ts';
import { asBool, isStruct } from '../rpc/args.ts';
import type { Hub } from '../hub.ts';

export type RepoOpts = Record<string, boolean>;

const ALL_OPTS = new Set(['src', 'debuginfo', 'separate_src', 'maven']);

/** Koji's convert_repo_opts: known keys only, values as booleans, None dropped. */
export function convertRepoOpts(opts: unknown, strict: boolean, log?: Hub['log']): RepoOpts {
  if (opts === null || opts === undefined) return {};
  if (!isStruct(opts)) {
    if (strict) throw ParameterError('Repo opts must be a dictionary');
    log?.warn(`Ignoring invalid repo opts: ${JSON.stringify(opts)}`);
    return {};
  }
  const out: RepoOpts = {};
  for (const [key, value] of Object.entries(opts)) {
    if (key === '__starstar') continue;
    if (!ALL_OPTS.has(key)) {
      if (strict) throw ParameterError(`Invalid repo option: ${key}`);
      log?.warn(`Ignoring invalid repo opt: ${key}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    out[key] = asBool(value);
  }
  return out;
}

function matchesAny(name: string, patterns: string[]): boolean {
  return patterns.some((p) => fnmatch(name, p));
}

/**
 * Koji's get_repo_opts: the tag's effective options with `override`
 * applied, and the overrides that differ from the tag's defaults (custom).
 */
export function repoOptsFor(
  config: HubConfig,
  tag: { name: string; maven_support: boolean; extra: Record<string, unknown> },
  override: unknown,
  log?: Hub['log'],
): { opts: RepoOpts; custom: RepoOpts } {
  const opts: RepoOpts = { src: false, debuginfo: false, separate_src: false, maven: false };
  if (matchesAny(tag.name, config.DebuginfoTags)) opts.debuginfo = true;
  if (matchesAny(tag.name, config.SourceTags)) opts.src = true;
  if (matchesAny(tag.name, config.SeparateSourceTags)) opts.separate_src = true;
  const tagOpts: Record<string, unknown> = isStruct(tag.extra['repo.opts']) ? { ...(tag.extra['repo.opts'] as Record<string, unknown>) } : {};
  if ('with_debuginfo' in tag.extra) {
    if ('repo.opts' in tag.extra) log?.warn('Ignoring legacy with_debuginfo config, overridden by repo.opts');
    else tagOpts.debuginfo = asBool(tag.extra.with_debuginfo);
  }
  Object.assign(opts, convertRepoOpts(tagOpts, false, log));
  if (!config.EnableMaven) {
    opts.maven = false;
    if (isStruct(override) && override.maven) log?.warn('maven repo override requested but maven support is not enabled');
  } else if (tag.maven_support) opts.maven = true;
  const custom: RepoOpts = {};
  if (override !== null && override !== undefined) {
    const o = convertRepoOpts(override, false, log);
    for (const [k, v] of Object.entries(o)) if (v !== opts[k]) custom[k] = v;
    Object.assign(opts, custom);
  }
  return { opts, custom };
}
