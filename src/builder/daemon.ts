/**
 * @module
 * The build host's main loop (kojibox's kojid). It logs in as its host,
 * reports the task methods it can run, then long-polls the hub with
 * host.waitForTasks: each answer brings tasks assigned to it (taken while
 * load stays under the host's capacity and maxjobs), running tasks that
 * were cancelled or taken away (stopped), OPEN tasks it no longer knows
 * (freed, e.g. after a restart) and waits that can go on. Tasks run
 * concurrently in this process; a lost hub is retried until it is back.
 */
import { KojiError } from '../core/faults.ts';
import { parseMethodCall } from '../core/xmlrpc.ts';
import { decodeArgs } from '../core/task-params.ts';
import { createLogger, type Logger } from '../core/log.ts';
import type { KojidConfig } from '../config/kojid.ts';
import { resolveConfigRoot } from '../config/root.ts';
import { kw } from '../client/session.ts';
import { HostSession } from './session.ts';
import { TaskRunner } from './task.ts';
import { startSweeping } from './buildroot/task-buildroot.ts';
import type { HostInfo, TaskHandler, TaskInfo } from './handler.ts';

export interface BuilderOptions {
  config: KojidConfig;
  /** The config root (plugins read kojid/plugins/<name>.conf under it); default: resolveConfigRoot(). */
  configRoot?: string;
  /** Task handlers (core handlers plus enabled plugins). */
  handlers: TaskHandler[];
  log?: Logger;
}

interface PollReply {
  tasks: Array<{ id: number; method: string; state: number; host_id: number }>;
  orphans: number[];
  gone: number[];
  alerts: number[];
}

interface HostReply {
  id: number;
  name: string;
  arches: string | null;
  capacity: number;
  enabled: boolean;
}

/** How often the host's own record (capacity, enabled) is re-read, in ms. */
const HOST_REFRESH_MS = 15000;

export class BuilderDaemon {
  readonly session: HostSession;
  private readonly config: KojidConfig;
  private readonly configRoot: string;
  private readonly log: Logger;
  private readonly handlers = new Map<string, TaskHandler>();
  private readonly running = new Map<number, TaskRunner>();
  private host: HostInfo | null = null;
  private enabled = true;
  private hostRead = 0;
  private stopped = false;

  constructor(opts: BuilderOptions) {
    this.config = opts.config;
    this.configRoot = opts.configRoot ?? resolveConfigRoot();
    this.log = opts.log ?? createLogger('builder');
    for (const h of opts.handlers) for (const m of h.methods) this.handlers.set(m, h);
    this.session = new HostSession(opts.config.server, { maxRetries: opts.config.max_retries, retryIntervalMs: 1000 });
  }

