/**
 * @module
 * All core client commands, one module per domain.
 */
import type { Command } from 'commander';
import type { CliEnv } from '../env.ts';
import { registerMiscCommands } from './misc.ts';
import { registerUserCommands } from './users.ts';
import { registerTagCommands } from './tags.ts';
import { registerTargetCommands } from './targets.ts';
import { registerPackageCommands } from './packages.ts';
import { registerGroupCommands } from './groups.ts';
import { registerBuildCommands } from './builds.ts';
import { registerMessageCommands } from './messages.ts';
import { registerHostCommands } from './hosts.ts';
import { registerTaskCommands } from './tasks.ts';
import { registerSchedulerCommands } from './scheduler.ts';
import { registerRepoCommands } from './repos.ts';
import { registerRpmBuildCommands } from './build.ts';
import { registerSearchCommands } from './search.ts';
import { registerStorageCommands } from './storage.ts';

export function registerClientCommands(program: Command, env: CliEnv): void {
  registerMiscCommands(program, env);
  registerUserCommands(program, env);
  registerTagCommands(program, env);
  registerTargetCommands(program, env);
  registerPackageCommands(program, env);
  registerGroupCommands(program, env);
  registerBuildCommands(program, env);
  registerMessageCommands(program, env);
  registerHostCommands(program, env);
  registerTaskCommands(program, env);
  registerSchedulerCommands(program, env);
  registerRepoCommands(program, env);
  registerRpmBuildCommands(program, env);
  registerSearchCommands(program, env);
  registerStorageCommands(program, env);
}
