/**
 * @module
 * hub.conf [volumes] made real at start-up: each named directory becomes a
 * volume the hub accepts uploads to (the volume table) and serves at
 * /kojifiles/vol/<name>/ (Koji's layout, where topdir/vol/<name> links to
 * the volume's mount). Volumes that already exist are left as they are.
 */
import { lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Hub } from './hub.ts';
import { ensureVolumeName } from '../store/volumes.ts';

/** Register and link hub.conf's volumes; returns the names newly registered. */
export function ensureVolumes(hub: Hub): string[] {
  const added: string[] = [];
  for (const [name, dir] of Object.entries(hub.config.volumes ?? {})) {
    if (!name || name === 'DEFAULT' || name.includes('/') || name.startsWith('.')) {
      hub.log.warn(`hub.conf [volumes]: ignoring volume name '${name}'`);
      continue;
    }
    if (hub.store.tx(() => ensureVolumeName(hub.store, name))) added.push(name);
    mkdirSync(dir, { recursive: true });
    const link = join(hub.topdir, 'vol', name);
    if (resolve(link) === resolve(dir)) continue;
    try {
      lstatSync(link);
      continue; // an admin's own link or directory stays as it is
    } catch {
      // missing: make the link below
    }
    mkdirSync(join(hub.topdir, 'vol'), { recursive: true });
    symlinkSync(resolve(dir), link);
  }
  return added;
}
