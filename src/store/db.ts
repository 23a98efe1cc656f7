/**
 * @module
 * The one place that opens the database. A `Store` wraps bun:sqlite with WAL,
 * foreign keys, numbered migrations and nested transactions (savepoints), so
 * one API call is one transaction and one multiCall entry is one savepoint.
 * SQL stays portable (no SQLite-only syntax beyond what PostgreSQL also
 * accepts) so a PostgreSQL backend can replace this module later.
 */
import { Database, type SQLQueryBindings, type Statement } from 'bun:sqlite';
import { MIGRATIONS } from './migrations/index.ts';

export type Row = Record<string, unknown>;

const MAX_CACHED_STATEMENTS = 512;
export type Params = SQLQueryBindings[] | Record<string, SQLQueryBindings>;

export interface Migration {
  /** Unique, ordered id such as "001-core" or "plugin-sidetag-001". Never edit a released one. */
  id: string;
  sql: string;
}

export class Store {
  readonly db: Database;
  private depth = 0;
  private savepointSeq = 0;
  private readonly commitHooks: Array<() => void> = [];
  /** Prepared statements by SQL text; the API runs the same few hundred statements over and over. */
  private readonly statements = new Map<string, Statement>();

  constructor(readonly path: string) {
    this.db = new Database(path, { create: true, strict: true });
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec('PRAGMA foreign_keys = ON');
    this.db.exec('PRAGMA busy_timeout = 5000');
  }

  /** Apply the core migrations and any extra ones (plugin tables) not yet applied. */
  migrate(extra: Migration[] = []): string[] {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied REAL NOT NULL)');
    const done = new Set(this.all<{ id: string }>('SELECT id FROM schema_migrations').map((r) => r.id));
    const applied: string[] = [];
    for (const m of [...MIGRATIONS, ...extra]) {
      if (done.has(m.id)) continue;
      this.tx(() => {
        this.db.exec(m.sql);
        this.run('INSERT INTO schema_migrations (id, applied) VALUES (?, ?)', [m.id, Date.now() / 1000]);
      });
      applied.push(m.id);
    }
    return applied;
  }

  /**
   * A cached prepared statement. The cache is bounded: SQL whose text varies
   * (IN lists of different lengths) would otherwise grow it forever; the
   * least recently used statement is finalized first.
   */
  private statement(sql: string): Statement {
    let st = this.statements.get(sql);
    if (st) {
      this.statements.delete(sql);
    } else {
      st = this.db.prepare(sql);
      if (this.statements.size >= MAX_CACHED_STATEMENTS) {
        const [oldest, old] = this.statements.entries().next().value as [string, Statement];
        this.statements.delete(oldest);
        old.finalize();
      }
    }
    this.statements.set(sql, st);
    return st;
  }

  all<T = Row>(sql: string, params: Params = []): T[] {
    const st = this.statement(sql);
    return (Array.isArray(params) ? st.all(...params) : st.all(params)) as T[];
  }

  get<T = Row>(sql: string, params: Params = []): T | null {
    const st = this.statement(sql);
    return ((Array.isArray(params) ? st.get(...params) : st.get(params)) as T | undefined) ?? null;
  }

  /** Run a statement; returns the new row id for inserts. */
  run(sql: string, params: Params = []): { changes: number; lastId: number } {
    const st = this.statement(sql);
    const r = Array.isArray(params) ? st.run(...params) : st.run(params);
    return { changes: r.changes, lastId: Number(r.lastInsertRowid) };
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /**
   * Run fn in a transaction; nested calls become savepoints, so an inner
   * failure rolls back only the inner work (multiCall semantics).
   * fn must be synchronous: an await inside would let another request's
   * statements into this transaction.
   */
  tx<T>(fn: () => T): T {
    if (this.depth === 0) {
      // Deferred: read-only calls (most of them) take no write lock; this
      // process holds the only connection, so the later upgrade cannot fail.
      this.db.exec('BEGIN');
      this.depth++;
      try {
        const result = fn();
        if (result instanceof Promise) throw new Error('Store.tx callback must be synchronous');
        this.db.exec('COMMIT');
        this.depth--;
        const hooks = this.commitHooks.splice(0);
        for (const hook of hooks) hook();
        return result;
      } catch (err) {
        this.db.exec('ROLLBACK');
        this.depth--;
        this.commitHooks.length = 0;
        throw err;
      }
    }
    const name = `sp${++this.savepointSeq}`;
    this.db.exec(`SAVEPOINT ${name}`);
    this.depth++;
    const hooksBefore = this.commitHooks.length;
    try {
      const result = fn();
      this.db.exec(`RELEASE ${name}`);
      this.depth--;
      return result;
    } catch (err) {
      this.db.exec(`ROLLBACK TO ${name}`);
      this.db.exec(`RELEASE ${name}`);
      this.depth--;
      this.commitHooks.length = hooksBefore;
      throw err;
    }
  }

  /** Run hook after the outermost transaction commits (never if it rolls back). */
  afterCommit(hook: () => void): void {
    if (this.depth === 0) hook();
    else this.commitHooks.push(hook);
  }

  close(): void {
    this.db.close();
  }
}

