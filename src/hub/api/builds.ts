/**
 * @module
 * Builds: creating build records, lookups and listings, the builds of a tag
 * (listTagged / getLatestBuilds, resolved through inheritance and the
 * package list as Koji does), next release, owner changes, deletion, and
 * the synchronous tag/untag calls. tagBuild (which makes a task) lives
 * with the tasks; it shares checkTagPolicy and tagBuildInTx from tagging.ts.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError, GenericError, ParameterError } from '../../core/faults.ts';
import { BUILD_STATES } from '../../core/states.ts';
import { verifyNameInternal } from '../../core/names.ts';
import { now } from '../../core/time.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, asInt, asOptInt, asStringList, isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import * as builds from '../../store/builds.ts';
import * as pkgs from '../../store/packages.ts';
import { applyQueryOpts, asEvent, bool, globToLike, parseJson, prefixLike, pyRepr, timeValue } from './common.ts';
import { buildShape, findBuildId, getBuildInfo, getTagInfo, lookupPackage, requireTag, tagIdOf, type BuildInfo } from './lookups.ts';
import { lookupUser } from './users.ts';
import { fullInheritance } from './tags.ts';
import { checkTagPolicy, tagBuildInTx, untagBuildInTx } from './tagging.ts';

type Dict = Record<string, unknown>;

export interface NewBuildData {
  name?: string;
  pkg_id?: number;
  version: string;
  release: string;
  epoch: number | null;
  owner?: unknown;
  draft?: boolean;
  state?: number;
  task_id?: number | null;
  start_time?: number | null;
  completion_time?: number | null;
  source?: string | null;
  extra?: unknown;
  volume_id?: number;
  cg_id?: number | null;
}

/**
 * Koji's new_build: insert a build (COMPLETE, owned by the caller unless
 * told otherwise), or recycle a FAILED/CANCELED one with the same NVR.
 * Draft builds get ",draft_<id>" appended to their release. Fires
 * pre/postBuildStateChange(attribute='state'). Returns the build id.
 */
export function newBuildInTx(ctx: CallContext, input: NewBuildData, strict = false): number {
  let pkgId: number;
  let name: string;
  if (input.pkg_id !== undefined) {
    const p = lookupPackage(ctx, input.pkg_id, true)!;
    pkgId = p.id;
    name = p.name;
  } else {
    if (!input.name) throw GenericError('No name or package id provided for build');
    name = verifyNameInternal(input.name);
    pkgId = pkgs.findPackage(ctx.store, name)?.id ?? pkgs.insertPackage(ctx.store, name);
  }
  for (const f of ['version', 'release', 'epoch'] as const) {
    if (!(f in input)) throw GenericError(`No ${f} value for build`);
  }
  const t = now();
  const row: builds.NewBuildRow = {
    pkg_id: pkgId,
    version: String(input.version),
    release: String(input.release),
    epoch: input.epoch,
    draft: Boolean(input.draft),
    state: input.state ?? BUILD_STATES.COMPLETE,
    task_id: input.task_id ?? null,
    owner: input.owner !== undefined && input.owner !== null ? lookupUser(ctx, input.owner, true)!.id : ctx.requireLogin().userId,
    start_time: input.start_time === undefined ? t : input.start_time,
    completion_time: input.completion_time === undefined ? t : input.completion_time,
    volume_id: input.volume_id ?? 0,
    source: input.source ?? null,
    extra: input.extra === undefined || input.extra === null ? null : JSON.stringify(input.extra),
  };
  if (input.cg_id !== undefined) row.cg_id = input.cg_id;
  const data = { ...input, name, pkg_id: pkgId, owner: row.owner, state: row.state, draft: row.draft };
  const old = getBuildInfo(ctx, { name, version: row.version, release: row.release });
  if (old) {
    const oldStr = `${old.nvr} (id=${old.id})`;
    if (row.draft) throw GenericError(`Target build already exists: ${oldStr}`);
    if (strict) throw GenericError(`Existing build found: ${oldStr}`);
    recycleBuild(ctx, old, row, data);
    return old.id;
  }
  ctx.callback('preBuildStateChange', { attribute: 'state', old: null, new: row.state, info: data });
  const id = builds.insertBuild(ctx.store, row, ctx.event());
  if (row.draft) {
    const release = `${row.release},draft_${id}`;
    if (builds.findBuildId(ctx.store, { name, version: row.version, release }) !== null) {
      throw GenericError(`The build already exists: ${pyRepr({ name, version: row.version, release })}`);
    }
    builds.setBuildRelease(ctx.store, id, release);
  }
  ctx.callback('postBuildStateChange', { attribute: 'state', old: null, new: row.state, info: getBuildInfo(ctx, id, true) });
  return id;
}

