/**
 * @module
 * Waiting for a repo, as Koji 1.35's RepoWatcher does: look for a READY
 * repo that is new enough (repo.get), or request one (repo.request) and
 * follow the request (repo.checkRequest) until it has a repo; with builds
 * named, first wait until they are tagged, then wait for a repo that holds
 * them. Used by `wait-repo`, `regen-repo`, `request-repo`,
 * `wait-repo-request`, `add-sidetag --wait` and the builder's waitrepo task.
 */
import { KojiError } from '../core/faults.ts';
import { parseNVR } from '../core/nvr.ts';
import { TASK_STATES } from '../core/states.ts';
import { kw } from './session.ts';
import { CliError, type CliEnv } from './env.ts';

type Dict = Record<string, unknown>;

/** What the watcher needs of a session (a ClientSession or the builder's HostSession). */
export interface RepoCaller {
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
}

export interface WatchLogger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Koji's waitrepo logger: lines on stdout from a level up (error when quiet, info when verbose). */
export function levelLogger(level: 'debug' | 'info' | 'warn' | 'error', write: (line: string) => void): WatchLogger {
  const order = ['debug', 'info', 'warn', 'error'];
  const at = order.indexOf(level);
  const make = (l: string) => (msg: string) => {
    if (order.indexOf(l) >= at) write(msg);
  };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}

export interface WatcherOptions {
  nvrs?: string[];
  /** 'last' (the tag's last change), an event id, or null. */
  minEvent?: number | 'last' | null;
  atEvent?: number | null;
  opts?: Dict | null;
  /** Seconds between checks (Koji's PAUSE). */
  pause?: number;
  /** Minutes before giving up (Koji's TIMEOUT). */
  timeout?: number;
  logger?: WatchLogger;
  signal?: AbortSignal;
  /**
   * Follow newRepo tasks with waitTaskChange (default true). The builder
   * turns it off: its calls share one queue, which a long poll would hold.
   */
  longPoll?: boolean;
  /** The tag's getTag result when the caller already has it (saves a call). */
  taginfo?: Dict;
}

const quietLogger = levelLogger('error', () => {});

function duration(start: number): string {
  const s = (Date.now() - start) / 1000;
  return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

function printList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}

/** Koji's checkForBuilds: each build is tagged (through inheritance) at the event. */
export async function checkForBuilds(s: RepoCaller, tagId: number, builds: Array<{ name: string; version: string; release: string }>, event: number | null): Promise<boolean> {
  for (const b of builds) {
    const tagged = await s.call<Dict[]>('listTagged', tagId, kw({ event, package: b.name, inherit: true }));
    if (!tagged.some((t) => t.version === b.version && t.release === b.release)) return false;
  }
  return true;
}

export class RepoWatcher {
  readonly taginfo: Dict;
  minEvent: number | null = null;
  readonly atEvent: number | null;
  readonly opts: Dict | null;
  readonly nvrs: string[];
  readonly builds: Array<{ name: string; version: string; release: string }>;
  pause: number;
  timeout: number;
  readonly logger: WatchLogger;
  private start = 0;
  private readonly signal?: AbortSignal;
  /** The request made by getRepo(), for taskArgs(). */
  private taskRequest: Dict | null = null;
  /** Whether to long-poll the hub at all (the builder does not). */
  private longPoll = true;
  /** Whether the hub has repo.waitRequest / waitTaskChange (kojibox hubs); cleared on the first refusal. */
  private requestPoll = true;
  private taskPoll = true;

  private constructor(readonly session: RepoCaller, taginfo: Dict, o: WatcherOptions) {
    this.taginfo = taginfo;
    this.nvrs = o.nvrs ?? [];
    this.builds = this.nvrs.map((n) => parseNVR(n));
    this.atEvent = o.atEvent ?? null;
    this.opts = o.opts ?? null;
    this.pause = o.pause ?? 6;
    this.timeout = o.timeout ?? 120;
    this.logger = o.logger ?? quietLogger;
    this.signal = o.signal;
    this.longPoll = o.longPoll ?? true;
  }

  /** A watcher for a tag (name or id); minEvent "last" is resolved now. */
  static async create(session: RepoCaller, tag: unknown, o: WatcherOptions = {}): Promise<RepoWatcher> {
    const taginfo = o.taginfo ?? (await session.call<Dict>('getTag', tag, kw({ strict: true })));
    const w = new RepoWatcher(session, taginfo, o);
    if (o.minEvent !== null && o.minEvent !== undefined) {
      if (o.atEvent !== null && o.atEvent !== undefined) throw new KojiError('ParameterError', 'Cannot specify both min_event and at_event');
      w.minEvent = o.minEvent === 'last' ? await session.call<number>('tagLastChangeEvent', taginfo.id) : Number(o.minEvent);
    }
    return w;
  }

