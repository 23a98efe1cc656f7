/**
 * @module
 * RPM and archive queries: getRPM (by id, NVRA or dict, choosing among
 * draft and external duplicates as Koji does), listRPMs, listBuildRPMs,
 * listArchives and getArchive, with Koji's keys.
 */
import { GenericError } from '../../core/faults.ts';
import { parseNVR } from '../../core/nvr.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, asInt, asStringList, isStruct } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import * as rpms from '../../store/rpms.ts';
import { btypeId } from '../../store/builds.ts';
import { applyQueryOpts, bool, parseJson, pyRepr } from './common.ts';
import { findBuildId, getBuildInfo } from './lookups.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readRpmHeaders, RPMTAG_NAMES } from '../../core/rpm-header.ts';
import { BUILD_STATES } from '../../core/states.ts';
import { buildRelDir } from '../repos/paths.ts';
import { taskRelPath } from '../tasks/index.ts';

type Dict = Record<string, unknown>;

/** koji.parse_NVRA: `name-version-release.arch[.rpm][@location]`. */
export function parseNVRA(nvra: string): { name: string; version: string; release: string; epoch: string; arch: string; src: boolean; location?: string } {
  let text = nvra;
  let location: string | undefined;
  const at = text.indexOf('@');
  if (at >= 0) {
    location = text.slice(at + 1);
    text = text.slice(0, at);
  }
  if (text.endsWith('.rpm')) text = text.slice(0, -4);
  const p3 = text.lastIndexOf('.');
  if (p3 === -1 || p3 === text.length - 1) throw GenericError(`invalid format: ${text}`);
  const arch = text.slice(p3 + 1);
  const out = { ...parseNVR(text.slice(0, p3)), arch, src: arch === 'src' };
  return location ? { ...out, location } : out;
}

/** An rpm row with Koji's value types. */
export function rpmShape(r: rpms.RpmRow | rpms.ListedRpmRow): Dict {
  const out: Dict = { ...r, draft: bool(r.draft), metadata_only: bool(r.metadata_only), extra: parseJson(r.extra, 'rpm extra') };
  if ('is_update' in r && r.is_update !== undefined) out.is_update = bool(r.is_update);
  return out;
}

/**
 * Koji's get_rpm. With several matches (drafts, external copies) the
 * internal non-draft one wins, then the newest draft, then the newest
 * external one; `multi` returns them all.
 */
export function getRpmInfo(ctx: CallContext, info: unknown, strict = false, multi = false): Dict | Dict[] | null {
  let found: rpms.RpmRow[];
  let shown: unknown = info;
  if (typeof info === 'number' && Number.isInteger(info)) {
    found = [rpms.rpmById(ctx.store, info)].filter((r): r is rpms.RpmRow => r !== null);
    shown = { id: info };
  } else if (typeof info === 'string') {
    if (/^\d+$/.test(info.trim())) {
      found = [rpms.rpmById(ctx.store, Number(info))].filter((r): r is rpms.RpmRow => r !== null);
      shown = { id: Number(info) };
    } else {
      const n = parseNVRA(info);
      // kojibox has no external repos, so no location can name one
      if (n.location !== undefined) throw GenericError(`No such external repo: ${n.location}`);
      shown = n;
      found = rpms.rpmsByNvra(ctx.store, n);
    }
  } else if (isStruct(info)) {
    if (info.id !== undefined && info.id !== null) {
      found = [rpms.rpmById(ctx.store, asInt(info.id, 'id'))].filter((r): r is rpms.RpmRow => r !== null);
    } else {
      for (const k of ['name', 'version', 'release', 'arch']) {
        if (typeof info[k] !== 'string') throw GenericError(`Invalid rpminfo: ${pyRepr(info)}`);
      }
      if (info.location !== undefined && info.location !== null) throw GenericError(`No such external repo: ${String(info.location)}`);
      found = rpms.rpmsByNvra(ctx.store, info as { name: string; version: string; release: string; arch: string });
    }
  } else {
    throw GenericError(`Invalid type for rpminfo: ${pyTypeName(info)}`);
  }
  if (multi) return found.map(rpmShape);
  if (!found.length) {
    if (strict) throw GenericError(`No such rpm: ${pyRepr(shown)}`);
    return null;
  }
  if (found.length === 1) return rpmShape(found[0]!);
  let nondraft: rpms.RpmRow | null = null;
  let draft: rpms.RpmRow | null = null;
  let external: rpms.RpmRow | null = null;
  for (const r of found) {
    if (r.external_repo_id) {
      if (!external || r.id > external.id) external = r;
    } else if (r.draft) {
      if (!draft || r.id > draft.id) draft = r;
    } else {
      if (nondraft) throw GenericError(`Multiple nondraft rpm matches for: ${pyRepr(shown)}`);
      nondraft = r;
    }
  }
  return rpmShape((nondraft ?? draft ?? external)!);
}

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (Array.isArray(v)) return "<class 'list'>";
  return `<class '${typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'float' : typeof v}'>`;
}

