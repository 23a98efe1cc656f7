/**
 * @module
 * Storage housekeeping: `list-untagged [--paths] [--show-references]
 * [PACKAGE]` (complete builds in no tag, the candidates for pruning) and
 * `list-volumes`, with koji's output.
 */
import type { Command } from 'commander';
import { CliError, type CliEnv } from '../env.ts';
import { kw } from '../session.ts';
import { pyRepr } from './common.ts';
import { buildPath } from './builds.ts';

type Dict = Record<string, unknown>;

/** koji's "rpms: ..., images/archives: ..., archives buildroots: ..." summary of buildReferences. */
function referenceText(refs: Dict): string {
  const parts: string[] = [];
  const has = (v: unknown) => Array.isArray(v) ? v.length > 0 : Boolean(v);
  if (has(refs.rpms)) parts.push(`rpms: ${pyRepr(refs.rpms)}`);
  if (has(refs.component_of)) parts.push(`images/archives: ${pyRepr(refs.component_of)}`);
  if (has(refs.archives)) parts.push(`archives buildroots: ${pyRepr(refs.archives)}`);
  return parts.join(', ');
}

export function registerStorageCommands(program: Command, env: CliEnv): void {
  program
    .command('list-untagged')
    .description('List untagged builds')
    .argument('[package]')
    .argument('[extra...]')
    .option('--paths', 'Show the file paths')
    .option('--show-references', 'Show build references')
    .action(async (pkg: string | undefined, extra: string[], o: { paths?: boolean; showReferences?: boolean }) => {
      if (extra.length) throw new CliError('Only one package name may be specified', 2);
      const s = await env.session();
      const opts: Dict = {};
      if (pkg) {
        if ((await s.call('getPackageID', pkg)) === null) {
          env.err(`No such package: ${pkg}`);
          throw new CliError('', 1);
        }
        opts.name = pkg;
      }
      const data = await s.call<Dict[]>('untaggedBuilds', kw(opts));
      if (o.showReferences) {
        env.out('(Showing build references)');
        const refs = (await s.multiCall(data.map((b) => ['buildReferences', b.id] as [string, ...unknown[]]), true)) as Dict[];
        data.forEach((b, i) => (b.refs = referenceText(refs[i]!)));
      }
      // untaggedBuilds has no volume, so koji prints the default volume's path
      const lines = data.map((b) => `${o.paths ? buildPath(b) : `${b.name}-${b.version}-${b.release}`}${o.showReferences ? ` ${String(b.refs)}` : ''}`);
      for (const line of lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) env.out(line);
    });

  program
    .command('list-volumes')
    .description('List storage volumes')
    .action(async () => {
      const s = await env.session();
      for (const v of await s.call<Array<{ name: string }>>('listVolumes')) env.out(v.name);
    });
}
