/**
 * @module
 * Tag commands: add-tag, edit-tag, remove-tag, lock-tag, unlock-tag,
 * add/edit/remove/list-tag-inheritance, list-tags, taginfo. Options,
 * checks and output follow koji's CLI.
 */
import type { Command } from 'commander';
import { CliError, type CliEnv } from '../env.ts';
import { kw, type ClientSession } from '../session.ts';
import { argFilter, collect } from '../args.ts';
import { fnmatch } from '../../core/fnmatch.ts';
import { parseArches } from '../../core/nvr.ts';
import { addEventOptions, asctime, eventFromOpts, inheritanceFlags, isInvalidMethod, padR, pyRepr, type EventOpts } from './common.ts';

interface Tag {
  id: number;
  name: string;
  arches: string | null;
  locked: boolean;
  perm_id: number | null;
  perm: string | null;
  maven_support: boolean;
  maven_include_all: boolean;
  extra: Record<string, unknown>;
  config_inheritance?: { extra: Record<string, { id: number; name: string }>; arches: unknown };
}

export interface InheritanceLink {
  parent_id: number;
  name: string;
  priority: number | string;
  maxdepth: number | null;
  intransitive: boolean;
  noconfig: boolean;
  pkg_filter: string;
  child_id?: number;
  tag_id?: number;
  currdepth?: number;
  [key: string]: unknown;
}

async function needTagPerm(s: ClientSession, perm: 'tag' | 'target'): Promise<void> {
  if (!((await s.call<boolean>('hasPerm', 'admin')) || (await s.call<boolean>('hasPerm', perm)))) {
    throw new CliError(`This action requires ${perm} or admin privileges`, 2);
  }
}

/** Parse `-x key=value` options; edit-tag also reads JSON values. */
function parseExtra(items: string[], json: boolean, rejectDups: boolean): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new CliError(`Invalid extra option (expected key=value): ${item}`, 2);
    const key = item.slice(0, eq);
    if (rejectDups && key in extra) throw new CliError(`Duplicate extra key: ${key}`, 2);
    extra[key] = argFilter(item.slice(eq + 1), json);
  }
  return extra;
}

/** koji's _printInheritance: the tree drawn with box characters. */
export function formatInheritance(links: InheritanceLink[], reverse: boolean): string[] {
  const lines: string[] = [];
  const sibdepths: number[] = [];
  links.forEach((curr, i) => {
    const rest = links.slice(i + 1);
    const siblings = reverse ? rest.filter((t) => t.parent_id === curr.parent_id).length : rest.filter((t) => t.child_id === curr.child_id).length;
    const depth = curr.currdepth ?? 1;
    let line = inheritanceFlags(curr);
    let outdepth = 0;
    for (const d of sibdepths) {
      if (d < depth) {
        line += ' '.repeat(Math.max(0, (d - outdepth) * 3 - 1)) + '\u2502';
        outdepth = d;
      }
    }
    line += ' '.repeat(Math.max(0, (depth - outdepth) * 3 - 1));
    line += siblings ? '\u251c' : '\u2514';
    line += '\u2500';
    line += reverse ? `${curr.name} (${curr.tag_id})` : `${curr.name} (${curr.parent_id})`;
    lines.push(line);
    if (siblings) {
      if (!sibdepths.length || sibdepths[sibdepths.length - 1] !== depth) sibdepths.push(depth);
    } else if (sibdepths.length && sibdepths[sibdepths.length - 1] === depth) sibdepths.pop();
  });
  return lines;
}

