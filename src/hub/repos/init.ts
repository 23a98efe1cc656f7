/**
 * @module
 * Starting a repo (Koji's repo_init, called by the builder as
 * host.repoInit): a repo row in state INIT, and on disk the repo directory
 * with what createrepo_c needs — per arch a `pkglist` of the tag's latest
 * inherited RPMs at the repo's event (blocked packages left out, noarch in
 * every arch, debuginfo and source per the repo's options), the
 * `blocklist`, `rpmlist.jsonl`, a `toplink` to the topdir, plus
 * `groups/comps.xml` from the tag's groups and `repo.json`.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { GenericError } from '../../core/faults.ts';
import { REPO_STATES } from '../../core/states.ts';
import { now } from '../../core/time.ts';
import type { CallContext } from '../context.ts';
import { getEvent } from '../../store/events.ts';
import { readPackageList } from '../../store/packages.ts';
import * as repos from '../../store/repos.ts';
import { readTaggedRPMS } from '../api/builds.ts';
import { getTagInfo, type TagInfo } from '../api/lookups.ts';
import { fullInheritance, tagLastChangeEventInTx } from '../api/tags.ts';
import { readTagGroups } from '../api/groups.ts';
import { generateComps, type CompsGroup } from './comps.ts';
import { repoOptsFor, type RepoOpts } from './opts.ts';
import { buildRelDir, canonArch, isDebuginfo, repoDir, rpmRelPath } from './paths.ts';

type Dict = Record<string, unknown>;

export interface RepoRpm {
  name: string;
  version: string;
  release: string;
  arch: string;
  build_id: number;
  /** Path from the arch directory: `toplink/packages/...`. */
  relpath: string;
  /** The rpm's fields as readTaggedRPMS gives them, for rpmlist.jsonl. */
  info: Dict;
}

export interface RepoContent {
  rpms: RepoRpm[];
  blocked: string[];
  groups: CompsGroup[];
}

/**
 * What a tag's repo holds at an event: Koji's readTaggedRPMS(inherit,
 * latest) — the package list decides, so blocked or unlisted packages are
 * left out — plus the blocked package names and the groups.
 */
export function repoContent(ctx: CallContext, tagId: number, event: number, latest: boolean): RepoContent {
  const [rpmRows, builds] = readTaggedRPMS(ctx, tagId, { event, inherit: true, latest });
  const byId = new Map(builds.map((b) => [b.id as number, b]));
  const seen = new Set<number>();
  const rpms: RepoRpm[] = [];
  for (const r of rpmRows) {
    // a build tagged in a parent and the tag itself shows up twice without latest;
    // metadata-only rpms have no file for createrepo_c to read
    if (seen.has(r.id as number) || r.metadata_only) continue;
    seen.add(r.id as number);
    const b = byId.get(r.build_id as number) as { package_name: string; version: string; release: string; volume_name: string };
    const rpm = { name: String(r.name), version: String(r.version), release: String(r.release), arch: String(r.arch) };
    rpms.push({ ...rpm, build_id: r.build_id as number, relpath: `toplink/${buildRelDir(b)}/${rpmRelPath(rpm)}`, info: r });
  }
  const packages = readPackageList(ctx.store, { tagId, event, inherit: true, withOwners: false });
  const blocked = [...packages.values()].filter((p) => p.blocked).map((p) => p.package_name);
  const groups = readTagGroups(ctx, tagId, event, true, true, true, false) as unknown as CompsGroup[];
  return { rpms, blocked, groups };
}

/** The arch directories of a repo: the tag's arches (canonical, no src/noarch), plus src for separate_src. */
export function repoArches(tag: TagInfo, opts: RepoOpts): string[] {
  const arches = new Set<string>();
  if (opts.separate_src) arches.add('src');
  for (const a of (tag.arches ?? '').split(/\s+/).filter(Boolean)) {
    const c = canonArch(a);
    if (c === 'src' || c === 'noarch') continue;
    arches.add(c);
  }
  return [...arches];
}

/** The text of a repo's per-arch lists: pkglist, rpmlist.jsonl, blocklist. */
export interface ArchLists {
  pkglist: string;
  rpmlist: string;
  blocklist: string;
}

/** Sort a repo's RPMs into its arch directories as Koji's repo_init does. */
function archLists(arches: string[], content: RepoContent, opts: RepoOpts): Map<string, ArchLists> {
  const pkglist = new Map(arches.map((a) => [a, [] as string[]]));
  const rpmlist = new Map(arches.map((a) => [a, [] as string[]]));
  const add = (arch: string, r: RepoContent['rpms'][number]) => {
    pkglist.get(arch)!.push(r.relpath);
    rpmlist.get(arch)!.push(JSON.stringify(r.info));
  };
  for (const r of content.rpms) {
    if (!opts.debuginfo && isDebuginfo(r.name)) continue;
    if (r.arch === 'src') {
      if (opts.src) for (const a of arches) add(a, r);
      if (opts.separate_src) add('src', r);
    } else if (r.arch === 'noarch') {
      for (const a of arches) if (a !== 'src') add(a, r);
    } else {
      const a = canonArch(r.arch);
      if (pkglist.has(a)) add(a, r);
    }
  }
  const blocklist = content.blocked.map((n) => `${n}\n`).join('');
  const lines = (list: string[]) => list.map((l) => `${l}\n`).join('');
  return new Map(arches.map((a) => [a, { pkglist: lines(pkglist.get(a)!), rpmlist: lines(rpmlist.get(a)!), blocklist }]));
}

