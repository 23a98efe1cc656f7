/**
 * @module
 * The hub: configuration, store, API method table, callbacks, policies and
 * enabled plugins, assembled once at start-up and shared by every call.
 */
import { realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { HubConfig } from '../config/hub.ts';
import type { Logger } from '../core/log.ts';
import type { Store } from '../store/db.ts';
import type { HubPlugin } from '../plugin.ts';
import type { ApiMethod } from './rpc/method.ts';
import { CallbackBus } from './callbacks.ts';
import { PolicyRegistry, PolicySet, standardTests, type PolicyLookups } from './policy/index.ts';
import { storePolicyLookups } from './policy-lookups.ts';

export interface HubOptions {
  config: HubConfig;
  store: Store;
  /** Koji's topdir (KojiDir): work/, packages/, repos/ live here. */
  topdir: string;
  configRoot: string;
  log: Logger;
  plugins: HubPlugin[];
  coreMethods: ApiMethod[];
}

/** Listeners for in-process wake-ups (new task, task finished, repo ready). */
type Listener = (topic: string, payload?: unknown) => void;

export class Hub {
  readonly config: HubConfig;
  readonly store: Store;
  readonly topdir: string;
  readonly configRoot: string;
  readonly log: Logger;
  readonly plugins: HubPlugin[];
  readonly methods = new Map<string, ApiMethod>();
  readonly callbacks = new CallbackBus();
  readonly policyRegistry = new PolicyRegistry();
  policies: PolicySet;
  readonly policyLookups: PolicyLookups;
  private readonly listeners = new Set<Listener>();
  /** Offline/lockout switches that the admin can flip at run time. */
  offline = false;
  /** Where the database and generated files live; set by the server. */
  dataDir = '';
  /** The hub's own URL (http://host:port), once it listens. */
  baseUrl = '';
  /** Where the embedded AMQP broker listens ('off' when disabled). */
  amqpListen = 'off';

  constructor(opts: HubOptions) {
    this.config = opts.config;
    this.store = opts.store;
    this.topdir = opts.topdir;
    this.configRoot = opts.configRoot;
    this.log = opts.log;
    this.plugins = opts.plugins;
    this.offline = Boolean(opts.config.ServerOffline);
    this.policyRegistry.register(standardTests());
    this.register(opts.coreMethods, 'core');
    for (const plugin of opts.plugins) {
      this.register(plugin.methods ?? [], plugin.name);
      for (const [name, fn] of Object.entries(plugin.callbacks ?? {})) {
        if (fn) this.callbacks.on(name as never, plugin.name, fn);
      }
      if (plugin.policyTests) this.policyRegistry.register(plugin.policyTests);
    }
    this.policies = new PolicySet(this.policyRegistry, opts.config.policy ?? {});
    this.policyLookups = storePolicyLookups(opts.store);
  }

  private register(methods: ApiMethod[], owner: string): void {
    for (const m of methods) {
      if (this.methods.has(m.name)) throw new Error(`API method ${m.name} registered twice (by ${owner})`);
      this.methods.set(m.name, m);
    }
  }

  /** In-process notifications: the scheduler and long polls listen here. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify(topic: string, payload?: unknown): void {
    for (const fn of this.listeners) {
      try {
        fn(topic, payload);
      } catch (err) {
        this.log.error(`listener for ${topic} failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Whether a file (by its real path, symlinks resolved) lies in the topdir
   * or a configured volume, the only places the hub hands files out from.
   */
  serves(realPath: string): boolean {
    this.servedRoots ??= [this.topdir, ...Object.values(this.config.volumes ?? {})].map((d) => {
      try {
        return realpathSync(d);
      } catch {
        return resolve(d);
      }
    });
    return this.servedRoots.some((root) => realPath === root || realPath.startsWith(root + sep));
  }

  private servedRoots: string[] | null = null;

  /** Directory of a volume: DEFAULT is the topdir, others `<topdir>/vol/<name>` unless hub.conf maps them. */
  volumeDir(volume: string | null | undefined): string {
    if (!volume || volume === 'DEFAULT') return this.topdir;
    const mapped = this.config.volumes?.[volume];
    return mapped ?? `${this.topdir}/vol/${volume}`;
  }
}
