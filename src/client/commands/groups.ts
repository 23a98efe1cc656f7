/**
 * @module
 * Comps group commands: add-group, remove-group, block-group,
 * add/block/unblock-group-pkg, remove-group-pkg (kojibox), 
 * add/block/unblock-group-req, list-groups.
 */
import type { Command } from 'commander';
import { CliError, type CliEnv } from '../env.ts';
import { kw, type ClientSession } from '../session.ts';
import { addEventOptions, asctime, eventFromOpts, pyRepr, type EventOpts } from './common.ts';

interface Group {
  name: string;
  group_id: number;
  tag_id: number;
  blocked: boolean;
  packagelist: Array<{ package: string; tag_id: number; basearchonly: unknown; type: string; blocked: boolean }>;
  grouplist: Array<{ name: string; tag_id: number }>;
}

/** The tag-or-admin check and tag lookup add/remove/block-group share; returns the tag's own groups. */
async function tagGroupsOf(s: ClientSession, tag: string): Promise<Map<string, number>> {
  if (!((await s.call<boolean>('hasPerm', 'admin')) || (await s.call<boolean>('hasPerm', 'tag')))) {
    throw new CliError('This action requires tag or admin privileges', 2);
  }
  if (!(await s.call('getTag', tag))) throw new CliError(`No such tag: ${tag}`);
  const groups = await s.call<Group[]>('getTagGroups', tag, kw({ inherit: false }));
  return new Map(groups.map((g) => [g.name, g.group_id]));
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function registerGroupCommands(program: Command, env: CliEnv): void {
  program
    .command('add-group')
    .description('Add a group to a tag')
    .argument('<tag>')
    .argument('<group>')
    .action(async (tag: string, group: string) => {
      const s = await env.login();
      if ((await tagGroupsOf(s, tag)).has(group)) throw new CliError(`Group ${group} already exists for tag ${tag}`);
      await s.call('groupListAdd', tag, group);
    });

  program
    .command('block-group')
    .description('Block group in tag')
    .argument('<tag>')
    .argument('<group>')
    .action(async (tag: string, group: string) => {
      const s = await env.login();
      if (!(await tagGroupsOf(s, tag)).has(group)) throw new CliError(`Group ${group} doesn't exist within tag ${tag}`);
      await s.call('groupListBlock', tag, group);
    });

  program
    .command('remove-group')
    .description('Remove group from tag')
    .argument('<tag>')
    .argument('<group>')
    .action(async (tag: string, group: string) => {
      const s = await env.login();
      if (!(await tagGroupsOf(s, tag)).has(group)) throw new CliError(`Group ${group} doesn't exist within tag ${tag}`);
      await s.call('groupListRemove', tag, group);
    });

  const pkgCommand = (name: string, description: string, method: string) =>
    program
      .command(name)
      .description(description)
      .argument('<tag>')
      .argument('<group>')
      .argument('<pkgs...>')
      .action(async (tag: string, group: string, pkgs: string[]) => {
        const s = await env.login();
        for (const pkg of pkgs) await s.call(method, tag, group, pkg);
      });
  pkgCommand('add-group-pkg', "Add a package to a group's package listing", 'groupPackageListAdd');
  pkgCommand('block-group-pkg', "Block a package from a group's package listing", 'groupPackageListBlock');
  pkgCommand('unblock-group-pkg', "Unblock a package from a group's package listing", 'groupPackageListUnblock');
  pkgCommand('remove-group-pkg', "kojibox: remove a package entry from a group's package listing", 'groupPackageListRemove');

  const reqCommand = (name: string, description: string, method: string) =>
    program
      .command(name)
      .description(description)
      .argument('<tag>')
      .argument('<group>')
      .argument('<req>')
      .action(async (tag: string, group: string, req: string) => {
        const s = await env.login();
        await s.call(method, tag, group, req);
      });
  reqCommand('add-group-req', "Add a group to a group's required list", 'groupReqListAdd');
  reqCommand('block-group-req', "Block a group's requirement listing", 'groupReqListBlock');
  reqCommand('unblock-group-req', "Unblock a group's requirement listing", 'groupReqListUnblock');

  addEventOptions(
    program
      .command('list-groups')
      .description('Print the group listings')
      .argument('<tag>')
      .argument('[group]')
      .option('--show-blocked', 'Show blocked packages and groups'),
  ).action(async (tag: string, only: string | undefined, o: EventOpts & { showBlocked?: boolean }) => {
    const s = await env.session();
    const opts: Record<string, unknown> = {};
    if (o.showBlocked) opts.incl_blocked = true;
    const event = await eventFromOpts(s, o);
    if (event) {
      opts.event = event.id;
      env.out(`Querying at event ${event.id} (${asctime(event.ts)})`);
    }
    const groups = (await s.call<Group[]>('getTagGroups', tag, kw(opts))).sort(byName);
    const names = new Map<number, string>();
    const tagName = async (id: number) => {
      if (!names.has(id)) names.set(id, (await s.call<{ name: string } | null>('getTag', id, kw({ strict: false })))?.name ?? String(id));
      return names.get(id)!;
    };
    for (const g of groups) {
      if (only !== undefined && g.name !== only) continue;
      env.out(`${g.name}  [${await tagName(g.tag_id)}]`);
      for (const r of [...g.grouplist].sort(byName)) env.out(`  @${r.name}  [${await tagName(r.tag_id)}]`);
      for (const p of [...g.packagelist].sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0))) {
        env.out(`  ${p.package}: ${pyRepr(p.basearchonly)}, ${p.type}  [${await tagName(p.tag_id)}]${p.blocked ? ' [BLOCKED]' : ''}`);
      }
    }
  });
}
