/**
 * @module
 * The build host of `serve --all-in-one`: the hub creates it (and its
 * user) on first start, in the default and createrepo channels, with a
 * generated password kept in `<data-dir>/builder-<name>.password` (mode
 * 0600). Later starts reuse the host as the admin may have changed it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { USERTYPES } from '../core/states.ts';
import type { Hub } from './hub.ts';
import { CallContext } from './context.ts';
import { hashPassword, verifyPassword } from './auth.ts';
import { findHost, makeHostUser } from '../store/hosts.ts';
import { addHostToChannel, findChannel, hostInChannel } from '../store/channels.ts';
import { findUser, updateUser } from '../store/users.ts';
import { insertHost } from './api/hosts.ts';

export interface LocalHostSpec {
  name: string;
  arches: string[];
  channels: string[];
  capacity: number;
}

/** Make sure the host exists and can log in; returns its password. */
export function ensureLocalHost(hub: Hub, spec: LocalHostSpec): string {
  const passwordFile = join(hub.dataDir, `builder-${spec.name}.password`);
  return hub.store.tx(() => {
    const ctx = new CallContext(hub, null, '127.0.0.1', 'all-in-one');
    let host = findHost(hub.store, spec.name);
    if (!host) {
      insertHost(ctx, spec.name, spec.arches.join(' '), { force: true, capacity: spec.capacity });
      host = findHost(hub.store, spec.name)!;
      hub.log.info(`created build host ${spec.name} (${spec.arches.join(' ')})`);
    }
    for (const name of spec.channels) {
      const ch = findChannel(hub.store, name);
      if (ch && !hostInChannel(hub.store, host.id, ch.id)) addHostToChannel(hub.store, host.id, ch.id, ctx.event(), null);
    }
    const user = findUser(hub.store, host.user_id)!;
    if (user.usertype !== USERTYPES.HOST) makeHostUser(hub.store, user.id);
    let password = existsSync(passwordFile) ? readFileSync(passwordFile, 'utf8').trim() : '';
    if (!password || !verifyPassword(user.password, password)) {
      password = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
      updateUser(hub.store, user.id, { password: hashPassword(password) });
      writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
    }
    return password;
  });
}