function recycleBuild(ctx: CallContext, old: BuildInfo, row: builds.NewBuildRow, data: Dict): void {
  const st = BUILD_STATES.nameOf(old.state);
  if (st === 'BUILDING') {
    // the controlling task restarted and asked for its build again
    if (row.state === old.state && (row.task_id ?? '') === old.task_id) return;
    throw GenericError(`Build already in progress (task ${old.task_id})`);
  }
  if (st !== 'FAILED' && st !== 'CANCELED') throw GenericError(`Build already exists (id=${old.id}, state=${st}): ${pyRepr(data)}`);
  const facts = builds.buildHistoryFacts(ctx.store, old.id);
  if (facts.tagged) throw GenericError('Build already exists. Unable to recycle, has tag history');
  if (facts.rpms) throw GenericError('Build already exists. Unable to recycle, has rpm data');
  if (facts.archives) throw GenericError('Build already exists. Unable to recycle, has archive data');
  ctx.callback('preBuildStateChange', { attribute: 'state', old: old.state, new: row.state, info: data });
  builds.recycleBuildRow(ctx.store, old.id, row, ctx.event());
  ctx.callback('postBuildStateChange', { attribute: 'state', old: old.state, new: row.state, info: getBuildInfo(ctx, old.id, true) });
}

/** Koji's get_next_release for {name, version}. */
export function nextRelease(ctx: CallContext, info: unknown, incr = 1): string {
  if (!isStruct(info)) throw ParameterError(`build_info must be a dict with name and version, got ${pyRepr(info)}`);
  const release = builds.latestReleaseOf(ctx.store, String(info.name), String(info.version), [BUILD_STATES.COMPLETE, BUILD_STATES.DELETED, BUILD_STATES.BUILDING]);
  if (!release) return String(incr);
  if (/^\d+$/.test(release)) return String(Number(release) + incr);
  const parts = release.split('.');
  if (parts.length === 2 && /^\d+$/.test(parts[0]!)) return [String(Number(parts[0]) + incr), parts[1]].join('.');
  if (parts.length === 3 && /^\d+$/.test(parts[2]!)) return [parts[0], parts[1], String(Number(parts[2]) + incr)].join('.');
  throw BuildError(`Unable to increment release value: ${release}`);
}

/** A build type name to its id; Koji's 'unsupported build type' otherwise. */
function btypeIdOf(ctx: CallContext, type: unknown): number | null {
  if (type === null || type === undefined) return null;
  const id = builds.btypeId(ctx.store, String(type));
  if (id === null) throw GenericError(`unsupported build type: ${String(type)}`);
  return id;
}

export interface TaggedQuery {
  event?: number | null;
  inherit?: boolean;
  /** true: latest per package; N: the N latest per package. */
  latest?: boolean | number;
  package?: string | null;
  owner?: string | null;
  type?: string | null;
  extra?: boolean;
  draft?: boolean | null;
}

/** The wire shape of a listTagged entry. */
function taggedShape(r: builds.TaggedBuildRow, withExtra: boolean): Dict {
  const out: Dict = {
    tag_id: r.tag_id,
    tag_name: r.tag_name,
    id: r.id,
    build_id: r.id,
    version: r.version,
    release: r.release,
    epoch: r.epoch,
    state: r.state,
    completion_time: timeValue(r.completion_time),
    promotion_time: timeValue(r.promotion_time),
    start_time: timeValue(r.start_time),
    task_id: r.task_id,
    draft: bool(r.draft),
    owner_id: r.owner_id,
    owner_name: r.owner_name,
    promoter_id: r.promoter_id,
    promoter_name: r.promoter_name,
    creation_event_id: r.creation_event_id,
    creation_time: timeValue(r.creation_time),
    volume_id: r.volume_id,
    volume_name: r.volume_name,
    package_id: r.package_id,
    package_name: r.package_name,
    name: r.package_name,
    nvr: `${r.package_name}-${r.version}-${r.release}`,
    create_event: r.create_event,
  };
  if (withExtra) out.extra = parseJson(r.extra, 'Invalid extra data');
  return out;
}