  private get tagId(): number {
    return this.taginfo.id as number;
  }

  private checkTimeout(): boolean {
    return Date.now() - this.start > this.timeout * 60_000;
  }

  private async sleep(seconds = this.pause): Promise<void> {
    this.logger.debug('Pausing');
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, seconds * 1000);
      this.signal?.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new KojiError('GenericError', 'Wait aborted'));
      }, { once: true });
    });
  }

  /**
   * Pause until the next check. With newRepo tasks to follow, a kojibox
   * hub's waitTaskChange ends the pause the moment one of them changes;
   * otherwise (or with another hub) this is the poll interval, shorter in
   * the first seconds, when a repo is most likely to appear.
   */
  private async pauseFor(tasks: Map<number, number | null>): Promise<void> {
    this.checkAborted();
    if (tasks.size && this.longPoll && this.taskPoll) {
      const known: Dict = {};
      for (const [id, state] of tasks) if (state !== null) known[String(id)] = [state, 0];
      try {
        await this.session.call('waitTaskChange', [...tasks.keys()], kw({ timeout: this.pause, known }));
        return;
      } catch (err) {
        if (!(err instanceof KojiError) || !/Invalid method|ParameterError/.test(`${err.faultName} ${err.message}`)) throw err;
        this.taskPoll = false;
      }
    }
    // the hub gives a new request its task at once: look again soon at first
    const waited = Date.now() - this.start;
    await this.sleep(Math.min(this.pause, waited < 2_000 ? 0.1 : waited < 10_000 ? 0.5 : this.pause));
  }

  private checkAborted(): void {
    if (this.signal?.aborted) throw new KojiError('GenericError', 'Wait aborted');
  }

  /** newRepo tasks of the tag's active requests (what anonymous watchers follow). */
  private async requestTasks(): Promise<Map<number, number | null>> {
    const out = new Map<number, number | null>();
    try {
      const rows = await this.session.call<Dict[]>('repo.queryQueue', [['tag_id', '=', this.tagId], ['active', 'IS', true]], ['task_id', 'task_state']);
      for (const r of rows) if (typeof r.task_id === 'number') out.set(r.task_id, (r.task_state as number | null) ?? null);
    } catch (err) {
      if (!(err instanceof KojiError)) throw err;
    }
    return out;
  }

  /** repo.request with this watcher's conditions. */
  async request(minEvent?: number | 'last' | null): Promise<{ repo: Dict | null; request: Dict | null; duplicate: boolean }> {
    const min = minEvent === undefined || minEvent === null ? this.minEvent : minEvent;
    this.logger.info('Requesting a repo');
    return this.session.call('repo.request', this.tagId, kw({ min_event: min, at_event: this.atEvent, opts: this.opts }));
  }

  /** Whether a repo satisfies the tag, event, opts and build conditions. */
  async checkRepo(repo: Dict): Promise<boolean> {
    if (repo.tag_id !== this.tagId) {
      this.logger.error(`Got repo for wrong tag, expected ${this.tagId}, got ${repo.tag_id}`);
      return false;
    }
    const ev = repo.create_event as number;
    if (this.atEvent !== null) {
      if (ev !== this.atEvent) {
        this.logger.info(`Got repo with wrong event. ${ev} != ${this.atEvent}`);
        return false;
      }
    } else if (this.minEvent !== null && ev < this.minEvent) {
      this.logger.info(`Got repo before min event. ${ev} < ${this.minEvent}`);
      return false;
    }
    if (this.opts !== null && JSON.stringify(sortKeys(repo.opts as Dict)) !== JSON.stringify(sortKeys(this.opts))) {
      this.logger.info('Got repo with wrong opts.');
      return false;
    }
    if (this.builds.length && !(await checkForBuilds(this.session, this.tagId, this.builds, ev))) {
      this.logger.info('Got repo without needed builds');
      return false;
    }
    this.logger.debug('Repo satisfies our conditions');
    return true;
  }

  /** Wait until a request has a repo; GenericError when it fails or the time is up. */
  async waitRequest(req: Dict): Promise<Dict> {
    if (!this.start) this.start = Date.now();
    const fields = ['task_id', 'task_state', 'repo_id', 'active', 'tries'];
    const seen: Dict = Object.fromEntries(fields.map((f) => [f, req[f] ?? null]));
    for (;;) {
      const check = await this.session.call<{ repo: Dict | null; request: Dict }>('repo.checkRequest', req.id);
      if (check.repo) return check.repo;
      for (const f of fields) {
        const v = check.request[f] ?? null;
        if (v !== seen[f]) {
          const show = (x: unknown) => (f === 'task_state' && typeof x === 'number' ? TASK_STATES.nameOf(x) : String(x));
          this.logger.info(`Request updated: ${f}: ${show(seen[f])} -> ${show(v)}`);
          seen[f] = v;
        }
      }
      if (this.checkTimeout()) throw new KojiError('GenericError', `Unsuccessfully waited ${duration(this.start)} for a new ${this.taginfo.name} repo`);
      if (!check.request.active) {
        if (check.request.task_id) {
          const st = TASK_STATES.nameOf(check.request.task_state as number);
          this.logger.error(`Task ${check.request.task_id} state is ${st}`);
        }
        throw new KojiError('GenericError', 'Repo request no longer active');
      }
      await this.pauseOnRequest(check.request, seen);
    }
  }

  /**
   * Pause until the request may have changed: a kojibox hub's
   * repo.waitRequest returns the moment it has (its repo is READY, say);
   * elsewhere the newRepo task is followed, or the poll interval passes.
   */
  private async pauseOnRequest(req: Dict, seen: Dict): Promise<void> {
    this.checkAborted();
    if (this.longPoll && this.requestPoll) {
      try {
        await this.session.call('repo.waitRequest', req.id, kw({ timeout: this.pause, known: seen }));
        return;
      } catch (err) {
        if (!(err instanceof KojiError) || !/Invalid method/.test(err.message)) throw err;
        this.requestPoll = false;
      }
    }
    const task = req.task_id;
    await this.pauseFor(typeof task === 'number' ? new Map([[task, (req.task_state as number | null) ?? null]]) : new Map());
  }

  /** Wait until the builds are tagged. */
  async waitBuilds(): Promise<void> {
    if (!this.start) this.start = Date.now();
    this.logger.info(`Waiting for nvrs ${this.nvrs.join(', ')} in tag ${this.taginfo.name}`);
    for (;;) {
      if (await checkForBuilds(this.session, this.tagId, this.builds, null)) return;
      if (this.checkTimeout()) {
        throw new KojiError('GenericError', `Unsuccessfully waited ${duration(this.start)} for ${printList(this.nvrs)} to appear in the ${this.taginfo.name} repo`);
      }
      await this.pauseFor(new Map());
    }
  }

  /** A repo now, without waiting (requests one when there is none): Koji's getRepo. */
  async getRepo(): Promise<Dict | null> {
    if (this.builds.length && !(await checkForBuilds(this.session, this.tagId, this.builds, null))) return null;
    const check = await this.request();
    if (check.repo && (await this.checkRepo(check.repo))) return check.repo;
    this.taskRequest = check.request;
    return null;
  }

  /** Arguments of a waitrepo task with this watcher's conditions. */
  taskArgs(): unknown[] {
    if (this.atEvent !== null) throw new KojiError('GenericError', 'at_event not supported by waitrepo task');
    if (this.opts) throw new KojiError('GenericError', 'opts not supported by waitrepo task');
    const min = this.minEvent ?? ((this.taskRequest?.min_event as number | undefined) ?? null);
    return [this.taginfo.name, null, this.nvrs, min];
  }

  /**
   * Wait for a suitable repo. Anonymous watchers only look (repo.get) and
   * rely on the hub regenerating the repo by itself; others request one.
   */
  async waitrepo(anon = false): Promise<Dict> {
    this.logger.info(`Waiting on repo for ${this.taginfo.name}`);
    if (!this.start) this.start = Date.now();
    let minEvent: number | null = this.minEvent;
    let req: Dict | null = null;
    for (;;) {
      if (req) {
        const repo = await this.waitRequest(req);
        if (await this.checkRepo(repo)) return repo;
        if (this.atEvent !== null) throw new KojiError('GenericError', 'Failed at_event request');
        minEvent = await this.session.call<number>('tagLastChangeEvent', this.tagId);
        this.logger.error('Repo request did not satisfy conditions');
        req = null;
      } else if (anon) {
        const repo = await this.session.call<Dict | null>('repo.get', this.tagId, kw({ min_event: minEvent, at_event: this.atEvent, opts: this.opts }));
        if (repo && (await this.checkRepo(repo))) return repo;
      }
      if (this.builds.length) {
        await this.waitBuilds();
        minEvent = await this.session.call<number>('tagLastChangeEvent', this.tagId);
        this.logger.debug(`Updated min_event to last change: ${minEvent}`);
      }
      if (!anon) {
        const check = await this.request(minEvent);
        if (check.repo) {
          if (await this.checkRepo(check.repo)) return check.repo;
        } else if (check.request) {
          req = check.request;
          this.logger.info(`Got request: ${req.id}`);
          if (minEvent === null) {
            minEvent = req.min_event as number;
            this.logger.info(`Updated min_event from hub: ${minEvent}`);
          }
          continue;
        }
      }
      if (this.checkTimeout()) throw new KojiError('GenericError', `Unsuccessfully waited ${duration(this.start)} for a new ${this.taginfo.name} repo`);
      await this.pauseFor(anon ? await this.requestTasks() : new Map());
    }
  }
}

