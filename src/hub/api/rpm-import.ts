/**
 * @module
 * importRPM, as `koji import` uses it: an RPM uploaded to the work dir
 * becomes part of a build — a source RPM creates its (COMPLETE) build when
 * there is none, a binary RPM joins the build of its source RPM — and the
 * file moves to `<volume>/packages/<name>/<version>/<release>/<arch>/`.
 */
import { existsSync, mkdirSync, renameSync, copyFileSync, unlinkSync } from 'node:fs';
import { basename as baseName, dirname, join, normalize } from 'node:path';
import { GenericError } from '../../core/faults.ts';
import { BUILD_STATES } from '../../core/states.ts';
import { parseNVR } from '../../core/nvr.ts';
import { readRpmInfo, rpmFileName, type RpmInfo } from '../../core/rpm-header.ts';
import { btypeId } from '../../store/builds.ts';
import { addBuildType, findRpmId, insertImportedRpm } from '../../store/rpm-import.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asString } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import { getBuildInfo, type BuildInfo } from './lookups.ts';
import { newBuildInTx } from './builds.ts';

/** `name-version-release.arch.rpm` to its NVR (koji.parse_NVRA without the arch). */
function nvrOfRpmName(file: string): { name: string; version: string; release: string } {
  const stem = file.endsWith('.rpm') ? file.slice(0, -4) : file;
  const dot = stem.lastIndexOf('.');
  if (dot <= 0) throw GenericError(`invalid format: ${file}`);
  const { name, version, release } = parseNVR(stem.slice(0, dot));
  return { name, version, release };
}

function moveFile(src: string, dst: string): void {
  mkdirSync(dirname(dst), { recursive: true });
  try {
    renameSync(src, dst);
  } catch {
    // another filesystem: copy, then drop the upload
    copyFileSync(src, dst);
    unlinkSync(src);
  }
}

/** Import one RPM file at an absolute path; returns Koji's rpminfo with `build`. */
export function importRpmFile(ctx: CallContext, fn: string): Record<string, unknown> {
  if (!existsSync(fn)) throw GenericError(`No such file: ${fn}`);
  let info: RpmInfo;
  try {
    info = readRpmInfo(fn);
  } catch (err) {
    throw GenericError(`Unable to read header of ${fn}: ${(err as Error).message}`);
  }
  const base = baseName(fn);
  const expected = rpmFileName(info);
  if (base !== expected) throw GenericError(`bad filename: ${base} (expected ${expected})`);
  let build: BuildInfo | null;
  if (info.sourcepackage) {
    build = getBuildInfo(ctx, { name: info.name, version: info.version, release: info.release });
    if (!build) {
      const id = newBuildInTx(ctx, { name: info.name, version: info.version, release: info.release, epoch: info.epoch });
      build = getBuildInfo(ctx, id, true);
    }
  } else {
    build = info.sourcerpm ? getBuildInfo(ctx, nvrOfRpmName(info.sourcerpm)) : null;
    if (!build) throw GenericError('No such build');
  }
  const b = build!;
  const state = BUILD_STATES.nameOf(b.state);
  if (state === 'FAILED' || state === 'CANCELED' || state === 'DELETED') throw GenericError(`Build is ${state}: ${b.nvr}`);
  const dst = join(ctx.hub.volumeDir(String(b.volume_name)), 'packages', b.name, b.version, b.release, info.arch, base);
  if (findRpmId(ctx.store, info) !== null || existsSync(dst)) throw GenericError(`Error importing RPM file. ${dst} already exists.`);
  addBuildType(ctx.store, b.id, btypeId(ctx.store, 'rpm')!);
  const rpminfo: Record<string, unknown> = {
    name: info.name, version: info.version, release: info.release, epoch: info.epoch, arch: info.arch, draft: false,
    sourcepackage: info.sourcepackage ? 1 : 0, sourcerpm: info.sourcerpm, buildtime: info.buildtime,
    build_id: b.id, size: info.filesize, payloadhash: info.payloadhash, buildroot_id: null, external_repo_id: 0,
  };
  ctx.callback('preImport', { type: 'rpm', rpm: rpminfo, build: b, filepath: fn, fileinfo: null });
  rpminfo.id = insertImportedRpm(ctx.store, {
    build_id: b.id, buildroot_id: null, name: info.name, version: info.version, release: info.release, epoch: info.epoch,
    arch: info.arch, payloadhash: info.payloadhash, size: info.filesize, buildtime: info.buildtime,
  });
  ctx.callback('postImport', { type: 'rpm', rpm: rpminfo, build: b, filepath: fn, fileinfo: null });
  // the file moves only once the rows are committed; a rolled-back import leaves the upload
  ctx.afterCommit(() => {
    try {
      moveFile(fn, dst);
    } catch (err) {
      ctx.hub.log.error(`importRPM: moving ${fn} to ${dst} failed: ${(err as Error).message}`);
    }
  });
  return { ...rpminfo, build: b, brootid: null };
}

export const rpmImportMethods: ApiMethod[] = [
  api('importRPM(path, basename)', 'Import an RPM uploaded to the work dir at path/basename into its build (admin); returns its rpminfo.', { access: 'admin' }, (ctx, a) => {
    const rel = normalize(asString(a.path, 'path'));
    const base = asString(a.basename, 'basename');
    if (rel.startsWith('/') || rel === '..' || rel.startsWith('../') || base.includes('/')) throw GenericError(`Invalid upload path: ${rel}/${base}`);
    return importRpmFile(ctx, join(ctx.hub.topdir, 'work', rel, base));
  }),
];