/**
 * Koji's readTaggedBuilds: COMPLETE builds in a tag (and its ancestors with
 * inherit), newest tagging first, skipping packages not listed or blocked
 * in the tag (the package list always follows inheritance).
 */
export function readTaggedBuilds(ctx: CallContext, tagId: number, q: TaggedQuery = {}): Dict[] {
  const event = q.event ?? null;
  const latest = typeof q.latest === 'number' ? q.latest : Boolean(q.latest);
  const taglist = [tagId, ...(q.inherit ? fullInheritance(ctx, tagId, event).map((l) => l.parent_id) : [])];
  const packages = pkgs.readPackageList(ctx.store, { tagId, event, inherit: true, pkgId: q.package ?? null, withOwners: false });
  const btype = btypeIdOf(ctx, q.type);
  const seen = new Map<number, number>();
  const out: Dict[] = [];
  for (const tid of taglist) {
    const rows = builds.taggedBuildRows(ctx.store, tid, event, {
      packageName: q.package ?? null,
      ownerName: q.owner ?? null,
      btypeId: btype,
      draft: q.draft ?? null,
      state: BUILD_STATES.COMPLETE,
    });
    for (const r of rows) {
      const entry = packages.get(r.package_id);
      // the package list wins over stray tag_listing rows
      if (!entry || entry.blocked) continue;
      if (latest !== false && latest !== 0) {
        const n = seen.get(r.package_id) ?? 0;
        if ((latest === true && n > 0) || (typeof latest === 'number' && n >= latest)) continue;
        seen.set(r.package_id, n + 1);
      }
      out.push(taggedShape(r, Boolean(q.extra)));
    }
  }
  return out;
}

/** Koji's readTaggedRPMS: [rpms, builds] of a tag. */
export function readTaggedRPMS(ctx: CallContext, tagId: number, q: TaggedQuery & { arch?: unknown; rpmsigs?: boolean; rpmExtra?: boolean }): [Dict[], Dict[]] {
  const tagged = readTaggedBuilds(ctx, tagId, q);
  let arches: string[] | null = null;
  if (q.arch !== null && q.arch !== undefined && q.arch !== '' && !(Array.isArray(q.arch) && q.arch.length === 0)) {
    if (typeof q.arch === 'string') arches = [q.arch];
    else if (Array.isArray(q.arch)) arches = asStringList(q.arch, 'arch');
    else throw GenericError(`Invalid type for arch option: ${typeof q.arch}`);
  }
  const rows = builds.rpmsOfBuilds(ctx.store, tagged.map((b) => b.id as number), arches, q.draft ?? null);
  const rpms = rows.map((r) => {
    const out: Dict = {
      name: r.name,
      version: r.version,
      release: r.release,
      arch: r.arch,
      id: r.id,
      epoch: r.epoch,
      draft: bool(r.draft),
      payloadhash: r.payloadhash,
      size: r.size,
      buildtime: r.buildtime,
      buildroot_id: r.buildroot_id,
      build_id: r.build_id,
      metadata_only: bool(r.metadata_only),
    };
    // kojibox keeps no signature cache, so no rpm carries a sigkey
    if (q.rpmsigs) out.sigkey = null;
    if (q.rpmExtra !== false) out.extra = parseJson(r.extra, 'Invalid extra data');
    return out;
  });
  return [rpms, tagged];
}