function sortKeys(o: Dict | null | undefined): Dict {
  const out: Dict = {};
  for (const k of Object.keys(o ?? {}).sort()) out[k] = (o as Dict)[k];
  return out;
}

export interface WaitRepoOptions {
  /** A tag name, or a target name with `target`. */
  tag: string;
  target?: boolean;
  /** NVRs the repo must hold. */
  builds?: string[];
  /** true: make a repo request (logs in); false/undefined: only watch. */
  request?: boolean | null;
  /** Minutes (default 120). */
  timeout?: number;
  quiet?: boolean;
  verbose?: boolean;
}

/** The watcher's logger for CLI commands: stdout, at the level the options ask for. */
export function cliLogger(env: CliEnv, o: { quiet?: boolean; verbose?: boolean }): WatchLogger {
  const level = env.options.debug ? 'debug' : o.quiet || env.quiet ? 'error' : o.verbose ? 'info' : 'warn';
  return levelLogger(level, (line) => env.out(line));
}

/**
 * Koji's `error('' if quiet else 'Failed to get repo -- ...')`: the text on
 * stderr (unless quiet) and an exit code of 1. Returns what to throw.
 */
export function failedToGetRepo(env: CliEnv, err: unknown, quiet: boolean | undefined): unknown {
  if (!(err instanceof KojiError)) return err;
  if (!quiet && !env.quiet) env.err(`Failed to get repo -- ${err.message}`);
  return new CliError('');
}

