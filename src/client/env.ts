/**
 * @module
 * What every client command gets: the global options (Koji's names), the
 * resolved profile, an anonymous or logged-in session, and output helpers.
 * Printing to the terminal happens in the client layer only.
 */
import type { Command } from 'commander';
import { KojiError } from '../core/faults.ts';
import { ClientSession } from './session.ts';
import { resolveProfile, type ResolvedProfile } from './profile.ts';
import { writeStderr, writeStdout } from './output.ts';

export interface GlobalOptions {
  server?: string;
  user?: string;
  password?: string;
  authtype?: string;
  config?: string;
  profile?: string;
  topurl?: string;
  weburl?: string;
  quiet?: boolean;
  noauth?: boolean;
  forceAuth?: boolean;
  debug?: boolean;
  configRoot?: string;
}

/** Raised by commands for a usage or input problem: printed as one line, exit 1 (or the given code). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export class CliEnv {
  private profileCache: ResolvedProfile | null = null;
  private anonSession: ClientSession | null = null;
  private authSession: ClientSession | null = null;

  constructor(readonly program: Command) {}

  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get profile(): ResolvedProfile {
    this.profileCache ??= resolveProfile(this.options);
    return this.profileCache;
  }

  get quiet(): boolean {
    return Boolean(this.options.quiet);
  }

  /** An anonymous session (Koji's anon_* commands); --force-auth logs in. */
  async session(): Promise<ClientSession> {
    if (this.options.forceAuth) return this.login();
    this.anonSession ??= new ClientSession(this.profile.server);
    return this.anonSession;
  }

  /** A logged-in session (Koji's handle_* commands); --noauth skips the login. */
  async login(): Promise<ClientSession> {
    if (this.authSession) return this.authSession;
    const s = new ClientSession(this.profile.server);
    if (!this.options.noauth) {
      const { user, password } = this.profile;
      if (!user) throw new CliError('no user given: use --user, a profile "user =", or KOJIBOX_USER');
      if (password === undefined || password === null) throw new CliError(`no password for ${user}: use --password, a profile "password =", or KOJIBOX_PASSWORD`);
      await s.login(user, password);
    }
    this.authSession = s;
    return s;
  }

  /** Log out at exit, as the koji CLI does. */
  async close(): Promise<void> {
    if (this.authSession?.loggedIn) {
      try {
        await this.authSession.logout();
      } catch {
        // the command already finished; a failed logout only leaves a session to expire
      }
    }
  }

  out(line = ''): void {
    writeStdout(line + '\n');
  }

  err(line: string): void {
    writeStderr(line + '\n');
  }

  /** Print unless --quiet. */
  info(line: string): void {
    if (!this.quiet) this.out(line);
  }

  weburl(path: string): string {
    return `${this.profile.weburl.replace(/\/$/, '')}/${path}`;
  }
}

/**
 * End a command with an exit status and no further message (Koji's
 * sys.exit(1) after a command printed its own report). The entry point logs
 * out and flushes output before the process exits.
 */
export function exitWith(code: number): never {
  throw new CliError('', code);
}

/** One line for an error, as the koji CLI prints faults: `Class: message`. */
export function describeError(err: unknown): string {
  if (err instanceof KojiError) return `${err.faultName}: ${err.message}`;
  if (err instanceof CliError) return err.message;
  return (err as Error)?.message ?? String(err);
}
