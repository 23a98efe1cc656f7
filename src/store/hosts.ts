/**
 * @module
 * Build hosts, their configuration and channels.
 */
import type { Store } from './db.ts';

export function hostIdForUser(store: Store, userId: number): number | null {
  return store.get<{ id: number }>('SELECT id FROM host WHERE user_id = ?', [userId])?.id ?? null;
}
