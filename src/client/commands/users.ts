/**
 * @module
 * add-user, edit-user, enable-user, disable-user, list-users, userinfo,
 * grant-permission, revoke-permission, list-permissions, passwd.
 */
import type { Command } from 'commander';
import { CliError, type CliEnv } from '../env.ts';
import { kw } from '../session.ts';
import { collect } from '../args.ts';
import { readSecret } from '../prompt.ts';

export function registerUserCommands(program: Command, env: CliEnv): void {
  program
    .command('add-user')
    .description('Add a user')
    .argument('<username>')
    .option('--principal <principal>', 'The Kerberos principal for this user')
    .option('--disable', 'Prohibit logins by this user')
    .option('--password-stdin', 'kojibox: read the new user\'s password from standard input')
    .action(async (username: string, opts: { principal?: string; disable?: boolean; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await readSecret('Password: ') : undefined;
      const s = await env.login();
      const id = await s.call<number>('createUser', username, kw({ status: opts.disable ? 1 : 0, krb_principal: opts.principal ?? null, password }));
      env.out(`Added user ${username} (${id})`);
    });

  program
    .command('edit-user')
    .description('Alter user information')
    .argument('<user>')
    .option('--rename <name>', 'Rename the user')
    .option('--edit-krb <old=new>', 'Change Kerberos principal of the user', collect, [])
    .option('--add-krb <principal>', 'Add Kerberos principal of the user', collect, [])
    .option('--remove-krb <principal>', 'Remove Kerberos principal of the user', collect, [])
    .option('--password-stdin', 'kojibox: set the user\'s password, read from standard input')
    .action(async (user: string, opts: { rename?: string; editKrb: string[]; addKrb: string[]; removeKrb: string[]; passwordStdin?: boolean }) => {
      const mappings = [
        ...opts.editKrb.map((x) => {
          const [o, n] = x.split('=');
          if (!o || !n) throw new CliError(`--edit-krb wants OLD=NEW, got ${x}`);
          return { old: o, new: n };
        }),
        ...opts.addKrb.map((p) => ({ old: null, new: p })),
        ...opts.removeKrb.map((p) => ({ old: p, new: null })),
      ];
      const password = opts.passwordStdin ? await readSecret('Password: ') : undefined;
      const s = await env.login();
      await s.call('editUser', user, kw({ name: opts.rename ?? null, krb_principal_mappings: mappings.length ? mappings : null, password }));
    });

  program.command('enable-user').description('Enable logins by a user').argument('<username>').action(async (u: string) => {
    await (await env.login()).call('enableUser', u);
  });
  program.command('disable-user').description('Disable logins by a user').argument('<username>').action(async (u: string) => {
    await (await env.login()).call('disableUser', u);
  });

  program
    .command('list-users')
    .description('List users')
    .option('--usertype <type>', 'normal, host or group', 'normal')
    .option('--prefix <prefix>', 'List users that start with this prefix')
    .option('--perm <perm>', 'List users that have this permission')
    .option('--inherited-perm', 'with --perm, also users holding it through a group')
    .action(async (opts: { usertype: string; prefix?: string; perm?: string; inheritedPerm?: boolean }) => {
      const types: Record<string, number> = { normal: 0, host: 1, group: 2 };
      if (!(opts.usertype in types)) throw new CliError(`Invalid usertype: ${opts.usertype}`, 2);
      const s = await env.session();
      const users = await s.call<Array<{ name: string }>>('listUsers', kw({ userType: types[opts.usertype], prefix: opts.prefix ?? null, perm: opts.perm ?? null, inherited_perm: Boolean(opts.inheritedPerm) }));
      for (const u of users) env.out(u.name);
    });

  program
    .command('userinfo')
    .description('Show information about a user')
    .argument('<usernames...>')
    .action(async (names: string[]) => {
      const s = await env.session();
      for (const name of names) {
        const u = await s.call<{ id: number; name: string; status: number; usertype: number; krb_principals: string[] } | null>('getUser', name);
        if (!u) {
          env.err(`No such user: ${name}`);
          continue;
        }
        const perms = await s.call<string[]>('getUserPerms', u.id);
        env.out(`User name: ${u.name}`);
        env.out(`User ID: ${u.id}`);
        env.out(`krb principals:${u.krb_principals.map((p) => `\n  ${p}`).join('')}`);
        env.out(`Status: ${u.status === 0 ? 'NORMAL' : 'BLOCKED'}`);
        env.out(`Usertype: ${['NORMAL', 'HOST', 'GROUP'][u.usertype]}`);
        env.out(`Permissions:${perms.map((p) => `\n  ${p}`).join('')}`);
      }
    });

  program
    .command('grant-permission')
    .description('Grant a permission to a user')
    .argument('<permission>')
    .argument('<users...>')
    .option('--new', 'Create this permission if the permission does not exist')
    .option('--description <text>', 'Add description about new permission')
    .action(async (perm: string, users: string[], opts: { new?: boolean; description?: string }) => {
      if (opts.description && !opts.new) throw new CliError('Option new must be specified with option description.', 2);
      const s = await env.login();
      for (const u of users) {
        const user = await s.call<{ name: string } | null>('getUser', u);
        if (!user) throw new CliError(`No such user: ${u}`);
        await s.call('grantPermission', user.name, perm, kw({ create: opts.new ? true : undefined, description: opts.description }));
      }
    });

  program
    .command('revoke-permission')
    .description('Revoke a permission from a user')
    .argument('<permission>')
    .argument('<users...>')
    .action(async (perm: string, users: string[]) => {
      const s = await env.login();
      for (const u of users) await s.call('revokePermission', u, perm);
    });

  program
    .command('list-permissions')
    .description('List user permissions')
    .option('--user <user>', 'List permissions for the given user')
    .option('--mine', 'List your permissions')
    .action(async (opts: { user?: string; mine?: boolean }) => {
      if (opts.mine) {
        const s = await env.login();
        for (const p of await s.call<string[]>('getPerms')) env.out(p);
        return;
      }
      const s = await env.session();
      if (opts.user) {
        for (const p of await s.call<string[]>('getUserPerms', opts.user)) env.out(p);
        return;
      }
      const perms = await s.call<Array<{ name: string; description: string | null }>>('getAllPerms');
      const width = Math.max(10, ...perms.map((p) => p.name.length));
      for (const p of perms) env.out(`${p.name.padEnd(width)}  ${p.description ?? ''}`.trimEnd());
    });

  program
    .command('passwd')
    .description('kojibox: change your own password (old and new read from standard input or prompted)')
    .action(async () => {
      const oldPw = env.profile.password ?? (await readSecret('Current password: '));
      const newPw = await readSecret('New password: ');
      const s = await env.login();
      await s.call('changePassword', oldPw, newPw);
      env.info('Password changed');
    });
}
