/**
 * @module
 * RPM build commands: `build` (upload a local SRPM to cli-build/, start
 * the build task, watch it), `list-buildroot`, `rpminfo` and
 * `download-build`, with koji 1.35's options and output.
 */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { unlinkSync, statSync } from 'node:fs';
import { CliError, type CliEnv, exitWith } from '../env.ts';
import { kw, type ClientSession } from '../session.ts';
import { collect } from '../args.ts';
import { uploadFile } from '../upload.ts';
import { progressBar } from '../progress.ts';
import { watchTasks } from '../watch.ts';
import { downloadFile } from '../download.ts';
import { parseArches, parseNVR } from '../../core/nvr.ts';
import { looksLikeRpm } from '../../core/rpm-header.ts';
import { formatTimeLong, pyRepr } from './common.ts';
import { buildPath } from './builds.ts';

type Dict = Record<string, unknown>;

/** koji's unique_path: `<prefix>/<time.time()>.<8 random letters>`. */
export function uniquePath(prefix: string): string {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const rand = Array.from({ length: 8 }, () => letters[Math.floor(Math.random() * letters.length)]).join('');
  return `${prefix}/${(Date.now() / 1000).toFixed(6).replace(/0+$/, '')}.${rand}`;
}

/** koji's _running_in_bg: without a terminal on stdin, a command does not wait by default. */
function runningInBackground(): boolean {
  return !process.stdin.isTTY;
}


const rpmRel = (r: Dict) => `${r.arch}/${r.name}-${r.version}-${r.release}.${r.arch}.rpm`;

interface BuildOpts {
  skipTag?: boolean;
  scratch?: boolean;
  rebuildSrpm?: boolean;
  wait?: boolean;
  waitRepo?: boolean;
  waitBuild: string[];
  quiet?: boolean;
  archOverride?: string;
  failFast?: boolean;
  repoId?: string;
  noprogress?: boolean;
  background?: boolean;
  customUserMetadata?: string;
  draft?: boolean;
}

