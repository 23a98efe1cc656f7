/**
 * @module
 * Package list commands: add-pkg, remove-pkg, block-pkg, unblock-pkg,
 * set-pkg-owner, set-pkg-arches, list-pkgs.
 */
import type { Command } from 'commander';
import { CliError, type CliEnv } from '../env.ts';
import { kw } from '../session.ts';
import { parseArches } from '../../core/nvr.ts';
import { addEventOptions, asctime, eventFromOpts, padR, type EventOpts } from './common.ts';

interface PkgEntry {
  package_id: number;
  package_name: string;
  tag_id?: number;
  tag_name?: string;
  extra_arches?: string | null;
  owner_name?: string;
  blocked?: boolean;
}

export function registerPackageCommands(program: Command, env: CliEnv): void {
  program
    .command('add-pkg')
    .description('Add a package to the listing for tag')
    .argument('<tag>')
    .argument('<packages...>')
    .option('--force', 'Override blocks if necessary')
    .option('--owner <owner>', 'Specify owner')
    .option('--extra-arches <arches>', 'Specify extra arches')
    .action(async (tag: string, packages: string[], o: { force?: boolean; owner?: string; extraArches?: string }) => {
      if (!o.owner) throw new CliError('Please specify an owner for the package(s)', 2);
      // koji checks the owner anonymously, before logging in
      if (!(await (await env.session()).call('getUser', o.owner))) throw new CliError(`No such user: ${o.owner}`);
      const s = await env.login();
      const dsttag = await s.call<{ id: number; name: string } | null>('getTag', tag);
      if (!dsttag) throw new CliError(`No such tag: ${tag}`);
      const listed = new Set((await s.call<PkgEntry[]>('listPackages', kw({ tagID: dsttag.id, with_owners: false }))).map((p) => p.package_name));
      const toAdd: string[] = [];
      for (const p of packages) {
        if (listed.has(p)) env.out(`Package ${p} already exists in tag ${tag}`);
        else toAdd.push(p);
      }
      const opts: Record<string, unknown> = { force: o.force ? true : null, block: false };
      if (o.extraArches) opts.extra_arches = parseArches(o.extraArches);
      env.out(`Adding ${toAdd.length} packages to tag ${dsttag.name}`);
      await s.multiCall(toAdd.map((p) => ['packageListAdd', tag, p, o.owner, kw(opts)]), true);
    });

  program
    .command('block-pkg')
    .description('Block a package in the listing for tag')
    .argument('<tag>')
    .argument('<packages...>')
    .option('--force', 'Override blocks and owner if necessary')
    .action(async (tag: string, packages: string[], o: { force?: boolean }) => {
      const s = await env.login();
      const dsttag = await s.call<{ id: number } | null>('getTag', tag);
      if (!dsttag) throw new CliError(`No such tag: ${tag}`);
      const listed = new Set((await s.call<PkgEntry[]>('listPackages', kw({ tagID: dsttag.id, inherited: true, with_owners: false }))).map((p) => p.package_name));
      const missing = packages.filter((p) => !listed.has(p));
      for (const p of missing) env.err(`Package ${p} doesn't exist in tag ${tag}`);
      if (missing.length) throw new CliError('', 1);
      await s.multiCall(packages.map((p) => (o.force ? ['packageListBlock', tag, p, kw({ force: true })] : ['packageListBlock', tag, p])), true);
    });

  program
    .command('remove-pkg')
    .description('Remove a package from the listing for tag')
    .argument('<tag>')
    .argument('<packages...>')
    .option('--force', 'Override blocks if necessary')
    .action(async (tag: string, packages: string[], o: { force?: boolean }) => {
      const s = await env.login();
      const dsttag = await s.call<{ id: number } | null>('getTag', tag);
      if (!dsttag) throw new CliError(`No such tag: ${tag}`);
      const listed = new Set((await s.call<PkgEntry[]>('listPackages', kw({ tagID: dsttag.id, with_owners: false }))).map((p) => p.package_name));
      const missing = packages.filter((p) => !listed.has(p));
      for (const p of missing) env.err(`Package ${p} is not in tag ${tag}`);
      if (missing.length) throw new CliError('', 1);
      await s.multiCall(packages.map((p) => ['packageListRemove', tag, p, kw({ force: o.force ? true : null })]), true);
    });

  program
    .command('unblock-pkg')
    .description('Unblock a package in the listing for tag')
    .argument('<tag>')
    .argument('<packages...>')
    .action(async (tag: string, packages: string[]) => {
      const s = await env.login();
      await s.multiCall(packages.map((p) => ['packageListUnblock', tag, p]), true);
    });

  program
    .command('set-pkg-owner')
    .description('Set the owner for a package')
    .argument('<owner>')
    .argument('<tag>')
    .argument('<packages...>')
    .option('--force', 'Force operation')
    .action(async (owner: string, tag: string, packages: string[], o: { force?: boolean }) => {
      const s = await env.login();
      await s.multiCall(packages.map((p) => ['packageListSetOwner', tag, p, owner, kw({ force: o.force ? true : null })]), true);
    });

  program
    .command('set-pkg-arches')
    .description('Set the list of extra arches for a package')
    .argument('<arches>')
    .argument('<tag>')
    .argument('<packages...>')
    .option('--force', 'Force operation')
    .action(async (arches: string, tag: string, packages: string[], o: { force?: boolean }) => {
      const s = await env.login();
      const list = parseArches(arches);
      await s.multiCall(packages.map((p) => ['packageListSetArches', tag, p, list, kw({ force: o.force ? true : null })]), true);
    });

  addEventOptions(
    program
      .command('list-pkgs')
      .description('Print the package listing for tag or for owner')
      .option('--owner <owner>', 'Specify owner')
      .option('--tag <tag>', 'Specify tag')
      .option('--package <package>', 'Specify package')
      .option('--quiet', 'Do not print header information')
      .option('--noinherit', "Don't follow inheritance")
      .option('--show-blocked', 'Show blocked packages')
      .option('--show-dups', 'Show superseded owners'),
  ).action(async (o: EventOpts & { owner?: string; tag?: string; package?: string; quiet?: boolean; noinherit?: boolean; showBlocked?: boolean; showDups?: boolean }) => {
    const s = await env.session();
    const opts: Record<string, unknown> = {};
    if (o.owner) {
      const user = await s.call<{ id: number } | null>('getUser', o.owner);
      if (!user) throw new CliError(`No such user: ${o.owner}`, 2);
      opts.userID = user.id;
    }
    if (o.tag) {
      const tag = await s.call<{ id: number } | null>('getTag', o.tag);
      if (!tag) throw new CliError(`No such tag: ${o.tag}`, 2);
      opts.tagID = tag.id;
    }
    if (o.package) opts.pkgID = o.package;
    const allpkgs = !Object.keys(opts).length;
    opts.inherited = !o.noinherit;
    // hiding dups only makes sense for one tag
    opts.with_dups = o.tag ? Boolean(o.showDups) : true;
    const event = await eventFromOpts(s, o);
    if (event) {
      opts.event = event.id;
      env.out(`Querying at event ${event.id} (${asctime(event.ts)})`);
    }
    if (!opts.tagID && !opts.userID && !opts.pkgID) {
      if (opts.event) throw new CliError('--event and --ts makes sense only with --tag, --owner or --package', 2);
      if (o.showBlocked) throw new CliError('--show-blocked makes sense only with --tag, --owner or --package', 2);
    }
    if (o.showBlocked) opts.with_blocked = true;
    const data = await s.call<PkgEntry[]>('listPackages', kw(opts));
    if (!data.length) throw new CliError('(no matching packages)');
    const quiet = o.quiet || env.quiet;
    if (!quiet) {
      if (allpkgs) {
        env.out('Package');
        env.out('-'.repeat(23));
      } else {
        env.out(`${padR('Package', 23)} ${padR('Tag', 23)} ${padR('Extra Arches', 16)} ${padR('Owner', 15)}`);
        env.out(`${'-'.repeat(23)} ${'-'.repeat(23)} ${'-'.repeat(16)} ${'-'.repeat(15)}`);
      }
    }
    for (const p of data) {
      if (allpkgs) {
        env.out(p.package_name);
        continue;
      }
      if (!o.showBlocked && p.blocked) continue;
      if (p.tag_id !== undefined) {
        let line = `${padR(p.package_name, 23)} ${padR(p.tag_name, 23)} ${padR(p.extra_arches ?? '', 16)} ${padR(p.owner_name, 15)}`;
        if (p.blocked) line += ' [BLOCKED]';
        env.out(line);
      } else env.out(p.package_name);
    }
  });
}
