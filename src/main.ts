#!/usr/bin/env bun
/**
 * @module
 * The one kojibox executable: `serve` (hub), `builder` (build host), and the
 * koji-compatible client commands, including the plugins' commands. This
 * file only assembles them.
 */
import { Command, CommanderError } from 'commander';
import { CliEnv, describeError } from './client/env.ts';
import { registerServe } from './modes/serve.ts';
import { registerBuilder } from './modes/builder.ts';
import { isDaemon } from './modes/daemon.ts';
import { registerClientCommands } from './client/commands/index.ts';
import { cliPlugins } from '../plugins/cli.ts';
import { writeStderr, writeStdout } from './client/output.ts';

/**
 * Global options that take a value, so the word after them is not the
 * command. One missing here costs only time: its value is taken for the
 * command, which is not found, and every command is built.
 */
const VALUED_GLOBALS = new Set(['-c', '--config', '-p', '--profile', '-s', '--server', '--user', '--password', '--authtype', '--topurl', '--weburl', '--config-root']);

/**
 * The command the arguments name, if it can be told before parsing: the
 * first word after the global options. Null for help and for anything
 * unusual, which then gets every command.
 */
export function requestedCommand(args: string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || a === '-h' || a === '--help' || a === '-V' || a === '--version') return null;
    if (!a.startsWith('-')) return a === 'help' ? null : a;
    if (VALUED_GLOBALS.has(a)) i++;
  }
  return null;
}

/** What the register functions get for commands that are not wanted: it swallows any chain of calls. */
const IGNORED: Command = new Proxy(function ignored() {}, { get: (_t, prop) => (prop === 'then' ? undefined : () => IGNORED) }) as unknown as Command;

/**
 * A program that builds only one of its commands. Building all ~200
 * commands (and their options) costs ~10 ms, which every client call,
 * and so every script, would pay for one command.
 */
function oneCommandProgram(name: string, wanted: string): Command {
  const program = new Command(name);
  const build = program.command.bind(program) as (...a: unknown[]) => Command;
  program.command = ((nameAndArgs: string, ...rest: unknown[]) => (nameAndArgs.split(/\s+/)[0] === wanted ? build(nameAndArgs, ...rest) : IGNORED)) as Command['command'];
  return program;
}

export function buildProgram(only: string | null = null): { program: Command; env: CliEnv } {
  const program = only ? oneCommandProgram('kojibox', only) : new Command('kojibox');
  program
    .description('A Koji-compatible build system for small labs: hub, build host and client in one binary')
    .option('-c, --config <file>', 'use alternate configuration file')
    .option('-p, --profile <name>', 'specify a configuration profile', 'koji')
    .option('-s, --server <url>', 'url of XMLRPC server (e.g. http://127.0.0.1:8080/kojihub)')
    .option('--user <user>', 'specify user')
    .option('--password <password>', 'specify password')
    .option('--authtype <type>', 'force use of a type of authentication (password only here)')
    .option('--topurl <url>', 'url for Koji file access')
    .option('--weburl <url>', 'url for the Koji web interface')
    .option('-q, --quiet', 'run quietly')
    .option('--noauth', 'do not authenticate')
    .option('--force-auth', 'authenticate even for read-only operations')
    .option('-d, --debug', 'show debug output')
    .option('--config-root <dir>', 'directory standing in for /etc (also KOJIBOX_CONFIG_ROOT)')
    .configureOutput({ writeOut: writeStdout, writeErr: writeStderr })
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  const env = new CliEnv(program);
  registerServe(program);
  registerBuilder(program);
  registerClientCommands(program, env);
  for (const plugin of cliPlugins) plugin.register(program, env);
  return { program, env };
}

async function main(argv: string[]): Promise<number> {
  const wanted = requestedCommand(argv.slice(2));
  let built = buildProgram(wanted);
  // an alias, a typo or a plugin's command under another name: build them all
  if (wanted && !built.program.commands.some((c) => c.name() === wanted)) built = buildProgram();
  const { program, env } = built;
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const code = (err as { exitCode?: number }).exitCode ?? 1;
    // a command that already printed its warnings throws an empty CliError just for the exit code
    const text = describeError(err);
    if (text) writeStderr(`kojibox: ${text}\n`);
    if (program.opts().debug && err instanceof Error && err.stack) writeStderr(err.stack + '\n');
    return code;
  } finally {
    await env.close();
  }
}

const code = await main(process.argv);
// serve and builder keep running on their own; client commands exit here
if (!isDaemon() || code !== 0) process.exit(code);