/** Find the one inheritance link the edit/remove commands act on (koji's checks and messages). */
async function pickLink(env: CliEnv, s: ClientSession, args: string[]): Promise<{ tag: Tag; link: InheritanceLink; all: InheritanceLink[] }> {
  const tag = await s.call<Tag | null>('getTag', args[0]);
  if (!tag) throw new CliError(`No such tag: ${args[0]}`, 2);
  let parent: Tag | null = null;
  let priority: number | null = null;
  if (args.length > 1) {
    parent = await s.call<Tag | null>('getTag', args[1]);
    if (!parent) throw new CliError(`No such tag: ${args[1]}`, 2);
    if (args.length > 2) {
      priority = Number.parseInt(args[2]!, 10);
      if (Number.isNaN(priority)) throw new CliError(`invalid literal for int() with base 10: '${args[2]}'`);
    }
  }
  const all = await s.call<InheritanceLink[]>('getInheritanceData', tag.id);
  let data = all;
  if (parent && data.length) data = data.filter((d) => d.parent_id === parent!.id);
  if (priority && data.length) data = data.filter((d) => Number(d.priority) === priority);
  if (data.length === 0) throw new CliError('No inheritance link found to remove.  Please check your arguments');
  if (data.length > 1) {
    env.out('Multiple matches for tag.');
    if (!parent) throw new CliError('Please specify a parent on the command line.');
    if (!priority) throw new CliError('Please specify a priority on the command line.');
    throw new CliError('Error: Key constraints may be broken.  Exiting.');
  }
  return { tag, link: data[0]!, all };
}

