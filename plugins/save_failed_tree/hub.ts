/**
 * @module
 * The hub part (`Plugins = save_failed_tree`): the `saveFailedTree` API
 * call with koji's checks and messages, which makes a task for the host
 * that holds the buildroot, and the garbage collector for the tarballs,
 * which runs in the background while the hub is up. The tarballs' volume
 * is one of hub.conf's [volumes], set up by the hub (src/hub/volumes.ts).
 */
import { ActionNotAllowed, GenericError, ParameterError, PreBuildError } from '../../src/core/faults.ts';
import { TASK_STATES } from '../../src/core/states.ts';
import type { HubPlugin } from '../../src/plugin.ts';
import type { CallContext } from '../../src/hub/context.ts';
import { api } from '../../src/hub/rpc/method.ts';
import { asBool } from '../../src/hub/rpc/args.ts';
import { createTask, encodeArgs } from '../../src/hub/tasks/index.ts';
import { buildrootById } from '../../src/store/buildroots.ts';
import { getTaskRow } from '../../src/store/tasks.ts';
import { findHost } from '../../src/store/hosts.ts';
import { loadHubTreeConfig, type HubTreeConfig } from './config.ts';
import { collectedNote, startCollector } from './gc.ts';
import { METHOD } from './store.ts';
import schema from './schema.sql' with { type: 'text' };

/** Read once at start-up (a bad file stops the hub), as koji reads it once. */
let config: HubTreeConfig | null = null;

/** Python's int() of an XML-RPC value, with koji's convert_value message. */
function toInt(value: unknown): number {
  const bad = () => ParameterError(`Invalid type for value '${pyStr(value)}': ${pyTypeName(value)}, expected type <class 'int'>`);
  if (value === null || value === undefined) throw ParameterError("Invalid type, expected type <class 'int'>");
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw bad();
    return Math.trunc(value);
  }
  if (typeof value === 'string' && /^\s*[+-]?\d+(_\d+)*\s*$/.test(value)) return Number(value.replaceAll('_', '').trim());
  throw bad();
}

function pyStr(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function pyTypeName(v: unknown): string {
  if (typeof v === 'string') return "<class 'str'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (Array.isArray(v)) return "<class 'list'>";
  return "<class 'dict'>";
}

/**
 * saveFailedTree: check the buildroot's task (FAILED, an allowed method,
 * the caller its owner or an admin, its host enabled) and create the task
 * on the buildroot's host. Returns the task id.
 */
export function saveFailedTree(ctx: CallContext, buildrootArg: unknown, fullArg: unknown, opts: Record<string, unknown>): number {
  const buildrootId = toInt(buildrootArg);
  const full = asBool(fullArg);
  const cfg = config ?? (config = loadHubTreeConfig(ctx.hub.configRoot));
  const brinfo = buildrootById(ctx.store, buildrootId);
  if (!brinfo) throw GenericError(`No such buildroot: ${buildrootId}`);
  // koji builds Task(None) for a buildroot without a task (content generators)
  if (brinfo.task_id === null) throw ParameterError("Invalid type, expected type <class 'int'>");
  const task = getTaskRow(ctx.store, brinfo.task_id);
  if (!task) throw GenericError(`No such task: ${brinfo.task_id}`);
  if (task.state !== TASK_STATES.FAILED) {
    throw PreBuildError(`Task ${task.id} has not failed. Only failed tasks can upload their buildroots.`);
  }
  if (cfg.allowedMethods !== '*' && !cfg.allowedMethods.includes(task.method)) {
    throw PreBuildError(`Only ${cfg.allowedMethods.join(', ')} tasks can upload their buildroots (Task ${task.id} is ${task.method}).`);
  }
  if (task.owner !== ctx.userId && !ctx.hasPerm('admin')) {
    throw ActionNotAllowed("Only owner of failed task or 'admin' can run this task.");
  }
  const hostId = task.host_id ?? brinfo.host_id;
  const host = hostId === null ? null : findHost(ctx.store, hostId);
  if (!host?.enabled) throw PreBuildError('Host is disabled.');
  // The tree is on that builder's disk only: no other host can do this.
  return createTask(ctx, {
    method: METHOD,
    params: encodeArgs([buildrootId, full], opts),
    opts: { assign: brinfo.host_id },
  });
}

export const saveFailedTreeHub: HubPlugin = {
  name: 'save_failed_tree',
  methods: [
    api(
      'saveFailedTree(buildrootID, full=False, **opts)',
      "Create a saveFailedTree task: the builder uploads the failed buildroot's /builddir (the whole tree with full) as broot-<buildrootID>.tar.gz. Returns the task id.",
      // koji lets anyone call; the owner check below answers anonymous callers as it does
      { access: 'anon' },
      (ctx, a) => saveFailedTree(ctx, a.buildrootID, a.full, a.opts ?? {}),
    ),
  ],
  migrations: [{ id: 'plugin-save_failed_tree-001', sql: schema }],
  taskPageNotes(hub, taskId) {
    const note = collectedNote(hub, taskId);
    return note ? [note] : [];
  },
  start(hub) {
    config = loadHubTreeConfig(hub.configRoot);
    const c = config;
    const log = hub.log.child('save_failed_tree');
    log.info(
      `allowed methods: ${c.allowedMethods === '*' ? '*' : c.allowedMethods.join(', ')}; gc every ${c.gcInterval}s, ` +
        `max_age ${c.maxAge === null ? 'none' : `${c.maxAge}s`}, max_total_size ${c.maxTotalSize === null ? 'none' : `${c.maxTotalSize} bytes`}`,
    );
    return startCollector(hub, c);
  },
};
