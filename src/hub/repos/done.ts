/**
 * @module
 * Finishing a repo (Koji's host.repoDone): the builder has put each arch's
 * repodata files in an upload directory under `<topdir>/work/`; they move
 * into `<repo>/<arch>/repodata/`, the repo becomes READY (fulfilling
 * requests), and `<topdir>/repos/<tag>/latest` points at it when it is the
 * newest repo with the tag's default options.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { GenericError } from '../../core/faults.ts';
import { REPO_STATES } from '../../core/states.ts';
import type { Row } from '../../store/db.ts';
import * as repos from '../../store/repos.ts';
import type { CallContext } from '../context.ts';
import { isStruct } from '../rpc/args.ts';
import { canonArch, repoDir } from './paths.ts';
import { repoInfo, repoSetState } from './requests.ts';

function safeRel(p: string): string {
  const n = normalize(p);
  if (n.startsWith('/') || n === '..' || n.startsWith('../') || n.includes('/../')) throw GenericError(`Invalid upload path: ${p}`);
  return n;
}

function safeName(f: string): string {
  if (!f || f.includes('/') || f === '.' || f === '..') throw GenericError(`Invalid file name: ${f}`);
  return f;
}

/** Point `repos/<tag>/latest` at this repo if nothing newer with default options is READY. */
export function symlinkIfLatest(ctx: CallContext, repo: Record<string, unknown>): boolean {
  const custom = repo.custom_opts as Record<string, unknown> | null;
  if (custom && Object.keys(custom).length && !repo.dist) return false;
  const clauses: unknown[] = [
    ['tag_id', '=', repo.tag_id],
    ['state', '=', REPO_STATES.READY],
    ['create_event', '>', repo.create_event],
    repo.dist ? ['dist', 'IS', true] : ['custom_opts', '=', {}],
  ];
  const newer = repos.queryRepos(ctx.store, clauses, ['id']) as Row[];
  if (newer.length) return false;
  const link = join(ctx.hub.topdir, 'repos', String(repo.tag_name), 'latest');
  try {
    if (existsSync(link) || isLink(link)) unlinkSync(link);
    symlinkSync(String(repo.id), link);
  } catch {
    ctx.hub.log.error(`Unable to create latest link: ${link}`);
    return false;
  }
  return true;
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * host.repoDone: move the uploaded files of each arch into place and mark
 * the repo READY (or EXPIRED with the legacy `expire`). `data` is
 * `{arch: [uploadpath, [file, ...]]}`.
 */
export function repoDone(ctx: CallContext, repoId: unknown, data: unknown, expire: boolean, jsonUpdates: unknown): void {
  const rinfo = repoInfo(ctx, repoId, true)!;
  if (!isStruct(data)) throw GenericError(`Invalid type for value '${String(data)}': expected type <class 'dict'>`);
  ctx.callback('preRepoDone', { repo: rinfo, data, expire });
  if (rinfo.state !== REPO_STATES.INIT) throw GenericError(`Repo ${rinfo.id} not in INIT state (got ${rinfo.state})`);
  const dir = repoDir(ctx.hub.topdir, String(rinfo.tag_name), rinfo.id as number);
  const workdir = join(ctx.hub.topdir, 'work');
  if (isStruct(jsonUpdates) && Object.keys(jsonUpdates).length) {
    const path = join(dir, 'repo.json');
    const current = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...current, ...jsonUpdates }, null, 2));
  }
  if (!rinfo.dist) {
    for (const [arch, entry] of Object.entries(data)) {
      if (!Array.isArray(entry) || entry.length !== 2 || !Array.isArray(entry[1])) throw GenericError(`Invalid repo data for ${arch}`);
      const archdir = join(dir, canonArch(safeName(arch)));
      if (!existsSync(archdir) || !statSync(archdir).isDirectory()) throw GenericError(`Repo arch directory missing: ${archdir}`);
      const datadir = join(archdir, 'repodata');
      mkdirSync(datadir, { recursive: true });
      const uploadpath = safeRel(String(entry[0]));
      for (const f of entry[1] as unknown[]) {
        const fn = safeName(String(f));
        const src = join(workdir, uploadpath, fn);
        const dst = fn.endsWith('pkglist') ? join(archdir, fn) : join(datadir, fn);
        if (!existsSync(src)) throw GenericError(`uploaded file missing: ${src}`);
        if (existsSync(dst) && !fn.endsWith('pkglist')) throw GenericError(`destination already exists: ${dst}`);
        renameSync(src, dst);
      }
    }
  }
  if (expire) {
    ctx.hub.log.warn('expire option for repoDone call is deprecated');
    repoSetState(ctx, rinfo.id, REPO_STATES.EXPIRED);
    ctx.callback('postRepoDone', { repo: rinfo, data, expire });
    return;
  }
  repoSetState(ctx, rinfo.id, REPO_STATES.READY);
  symlinkIfLatest(ctx, rinfo);
  ctx.callback('postRepoDone', { repo: rinfo, data, expire });
}