async function build(env: CliEnv, targetArg: string, source: string, o: BuildOpts): Promise<number> {
  if (o.rebuildSrpm !== undefined && !o.scratch) throw new CliError('--no-/rebuild-srpm is only allowed for --scratch builds', 2);
  if (o.archOverride && !o.scratch) throw new CliError('--arch_override is only allowed for --scratch builds', 2);
  if (o.scratch && o.draft) throw new CliError('--scratch and --draft cannot be both specfied', 2);
  let metadata: unknown = {};
  if (o.customUserMetadata) {
    try {
      metadata = JSON.parse(o.customUserMetadata);
    } catch {
      throw new CliError('--custom-user-metadata is not valid JSON', 2);
    }
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new CliError('--custom-user-metadata must be a JSON object', 2);
  let repoId: number | undefined;
  if (o.repoId !== undefined) {
    if (!/^-?\d+$/.test(o.repoId)) throw new CliError(`option --repo-id: invalid integer value: '${o.repoId}'`, 2);
    repoId = Number(o.repoId);
  }
  const quiet = o.quiet ?? env.quiet;
  const s = await env.login();
  let target: string | null = targetArg;
  let skipTag = o.skipTag;
  if (targetArg.toLowerCase() === 'none' && repoId) {
    target = null;
    skipTag = true;
  } else {
    const bt = await s.call<Dict | null>('getBuildTarget', targetArg);
    if (!bt) throw new CliError(`No such build target: ${targetArg}`, 2);
    const dest = await s.call<Dict | null>('getTag', bt.dest_tag);
    if (!dest) throw new CliError(`No such destination tag: ${String(bt.dest_tag_name)}`, 2);
    if (dest.locked && !o.scratch) throw new CliError(`Destination tag ${String(dest.name)} is locked`, 2);
  }
  const opts: Dict = {};
  if (o.archOverride) opts.arch_override = parseArches(o.archOverride);
  const set: Array<[string, unknown]> = [
    ['skip_tag', skipTag], ['scratch', o.scratch], ['repo_id', repoId], ['fail_fast', o.failFast], ['wait_repo', o.waitRepo],
    ['wait_builds', o.waitBuild], ['rebuild_srpm', o.rebuildSrpm], ['draft', o.draft],
  ];
  for (const [k, v] of set) if (v !== undefined) opts[k] = v;
  opts.custom_user_metadata = metadata;
  const priority = o.background ? 5 : null;
  let src = source;
  if (!source.includes('://')) {
    let size: number;
    try {
      size = statSync(source).size;
    } catch {
      throw new CliError(`No such file: ${source}`);
    }
    if (!looksLikeRpm(source)) throw new CliError(`${source} is not an RPM file`);
    if (!quiet) env.out(`Uploading srpm: ${source}`);
    const dir = uniquePath('cli-build');
    const bar = progressBar({ quiet: quiet || o.noprogress || runningInBackground() });
    await uploadFile(s, source, dir, { overwrite: true, onProgress: (done) => bar.update(done, size) });
    bar.finish();
    env.out('');
    src = `${dir}/${basename(source)}`;
  }
  const taskId = await s.call<number>('build', src, target, opts, kw({ priority }));
  if (!quiet) {
    env.out(`Created task: ${taskId}`);
    env.out(`Task info: ${env.weburl(`taskinfo?taskID=${taskId}`)}`);
  }
  if (o.wait || (o.wait === undefined && !runningInBackground())) {
    await s.logout();
    return watchTasks(env, await env.session(), [taskId], { quiet });
  }
  return 0;
}

async function listBuildroot(env: CliEnv, idText: string, o: { built?: boolean; verbose?: boolean }): Promise<void> {
  if (!/^\d+$/.test(idText)) throw new CliError(`invalid literal for int() with base 10: '${idText}'`, 2);
  const s = await env.session();
  const id = Number(idText);
  const query = o.built ? { buildrootID: id } : { componentBuildrootID: id };
  const rpms = await s.call<Dict[]>('listRPMs', kw(query));
  if (rpms.length) env.out(o.built ? 'Built RPMs:' : 'Component RPMs:');
  const lines = rpms.map((r) => ({ nvra: `${r.nvr}.${r.arch}`, r })).sort((a, b) => (a.nvra < b.nvra ? -1 : a.nvra > b.nvra ? 1 : 0));
  for (const { nvra, r } of lines) {
    let line = nvra;
    if (o.verbose) {
      if (r.draft) line += ` (,draft_${r.build_id})`;
      if (r.is_update) line += ' [update]';
    }
    env.out(line);
  }
  const archives = await s.call<Dict[]>('listArchives', kw(query));
  if (archives.length) {
    if (rpms.length) env.out('');
    env.out(o.built ? 'Built Archives:' : 'Component Archives:');
  }
  for (const f of archives.map((a) => String(a.filename)).sort()) env.out(f);
}

function epochPrefix(r: Dict): string {
  return r.epoch === null || r.epoch === undefined ? '' : `${String(r.epoch)}:`;
}

async function rpminfo(env: CliEnv, names: string[], o: { buildroots?: boolean }): Promise<number> {
  const s = await env.session();
  let failed = false;
  for (const name of names) {
    const info = await s.call<Dict | null>('getRPM', name);
    if (!info) {
      env.err(`No such rpm: ${name}\n`);
      failed = true;
      continue;
    }
    let build: Dict | null = null;
    let srpm: Dict | null = null;
    if (!info.external_repo_id) {
      if (info.arch === 'src') srpm = info;
      else srpm = (await s.call<Dict[]>('listRPMs', kw({ buildID: info.build_id, arches: 'src' })))[0] ?? null;
      build = await s.call<Dict>('getBuild', info.build_id);
    }
    env.out(`RPM: ${epochPrefix(info)}${info.name}-${info.version}-${info.release}.${info.arch} [${info.id}]`);
    if (info.draft) env.out('Draft: YES');
    if (build) {
      env.out(`Build: ${build.nvr} [${build.id}]`);
      env.out(`RPM Path: ${buildPath(build)}/${rpmRel(info)}`);
      env.out(`SRPM: ${srpm ? `${epochPrefix(srpm)}${srpm.name}-${srpm.version}-${srpm.release} [${srpm.id}]` : '(none)'}`);
      env.out(`SRPM Path: ${srpm ? `${buildPath(build)}/${rpmRel(srpm)}` : '(none)'}`);
      env.out(`Built: ${formatTimeLong(info.buildtime)}`);
    }
    env.out(`SIGMD5: ${info.payloadhash}`);
    env.out(`Size: ${info.size}`);
    if (!info.external_repo_id) {
      const headers = await s.call<Dict>('getRPMHeaders', kw({ rpmID: info.id, headers: ['license'] }));
      if ('license' in headers) env.out(`License: ${headers.license === null ? 'None' : String(headers.license)}`);
      env.out(`Build ID: ${info.build_id}`);
    }
    if (info.buildroot_id === null || info.buildroot_id === undefined) env.out('No buildroot data available');
    else {
      const br = await s.call<Dict>('getBuildroot', info.buildroot_id);
      if (br.br_type === 0) {
        env.out(`Buildroot: ${br.id} (tag ${br.tag_name}, arch ${br.arch}, repo ${br.repo_id})`);
        env.out(`Build Host: ${br.host_name}`);
        env.out(`Build Task: ${br.task_id}`);
      } else {
        env.out(`Content generator: ${br.cg_name}`);
        env.out(`Buildroot: ${br.id}`);
        env.out(`Build Host OS: ${br.host_os} (${br.host_arch})`);
      }
    }
    const extra = info.extra;
    if (extra && (typeof extra !== 'object' || Object.keys(extra).length)) env.out(`Extra: ${pyRepr(extra)}`);
    if (o.buildroots) {
      const list = await s.call<Dict[]>('listBuildroots', kw({ rpmID: info.id, queryOpts: { order: 'buildroot.id' } }));
      env.out(`Used in ${list.length} buildroots:`);
      if (list.length) {
        env.out(`  ${'id'.padStart(8)} ${'build tag'.padEnd(28)} ${'arch'.padEnd(8)} ${'build host'.padEnd(29)}`);
        env.out(`  ${'-'.repeat(8)} ${'-'.repeat(28)} ${'-'.repeat(8)} ${'-'.repeat(29)}`);
      }
      for (const br of list) {
        env.out(`  ${String(br.id).padStart(8)} ${String(br.tag_name).padEnd(28)} ${String(br.arch).padEnd(8)} ${String(br.host_name).padEnd(29)}`);
      }
    }
  }
  return failed ? 1 : 0;
}

function isDebuginfo(name: string): boolean {
  return name.endsWith('-debuginfo') || name.endsWith('-debugsource') || name.includes('-debuginfo-');
}

interface DownloadOpts {
  arch: string[];
  type?: string;
  latestfrom?: string;
  debuginfo?: boolean;
  taskId?: boolean;
  rpm?: boolean;
  key?: string;
  fallbackUnsigned?: boolean;
  topurl?: string;
  noprogress?: boolean;
  quiet?: boolean;
}

function parsesAsNvra(text: string): boolean {
  const t = text.endsWith('.rpm') ? text.slice(0, -4) : text;
  const dot = t.lastIndexOf('.');
  if (dot <= 0 || dot === t.length - 1) return false;
  try {
    parseNVR(t.slice(0, dot));
    return true;
  } catch {
    return false;
  }
}

async function downloadBuild(env: CliEnv, s: ClientSession, arg: string, o: DownloadOpts): Promise<void> {
  const quiet = o.quiet ?? env.quiet;
  let build: string | number = arg;
  let rpmInfo: Dict | null = null;
  if (/^\d+$/.test(arg)) {
    if (o.latestfrom) throw new CliError('--latestfrom not compatible with build IDs, specify a package name.', 2);
    build = Number(arg);
    if (o.taskId) {
      const builds = await s.call<Dict[]>('listBuilds', kw({ taskID: build }));
      if (!builds.length) throw new CliError(`No associated builds for task ${build}\nIf this is a scratch build, try using download-task instead`);
      build = builds[0]!.build_id as number;
    }
  }
  let info: Dict | null;
  if (o.latestfrom) {
    const builds = await s.call<Dict[]>('listTagged', o.latestfrom, kw({ latest: true, package: build, type: o.type ?? null }));
    if (!builds.length) throw new CliError(`${o.latestfrom} has no builds of ${build}`);
    info = builds[0]!;
  } else if (o.rpm) {
    rpmInfo = await s.call<Dict | null>('getRPM', build);
    if (!rpmInfo) throw new CliError(`No such rpm: ${build}`);
    info = await s.call<Dict | null>('getBuild', rpmInfo.build_id);
  } else {
    if (typeof build === 'string' && parsesAsNvra(build)) {
      const r = await s.call<Dict | null>('getRPM', build).catch(() => null);
      if (r) build = r.build_id as number;
    }
    info = await s.call<Dict | null>('getBuild', build);
  }
  if (!info) throw new CliError(`No such build: ${build}`);
  const topurl = (o.topurl ?? env.profile.topurl ?? '').replace(/\/+$/, '');
  if (!topurl) throw new CliError('You must specify --topurl to download files');
  const label = `${info.name ?? info.package_name}-${info.version}-${info.release}`;
  const base = `${topurl}${buildPath(info).slice('/mnt/koji'.length)}`;
  if (o.type) {
    const archives = await s.call<Dict[]>('listArchives', kw({ buildID: info.id, type: o.type }));
    if (!archives.length) throw new CliError(`No ${o.type} archives available for ${label}`);
    const dir = o.type === 'image' ? 'images' : o.type;
    let n = 0;
    for (const a of archives) {
      n++;
      const file = String(a.filename);
      await downloadFile(`${base}/${dir}/${file}`, file, { quiet, noprogress: o.noprogress, num: n, count: archives.length, out: (l) => env.out(l) });
    }
    return;
  }
  const arches = o.arch.length ? o.arch : null;
  const all = rpmInfo ? [rpmInfo] : await s.call<Dict[]>('listRPMs', kw({ buildID: info.id, arches }));
  if (!all.length) {
    throw new CliError(arches ? `No ${arches.join(' or ')} packages available for ${label}` : `No packages available for ${label}`);
  }
  let rpms = all.filter((r) => o.debuginfo || !isDebuginfo(String(r.name)));
  const unsigned: Dict[] = [];
  if (o.key) {
    const sigs = (await s.multiCall(rpms.map((r) => ['queryRPMSigs', kw({ rpm_id: r.id, sigkey: o.key })]), false)) as unknown[];
    const keep: Dict[] = [];
    rpms.forEach((r, i) => {
      const found = Array.isArray(sigs[i]) && (sigs[i] as unknown[]).length > 0;
      if (found) keep.push(r);
      else {
        env.err(`No such sigkey ${o.key} for rpm ${r.nvr}-${r.arch}.rpm`);
        if (o.fallbackUnsigned) unsigned.push(r);
      }
    });
    rpms = keep;
  }
  const total = rpms.length + unsigned.length;
  let n = 0;
  const fetchRpm = async (r: Dict, key: string | null) => {
    n++;
    const rel = key ? `data/signed/${key.toLowerCase()}/${rpmRel(r)}` : rpmRel(r);
    const file = basename(rel);
    await downloadFile(`${base}/${rel}`, file, { quiet, noprogress: o.noprogress, num: n, count: total, out: (l) => env.out(l) });
    if (!key && statSync(file).size !== Number(r.size)) {
      unlinkSync(file);
      throw new CliError(`Downloaded rpm ${file} size ${statSync(file).size} does not match db size ${r.size}, deleting`);
    }
    if (!looksLikeRpm(file)) {
      unlinkSync(file);
      throw new CliError(`Downloaded rpm ${file} is not valid rpm file, deleting`);
    }
  };
  for (const r of rpms) await fetchRpm(r, o.key ?? null);
  for (const r of unsigned) await fetchRpm(r, null);
}

export function registerRpmBuildCommands(program: Command, env: CliEnv): void {
  program
    .command('build')
    .description('Build a package from source')
    .usage('[options] <target> <srpm path or scm url>')
    .argument('<target>', 'the build target (not the destination tag nor the build tag)')
    .argument('<source>', 'a local SRPM (uploaded first) or an SCM URL')
    .option('--skip-tag', 'Do not attempt to tag package')
    .option('--scratch', 'Perform a scratch build')
    .option('--rebuild-srpm', 'Force rebuilding SRPM for scratch build only')
    .option('--no-rebuild-srpm', 'Force not to rebuild srpm for scratch build only')
    .option('--wait', 'Wait on the build, even if running in the background')
    .option('--nowait', "Don't wait on build")
    .option('--wait-repo', 'Wait for a current repo for the build tag')
    .option('--wait-build <NVR>', 'Wait for the given nvr to appear in buildroot repo', collect, [])
    .option('--quiet', 'Do not print the task information')
    .option('--arch-override <arches>', 'Override build arches')
    .option('--fail-fast', 'Override build_arch_can_fail settings and fail as fast as possible')
    .option('--repo-id <id>', 'Use a specific repo')
    .option('--noprogress', 'Do not display progress of the upload')
    .option('--background', 'Run the build at a lower priority')
    .option('--custom-user-metadata <json>', "Provide a JSON string of custom metadata to be deserialized and stored under the build's extra.custom_user_metadata field")
    .option('--draft', 'Build draft build instead')
    .action(async (target: string, source: string, o: BuildOpts & { nowait?: boolean }, cmd: Command) => {
      // commander folds --rebuild-srpm/--no-rebuild-srpm into one value that defaults to true
      const src = cmd.getOptionValueSource('rebuildSrpm');
      const opts: BuildOpts = { ...o, rebuildSrpm: src === 'cli' ? o.rebuildSrpm : undefined };
      if (o.nowait) opts.wait = false;
      const code = await build(env, target, source, opts);
      if (code) exitWith(code);
    });

  program
    .command('list-buildroot')
    .description('List the rpms used in or built in a buildroot')
    .argument('<buildroot-id>')
    .option('--built', 'Show the built rpms and archives')
    .option('-v, --verbose', 'Show more information')
    .action((id: string, o: { built?: boolean; verbose?: boolean }) => listBuildroot(env, id, o));

  program
    .command('rpminfo')
    .description('Print basic information about an RPM')
    .argument('<rpms...>', 'n-v-r.a or id')
    .option('--buildroots', 'show buildroots the rpm was used in')
    .action(async (names: string[], o: { buildroots?: boolean }) => {
      const code = await rpminfo(env, names, o);
      if (code) exitWith(code);
    });

  program
    .command('download-build')
    .description('Download a completed build')
    .argument('<build>', 'n-v-r or build id')
    .option('-a, --arch <arch>', 'Only download packages for this arch (may be used multiple times)', collect, [])
    .option('--type <type>', 'Download archives of the given type, rather than rpms (maven, win, image, remote-sources)')
    .option('--latestfrom <tag>', 'Download the latest build from this tag')
    .option('--debuginfo', 'Also download -debuginfo rpms')
    .option('--task-id', 'Interperet id as a task id')
    .option('--rpm', 'Download the given rpm')
    .option('--key <key>', 'Download rpms signed with the given key')
    .option('--fallback-unsigned', 'When used with --key: download unsigned if signed packages not found')
    .option('--topurl <url>', 'URL under which Koji files are accessible')
    .option('--noprogress', 'Do not display progress meter')
    .option('-q, --quiet', 'Suppress output')
    .action(async (arg: string, o: DownloadOpts) => downloadBuild(env, await env.session(), arg, o));
}
