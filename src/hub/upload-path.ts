/**
 * @module
 * Where an upload may go: `<volume>/work/<path>/<name>`, with Koji's rules.
 * The path is relative and stays inside the work directory; the name is one
 * plain file name; a directory belongs to the user who first uploaded into
 * it (its `.user` file), except `tasks/<n>/<id>/`, which only the host
 * running task <id> may write.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { AuthError, GenericError } from '../core/faults.ts';
import type { CallContext } from './context.ts';
import { volumeNames } from '../store/tasks.ts';
import { assertHostOwns } from './tasks/state.ts';

export interface UploadTarget {
  /** Absolute path of the file. */
  file: string;
  /** `<path>/<name>` as the client gave it, for messages. */
  shown: string;
}

/** Check a volume name: DEFAULT or one the store knows. */
export function checkVolume(ctx: CallContext, volume: string | null | undefined): string {
  const v = volume || 'DEFAULT';
  if (v !== 'DEFAULT' && !volumeNames(ctx.store).includes(v)) throw GenericError(`No such volume: ${v}`);
  return v;
}

/**
 * Resolve and check an upload destination. With `create`, the directory
 * is made and ownership enforced (the caller must be logged in).
 */
export function uploadTarget(ctx: CallContext, reldir: unknown, name: unknown, opts: { create: boolean; volume?: string | null }): UploadTarget {
  if (typeof name !== 'string' || !name || name.includes('/') || name.startsWith('.') || name.includes('\0')) {
    throw GenericError(`Invalid upload filename: ${String(name)}`);
  }
  if (typeof reldir !== 'string' || reldir.includes('\0')) throw GenericError(`Invalid upload directory: ${String(reldir)}`);
  const norm = posix.normalize(reldir);
  if (!norm || norm === '.' || norm.startsWith('/') || norm === '..' || norm.startsWith('../') || norm.split('/').includes('..')) {
    throw GenericError(`Invalid upload directory: ${reldir}`);
  }
  const volume = checkVolume(ctx, opts.volume);
  const parts = norm.split('/');
  let checkUser = true;
  if (opts.create && parts[0] === 'tasks') {
    if (parts.length < 3 || !/^\d+$/.test(parts[2]!)) throw GenericError(`Invalid task upload directory: ${reldir}`);
    const session = ctx.session;
    if (!session) throw AuthError('Not logged-in');
    if (session.hostId === null) throw AuthError(`User ${session.userId} is not a host`);
    assertHostOwns(ctx, Number(parts[2]), session.hostId);
    checkUser = false;
  }
  const dir = join(ctx.hub.volumeDir(volume), 'work', norm);
  if (opts.create) {
    const session = ctx.requireLogin();
    mkdirSync(dir, { recursive: true });
    if (checkUser) {
      const owner = join(dir, '.user');
      if (existsSync(owner)) {
        if (Number(readFileSync(owner, 'utf8').trim()) !== session.userId) {
          throw GenericError(`Invalid upload directory, not owner: ${reldir}`);
        }
      } else writeFileSync(owner, String(session.userId));
    }
  }
  return { file: join(dir, name), shown: `${norm}/${name}` };
}
