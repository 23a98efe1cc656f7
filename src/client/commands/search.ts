/**
 * @module
 * `search [-r|--regex] [--exact] TYPE PATTERN`: names of packages, builds,
 * tags, targets, users, hosts, rpms (and Maven/Windows archives) matching a
 * glob, a regular expression or exactly, one per line as koji prints them.
 */
import type { Command } from 'commander';
import { CliError, type CliEnv } from '../env.ts';

/** The types koji's CLI offers. */
const SEARCH_TYPES = ['package', 'build', 'tag', 'target', 'user', 'host', 'rpm', 'maven', 'win'];

export function registerSearchCommands(program: Command, env: CliEnv): void {
  program
    .command('search')
    .description('Search the system')
    .usage(`[options] <search_type> <pattern>\nAvailable search types: ${SEARCH_TYPES.join(', ')}`)
    .argument('[search_type]')
    .argument('[pattern]')
    .option('-r, --regex', 'treat pattern as regex')
    .option('--exact', 'exact matches only')
    .action(async (type: string | undefined, pattern: string | undefined, o: { regex?: boolean; exact?: boolean }) => {
      if (!type) throw new CliError('Please specify search type', 2);
      if (!pattern) throw new CliError('Please specify search pattern', 2);
      if (!SEARCH_TYPES.includes(type)) throw new CliError(`No such search type: ${type}`, 2);
      const matchType = o.regex ? 'regexp' : o.exact ? 'exact' : 'glob';
      const s = await env.session();
      for (const row of await s.call<Array<{ name: string }>>('search', pattern, type, matchType)) env.out(row.name);
    });
}
