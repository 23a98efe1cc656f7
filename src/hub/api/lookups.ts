/**
 * @module
 * Lookups every tag/package/build API needs, with Koji's semantics and
 * error texts: get_tag (a tag exists while it has config), get_tag_id and
 * lookup_package (any name ever created), find_build_id/get_build. Other
 * hub modules (tasks, repos, plugins) use these too.
 */
import { GenericError } from '../../core/faults.ts';
import { parseNVR } from '../../core/nvr.ts';
import { isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import * as tags from '../../store/tags.ts';
import * as pkgs from '../../store/packages.ts';
import * as builds from '../../store/builds.ts';
import { findPerm, findPermById } from '../../store/users.ts';
import { bool, nameOrId, parseJson, pyRepr, timeValue, tsValue } from './common.ts';

export interface TagInfo {
  id: number;
  name: string;
  perm_id: number | null;
  perm: string | null;
  arches: string | null;
  locked: boolean;
  maven_support: boolean;
  maven_include_all: boolean;
  /** key -> value, or with `blocked` key -> [blocked, value]. */
  extra: Record<string, unknown>;
  query_event?: number | string;
  revoke_event?: number | null;
}

export interface TagLookupOptions {
  strict?: boolean;
  /** An event id, null for now, or "auto": the newest config even of a deleted tag. */
  event?: number | null | 'auto';
  blocked?: boolean;
}

/** Koji's get_tag: the tag as it is (or was at `event`), or null / GenericError when strict. */
export function getTagInfo(ctx: CallContext, info: unknown, opts: TagLookupOptions = {}): TagInfo | null {
  const ref = nameOrId(info);
  let event: number | null = null;
  let withRevoke = false;
  if (opts.event === 'auto') {
    const newest = tags.newestTagConfigEvents(ctx.store, ref);
    if (newest && newest.revoke_event !== null) {
      // the moment just before deletion shows the tag's last config
      event = newest.revoke_event - 1;
      withRevoke = true;
    }
  } else if (opts.event !== undefined && opts.event !== null) event = opts.event;
  const row = tags.tagConfigAt(ctx.store, ref, event);
  if (!row) {
    if (opts.strict) throw GenericError(`No such tagInfo: ${pyRepr(info)}`);
    return null;
  }
  const out: TagInfo = {
    id: row.id,
    name: row.name,
    perm_id: row.perm_id,
    perm: row.perm,
    arches: row.arches,
    locked: bool(row.locked),
    maven_support: bool(row.maven_support),
    maven_include_all: bool(row.maven_include_all),
    extra: tagExtra(ctx, row.id, event, Boolean(opts.blocked)),
  };
  if (withRevoke) out.revoke_event = row.revoke_event;
  // "auto" on a live tag queries now, and Koji then reports no query_event
  if (event !== null) out.query_event = event;
  return out;
}

/** Strict get_tag for callers that already validated the argument. */
export function requireTag(ctx: CallContext, info: unknown, event: number | null = null): TagInfo {
  return getTagInfo(ctx, info, { strict: true, event })!;
}

/** A tag's extra (no inheritance); with `blocked`, each value is [blocked, value]. */
export function tagExtra(ctx: CallContext, tagId: number, event: number | null, blocked: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of tags.tagExtraRows(ctx.store, tagId, event, blocked)) {
    const value = r.value === null ? null : parseJson(r.value, `No such tag extra data: ${r.key}`);
    out[r.key] = blocked ? [r.value === null, value] : value;
  }
  return out;
}

/** Koji's get_tag_id: any tag name ever created (also deleted tags). */
export function tagIdOf(ctx: CallContext, info: unknown, strict: boolean): number | null {
  const ref = nameOrId(info);
  const row = tags.findTagName(ctx.store, ref);
  if (!row && strict) throw GenericError(`No such entry in table tag: ${typeof ref === 'string' ? ref : String(ref)}`);
  return row?.id ?? null;
}

