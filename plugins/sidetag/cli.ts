/**
 * @module
 * The sidetag client commands, with Koji's options and output:
 * add-sidetag, remove-sidetag, list-sidetags (plus kojibox's `--verbose`
 * table of owner, age, idle time, builds, repo and expiry) and
 * edit-sidetag. A policy refusal is "Policy violation" and exit code 2, as
 * Koji's parser.error gives.
 */
import type { Command } from 'commander';
import type { CliPlugin } from '../../src/plugin.ts';
import { CliError, type CliEnv } from '../../src/client/env.ts';
import { kw } from '../../src/client/session.ts';
import { argFilter, collect } from '../../src/client/args.ts';
import { KojiError } from '../../src/core/faults.ts';
import { waitForSidetagRepo } from './wait.ts';
import { printDetails, type SidetagDetails } from './table.ts';

interface AddOpts {
  quiet?: boolean;
  wait?: boolean;
  debuginfo?: boolean;
  suffix?: string;
}

function registerAdd(program: Command, env: CliEnv): void {
  program
    .command('add-sidetag')
    .description('Create sidetag')
    .argument('<basetag>')
    .option('-q, --quiet', 'Do not print tag name')
    .option('-w, --wait', 'Wait until repo is ready.')
    .option('--debuginfo', 'Buildroot repo will contain debuginfos')
    .option('--suffix <suffix>', 'Suffix from hub-supported ones')
    .action(async (basetag: string, opts: AddOpts) => {
      const quiet = Boolean(opts.quiet) || env.quiet;
      const s = await env.login();
      let tag: { name: string; id: number };
      try {
        tag = await s.call('createSideTag', basetag, kw({ debuginfo: opts.debuginfo ? true : null, suffix: opts.suffix }));
      } catch (err) {
        if (err instanceof KojiError && err.faultName === 'ActionNotAllowed') throw new CliError('Policy violation', 2);
        if (err instanceof KojiError && err.faultName === 'ParameterError' && err.message.includes('suffix')) {
          throw new CliError("Hub is older and doesn't support --suffix, please run it without it", 2);
        }
        throw err;
      }
      if (!quiet) env.out(tag.name);
      if (opts.wait) await waitForSidetagRepo(env, tag.name, quiet);
    });
}

function registerRemove(program: Command, env: CliEnv): void {
  program
    .command('remove-sidetag')
    .description('Remove sidetag')
    .argument('<sidetags...>')
    .action(async (sidetags: string[]) => {
      const s = await env.login();
      await s.multiCall(sidetags.map((t) => ['removeSideTag', t]), true);
    });
}

interface ListOpts {
  basetag?: string;
  user?: string;
  mine?: boolean;
  verbose?: boolean;
}

function registerList(program: Command, env: CliEnv): void {
  program
    .command('list-sidetags')
    .description('List sidetags')
    .argument('[args...]')
    .option('--basetag <basetag>', 'Filter on basetag')
    .option('--user <user>', 'Filter on user')
    .option('--mine', 'Filter on user')
    .option('-v, --verbose', 'kojibox: also show owner, age, idle time, builds, repo and when the lifetime rules remove it')
    .action(async (args: string[], opts: ListOpts) => {
      if (args.length) throw new CliError('This command takes no arguments', 2);
      if (opts.mine && opts.user) throw new CliError('Specify only one from --user --mine', 2);
      let user = opts.user ?? null;
      let s = await env.session();
      if (opts.mine) {
        s = await env.login();
        user = (await s.call<{ name: string }>('getLoggedInUser')).name;
      }
      const filters = kw({ basetag: opts.basetag ?? null, user });
      if (opts.verbose) {
        printDetails(env, await s.call<SidetagDetails[]>('listSideTagDetails', filters), Date.now() / 1000);
        return;
      }
      for (const tag of await s.call<Array<{ name: string }>>('listSideTags', filters)) env.out(tag.name);
    });
}

interface EditOpts {
  debuginfo?: boolean;
  rpmMacro: string[];
  removeRpmMacro: string[];
}

function registerEdit(program: Command, env: CliEnv): void {
  program
    .command('edit-sidetag')
    .description('Edit sidetag')
    .argument('<sidetag>')
    .option('--debuginfo', 'Generate debuginfo repository')
    .option('--no-debuginfo', 'Do not generate debuginfo repository')
    .option('--rpm-macro <key=value>', 'Set tag-specific rpm macros', collect, [])
    .option('--remove-rpm-macro <key>', 'Remove rpm macros', collect, [])
    .action(async (sidetag: string, opts: EditOpts) => {
      if (opts.debuginfo === undefined && !opts.rpmMacro.length && !opts.removeRpmMacro.length) {
        throw new CliError('At least one option needs to be specified', 2);
      }
      const kwargs: Record<string, unknown> = {};
      if (opts.debuginfo !== undefined) kwargs.debuginfo = opts.debuginfo;
      if (opts.rpmMacro.length) {
        const macros: Record<string, unknown> = {};
        for (const item of opts.rpmMacro) {
          const eq = item.indexOf('=');
          if (eq < 0) throw new CliError(`Invalid --rpm-macro value (expected key=value): ${item}`, 2);
          macros[item.slice(0, eq)] = argFilter(item.slice(eq + 1));
        }
        kwargs.rpm_macros = macros;
      }
      if (opts.removeRpmMacro.length) kwargs.remove_rpm_macros = opts.removeRpmMacro;
      await (await env.login()).call('editSideTag', sidetag, kw(kwargs));
    });
}

/** add-sidetag, remove-sidetag, list-sidetags, edit-sidetag. */
export const sidetagCli: CliPlugin = {
  name: 'sidetag',
  register(program, env) {
    registerAdd(program, env);
    registerRemove(program, env);
    registerList(program, env);
    registerEdit(program, env);
  },
};
