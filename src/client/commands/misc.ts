/**
 * @module
 * hello, version, list-api, call.
 */
import type { Command } from 'commander';
import type { CliEnv } from '../env.ts';
import { CliError } from '../env.ts';
import { kw } from '../session.ts';
import { splitKeyValues } from '../args.ts';

export function registerMiscCommands(program: Command, env: CliEnv): void {
  program
    .command('hello')
    .alias('moshimoshi')
    .description('Print your user name')
    .action(async () => {
      const s = await env.login();
      const me = await s.call<{ name: string; authtype: number } | null>('getLoggedInUser');
      const version = await s.call<string>('getKojiVersion');
      if (!me) {
        env.out('Not authenticated');
      } else {
        env.out(`olá, ${me.name}!`);
      }
      env.out('');
      env.out(`You are using the hub at ${env.profile.server}`);
      env.out(`Authenticated via password`);
      env.out(`Hub version: ${version}`);
    });

  program
    .command('version')
    .description('Report client and hub versions')
    .action(async () => {
      const s = await env.session();
      env.out(`Client: kojibox ${process.env.npm_package_version ?? ''}`.trimEnd());
      env.out(`Hub:    ${await s.call<string>('getKojiVersion')}`);
    });

  program
    .command('list-api')
    .description('Print the list of XML-RPC APIs')
    .argument('[methods...]')
    .action(async (methods: string[]) => {
      const s = await env.session();
      if (methods.length) {
        for (const m of methods) {
          const help = await s.call<string>('system.methodHelp', m);
          if (!help) throw new CliError(`Unknown method: ${m}`, 2);
          env.out(help);
        }
        return;
      }
      const list = await s.call<Array<{ name: string; argdesc: string; doc: string | null }>>('_listapi');
      for (const x of list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        env.out(`${x.name}${x.argdesc}`);
        if (x.doc) env.out(`  description: ${x.doc}`);
      }
    });

  program
    .command('call')
    .description('Execute an arbitrary XML-RPC call')
    .argument('<name>', 'method name')
    .argument('[args...]', 'arguments; key=value for keyword arguments')
    .option('--python', 'use python syntax for values (accepted for compatibility)')
    .option('--kwargs <json>', 'keyword arguments as a JSON object')
    .option('--json-output', 'print the result as JSON')
    .action(async (name: string, rest: string[], opts: { kwargs?: string; jsonOutput?: boolean }) => {
      const { args, kwargs } = splitKeyValues(rest);
      if (opts.kwargs) Object.assign(kwargs, JSON.parse(opts.kwargs));
      const s = await env.login();
      const result = await s.call(name, ...args, kw(kwargs));
      env.out(opts.jsonOutput ? JSON.stringify(result, jsonReplacer, 2) : formatPy(result));
    });
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'value' in (v as object) && Object.keys(v as object).length === 1) return (v as { value: unknown }).value;
  return v;
}

/** Python-like repr, as `koji call` pretty-prints results. */
export function formatPy(v: unknown, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return `'${v.toISOString()}'`;
  if (v instanceof Uint8Array) return `b'...${v.length} bytes'`;
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return `[${v.map((x) => formatPy(x, indent + 1)).join(`,\n${pad} `)}]`;
  }
  if (typeof v === 'object' && v && 'value' in v && Object.keys(v).length === 1) return String((v as { value: unknown }).value);
  const entries = Object.entries(v as object);
  if (!entries.length) return '{}';
  return `{${entries.map(([k, x]) => `'${k}': ${formatPy(x, indent + 1 + k.length + 4)}`).join(`,\n${pad} `)}}`;
}