export function registerTagCommands(program: Command, env: CliEnv): void {
  program
    .command('add-tag')
    .description('Add a new tag to the database')
    .argument('<name>')
    .option('--parent <tag>', 'Set a parent tag with priority 0')
    .option('--arches <arches>', 'Specify arches')
    .option('--maven-support', 'Enable creation of Maven repos for this tag')
    .option('--include-all', 'Include all packages in this tag when generating Maven repos')
    .option('-x, --extra <key=value>', 'Set tag extra option', collect, [])
    .action(async (name: string, o: { parent?: string; arches?: string; mavenSupport?: boolean; includeAll?: boolean; extra: string[] }) => {
      const s = await env.login();
      await needTagPerm(s, 'tag');
      const opts: Record<string, unknown> = {};
      if (o.parent) opts.parent = o.parent;
      if (o.arches) opts.arches = parseArches(o.arches);
      if (o.mavenSupport) opts.maven_support = true;
      if (o.includeAll) opts.maven_include_all = true;
      if (o.extra.length) opts.extra = parseExtra(o.extra, false, false);
      await s.call('createTag', name, kw(opts));
    });

  program
    .command('edit-tag')
    .description('Alter tag information')
    .argument('<name>')
    .option('--arches <arches>', 'Specify arches')
    .option('--perm <perm>', 'Specify permission requirement')
    .option('--no-perm', 'Remove permission requirement')
    .option('--lock', 'Lock the tag')
    .option('--unlock', 'Unlock the tag')
    .option('--rename <name>', 'Rename the tag')
    .option('--maven-support', 'Enable creation of Maven repos for this tag')
    .option('--no-maven-support', 'Disable creation of Maven repos for this tag')
    .option('--include-all', 'Include all packages in this tag when generating Maven repos')
    .option('--no-include-all', 'Do not include all packages in this tag when generating Maven repos')
    .option('-x, --extra <key=value>', 'Set tag extra option. JSON-encoded or simple value', collect, [])
    .option('-r, --remove-extra <key>', 'Remove tag extra option', collect, [])
    .option('-b, --block-extra <key>', 'Block inherited tag extra option', collect, [])
    .action(async (tag: string, o: Record<string, unknown> & { extra: string[]; removeExtra: string[]; blockExtra: string[] }, cmd: Command) => {
      const s = await env.login();
      const opts: Record<string, unknown> = {};
      // commander's --no-x flags flip x; look at where each value came from
      const given = (key: string) => cmd.getOptionValueSource(key) === 'cli';
      if (o.arches) opts.arches = parseArches(String(o.arches));
      if (given('perm')) opts.perm = o.perm === false ? null : o.perm;
      if (o.unlock) opts.locked = false;
      if (o.lock) opts.locked = true;
      if (o.rename) opts.name = o.rename;
      if (given('mavenSupport')) opts.maven_support = Boolean(o.mavenSupport);
      if (given('includeAll')) opts.maven_include_all = Boolean(o.includeAll);
      if (o.extra.length) opts.extra = parseExtra(o.extra, true, true);
      opts.remove_extra = o.removeExtra;
      opts.block_extra = o.blockExtra;
      await s.call('editTag2', tag, kw(opts));
    });

  program
    .command('remove-tag')
    .description('Remove a tag')
    .argument('<name>')
    .action(async (name: string) => {
      const s = await env.login();
      await needTagPerm(s, 'tag');
      const info = await s.call<Tag | null>('getTag', name);
      if (!info) throw new CliError(`No such tag: ${name}`);
      await s.call('deleteTag', info.id);
    });

  program
    .command('lock-tag')
    .description('Lock a tag')
    .argument('<tags...>')
    .option('--perm <perm>', 'Specify permission requirement')
    .option('--glob', 'Treat args as glob patterns')
    .option('--master', 'Lock the master lock')
    .option('-n, --test', 'Test mode')
    .action(async (args: string[], o: { perm?: string; glob?: boolean; master?: boolean; test?: boolean }) => {
      const s = await env.login();
      const perms = await s.call<Array<{ id: number; name: string }>>('getAllPerms');
      const perm = o.perm ?? 'admin';
      const permId = perms.find((p) => p.name === perm)?.id;
      if (permId === undefined) throw new CliError(`No such permission: ${perm}`);
      const selected = await selectTags(env, s, args, Boolean(o.glob), true);
      for (const tag of selected) {
        if (o.master) {
          if (tag.locked) env.out(`Tag ${tag.name}: master lock already set`);
          else if (o.test) env.out(`Would have set master lock for: ${tag.name}`);
          else await s.call('editTag2', tag.id, kw({ locked: true }));
        } else if (tag.perm_id === permId) env.out(`Tag ${tag.name}: ${perm} permission already required`);
        else if (o.test) env.out(`Would have set permission requirement ${perm} for tag ${tag.name}`);
        else await s.call('editTag2', tag.id, kw({ perm_id: permId }));
      }
    });

  program
    .command('unlock-tag')
    .description('Unlock a tag')
    .argument('<tags...>')
    .option('--glob', 'Treat args as glob patterns')
    .option('-n, --test', 'Test mode')
    .action(async (args: string[], o: { glob?: boolean; test?: boolean }) => {
      const s = await env.login();
      for (const tag of await selectTags(env, s, args, Boolean(o.glob), false)) {
        const opts: Record<string, unknown> = {};
        if (tag.locked) opts.locked = false;
        if (tag.perm_id) opts.perm = null;
        if (!Object.keys(opts).length) env.out(`Tag ${tag.name}: not locked`);
        else if (o.test) env.out(`Tag ${tag.name}: skipping changes: ${pyRepr(opts)}`);
        else await s.call('editTag2', tag.id, kw(opts));
      }
    });

  program
    .command('add-tag-inheritance')
    .description("Add to a tag's inheritance")
    .argument('<tag>')
    .argument('<parent-tag>')
    .option('--priority <n>', 'Specify priority')
    .option('--maxdepth <n>', 'Specify max depth')
    .option('--intransitive', 'Set intransitive')
    .option('--noconfig', 'Set to packages only')
    .option('--pkg-filter <regex>', 'Specify the package filter')
    .option('--force', 'Force adding a parent to a tag that already has that parent tag')
    .action(async (tagName: string, parentName: string, o: { priority?: string; maxdepth?: string; intransitive?: boolean; noconfig?: boolean; pkgFilter?: string; force?: boolean }) => {
      const s = await env.login();
      const tag = await s.call<Tag | null>('getTag', tagName);
      if (!tag) throw new CliError(`No such tag: ${tagName}`, 2);
      const parent = await s.call<Tag | null>('getTag', parentName);
      if (!parent) throw new CliError(`No such tag: ${parentName}`, 2);
      const data = await s.call<InheritanceLink[]>('getInheritanceData', tag.id);
      const priority = o.priority ? Number.parseInt(o.priority, 10) : 0;
      if (Number.isNaN(priority)) throw new CliError(`invalid literal for int() with base 10: '${o.priority}'`);
      if (data.some((d) => d.parent_id === parent.id) && !o.force) {
        env.err(`Error: You are attempting to add ${parent.name} as ${tag.name}'s parent even though it already is ${tag.name}'s parent.`);
        throw new CliError('Please use --force if this is what you really want to do.');
      }
      if (data.some((d) => d.priority === priority)) {
        throw new CliError(`Error: There is already an active inheritance with that priority on ${tag.name}, please specify a different priority with --priority.`);
      }
      data.push({
        parent_id: parent.id,
        name: parent.name,
        // koji sends the priority text as given; the hub converts it
        priority: o.priority || 0,
        maxdepth: o.maxdepth && /^\d+$/.test(o.maxdepth) ? Number(o.maxdepth) : null,
        intransitive: Boolean(o.intransitive),
        noconfig: Boolean(o.noconfig),
        pkg_filter: o.pkgFilter ?? '',
      });
      await s.call('setInheritanceData', tag.id, data);
    });

  program
    .command('edit-tag-inheritance')
    .description('Edit tag inheritance')
    .argument('<tag>')
    .argument('[parent]')
    .argument('[priority]')
    .option('--priority <n>', 'Specify a new priority')
    .option('--maxdepth <n>', 'Specify max depth')
    .option('--intransitive', 'Set intransitive')
    .option('--noconfig', 'Set to packages only')
    .option('--pkg-filter <regex>', 'Specify the package filter')
    .action(async (tagName: string, parentName: string | undefined, prio: string | undefined, o: { priority?: string; maxdepth?: string; intransitive?: boolean; noconfig?: boolean; pkgFilter?: string }) => {
      const s = await env.login();
      const args = [tagName, parentName, prio].filter((x): x is string => x !== undefined);
      const { tag, link, all } = await pickLink(env, s, args);
      if (o.priority !== undefined) {
        const p = Number.parseInt(o.priority, 10);
        if (all.some((d) => d.priority === p)) {
          throw new CliError(`Error: There is already an active inheritance with that priority on ${tag.name}, please specify a different priority with --priority.`);
        }
      }
      const updated = { ...link };
      if (o.priority !== undefined && /^\d+$/.test(o.priority)) updated.priority = Number(o.priority);
      if (o.maxdepth !== undefined) {
        if (/^\d+$/.test(o.maxdepth)) updated.maxdepth = Number(o.maxdepth);
        else if (o.maxdepth.toLowerCase() === 'none') updated.maxdepth = null;
        else throw new CliError(`Invalid maxdepth: ${o.maxdepth}`);
      }
      if (o.intransitive) updated.intransitive = true;
      if (o.noconfig) updated.noconfig = true;
      if (o.pkgFilter) updated.pkg_filter = o.pkgFilter;
      await s.call('setInheritanceData', tag.id, all.map((d) => (d.parent_id === link.parent_id ? updated : d)));
    });

  program
    .command('remove-tag-inheritance')
    .description('Remove a tag inheritance link')
    .argument('<tag>')
    .argument('[parent]')
    .argument('[priority]')
    .action(async (tagName: string, parentName: string | undefined, prio: string | undefined) => {
      const s = await env.login();
      const args = [tagName, parentName, prio].filter((x): x is string => x !== undefined);
      const { tag, link, all } = await pickLink(env, s, args);
      await s.call('setInheritanceData', tag.id, all.map((d) => (d.parent_id === link.parent_id ? { ...d, 'delete link': true } : d)));
    });

  addEventOptions(
    program
      .command('list-tag-inheritance')
      .description('Print the inheritance information for a tag')
      .argument('<tag>')
      .option('--reverse', "Process tag's children instead of its parents"),
  ).action(async (tagName: string, o: EventOpts & { reverse?: boolean }) => {
    const s = await env.session();
    const event = await eventFromOpts(s, o);
    if (event) env.out(`Querying at event ${event.id} (${asctime(event.ts)})`);
    const tag = await s.call<Tag | null>('getTag', tagName, kw({ event: event?.id }));
    if (!tag) throw new CliError(`No such tag: ${tagName}`, 2);
    env.out(`     ${tag.name} (${tag.id})`);
    const data = await s.call<InheritanceLink[]>('getFullInheritance', tag.id, kw({ reverse: Boolean(o.reverse), event: event?.id }));
    for (const line of formatInheritance(data, Boolean(o.reverse))) env.out(line);
  });

  program
    .command('list-tags')
    .description('Print the list of tags')
    .argument('[patterns...]')
    .option('--show-id', 'Show tag ids')
    .option('--verbose', 'Show more information')
    .option('--unlocked', 'Only show unlocked tags')
    .option('--build <nvr>', 'Show tags associated with a build')
    .option('--package <name>', 'Show tags associated with a package')
    .action(async (patterns: string[], o: { showId?: boolean; verbose?: boolean; unlocked?: boolean; build?: string; package?: string }) => {
      const s = await env.session();
      let pkgId: number | null = null;
      let buildId: number | null = null;
      if (o.package) {
        const p = await s.call<{ id: number } | null>('getPackage', o.package);
        if (!p) throw new CliError(`No such package: ${o.package}`, 2);
        pkgId = p.id;
      }
      if (o.build) {
        const b = await s.call<{ id: number } | null>('getBuild', o.build);
        if (!b) throw new CliError(`No such build: ${o.build}`, 2);
        buildId = b.id;
      }
      let tags: Tag[];
      if (!patterns.length) tags = await s.call<Tag[]>('listTags', kw({ build: buildId, package: pkgId }));
      else {
        const results = await s.multiCall(patterns.map((pattern) => ['listTags', kw({ build: buildId, package: pkgId, pattern })]), true);
        tags = (results as Tag[][]).flat();
      }
      tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const tag of tags) {
        if (o.unlocked && (tag.locked || tag.perm)) continue;
        let line = o.showId ? `${tag.name} [${tag.id}]` : tag.name;
        if (o.verbose) {
          if (tag.locked) line += ' [LOCKED]';
          if (tag.perm) line += ` [${tag.perm} perm required]`;
        }
        env.out(line);
      }
    });

  addEventOptions(program.command('taginfo').description('Print basic information about a tag').argument('<tags...>')).action(async (names: string[], o: EventOpts) => {
    const s = await env.session();
    const event = await eventFromOpts(s, o);
    const ev = event ? { event: event.id } : {};
    if (event) env.out(`Querying at event ${event.id} (${asctime(event.ts)})`);
    const perms = new Map((await s.call<Array<{ id: number; name: string }>>('getAllPerms')).map((p) => [p.id, p.name]));
    const infos: Tag[] = [];
    for (const name of names) {
      let info: Tag;
      try {
        info = await s.call<Tag>('getBuildConfig', name, kw(ev));
      } catch (err) {
        // a number names a tag by id when no tag has that name
        if (!/^\d+$/.test(name)) throw err;
        info = await s.call<Tag>('getBuildConfig', Number(name), kw(ev));
      }
      infos.push(info);
    }
    const maven = await s.call<boolean>('mavenEnabled');
    for (const [n, info] of infos.entries()) {
      if (n > 0) env.out('');
      env.out(`Tag: ${info.name} [${info.id}]`);
      env.out(`Arches: ${info.arches ?? 'None'}`);
      const groups = (await s.call<Array<{ name: string }>>('getTagGroups', info.id, kw(ev))).map((g) => g.name).sort();
      env.out(`Groups: ${groups.join(', ')}`);
      if (info.locked) env.out('LOCKED');
      if (info.perm_id !== null && info.perm_id !== undefined) env.out(`Required permission: ${pyRepr(perms.get(info.perm_id) ?? info.perm_id)}`);
      if (maven) {
        env.out(`Maven support?: ${info.maven_support ? 'yes' : 'no'}`);
        env.out(`Include all Maven archives?: ${info.maven_include_all ? 'yes' : 'no'}`);
      }
      env.out('Tag options:');
      for (const key of Object.keys(info.extra).sort()) {
        let line = `  ${key} : ${pyRepr(info.extra[key])}`;
        const from = info.config_inheritance?.extra?.[key];
        if (from) line = `${padR(line, 30)} [${from.name}]`;
        env.out(line);
      }
      type Target = { name: string; build_tag: number; build_tag_name: string };
      const destTargets = await s.call<Target[]>('getBuildTargets', kw({ destTagID: info.id, ...ev }));
      const buildTargets = await s.call<Target[]>('getBuildTargets', kw({ buildTagID: info.id, ...ev }));
      const repos = new Map<number, string>();
      if (!event) {
        for (const tagId of [...destTargets.map((t) => t.build_tag), ...buildTargets.map((t) => t.build_tag), info.id]) {
          if (repos.has(tagId)) continue;
          try {
            const repo = await s.call<{ id: number; creation_time: string } | null>('getRepo', tagId);
            repos.set(tagId, repo ? `repo#${repo.id}: ${repo.creation_time}` : 'no active repo');
          } catch (err) {
            // a hub without repo support simply has no repo lines to show
            if (!isInvalidMethod(err, 'getRepo')) throw err;
          }
        }
      }
      if (destTargets.length) {
        env.out('Targets that build into this tag:');
        for (const t of destTargets) {
          const repo = repos.get(t.build_tag);
          env.out(event || repo === undefined ? `  ${t.name} (${t.build_tag_name})` : `  ${t.name} (${t.build_tag_name}, ${repo})`);
        }
      }
      if (buildTargets.length) {
        env.out('This tag is a buildroot for one or more targets');
        if (!event && repos.has(info.id)) env.out(`Current repo: ${repos.get(info.id)}`);
        env.out('Targets that build from this tag:');
        for (const t of buildTargets) env.out(`  ${t.name}`);
      } else if (repos.has(info.id)) env.out(`Current repo: ${repos.get(info.id)}`);
      const external = await s.call<Array<Record<string, unknown>>>('getTagExternalRepos', kw({ tag_info: info.id, ...ev }));
      if (external.length) {
        env.out('External repos:');
        for (const r of external) {
          env.out(`  ${String(r.priority).padStart(3)} ${r.external_repo_name} (${r.url}, merge mode: ${r.merge_mode}), arches: ${r.arches || 'inherited from tag'}`);
        }
      }
      env.out('Inheritance:');
      for (const p of await s.call<InheritanceLink[]>('getInheritanceData', info.id, kw(ev))) {
        env.out(`  ${padR(p.priority, 4)} ${inheritanceFlags(p)} ${p.name} [${p.parent_id}]`);
        if (p.maxdepth !== null) env.out(`    maxdepth: ${p.maxdepth}`);
        if (p.pkg_filter) env.out(`    package filter: ${p.pkg_filter}`);
      }
    }
  });
}

async function selectTags(env: CliEnv, s: ClientSession, args: string[], glob: boolean, strict: boolean): Promise<Tag[]> {
  if (glob) {
    const selected = (await s.call<Tag[]>('listTags')).filter((t) => args.some((p) => fnmatch(t.name, p)));
    if (!selected.length) env.out('No tags matched');
    return selected;
  }
  const out: Tag[] = [];
  for (const name of args) {
    const tag = await s.call<Tag | null>('getTag', name, kw({ strict }));
    if (!tag) throw new CliError(`No such tag: ${name}`, 2);
    out.push(tag);
  }
  return out;
}
