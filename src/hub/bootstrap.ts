/**
 * @module
 * First-start set-up: the `admin` user with the admin permission. Its
 * password comes from KOJIBOX_ADMIN_PASSWORD, else a random one is written
 * to <data-dir>/admin.password (mode 0600) for the operator to read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/db.ts';
import { createEvent } from '../store/events.ts';
import { createPerm, findPerm, findUser, grantPerm, insertUser } from '../store/users.ts';
import { USER_STATUS, USERTYPES } from '../core/states.ts';
import { hashPassword } from './auth.ts';

/** Permissions Koji creates in its schema. */
const STANDARD_PERMISSIONS: Array<[string, string]> = [
  ['admin', 'Full administrator access. Perform all actions.'],
  ['appliance', 'Create appliance builds - deprecated.'],
  ['dist-repo', 'Create a dist-repo.'],
  ['host', 'Add, remove, enable or disable hosts and channels.'],
  ['image', 'Start image tasks.'],
  ['image-import', 'Import image archives.'],
  ['livecd', 'Start livecd tasks.'],
  ['maven-import', 'Import maven archives.'],
  ['repo', 'Manage repos: newRepo, repoExpire, repoDelete, repoProblem.'],
  ['sign', 'Import RPM signatures and write signed RPMs.'],
  ['tag', 'Manage packages in tags: add, block, remove, and clone tags.'],
  ['target', 'Add, edit, and remove targets.'],
  ['win-admin', 'The default hub policy rule for "vm" requires this permission to trigger Windows builds.'],
  ['win-import', 'Import win archives.'],
  ['regen-repo', 'Manage repos: newRepo, repoExpire, repoDelete, repoProblem.'],
  ['draft-promoter', 'Promote draft builds.'],
];

export interface BootstrapResult {
  createdAdmin: boolean;
  passwordFile: string | null;
}

export function bootstrap(store: Store, dataDir: string, env = process.env): BootstrapResult {
  return store.tx(() => {
    for (const [name, description] of STANDARD_PERMISSIONS) {
      if (!findPerm(store, name)) createPerm(store, name, description);
    }
    if (findUser(store, 'admin')) return { createdAdmin: false, passwordFile: null };
    let password = env.KOJIBOX_ADMIN_PASSWORD;
    let passwordFile: string | null = null;
    if (!password) {
      password = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
      passwordFile = join(dataDir, 'admin.password');
      writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
    }
    const id = insertUser(store, { name: 'admin', password: hashPassword(password), status: USER_STATUS.NORMAL, usertype: USERTYPES.NORMAL });
    grantPerm(store, id, findPerm(store, 'admin')!.id, createEvent(store), null);
    return { createdAdmin: true, passwordFile };
  });
}
