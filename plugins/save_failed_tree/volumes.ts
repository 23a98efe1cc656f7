/**
 * @module
 * Volumes for the tarballs (the seed's TODO: a separate volume or
 * directory on the hub). A volume is a directory named in hub.conf
 * [volumes]; for the builder's `volume` option to work end to end the hub
 * must accept uploads to it (the volume table) and serve its files at
 * /kojifiles/vol/<name>/ (koji's layout, where topdir/vol/<name> is a link
 * to the volume's mount). At start-up this makes both true for every
 * configured volume, without touching volumes that already exist.
 */
import { lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Hub } from '../../src/hub/hub.ts';
import { ensureVolumeName } from './store.ts';

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
