/**
 * @module
 * The `kiwi-build` client command with the options of Koji's CLI plugin.
 * Unlike Koji's, it always tells the hub whether to add the buildroot repo:
 * with `--repo` and without `--buildroot-repo` it sends
 * use_buildroot_repo=False, where Koji's client sends nothing and Koji's
 * hub then adds the buildroot repo anyway (against its own release note).
 * Without any `--repo` it warns and uses the buildroot repo, as Koji's does.
 * A `--repo` may name its kiwi repository type (`apt-deb:URL`, rpm-md by
 * default) and attributes; it is checked before anything is sent.
 */
import type { Command } from 'commander';
import type { CliPlugin } from '../../src/plugin.ts';
import { CliError, type CliEnv, exitWith } from '../../src/client/env.ts';
import { kw } from '../../src/client/session.ts';
import { collect } from '../../src/client/args.ts';
import { watchTasks } from '../../src/client/watch.ts';
import { canonArch } from '../../src/core/arch.ts';
import { KojiError } from '../../src/core/faults.ts';
import { DescriptionError, parseRepoSpec } from './description.ts';
import './signatures.ts';

interface KiwiBuildOptions {
  scratch?: boolean;
  version?: string;
  release?: string;
  repo: string[];
  repoReleasever?: string;
  noprogress?: boolean;
  kiwiProfile?: string;
  type?: string;
  typeAttr: string[];
  resultBundleNameFormat?: string;
  makePrep?: boolean;
  buildrootRepo?: boolean;
  canFail?: string;
  arch: string[];
}

/** Koji version string to comparable numbers ("1.35.3" → [1, 35, 3]). */
function versionTuple(v: string): number[] {
  return v.split('.').map((p) => parseInt(p, 10) || 0);
}

function older(v: number[], than: number[]): boolean {
  for (let i = 0; i < than.length; i++) {
    if ((v[i] ?? 0) !== than[i]) return (v[i] ?? 0) < than[i]!;
  }
  return false;
}

async function kiwiBuild(env: CliEnv, args: string[], o: KiwiBuildOptions, wait: boolean): Promise<number> {
  if (args.length !== 3) throw new CliError('Incorrect number of arguments', 2);
  const [target, scm, path] = args as [string, string, string];
  for (const r of o.repo) {
    try {
      parseRepoSpec(r);
    } catch (err) {
      if (err instanceof DescriptionError) throw new CliError(`--repo: ${err.message}`, 2);
      throw err;
    }
  }
  for (const t of o.typeAttr) {
    if (!/^[^=\s]+=/.test(t)) throw new CliError(`--type-attr: expected ATTRIBUTE=VALUE, got ${t}`, 2);
  }
  const quiet = env.quiet;
  const session = await env.login();
  const kwargs: Record<string, unknown> = { arches: [], target, desc_url: scm, desc_path: path };
  if (o.scratch) kwargs.scratch = true;
  if (o.canFail) kwargs.optional_arches = o.canFail.split(',').filter(Boolean).map(canonArch);
  if (o.kiwiProfile) kwargs.profile = o.kiwiProfile;
  if (o.version) kwargs.version = o.version;
  if (o.release) kwargs.release = o.release;
  if (o.makePrep) kwargs.make_prep = true;
  if (o.type) kwargs.type = o.type;
  if (o.typeAttr.length) kwargs.type_attr = o.typeAttr;
  if (o.resultBundleNameFormat) kwargs.result_bundle_name_format = o.resultBundleNameFormat;
  if (o.arch.length) kwargs.arches = o.arch.map(canonArch);
  if (o.repo.length) kwargs.repos = o.repo;
  if (o.repoReleasever) kwargs.repo_releasever = o.repoReleasever;

  const hubVersion = versionTuple(await session.call<string>('getKojiVersion'));
  if (older(hubVersion, [1, 35, 0])) {
    env.err('hub version is < 1.35, buildroot repo is always used in addition to specified repos');
  } else if (o.buildrootRepo) {
    kwargs.use_buildroot_repo = true;
  } else if (!o.repo.length) {
    env.err('no repos given, using buildroot repo');
    kwargs.use_buildroot_repo = true;
  } else {
    // said out loud: the hub's default would add the buildroot repo
    kwargs.use_buildroot_repo = false;
  }

  let taskId: number;
  try {
    taskId = await session.call<number>('kiwiBuild', kw(kwargs));
  } catch (err) {
    if (err instanceof KojiError && err.message.includes('Invalid method')) {
      env.err('* The kiwi plugin appears to not be installed on the koji hub.  Please contact the administrator.');
    }
    throw err;
  }
  if (!quiet) {
    env.out(`Created task: ${taskId}`);
    env.out(`Task info: ${env.weburl(`taskinfo?taskID=${taskId}`)}`);
  }
  if (!wait) return 0;
  await session.logout();
  return watchTasks(env, await env.session(), [taskId], { quiet });
}

function register(program: Command, env: CliEnv): void {
  // optparse stores --wait and --nowait into one destination: the last one given wins
  let wait = true;
  program
    .command('kiwi-build')
    .description('[build] Build images with kiwi from a description in an SCM')
    .usage('[options] <target> <description_scm> <description_path>')
    .argument('[args...]', '<target> <description_scm> <description_path>')
    .option('--scratch', 'Perform a scratch build')
    .option('--version <version>', 'Override default version of the output image')
    .option('--release <release>', 'Release of the output image')
    .option(
      '--repo <repo>',
      'Specify a repo that will override the repo used to install RPMs in the image. May be used multiple times. ' +
        'kojibox: [TYPE:]URL [ATTR=VALUE]..., TYPE a kiwi repository type (rpm-md, apt-deb, ...; default rpm-md), ' +
        'e.g. "apt-deb:http://deb.debian.org/debian distribution=bookworm components=main". ' +
        'Without --buildroot-repo the build tag repo is then not used.',
      collect,
      [],
    )
    .option('--repo-releasever <releasever>', 'Override default releasever of the output image')
    .option('--noprogress', 'Do not display progress of the upload')
    .option('--kiwi-profile <profile>', 'Select profile from description file')
    .option('--type <type>', 'Override default build type from description')
    .option('--type-attr <attr>', 'Override default attributes for the build type from description. May be used multiple times.', collect, [])
    .option('--result-bundle-name-format <format>', 'Override default bundle name format')
    .option('--make-prep', "Run 'make prep' in checkout before starting the build")
    .option('--buildroot-repo', 'Add buildroot repo to installation sources. This is off by default, but if there is no --repo used, it will be turned on automatically.')
    .option('--can-fail <arches>', 'List of archs which are not blocking for build (separated by commas.')
    .option('--arch <arch>', 'Limit arches to this subset', collect, [])
    .option('--nowait', "Don't wait on image creation")
    .option('--wait', 'Wait on the image creation, even if running in the background')
    .on('option:nowait', () => {
      wait = false;
    })
    .on('option:wait', () => {
      wait = true;
    })
    .action(async (args: string[], o: KiwiBuildOptions) => {
      const code = await kiwiBuild(env, args, o, wait);
      if (code) exitWith(code);
    });
}

export const kiwiCli: CliPlugin = { name: 'kiwi', register };