  /** Task methods this builder can run. */
  get methods(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** Sum of the weights of running tasks that are not waiting on subtasks. */
  get taskLoad(): number {
    let load = 0;
    for (const r of this.running.values()) if (!r.waiting && !r.finished) load += r.weight;
    return load;
  }

  private get ready(): boolean {
    if (!this.host || !this.enabled) return false;
    let active = 0;
    for (const r of this.running.values()) if (!r.finished) active++;
    return active < this.config.maxjobs && this.taskLoad < this.host.capacity;
  }

  /** Log in and check in (retrying until the hub answers), then run the loop in the background. */
  async start(): Promise<void> {
    await this.connect();
    // failed trees kept before a restart still expire on schedule
    startSweeping(this.config, (m) => this.log.info(m));
    void this.run();
  }

  private async connect(): Promise<void> {
    let delay = 250;
    for (;;) {
      try {
        const user = this.config.user;
        if (!user) throw new Error('kojid.conf has no user (the host name to log in as)');
        this.session.forget();
        await this.session.login(user, this.config.password ?? '');
        await this.refreshHost(true);
        const data: Record<string, unknown> = { methods: this.methods, maxjobs: this.config.maxjobs };
        if (this.config.arches.length) {
          data.arches = this.config.arches;
          // the hub's host record decides; a different kojid.conf list is worth a word
          const mine = [...this.config.arches].sort().join(' ');
          const hubs = [...this.host!.arches].sort().join(' ');
          if (mine !== hubs) this.log.warn(`kojid.conf arches "${mine}" differ from the hub's "${hubs}" for this host (edit-host --arches changes the hub's)`);
        }
        await this.session.call('host.updateHost', this.taskLoad, this.ready, data);
        this.log.info(`logged in as host ${this.host!.name} (id ${this.host!.id}); arches ${this.host!.arches.join(' ')}, capacity ${this.host!.capacity}, maxjobs ${this.config.maxjobs}; methods: ${this.methods.join(' ')}`);
        return;
      } catch (err) {
        if (this.stopped) throw err;
        if (err instanceof KojiError && err.faultName === 'AuthError') throw err;
        this.log.warn(`cannot reach the hub at ${this.config.server}: ${(err as Error).message}; retrying`);
        await Bun.sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async refreshHost(force = false): Promise<void> {
    if (!force && Date.now() - this.hostRead < HOST_REFRESH_MS) return;
    const h = await this.session.call<HostReply>('host.getHost');
    this.host = { id: h.id, name: h.name, arches: (h.arches ?? '').split(/\s+/).filter(Boolean), capacity: Number(h.capacity) };
    this.enabled = Boolean(h.enabled);
    this.hostRead = Date.now();
  }

  private async run(): Promise<void> {
    let delay = 250;
    while (!this.stopped) {
      try {
        await this.refreshHost();
        const running = [...this.running.values()].filter((r) => !r.aborted && !r.finished);
        const reply = await this.session.callUnqueued<PollReply>(
          'host.waitForTasks',
          kw({ task_load: this.taskLoad, ready: this.ready, running: running.map((r) => r.id), waiting: running.filter((r) => r.waiting).map((r) => r.id) }),
        );
        delay = 250;
        if (this.stopped) break;
        await this.handle(reply);
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof KojiError && err.faultName === 'AuthError') {
          this.log.warn(`session lost (${err.message}); logging in again`);
          await this.connect().catch((e) => this.log.error(`login failed: ${(e as Error).message}`));
        } else {
          this.log.warn(`hub poll failed: ${(err as Error).message}`);
        }
        await Bun.sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async handle(reply: PollReply): Promise<void> {
    for (const id of reply.gone) this.running.get(id)?.abort('the task is no longer open on this host (cancelled or reassigned)');
    if (reply.orphans.length) {
      this.log.info(`freeing tasks this builder does not run: ${reply.orphans.join(', ')}`);
      await this.session.call('host.freeTasks', reply.orphans);
    }
    for (const id of reply.alerts) this.running.get(id)?.alert();
    for (const t of reply.tasks) {
      if (this.stopped || !this.ready) break;
      if (this.running.has(t.id)) continue;
      await this.take(t.id, t.method);
    }
  }

  /** Open an assigned task and start it; a method without a handler is refused for good. */
  private async take(id: number, method: string): Promise<void> {
    const handler = this.handlers.get(method);
    if (!handler) {
      this.log.warn(`refusing task ${id}: no handler for ${method}`);
      await this.session.call('host.refuseTask', id, kw({ soft: false, msg: 'no handler for method' }));
      return;
    }
    const opened = await this.session.call<(TaskInfo & { request: string }) | null>('host.openTask', id);
    if (!opened) {
      this.log.info(`task ${id} went elsewhere before it could be opened`);
      return;
    }
    const { args, kwargs } = decodeArgs(parseMethodCall(opened.request).params);
    const weight = typeof handler.weight === 'function' ? handler.weight(args, kwargs) : (handler.weight ?? 1.0);
    const info: TaskInfo = { ...opened, weight: Number(opened.weight) };
    const runner = new TaskRunner({ session: this.session, config: this.config, configRoot: this.configRoot, host: this.host!, log: this.log }, info, handler, args, kwargs, weight);
    this.running.set(id, runner);
    this.log.info(`task ${id} (${method}) started`);
    if (weight !== info.weight) {
      try {
        await this.session.call('host.setTaskWeight', id, weight);
      } catch (err) {
        this.log.warn(`task ${id}: could not set its weight: ${(err as Error).message}`);
      }
    }
    void runner
      .run()
      .catch((err) => this.log.error(`task ${id} crashed the runner: ${(err as Error).stack ?? err}`))
      .finally(() => {
        this.running.delete(id);
        this.log.info(`task ${id} (${method}) done`);
        // the hub learns at once that this host has room again
        if (!this.stopped) this.session.call('host.updateHost', this.taskLoad, this.ready).catch(() => undefined);
      });
  }

  /** Stop taking tasks, stop the running ones and give them back to the hub. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const ids = [...this.running.keys()];
    for (const r of this.running.values()) r.abort('the builder is stopping');
    // a hub that is gone must not hold up the stop: it frees silent hosts' tasks by itself
    const briefly = (p: Promise<unknown>) => Promise.race([p.catch((err) => this.log.warn(`on stop: ${(err as Error).message}`)), Bun.sleep(2000)]);
    if (ids.length) await briefly(this.session.call('host.freeTasks', ids));
    const deadline = Date.now() + graceMs;
    while (this.running.size && Date.now() < deadline) await Bun.sleep(50);
    await briefly(this.session.call('host.updateHost', 0, false));
  }
}