function optId(v: unknown, name: string): number | undefined {
  return v === null || v === undefined ? undefined : asInt(v, name);
}

/** An archive row with Koji's value types. */
function archiveShape(r: rpms.ArchiveRow): Dict {
  return { ...r, metadata_only: bool(r.metadata_only), extra: parseJson(r.extra, 'archive extra') };
}

export function listArchivesQuery(ctx: CallContext, a: Dict): Dict[] {
  const f: rpms.ArchiveFilter = {
    buildId: optId(a.buildID, 'buildID'),
    buildrootId: optId(a.buildrootID, 'buildrootID'),
    hostId: optId(a.hostID, 'hostID'),
    archiveId: optId(a.archiveID, 'archiveID'),
  };
  if (a.filename !== null && a.filename !== undefined) f.filename = String(a.filename);
  if (a.size !== null && a.size !== undefined) f.size = asInt(a.size, 'size');
  if (a.checksum !== null && a.checksum !== undefined) f.checksum = String(a.checksum);
  if (a.checksum_type !== null && a.checksum_type !== undefined) f.checksumType = asInt(a.checksum_type, 'checksum_type');
  // kojibox records no archive components or buildroot archive listings yet: such queries match nothing
  if ((a.componentBuildrootID ?? null) !== null || (a.imageID ?? null) !== null) return [];
  const type = a.type;
  const typeInfo = isStruct(a.typeInfo) ? a.typeInfo : null;
  if (type === 'image') {
    f.image = { arch: typeInfo && typeof typeInfo.arch === 'string' ? typeInfo.arch : null };
  } else if (type === 'maven' || type === 'win') {
    // no maven or windows builds exist in kojibox
    return [];
  } else if (type !== null && type !== undefined) {
    const id = btypeId(ctx.store, String(type));
    if (id === null) throw GenericError(`unsupported archive type: ${String(type)}`);
    if (typeInfo && Object.keys(typeInfo).length) throw GenericError(`typeInfo queries not supported for type ${String(type)}`);
    f.btypeId = id;
  }
  return rpms.listArchives(ctx.store, f).map(archiveShape);
}

/** Where an rpm of a build lives on the hub (Koji's pathinfo.build + pathinfo.rpm). */
export function builtRpmPath(ctx: CallContext, build: Dict, rpm: Dict): string {
  const dir = buildRelDir({ package_name: String(build.name), version: String(build.version), release: String(build.release), volume_name: build.volume_name as string });
  return join(ctx.hub.topdir, dir, `${String(rpm.arch)}/${String(rpm.name)}-${String(rpm.version)}-${String(rpm.release)}.${String(rpm.arch)}.rpm`);
}

/**
 * A file in a task's output named by taskID + filepath (getRPMHeaders,
 * getChangelogEntries), with Koji's errors. Besides Koji's checks (no
 * absolute path, no `../`), a path that still leads out of the task's
 * directory (a final `..`) is refused the same way.
 */
export function taskOutputFile(ctx: CallContext, taskID: unknown, filepath: unknown): string {
  if (!filepath) throw GenericError('filepath must be specified with taskID');
  const fp = filepath;
  if (typeof fp !== 'string' || fp.startsWith('/') || fp.includes('../')) throw GenericError(`Invalid filepath: ${String(fp)}`);
  const dir = join(ctx.hub.topdir, 'work', taskRelPath(asInt(taskID, 'taskID')));
  const path = join(dir, fp);
  if (!path.startsWith(`${dir}/`)) throw GenericError(`Invalid filepath: ${fp}`);
  return path;
}

