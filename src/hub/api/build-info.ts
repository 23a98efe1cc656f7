/**
 * @module
 * What Koji tells about a build beyond getBuild: its Maven and Windows
 * facts (kojibox makes neither kind, so there are none), its changelog
 * (read from the source rpm's header), which complete builds are in no
 * tag at all (untaggedBuilds), and the signatures recorded for its RPMs:
 * kojibox records none (it has no addRPMSig, import-sig or signed copies),
 * so queryRPMSigs answers as Koji does for such RPMs, with an empty list.
 */
import { existsSync } from 'node:fs';
import { GenericError } from '../../core/faults.ts';
import { BUILD_STATES } from '../../core/states.ts';
import { readRpmHeaders, RPMTAG_NAMES } from '../../core/rpm-header.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool, asOptString, isStruct, pyType } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import * as builds from '../../store/builds.ts';
import * as rpms from '../../store/rpms.ts';
import { applyQueryOpts, pyRepr } from './common.ts';
import { findBuildId, getBuildInfo } from './lookups.ts';
import { builtRpmPath, getRpmInfo, taskOutputFile } from './rpms.ts';

type Dict = Record<string, unknown>;

/** How Koji's `'%s' % value` shows an argument in a message. */
function pyStrOf(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/**
 * Koji's get_maven_build / get_win_build: the build is looked up (an
 * unknown NVR is None, or "No such build" when strict; an id is taken as
 * it is), then its type-specific row, which no kojibox build has.
 */
function typedBuildInfo(ctx: CallContext, buildInfo: unknown, strict: boolean, what: string): null {
  const id = findBuildId(ctx, buildInfo, strict);
  if (id === null) return null;
  if (strict) throw GenericError(`no such ${what} build: ${pyStrOf(buildInfo)}`);
  return null;
}

/** A before/after argument as epoch seconds (Koji accepts datetimes, 'YYYY-MM-DD[ HH:MM:SS]' and ints). */
function timeArg(v: unknown, name: string): number | null {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return null;
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'string') return parseTime(v);
  throw GenericError(`Invalid type for ${name}: ${pyType(v)}`);
}

/** koji.util.parseTime: a date, optionally followed by a time, as UTC; null when there is no date. */
function parseTime(text: string): number | null {
  const d = /(\d+)-(\d+)-(\d+)/.exec(text);
  if (!d) return null;
  const t = /(\d+):(\d+):(\d+)/.exec(text.slice(d.index + d[0].length).trim()) ?? [null, '0', '0', '0'];
  return Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3])) / 1000;
}

