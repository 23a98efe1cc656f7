/**
 * @module
 * Core migrations in order. Released migrations are never edited: add a new file.
 * Bun embeds the .sql text in the compiled binary.
 */
import type { Migration } from '../db.ts';
import core001 from './001-core.sql' with { type: 'text' };
import tasks002 from './002-tasks.sql' with { type: 'text' };
import repos003 from './003-repos.sql' with { type: 'text' };

export const MIGRATIONS: Migration[] = [
  { id: '001-core', sql: core001 },
  { id: '002-tasks', sql: tasks002 },
  { id: '003-repos', sql: repos003 },
];
