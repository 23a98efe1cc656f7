/**
 * @module
 * Volumes (Koji's volume table): DEFAULT is the topdir; others are
 * directories named in hub.conf [volumes].
 */
import type { Store } from './db.ts';

/** Add a volume name unless it is there (koji's addVolume, quietly); true when added. */
export function ensureVolumeName(store: Store, name: string): boolean {
  if (store.get('SELECT 1 FROM volume WHERE name = ?', [name])) return false;
  store.run('INSERT INTO volume (name) VALUES (?)', [name]);
  return true;
}

/** Every volume as {id, name} (Koji's list_volumes), DEFAULT first. */
export function listVolumes(store: Store): Array<{ id: number; name: string }> {
  return store.all('SELECT id, name FROM volume ORDER BY id');
}

/** A volume by id or name (Koji's lookup_name on the volume table), or null. */
export function findVolume(store: Store, ref: number | string): { id: number; name: string } | null {
  return typeof ref === 'number'
    ? store.get('SELECT id, name FROM volume WHERE id = ?', [ref])
    : store.get('SELECT id, name FROM volume WHERE name = ?', [ref]);
}
