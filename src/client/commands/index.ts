/**
 * @module
 * All core client commands, one module per domain.
 */
import type { Command } from 'commander';
import type { CliEnv } from '../env.ts';
import { registerMiscCommands } from './misc.ts';
import { registerUserCommands } from './users.ts';
import { registerMessageCommands } from './messages.ts';

export function registerClientCommands(program: Command, env: CliEnv): void {
  registerMiscCommands(program, env);
  registerUserCommands(program, env);
  registerMessageCommands(program, env);
}