/** Print the repo as Koji's CLI does. */
export function printGotRepo(env: CliEnv, repo: Dict): void {
  env.out(`Got repo ${repo.id}`);
  env.out(`Repo info: ${env.weburl(`repoinfo?repoID=${repo.id}`)}`);
}

/**
 * `wait-repo`: wait for a current repo of a tag (or a target's build tag),
 * or one that holds the given builds. Prints `Got repo N` unless quiet;
 * failures are a CliError "Failed to get repo -- ...".
 */
export async function waitRepo(env: CliEnv, o: WaitRepoOptions): Promise<Dict> {
  const quiet = Boolean(o.quiet ?? env.quiet);
  const builds = (o.builds ?? []).map((n) => ({ nvr: n, ...parseNVR(n) }));
  let anon = true;
  if (o.request) anon = false;
  else if (o.request === undefined || o.request === null) env.err('The --request option is recommended for faster results');
  const s = anon ? await env.session() : await env.login();

  let tag: Dict;
  if (o.target) {
    const target = await s.call<Dict | null>('getBuildTarget', o.tag);
    if (!target) throw new CliError(`No such build target: ${o.tag}`, 2);
    tag = await s.call<Dict>('getTag', target.build_tag, kw({ strict: true }));
  } else {
    const t = await s.call<Dict | null>('getTag', o.tag);
    if (!t) throw new CliError(`No such tag: ${o.tag}`, 2);
    tag = t;
    const targets = await s.call<Dict[]>('getBuildTargets', kw({ buildTagID: tag.id }));
    if (!targets.length) {
      env.err(`${tag.name} is not a build tag for any target`);
      const dest = await s.call<Dict[]>('getBuildTargets', kw({ destTagID: tag.id }));
      if (dest.length) env.err(`Suggested tags: ${[...new Set(dest.map((d) => String(d.build_tag_name)))].sort().join(', ')}`);
      // kojibox keeps repos of build tags current by itself; other tags need repo.auto
      const extra = (tag.extra ?? {}) as Dict;
      if (!o.request && !extra['repo.auto']) env.err('This tag is not configured for automatic regeneration');
    }
  }

  for (const b of builds) {
    const data = await s.call<Dict[]>('getLatestBuilds', tag.id, kw({ package: b.name }));
    if (!data.length) env.err(`No ${b.name} builds in tag ${tag.name}`);
    else {
      const expected = `${b.name}-${b.version}-${b.release}`;
      if (data[0]!.nvr !== expected) env.err(`nvr ${expected} is not current in tag ${tag.name}\n  latest build is ${data[0]!.nvr}`);
    }
  }

  const watcher = await RepoWatcher.create(s, tag.id, {
    taginfo: tag,
    nvrs: o.builds ?? [],
    minEvent: builds.length ? null : 'last',
    pause: env.profile.poll_interval,
    timeout: o.timeout ?? 120,
    logger: cliLogger(env, { quiet, verbose: o.verbose }),
  });
  let repo: Dict;
  try {
    repo = await watcher.waitrepo(anon);
  } catch (err) {
    throw failedToGetRepo(env, err, quiet);
  }
  if (!quiet) printGotRepo(env, repo);
  return repo;
}
