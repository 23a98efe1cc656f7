/**
 * @module
 * How tests read policy data: Python-like truthiness and stringification
 * (koji's tests are written against Python values), and resolution of the
 * user, package, build and tag facts that koji derives from the data when a
 * key is absent (e.g. the package name from `build`).
 */

import { GenericError } from '../../core/faults.ts';
import { fnmatchAny } from '../../core/fnmatch.ts';
import type { PolicyBuildInfo, PolicyData, PolicyLookups } from './types.ts';

/** Python's `bool(value)`: empty strings, lists, maps and zero are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  if (value instanceof Set || value instanceof Map) return value.size > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/**
 * Text to glob-match for a scalar data value, or null when it cannot be
 * matched (None, lists, maps). Booleans print as Python does.
 */
export function matchText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return null;
}

/** True if the scalar `value` matches any of `patterns`; None never matches. */
export function valueMatches(value: unknown, patterns: readonly string[]): boolean {
  const text = matchText(value);
  return text !== null && fnmatchAny(text, patterns);
}

/** Items of a list-valued field (arrays and sets), or null when the field is not a list. */
export function listItems(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  return null;
}

/** The acting user: `user_id` from the data, else the logged-in user; null if neither. */
export function policyUser(data: PolicyData, lookups: PolicyLookups): { id: number; name: string } | null {
  const raw = data.user_id ?? lookups.sessionUserId ?? null;
  if (typeof raw !== 'number') return null;
  const name = lookups.userName(raw);
  return name === null ? null : { id: raw, name };
}

function isBuildRef(value: unknown): value is number | string {
  return typeof value === 'number' || typeof value === 'string';
}

/** The build named by `data.build`; a missing or unknown build is an error, as in koji. */
export function requireBuild(data: PolicyData, lookups: PolicyLookups): PolicyBuildInfo {
  const ref = data.build;
  if (!isBuildRef(ref)) throw GenericError('policy data must contain a build');
  const info = lookups.buildInfo(ref);
  if (!info) throw GenericError(`No such build: ${JSON.stringify(ref)}`);
  return info;
}

/** The build named by `data.build`, or null when there is none or it does not exist. */
export function optionalBuild(data: PolicyData, lookups: PolicyLookups): PolicyBuildInfo | null {
  return isBuildRef(data.build) ? lookups.buildInfo(data.build) : null;
}

/**
 * Package name from `package` (a name, or an id resolved by the hub), else
 * from the build. Without either, the policy cannot be decided: an error.
 */
export function policyPackage(data: PolicyData, lookups: PolicyLookups): { name: string; fromBuild: boolean } {
  if ('package' in data) {
    const pkg = data.package;
    if (typeof pkg === 'string') return { name: pkg, fromBuild: false };
    const name = typeof pkg === 'number' ? (lookups.packageName?.(pkg) ?? null) : null;
    if (name === null) throw GenericError(`No such package: ${JSON.stringify(pkg)}`);
    return { name, fromBuild: false };
  }
  if ('build' in data) return { name: requireBuild(data, lookups).name, fromBuild: true };
  throw GenericError('policy requires package data');
}

/** `version` or `release` from the data, else from the build; an error without either. */
export function policyNvrPart(data: PolicyData, lookups: PolicyLookups, key: 'version' | 'release'): unknown {
  if (key in data) return data[key];
  if ('build' in data) return requireBuild(data, lookups)[key];
  throw GenericError(`policy requires ${key} data`);
}

function requireTagName(tag: unknown, lookups: PolicyLookups): string {
  const name = typeof tag === 'number' || typeof tag === 'string' ? lookups.tagName(tag) : null;
  if (name === null) throw GenericError(`No such tagInfo: ${JSON.stringify(tag)}`);
  return name;
}

/**
 * Names of the build tags relevant to the data: `build_tag`, else
 * `build_tags`, else the build tag of `target`, else the tags of the
 * buildroots of `build`. `null` entries stand for buildroots without a tag.
 */
export function policyBuildTags(data: PolicyData, lookups: PolicyLookups): (string | null)[] {
  const tags = new Set<string | null>();
  if ('build_tag' in data) {
    tags.add(requireTagName(data.build_tag, lookups));
  } else if ('build_tags' in data) {
    for (const t of listItems(data.build_tags) ?? []) tags.add(requireTagName(t, lookups));
  }
  if (tags.size === 0 && truthy(data.target)) {
    const target = data.target;
    if (typeof target === 'number' || typeof target === 'string') {
      if (!lookups.targetBuildTag) throw GenericError('policy lookups cannot resolve build targets');
      const name = lookups.targetBuildTag(target);
      if (name !== null) tags.add(name);
    }
  }
  if (tags.size === 0 && isBuildRef(data.build)) {
    if (!lookups.buildRootTags) throw GenericError('policy lookups cannot resolve buildroot tags');
    for (const t of lookups.buildRootTags(data.build)) tags.add(t);
  }
  return [...tags];
}

/** Build types from `btypes`, else from the build; empty when neither is given. */
export function policyBuildTypes(data: PolicyData, lookups: PolicyLookups): string[] {
  if ('btypes' in data) return (listItems(data.btypes) ?? []).map(String);
  if ('build' in data) return requireBuild(data, lookups).btypes ?? [];
  return [];
}

/**
 * Content generator names from `cg_list`, else from the build's buildroots;
 * null entries stand for components built outside any content generator.
 */
export function policyContentGenerators(data: PolicyData, lookups: PolicyLookups): (string | null)[] {
  if ('cg_list' in data) return (listItems(data.cg_list) ?? []).map((cg) => (cg === null ? null : String(cg)));
  if ('build' in data) return requireBuild(data, lookups).cg_names ?? [];
  return [];
}