/** Epoch seconds as Koji's changelog date text ('YYYY-MM-DD HH:MM:SS'; kojibox hubs keep UTC). */
function changelogDate(ts: number): string {
  return new Date(ts * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

// control characters other than tab, newline and carriage return, as koji.removeNonprintable drops them
// eslint-disable-next-line no-control-regex
const NONPRINTABLE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/** The srpm file whose changelog getChangelogEntries reads, or null (with Koji's strict errors). */
function changelogSource(ctx: CallContext, a: Dict, strict: boolean): string | null {
  if (a.buildID) {
    const build = getBuildInfo(ctx, a.buildID, false);
    if (!build) {
      if (strict) throw GenericError(`No such build: ${pyStrOf(a.buildID)}`);
      return null;
    }
    const srpm = rpms.listRpms(ctx.store, { buildId: build.id as number, arches: ['src'] })[0];
    if (!srpm) {
      if (strict) throw GenericError(`Build ${pyStrOf(a.buildID)} doesn't have srpms`);
      return null;
    }
    return builtRpmPath(ctx, build, srpm as unknown as Dict);
  }
  if (a.taskID) return taskOutputFile(ctx, a.taskID, a.filepath);
  throw GenericError('either buildID or taskID and filepath must be specified');
}

function changelogEntries(ctx: CallContext, a: Dict): unknown {
  const strict = asBool(a.strict);
  const opts: Dict = isStruct(a.queryOpts) ? { ...a.queryOpts } : {};
  if (opts.order === 'date' || opts.order === '-date') opts.order = `${opts.order}_ts`;
  const path = changelogSource(ctx, a, strict);
  if (path === null) return applyQueryOpts([], opts);
  if (!existsSync(path)) {
    if (strict) throw GenericError(`SRPM ${path} doesn't exist`);
    return applyQueryOpts([], opts);
  }
  const before = timeArg(a.before, 'before');
  const after = timeArg(a.after, 'after');
  const author = asOptString(a.author, 'author');
  const { header } = readRpmHeaders(path);
  const times = header.ints(RPMTAG_NAMES.changelogtime!);
  const names = header.strings(RPMTAG_NAMES.changelogname!);
  const texts = header.strings(RPMTAG_NAMES.changelogtext!);
  const rows: Array<Dict | unknown[]> = [];
  for (let i = 0; i < Math.min(times.length, names.length, texts.length); i++) {
    const ts = times[i]!;
    const name = names[i]!.replace(NONPRINTABLE, '');
    const text = texts[i]!.replace(NONPRINTABLE, '');
    if (author && author !== name) continue;
    if (before && !(ts < before)) continue;
    if (after && !(ts > after)) continue;
    const date = changelogDate(ts);
    rows.push(opts.asList ? [date, name, text] : { date, date_ts: ts, author: name, text });
  }
  return applyQueryOpts(rows, opts);
}

export const buildInfoMethods: ApiMethod[] = [
  api('getMavenBuild(buildInfo, strict=False)', 'Maven facts of a build ({build_id, group_id, artifact_id, version}); kojibox makes no Maven builds, so None (strict: an error).', { access: 'anon' }, (ctx, a) =>
    typedBuildInfo(ctx, a.buildInfo, asBool(a.strict), 'maven'),
  ),
  api('getWinBuild(buildInfo, strict=False)', 'Windows facts of a build ({build_id, platform}); kojibox makes no Windows builds, so None (strict: an error).', { access: 'anon' }, (ctx, a) =>
    typedBuildInfo(ctx, a.buildInfo, asBool(a.strict), 'Windows'),
  ),
  api(
    'getChangelogEntries(buildID=None, taskID=None, filepath=None, author=None, before=None, after=None, queryOpts=None, strict=False)',
    "Changelog of a build's srpm, or of an srpm in a task's output (taskID + filepath): [{date, date_ts, author, text}], newest first; filtered by author and before/after (UTC).",
    { access: 'anon' },
    (ctx, a) => changelogEntries(ctx, a),
  ),
  api('queryRPMSigs(rpm_id=None, sigkey=None, queryOpts=None)', 'Signatures recorded for RPMs ({rpm_id, sigkey, sighash}); kojibox records none, so []. rpm_id: an id, N-V-R.A or {name, version, release, arch}; an unknown RPM is [] as in Koji.', { access: 'anon' }, (ctx, a) => {
    // the arguments are checked as Koji checks them, though nothing can match
    if (a.rpm_id !== null && typeof a.rpm_id !== 'number') getRpmInfo(ctx, a.rpm_id, false);
    asOptString(a.sigkey, 'sigkey');
    return applyQueryOpts([], a.queryOpts);
  }),
  api('untaggedBuilds(name=None, queryOpts=None, draft=None)', 'Complete builds in no tag now: [{id, name, version, release}]; name: of this package only; draft: draft or regular builds only.', { access: 'anon' }, (ctx, a) => {
    const draft = a.draft === null || a.draft === undefined ? null : asBool(a.draft);
    const rows = builds.untaggedBuilds(ctx.store, BUILD_STATES.COMPLETE, { name: asOptString(a.name, 'name'), draft });
    return applyQueryOpts(rows, a.queryOpts);
  }),
];