/** Koji's getRPMHeaders: fields of an imported rpm, or of an rpm in a task's output. */
function rpmHeaders(ctx: CallContext, a: Dict): Dict {
  const strict = asBool(a.strict);
  let path: string;
  if (a.rpmID) {
    const info = getRpmInfo(ctx, a.rpmID, strict) as Dict | null;
    if (!info) return {};
    if (info.external_repo_id) {
      if (strict) throw GenericError(`External rpm: ${String(info.id)}`);
      return {};
    }
    const build = getBuildInfo(ctx, info.build_id, true)!;
    if (build.state === BUILD_STATES.DELETED) {
      if (strict) throw GenericError(`Build ${build.nvr} is deleted`);
      return {};
    }
    path = builtRpmPath(ctx, build, info);
    if (!existsSync(path)) {
      if (strict) throw GenericError(`Missing rpm file: ${path}`);
      ctx.hub.log.error(`Missing rpm file: ${path}`);
      return {};
    }
  } else if (a.taskID) {
    path = taskOutputFile(ctx, a.taskID, a.filepath);
    if (!existsSync(path)) {
      if (strict) throw GenericError(`Missing rpm file: ${path}`);
      return {};
    }
  } else {
    throw GenericError('either rpmID or taskID and filepath must be specified');
  }
  const { header, signature } = readRpmHeaders(path);
  const names = a.headers === null || a.headers === undefined ? Object.keys(RPMTAG_NAMES) : asStringList(a.headers, 'headers');
  const out: Dict = {};
  for (const raw of names) {
    const key = raw.toLowerCase();
    const tag = RPMTAG_NAMES[key];
    if (tag === undefined) throw GenericError(`No such rpm header field: ${raw}`);
    // sigmd5 lives in the signature header
    const v = key === 'sigmd5' ? signature.value(1004) ?? header.value(tag) : header.value(tag);
    if (v !== null || a.headers) out[raw] = v;
  }
  return out;
}

export const rpmMethods: ApiMethod[] = [
  api('getRPM(rpminfo, strict=False, multi=False)', 'An rpm by id, N-V-R.A string or {name, version, release, arch}: {id, name, version, release, epoch, arch, draft, payloadhash, size, buildtime, build_id, buildroot_id, external_repo_id, external_repo_name, metadata_only, extra}; None if unknown.', { access: 'anon' }, (ctx, a) =>
    getRpmInfo(ctx, a.rpminfo, asBool(a.strict), asBool(a.multi)),
  ),
  api('listRPMs(buildID=None, buildrootID=None, imageID=None, componentBuildrootID=None, hostID=None, arches=None, queryOpts=None, draft=None)', 'RPMs of a build, made in a buildroot, installed in a buildroot (componentBuildrootID, adding is_update) or built on a host; arches: a name or a list.', { access: 'anon' }, (ctx, a) => {
    let arches: string[] | undefined;
    if (typeof a.arches === 'string') arches = [a.arches];
    else if (Array.isArray(a.arches)) arches = asStringList(a.arches, 'arches');
    else if (a.arches !== null && a.arches !== undefined) throw GenericError(`Invalid type for "arches" parameter: ${pyTypeName(a.arches)}`);
    const rows = rpms.listRpms(ctx.store, {
      buildId: optId(a.buildID, 'buildID'),
      buildrootId: optId(a.buildrootID, 'buildrootID'),
      componentBuildrootId: optId(a.componentBuildrootID, 'componentBuildrootID'),
      imageId: optId(a.imageID, 'imageID'),
      hostId: optId(a.hostID, 'hostID'),
      arches,
      draft: a.draft === null || a.draft === undefined ? undefined : asBool(a.draft),
    });
    return applyQueryOpts(rows.map(rpmShape), a.queryOpts);
  }),
  api('getRPMHeaders(rpmID=None, taskID=None, filepath=None, headers=None, strict=False)', 'Header fields (license, summary, buildhost...) of an imported rpm, or of an rpm file in a task\'s output (taskID + filepath).', { access: 'anon' }, (ctx, a) =>
    rpmHeaders(ctx, a),
  ),
  api('listBuildRPMs(build)', 'The RPMs of a build (id, NVR or dict).', { access: 'anon' }, (ctx, a) => {
    const id = typeof a.build === 'number' ? a.build : findBuildId(ctx, a.build, true)!;
    return rpms.listRpms(ctx.store, { buildId: id }).map(rpmShape);
  }),
  api('listArchives(buildID=None, buildrootID=None, componentBuildrootID=None, hostID=None, type=None, filename=None, size=None, checksum=None, checksum_type=None, typeInfo=None, queryOpts=None, imageID=None, archiveID=None, strict=False)', 'Archives of a build, buildroot or host, filtered by name, size, checksum or type (image, a btype name).', { access: 'anon' }, (ctx, a) => {
    const rows = listArchivesQuery(ctx, a);
    if (asBool(a.strict) && !rows.length) throw GenericError('No archives found.');
    return applyQueryOpts(rows, a.queryOpts);
  }),
  api('getArchive(archive_id, strict=False)', 'One archive by id, with its image arch when it is an image; None if unknown.', { access: 'anon' }, (ctx, a) => {
    const id = asInt(a.archive_id, 'archive_id');
    const row = rpms.listArchives(ctx.store, { archiveId: id })[0];
    if (!row) {
      if (asBool(a.strict)) throw GenericError(`No such archive: ${id}`);
      return null;
    }
    const out = archiveShape(row);
    const image = rpms.listArchives(ctx.store, { archiveId: id, image: {} })[0];
    if (image) out.arch = image.arch;
    return out;
  }),
];