/** Everything a new repo will hold, worked out before anything is written. */
export interface PreparedRepo {
  tinfo: TagInfo;
  opts: RepoOpts;
  custom: RepoOpts;
  eventId: number;
  begin: number;
  end: number | null;
  comps: string;
  lists: Map<string, ArchLists>;
}

/**
 * Work out a repo of a tag at an event: options, arches, begin and end
 * events, comps and the per-arch lists. Reads only.
 */
export function prepareRepo(ctx: CallContext, tinfo: TagInfo, eventId: number, opts: RepoOpts, custom: RepoOpts): PreparedRepo {
  const { begin, end } = repoEventRange(ctx, tinfo, eventId);
  const content = repoContent(ctx, tinfo.id, eventId, !tinfo.extra.repo_include_all);
  const lists = archLists(repoArches(tinfo, opts), content, opts);
  return { tinfo, opts, custom, eventId, begin, end, comps: generateComps(content.groups, true), lists };
}

/** A repo's begin and end events: the tag's last change up to its event, and the first change after it. */
export function repoEventRange(ctx: CallContext, tinfo: TagInfo, eventId: number): { begin: number; end: number | null } {
  const begin = tagLastChangeEventInTx(ctx, tinfo.id, eventId) ?? eventId;
  const tagIds = [tinfo.id, ...fullInheritance(ctx, tinfo.id, eventId).map((l) => l.parent_id)];
  return { begin, end: repos.firstChangeEvent(ctx.store, tinfo.id, tagIds, eventId) };
}

/** Insert the repo row (INIT) and write its directory; returns the repo id. */
export function writeRepo(ctx: CallContext, p: PreparedRepo, taskId: number | null, jsonExtra: Record<string, unknown> = {}): number {
  const { tinfo, opts, custom, eventId } = p;
  const repoId = repos.insertRepo(ctx.store, {
    create_event: eventId, creation_time: now(), tag_id: tinfo.id, state: REPO_STATES.INIT, dist: false,
    opts, custom_opts: custom, task_id: taskId, begin_event: p.begin, end_event: p.end,
  });
  const topdir = ctx.hub.topdir;
  const dir = repoDir(topdir, tinfo.name, repoId);
  // an id can come back after a rolled-back call left its directory behind
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'groups'), { recursive: true });
  writeFileSync(join(dir, 'groups', 'comps.xml'), p.comps);
  const info = {
    id: repoId, tag: tinfo.name, tag_id: tinfo.id, task_id: taskId, event_id: eventId, opts, custom_opts: custom,
    with_src: opts.src, with_separate_src: opts.separate_src, with_debuginfo: opts.debuginfo, ...jsonExtra,
  };
  writeFileSync(join(dir, 'repo.json'), JSON.stringify(info, null, 2));
  for (const [arch, l] of p.lists) {
    const archdir = join(dir, arch);
    mkdirSync(archdir, { recursive: true });
    symlinkSync(relative(archdir, topdir), join(archdir, 'toplink'));
    writeFileSync(join(archdir, 'pkglist'), l.pkglist);
    writeFileSync(join(archdir, 'rpmlist.jsonl'), l.rpmlist);
    writeFileSync(join(archdir, 'blocklist'), l.blocklist);
  }
  return repoId;
}

/**
 * Create a repo in state INIT for a tag (at `event`, or at this call's
 * event) and write its directory. Returns [repo_id, event_id].
 */
export function repoInit(ctx: CallContext, tagRef: unknown, taskId: number | null, event: number | null, override: unknown): [number, number] {
  const tinfo = getTagInfo(ctx, tagRef, { strict: true, event })!;
  const { opts, custom } = repoOptsFor(ctx.hub.config, tinfo, override, ctx.hub.log);
  ctx.callback('preRepoInit', { tag: tinfo, event, repo_id: null, task_id: taskId, opts });
  if (opts.maven && !ctx.hub.config.EnableMaven) throw GenericError('Maven support not enabled');
  if (opts.maven) throw GenericError('Maven repos are not supported by kojibox');
  let eventId: number;
  if (event === null) eventId = ctx.event();
  else {
    if (!getEvent(ctx.store, event)) throw GenericError('query returned no rows');
    eventId = event;
  }
  const repoId = writeRepo(ctx, prepareRepo(ctx, tinfo, eventId, opts, custom), taskId);
  ctx.callback('postRepoInit', { tag: tinfo, event, repo_id: repoId, task_id: taskId, opts });
  return [repoId, eventId];
}