/** Seconds since the epoch from a time filter (a number, an ISO text or an XML-RPC date). */
function timeArg(v: unknown, name: string): number | undefined {
  if (v === null || v === undefined || v === '' || v === 0) return undefined;
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime() / 1000;
  if (typeof v === 'string') {
    const text = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`;
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  throw GenericError(`Invalid time for ${name}: ${String(v)}`);
}

/** Koji's delete_build: refuse while referenced, then mark DELETED, untag and remove files. */
function deleteBuild(ctx: CallContext, info: unknown, strict: boolean, minRefAge: number): boolean | null {
  const binfo = getBuildInfo(ctx, info, true)!;
  if (binfo.state === BUILD_STATES.DELETED) return null;
  const refs = builds.buildReferences(ctx.store, binfo.id, BUILD_STATES.COMPLETE);
  const refuse = (msg: string) => {
    if (strict) throw GenericError(msg);
    return false;
  };
  if (refs.tags.length) return refuse(`Cannot delete build, tagged: ${pyRepr(refs.tags)}`);
  if (refs.rpms.length) return refuse(`Cannot delete build, used in buildroots: ${pyRepr(refs.rpms)}`);
  if (refs.component_of.length) return refuse(`Cannot delete build, used as component of: ${pyRepr(refs.component_of)}`);
  if (refs.last_used !== null && now() - refs.last_used < minRefAge) return refuse('Cannot delete build, used in recent buildroot');
  ctx.callback('preBuildStateChange', { attribute: 'state', old: binfo.state, new: BUILD_STATES.DELETED, info: binfo });
  builds.revokeAllTagListings(ctx.store, binfo.id, ctx.event(), ctx.userId);
  builds.setBuildState(ctx.store, binfo.id, BUILD_STATES.DELETED);
  const dir = join(ctx.hub.volumeDir(binfo.volume_name), 'packages', binfo.name, binfo.version, binfo.release);
  // files go only once the transaction holds
  ctx.afterCommit(() => rmSync(dir, { recursive: true, force: true }));
  ctx.callback('postBuildStateChange', { attribute: 'state', old: binfo.state, new: BUILD_STATES.DELETED, info: getBuildInfo(ctx, binfo.id, true) });
  ctx.hub.log.warn(`Build ${binfo.nvr} is deleted by ${ctx.session?.userName ?? '?'}`);
  return true;
}

export const buildMethods: ApiMethod[] = [
  api('createEmptyBuild(name, version, release, epoch, owner=None, draft=False)', 'Create a COMPLETE build record without files (admin); returns its id.', { access: 'admin' }, (ctx, a) =>
    newBuildInTx(ctx, {
      name: a.name,
      version: a.version,
      release: a.release,
      epoch: asOptInt(a.epoch, 'epoch'),
      owner: a.owner ?? undefined,
      draft: asBool(a.draft),
    }),
  ),
  api('getBuild(buildInfo, strict=False)', 'A build by id, NVR or {name, version, release}, with Koji\'s getBuild keys; None if unknown.', { access: 'anon' }, (ctx, a) =>
    getBuildInfo(ctx, a.buildInfo, asBool(a.strict)),
  ),
  api('findBuildID(X, strict=False)', 'Id of a build given by NVR or dict.', { access: 'anon' }, (ctx, a) => findBuildId(ctx, a.X, asBool(a.strict))),
  api('getBuildType(buildInfo, strict=False)', 'The types of a build: {btype: typeinfo}.', { access: 'anon' }, (ctx, a) => {
    const b = getBuildInfo(ctx, a.buildInfo, asBool(a.strict));
    if (!b) return null;
    const typeinfo = isStruct(b.extra) && isStruct(b.extra.typeinfo) ? b.extra.typeinfo : {};
    return Object.fromEntries(builds.buildTypeNames(ctx.store, b.id).map((t) => [t, typeinfo[t] ?? null]));
  }),
  api(
    'listBuilds(packageID=None, userID=None, taskID=None, prefix=None, state=None, volumeID=None, source=None, createdBefore=None, createdAfter=None, completeBefore=None, completeAfter=None, type=None, typeInfo=None, queryOpts=None, pattern=None, cgID=None, draft=None, promotedBefore=None, promotedAfter=None, promoter=None)',
    'Builds matching the filters (listBuilds keys: build_id, nvr, state, owner_name, ...).',
    { access: 'anon' },
    (ctx, a) => {
      const f: builds.BuildFilter = {};
      if (a.packageID !== null) {
        const p = lookupPackage(ctx, a.packageID, false);
        if (!p) return applyQueryOpts([], a.queryOpts);
        f.packageId = p.id;
      }
      if (a.userID !== null) {
        const u = lookupUser(ctx, a.userID);
        if (!u) return applyQueryOpts([], a.queryOpts);
        f.userId = u.id;
      }
      if (a.promoter !== null) {
        const u = lookupUser(ctx, a.promoter);
        if (!u) return applyQueryOpts([], a.queryOpts);
        f.promoterId = u.id;
      }
      if (a.volumeID !== null) f.volumeId = asInt(a.volumeID, 'volumeID');
      if (a.taskID !== null) f.taskId = asInt(a.taskID, 'taskID');
      if (a.source !== null) f.sourceLike = globToLike(String(a.source));
      if (a.prefix) f.prefixLike = prefixLike(String(a.prefix));
      if (a.pattern) f.nvrLike = globToLike(String(a.pattern));
      if (a.state !== null) f.state = asInt(a.state, 'state');
      f.createdBefore = timeArg(a.createdBefore, 'createdBefore');
      f.createdAfter = timeArg(a.createdAfter, 'createdAfter');
      f.completeBefore = timeArg(a.completeBefore, 'completeBefore');
      f.completeAfter = timeArg(a.completeAfter, 'completeAfter');
      f.promotedBefore = timeArg(a.promotedBefore, 'promotedBefore');
      f.promotedAfter = timeArg(a.promotedAfter, 'promotedAfter');
      if (a.cgID) {
        const cg = builds.contentGeneratorId(ctx.store, typeof a.cgID === 'number' ? a.cgID : String(a.cgID));
        if (cg === null) return applyQueryOpts([], a.queryOpts);
        f.cgId = cg;
      }
      const btype = btypeIdOf(ctx, a.type);
      if (btype !== null) f.btypeId = btype;
      if (a.draft !== null) f.draft = asBool(a.draft);
      for (const k of Object.keys(f) as Array<keyof builds.BuildFilter>) if (f[k] === undefined) delete f[k];
      const rows = builds.listBuilds(ctx.store, f).map((r) => {
        const { id: _id, cg_id: _cg, cg_name: _cgn, ...rest } = buildShape(r);
        return rest;
      });
      return applyQueryOpts(rows, a.queryOpts);
    },
  ),
  api('getNextRelease(build_info, incr=1)', 'The next release for {name, version}: "1", N+1, or N+1 of "N.dist".', { access: 'anon' }, (ctx, a) => {
    if (typeof a.incr !== 'number' || !Number.isInteger(a.incr)) throw GenericError('incr parameter must be an integer');
    return nextRelease(ctx, a.build_info, a.incr);
  }),
  api('setBuildOwner(build, user)', 'Change the owner of a build (admin).', { access: 'admin' }, (ctx, a) => {
    const b = getBuildInfo(ctx, a.build, true)!;
    const u = lookupUser(ctx, a.user, true)!;
    ctx.callback('preBuildStateChange', { attribute: 'owner_id', old: b.owner_id, new: u.id, info: b });
    builds.setBuildOwner(ctx.store, b.id, u.id);
    ctx.callback('postBuildStateChange', { attribute: 'owner_id', old: b.owner_id, new: u.id, info: b });
  }),
  api('deleteBuild(build, strict=True, min_ref_age=604800)', 'Mark an unreferenced build DELETED and remove its files (admin).', { access: 'admin' }, (ctx, a) =>
    deleteBuild(ctx, a.build, asBool(a.strict), asInt(a.min_ref_age, 'min_ref_age')),
  ),
  api('buildReferences(build, limit=None, lazy=False)', 'What refers to a build: tags, buildroots using its rpms, archives containing them, last use.', { access: 'anon' }, (ctx, a) => {
    const b = getBuildInfo(ctx, a.build, true)!;
    const refs = builds.buildReferences(ctx.store, b.id, BUILD_STATES.COMPLETE, a.limit === null ? 1000000 : asInt(a.limit, 'limit'));
    return { ...refs, archives: [], images: refs.component_of, last_used: refs.last_used };
  }),
  api('tagBuildBypass(tag, build, force=False, notify=False)', 'Tag a build directly, without a task (tag permission; tag policy unless forced).', { access: 'tag' }, (ctx, a) => {
    const tag = requireTag(ctx, a.tag);
    const build = getBuildInfo(ctx, a.build, true)!;
    const force = asBool(a.force);
    checkTagPolicy(ctx, { tag: tag.id, build: build.id, fromtag: null, operation: 'tag', force });
    tagBuildInTx(ctx, tag, build, { force });
  }),
  api('untagBuild(tag, build, strict=True, force=False)', 'Untag a build (tag policy with operation untag; locked tags need admin and force).', { access: 'login' }, (ctx, a) => {
    const tag = requireTag(ctx, a.tag);
    const build = getBuildInfo(ctx, a.build, true)!;
    const force = asBool(a.force);
    checkTagPolicy(ctx, { tag: null, build: build.id, fromtag: tag.id, operation: 'untag', force });
    untagBuildInTx(ctx, tag, build, { strict: asBool(a.strict), force });
  }),
  api('untagBuildBypass(tag, build, strict=True, force=False, notify=False)', 'Untag a build directly (tag permission; tag policy unless forced).', { access: 'tag' }, (ctx, a) => {
    const tag = requireTag(ctx, a.tag);
    const build = getBuildInfo(ctx, a.build, true)!;
    const force = asBool(a.force);
    checkTagPolicy(ctx, { tag: null, build: build.id, fromtag: tag.id, operation: 'untag', force });
    untagBuildInTx(ctx, tag, build, { strict: asBool(a.strict), force });
  }),
  api('massTag(tag, builds)', 'Tag many builds at once, bypassing access checks and policy (tag permission).', { access: 'tag' }, (ctx, a) => {
    const tag = requireTag(ctx, a.tag);
    if (!Array.isArray(a.builds)) throw ParameterError(`Invalid type for builds: ${pyRepr(a.builds)}`);
    for (const b of a.builds) {
      tagBuildInTx(ctx, tag, getBuildInfo(ctx, b, true)!, { force: true, checkAccess: false });
      // each tagging gets its own event so their order is kept
      ctx.resetEvent(null);
    }
  }),
  api(
    'listTagged(tag, event=None, inherit=False, prefix=None, latest=False, package=None, owner=None, type=None, strict=True, extra=False, draft=None)',
    'COMPLETE builds in a tag (newest tagging first), optionally through inheritance and only the latest per package.',
    { access: 'anon' },
    (ctx, a) => {
      const event = asEvent(a.event);
      const tag = getTagInfo(ctx, a.tag, { strict: asBool(a.strict), event });
      if (!tag) return [];
      let rows = readTaggedBuilds(ctx, tag.id, taggedQuery(a, event));
      if (a.prefix) {
        const prefix = String(a.prefix).toLowerCase();
        rows = rows.filter((b) => String(b.package_name).toLowerCase().startsWith(prefix));
      }
      return rows;
    },
  ),
  api(
    'listTaggedRPMS(tag, event=None, inherit=False, latest=False, package=None, arch=None, rpmsigs=False, owner=None, type=None, strict=True, extra=True, draft=None)',
    'RPMs and builds in a tag: [rpms, builds].',
    { access: 'anon' },
    (ctx, a) => {
      const event = asEvent(a.event);
      const tag = getTagInfo(ctx, a.tag, { strict: asBool(a.strict), event });
      if (!tag) return [];
      return readTaggedRPMS(ctx, tag.id, { ...taggedQuery(a, event), extra: false, arch: a.arch, rpmsigs: asBool(a.rpmsigs), rpmExtra: asBool(a.extra) });
    },
  ),
  api('getLatestBuilds(tag, event=None, package=None, type=None, draft=None)', 'The latest COMPLETE build of each package in a tag, through inheritance.', { access: 'anon' }, (ctx, a) => {
    const tagId = typeof a.tag === 'number' ? a.tag : tagIdOf(ctx, a.tag, true)!;
    return readTaggedBuilds(ctx, tagId, { event: asEvent(a.event), inherit: true, latest: true, package: optStr(a.package), type: optStr(a.type), draft: a.draft === null ? null : asBool(a.draft) });
  }),
  api('getLatestRPMS(tag, package=None, arch=None, event=None, rpmsigs=False, type=None, draft=None)', 'RPMs of the latest builds in a tag: [rpms, builds].', { access: 'anon' }, (ctx, a) => {
    const tagId = typeof a.tag === 'number' ? a.tag : tagIdOf(ctx, a.tag, true)!;
    return readTaggedRPMS(ctx, tagId, {
      event: asEvent(a.event),
      inherit: true,
      latest: true,
      package: optStr(a.package),
      type: optStr(a.type),
      draft: a.draft === null ? null : asBool(a.draft),
      arch: a.arch,
      rpmsigs: asBool(a.rpmsigs),
    });
  }),
];

function optStr(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function taggedQuery(a: Dict, event: number | null): TaggedQuery {
  const latest = typeof a.latest === 'number' ? a.latest : asBool(a.latest);
  return {
    event,
    inherit: asBool(a.inherit),
    latest,
    package: optStr(a.package),
    owner: optStr(a.owner),
    type: optStr(a.type),
    extra: asBool(a.extra),
    draft: a.draft === null ? null : asBool(a.draft),
  };
}
