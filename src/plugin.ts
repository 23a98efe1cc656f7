/**
 * @module
 * The plugin contract. A plugin is a folder under plugins/ exporting up to
 * three parts, like Koji's: hub (API methods, callbacks, policy tests,
 * tables), builder (task handlers) and cli (client commands). Plugins are
 * compiled in; hub.conf `Plugins =` and kojid.conf `plugin =` enable them.
 */
import type { Command } from 'commander';
import type { ApiMethod } from './hub/rpc/method.ts';
import type { CallbackFn, CallbackName } from './hub/callbacks.ts';
import type { PolicyTest } from './hub/policy/index.ts';
import type { Migration } from './store/db.ts';
import type { Hub } from './hub/hub.ts';
import type { TaskHandler } from './builder/handler.ts';
import type { CliEnv } from './client/env.ts';

export interface HubPlugin {
  /** The name hub.conf's `Plugins` uses, e.g. `sidetag_hub`. */
  name: string;
  /** Other names accepted for the same plugin (e.g. `sidetag`). */
  aliases?: string[];
  methods?: ApiMethod[];
  callbacks?: Partial<Record<CallbackName, CallbackFn>>;
  policyTests?: PolicyTest[];
  /** Tables the plugin needs; ids must be unique, e.g. `plugin-sidetag-001`. */
  migrations?: Migration[];
  /** Lines the task web page shows for a task (e.g. "tarball collected on …"). */
  taskPageNotes?(hub: Hub, taskId: number): string[];
  /**
   * Called once the hub is up (config is read here; bad config throws and
   * stops start-up). Returns a stop function for background work, if any.
   */
  start?(hub: Hub): void | (() => void | Promise<void>) | Promise<void | (() => void | Promise<void>)>;
}

export interface BuilderPlugin {
  /** The name kojid.conf's `plugin` uses, e.g. `runroot`. */
  name: string;
  handlers: TaskHandler[];
}

export interface CliPlugin {
  name: string;
  register(program: Command, env: CliEnv): void;
}
