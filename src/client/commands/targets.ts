/**
 * @module
 * Build target commands: add-target, edit-target, remove-target,
 * list-targets.
 */
import type { Command } from 'commander';
import { CliError, type CliEnv } from '../env.ts';
import type { ClientSession } from '../session.ts';
import { padR } from './common.ts';

interface Target {
  id: number;
  name: string;
  build_tag: number;
  build_tag_name: string;
  dest_tag: number;
  dest_tag_name: string;
}

async function needTargetPerm(s: ClientSession): Promise<void> {
  if (!((await s.call<boolean>('hasPerm', 'admin')) || (await s.call<boolean>('hasPerm', 'target')))) {
    throw new CliError('This action requires target or admin privileges', 2);
  }
}

async function checkBuildTag(s: ClientSession, name: string): Promise<void> {
  const tag = await s.call<{ arches: string | null } | null>('getTag', name);
  if (!tag) throw new CliError(`No such tag: ${name}`);
  if (!tag.arches) throw new CliError(`Build tag has no arches: ${name}`);
}

export function registerTargetCommands(program: Command, env: CliEnv): void {
  program
    .command('add-target')
    .description('Create a new build target')
    .argument('<name>')
    .argument('<build-tag>')
    .argument('[dest-tag]', 'defaults to the target name')
    .action(async (name: string, buildTag: string, destTag: string | undefined) => {
      const s = await env.login();
      await needTargetPerm(s);
      // most targets have the same name as their destination
      const dest = destTag ?? name;
      const buildInfo = await s.call<{ arches: string | null } | null>('getTag', buildTag);
      const destInfo = await s.call<object | null>('getTag', dest);
      if (!buildInfo) throw new CliError(`No such tag: ${buildTag}`);
      if (!buildInfo.arches) throw new CliError(`Build tag has no arches: ${buildTag}`);
      if (!destInfo) throw new CliError(`No such destination tag: ${dest}`);
      await s.call('createBuildTarget', name, buildTag, dest);
    });

  program
    .command('edit-target')
    .description('Set the name, build_tag, and/or dest_tag of an existing build target to new values')
    .argument('<name>')
    .option('--rename <name>', 'Specify new name for target')
    .option('--build-tag <tag>', 'Specify a different build tag')
    .option('--dest-tag <tag>', 'Specify a different destination tag')
    .action(async (name: string, o: { rename?: string; buildTag?: string; destTag?: string }) => {
      const s = await env.login();
      await needTargetPerm(s);
      const target = await s.call<Target | null>('getBuildTarget', name);
      if (!target) throw new CliError(`No such build target: ${name}`);
      let buildTagName = target.build_tag_name;
      let destTagName = target.dest_tag_name;
      if (o.buildTag) {
        await checkBuildTag(s, o.buildTag);
        buildTagName = o.buildTag;
      }
      if (o.destTag) {
        if (!(await s.call<object | null>('getTag', o.destTag))) throw new CliError(`No such destination tag: ${o.destTag}`);
        destTagName = o.destTag;
      }
      await s.call('editBuildTarget', target.name, o.rename ?? target.name, buildTagName, destTagName);
    });

  program
    .command('remove-target')
    .description('Remove a build target')
    .argument('<name>')
    .action(async (name: string) => {
      const s = await env.login();
      await needTargetPerm(s);
      const target = await s.call<Target | null>('getBuildTarget', name);
      if (!target) throw new CliError(`No such build target: ${name}`);
      await s.call('deleteBuildTarget', target.id);
    });

  program
    .command('list-targets')
    .description('List the build targets')
    .option('--name <name>', 'Specify the build target name')
    .option('--quiet', 'Do not print the header information')
    .action(async (o: { name?: string; quiet?: boolean }) => {
      const s = await env.session();
      const targets = await s.call<Target[]>('getBuildTargets', o.name ?? null);
      if (!targets.length) throw new CliError(o.name ? `No such build target: ${o.name}` : 'No targets were found', 2);
      if (!(o.quiet || env.quiet)) {
        env.out(`${padR('Name', 30)} ${padR('Buildroot', 30)} ${padR('Destination', 30)}`);
        env.out('-'.repeat(93));
      }
      for (const t of [...targets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        env.out(`${padR(t.name, 30)} ${padR(t.build_tag_name, 30)} ${padR(t.dest_tag_name, 30)}`);
      }
    });
}