/** Koji's lookup_package: {id, name}, or null / GenericError when strict. */
export function lookupPackage(ctx: CallContext, info: unknown, strict: boolean): { id: number; name: string } | null {
  const ref = nameOrId(info);
  const row = pkgs.findPackage(ctx.store, ref);
  if (!row && strict) throw GenericError(`No such entry in table package: ${String(ref)}`);
  return row;
}

/** Koji's get_perm_id(strict=True). */
export function permIdOf(ctx: CallContext, info: unknown): number {
  const ref = nameOrId(info);
  const perm = typeof ref === 'number' ? findPermById(ctx.store, ref) : findPerm(ctx.store, ref);
  if (!perm) throw GenericError(`No such entry in table permissions: ${String(ref)}`);
  return perm.id;
}

/** Koji's find_build_id: an id as is, an NVR string or a dict with name/version/release. */
export function findBuildId(ctx: CallContext, info: unknown, strict: boolean): number | null {
  if (typeof info === 'number' && Number.isInteger(info)) return info;
  let nvr: { name: unknown; version: unknown; release: unknown };
  if (typeof info === 'string') nvr = parseNVR(info);
  else if (isStruct(info)) {
    if (!('name' in info && 'version' in info && 'release' in info)) throw GenericError('did not provide name, version, and release');
    nvr = { name: info.name, version: info.version, release: info.release };
  } else throw GenericError(`Invalid type for argument: ${pyTypeName(info)}`);
  const id = builds.findBuildId(ctx.store, { name: String(nvr.name), version: String(nvr.version), release: String(nvr.release) });
  if (id === null && strict) throw GenericError(`No such build: ${pyRepr(info)}`);
  return id;
}

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (typeof v === 'boolean') return "<class 'bool'>";
  if (typeof v === 'number') return "<class 'float'>";
  if (Array.isArray(v)) return "<class 'list'>";
  return `<class '${typeof v}'>`;
}

/** A build as getBuild returns it (Koji's get_build keys). */
export interface BuildInfo extends Record<string, unknown> {
  id: number;
  build_id: number;
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  nvr: string;
  state: number;
  draft: boolean;
  package_id: number;
  package_name: string;
  owner_id: number;
  owner_name: string;
  task_id: number | null;
  volume_id: number;
  volume_name: string;
}

export function buildShape(r: builds.BuildRow): BuildInfo {
  return {
    id: r.id,
    version: r.version,
    release: r.release,
    build_id: r.id,
    epoch: r.epoch,
    draft: bool(r.draft),
    state: r.state,
    completion_time: timeValue(r.completion_time),
    promotion_time: timeValue(r.promotion_time),
    start_time: timeValue(r.start_time),
    task_id: r.task_id,
    creation_event_id: r.creation_event_id,
    creation_time: timeValue(r.creation_time),
    package_id: r.package_id,
    package_name: r.package_name,
    name: r.package_name,
    volume_id: r.volume_id,
    volume_name: r.volume_name,
    nvr: `${r.package_name}-${r.version}-${r.release}`,
    creation_ts: tsValue(r.creation_time),
    start_ts: tsValue(r.start_time),
    completion_ts: tsValue(r.completion_time),
    promotion_ts: tsValue(r.promotion_time),
    owner_id: r.owner_id,
    owner_name: r.owner_name,
    promoter_id: r.promoter_id,
    promoter_name: r.promoter_name,
    cg_id: r.cg_id,
    source: r.source,
    extra: parseJson(r.extra, 'Invalid extra data'),
    cg_name: r.cg_name,
  };
}

/** Koji's get_build: by id, NVR or dict; null (or GenericError when strict) if unknown. */
export function getBuildInfo(ctx: CallContext, info: unknown, strict = false): BuildInfo | null {
  const id = findBuildId(ctx, info, strict);
  if (id === null) return null;
  const row = builds.buildById(ctx.store, id);
  if (!row) {
    if (strict) throw GenericError(`No such build: ${typeof info === 'string' ? info : pyRepr(info)}`);
    return null;
  }
  return buildShape(row);
}
