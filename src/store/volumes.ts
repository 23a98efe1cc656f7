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
