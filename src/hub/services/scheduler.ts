/**
 * @module
 * The task scheduler. It assigns FREE tasks, in priority order, to ready
 * enabled hosts that are in the task's channel, build its arch (noarch goes
 * anywhere), offer its method, have not refused it and have room (capacity
 * against the summed weights of their non-waiting tasks, as Koji
 * measures it). It runs whenever a task becomes FREE or a host gets room,
 * and on a short tick that retires silent hosts: not ready after
 * ReadyTimeout, their tasks FREE again after HostTimeout, assignments not
 * taken within AssignTimeout offered elsewhere. Each pass reads everything
 * in a few queries and writes one UPDATE per host.
 */
import { TASK_STATES } from '../../core/states.ts';
import { now } from '../../core/time.ts';
import type { Hub } from '../hub.ts';
import { CallContext } from '../context.ts';
import type { Service } from './index.ts';
import * as sched from '../../store/scheduler.ts';
import { markSilentHostsNotReady } from '../../store/hosts.ts';
import { SCHEDULE, announceFromHub } from '../tasks/events.ts';
import { callbackWanted, freeTask, stateHooks } from '../tasks/state.ts';

/** FREE tasks read per pass; a pass that fills this many is followed by another. */
const PASS_LIMIT = 2000;

interface HostSlot {
  id: number;
  name: string;
  channels: Set<number>;
  arches: Set<string>;
  methods: Set<string> | null;
  capacity: number;
  maxjobs: number;
  load: number;
  count: number;
}

function hostData(text: string | null): { methods: Set<string> | null; maxjobs: number | null } {
  if (!text) return { methods: null, maxjobs: null };
  try {
    const d = JSON.parse(text) as { methods?: unknown; maxjobs?: unknown };
    return {
      methods: Array.isArray(d.methods) ? new Set(d.methods.map(String)) : null,
      maxjobs: typeof d.maxjobs === 'number' && d.maxjobs > 0 ? d.maxjobs : null,
    };
  } catch {
    return { methods: null, maxjobs: null };
  }
}

/** Ready hosts with what the scheduler needs to match and load them. */
function readySlots(hub: Hub): HostSlot[] {
  const store = hub.store;
  const channels = sched.hostChannelMap(store);
  const loads = sched.hostLoads(store);
  const out: HostSlot[] = [];
  for (const h of sched.enabledHosts(store)) {
    if (!h.ready) continue;
    const data = hostData(h.data);
    const load = loads.get(h.id);
    out.push({
      id: h.id,
      name: h.name,
      channels: new Set(channels.get(h.id) ?? []),
      arches: new Set([...(h.arches ?? '').split(/\s+/).filter(Boolean), 'noarch']),
      methods: data.methods,
      capacity: h.capacity,
      maxjobs: data.maxjobs ?? hub.config.MaxJobs,
      load: load?.load ?? 0,
      count: load?.count ?? 0,
    });
  }
  return out;
}

function hasRoom(h: HostSlot, weight: number, overcommit: number): boolean {
  return h.count < h.maxjobs && h.capacity - h.load > Math.max(0, weight - overcommit);
}

/**
 * One scheduling pass in its own transaction. Returns how many tasks were
 * assigned and whether FREE tasks beyond this pass's window remain.
 */
export function schedulePass(hub: Hub): { assigned: number; more: boolean } {
  const store = hub.store;
  const byHost = new Map<number, number[]>();
  let assigned = 0;
  let more = false;
  store.tx(() => {
    const free = sched.freeTasks(store, PASS_LIMIT);
    if (!free.length) return;
    more = free.length === PASS_LIMIT;
    const slots = readySlots(hub);
    if (!slots.length) return;
    const refusals = sched.currentRefusals(store, now() - hub.config.SoftRefusalTimeout);
    const overcommit = hub.config.CapacityOvercommit;
    const bins = new Map<string, HostSlot[]>();
    const binOf = (channel: number, arch: string) => {
      const key = `${channel}:${arch}`;
      let list = bins.get(key);
      if (!list) {
        list = slots.filter((h) => h.channels.has(channel) && h.arches.has(arch));
        bins.set(key, list);
      }
      return list;
    };
    for (const t of free) {
      const refused = refusals.get(t.id);
      let best: HostSlot | null = null;
      for (const h of binOf(t.channel_id, t.arch)) {
        if (h.methods && !h.methods.has(t.method)) continue;
        if (refused?.has(h.id)) continue;
        if (!hasRoom(h, t.weight, overcommit)) continue;
        if (!best || h.load + h.count < best.load + best.count) best = h;
      }
      if (!best) continue;
      best.load += t.weight;
      best.count += 1;
      const list = byHost.get(best.id) ?? [];
      list.push(t.id);
      byHost.set(best.id, list);
    }
    if (!byHost.size) return;
    const ctx = new CallContext(hub, null, '127.0.0.1', 'scheduler');
    const hooks = callbackWanted(hub, 'preTaskStateChange') || callbackWanted(hub, 'postTaskStateChange');
    const time = now();
    for (const [hostId, ids] of byHost) {
      const posts = hooks ? ids.map((id) => stateHooks(ctx, id, { state: TASK_STATES.ASSIGNED, host_id: hostId })) : [];
      const done = sched.assignTasks(store, hostId, ids, time);
      for (const post of posts) post();
      byHost.set(hostId, done);
      assigned += done.length;
    }
    announceFromHub(hub, { tasks: [...byHost.values()].flat(), hosts: [...byHost.keys()] }, false);
  });
  return { assigned, more };
}

/** The scheduler log keeps a week, as Koji's koji-sweep-db does by default; looked at hourly. */
const LOG_MAX_AGE = 7 * 86400;
const LOG_PRUNE_INTERVAL = 3600;
const lastLogPrune = new WeakMap<Hub, number>();

/**
 * Retire silent hosts and stale assignments: not ready after ReadyTimeout
 * without a check-in, their tasks FREE after HostTimeout, an assignment
 * not opened within AssignTimeout FREE again (and, if the host checked in
 * meanwhile, counted as a soft refusal so another host gets it).
 */
export function checkTimeouts(hub: Hub): number {
  const store = hub.store;
  const cfg = hub.config;
  let freed = 0;
  store.tx(() => {
    const t = now();
    if (t - (lastLogPrune.get(hub) ?? 0) >= LOG_PRUNE_INTERVAL) {
      lastLogPrune.set(hub, t);
      sched.pruneLogMessages(store, t - LOG_MAX_AGE);
    }
    const silent = markSilentHostsNotReady(store, t - cfg.ReadyTimeout);
    for (const hostId of silent) sched.logMessage(store, 'Marking host not ready', null, hostId, t);
    const ctx = new CallContext(hub, null, '127.0.0.1', 'scheduler');
    for (const r of sched.tasksOfSilentHosts(store, t - cfg.HostTimeout)) {
      sched.logMessage(store, 'Freeing task from unresponsive host', r.task_id, r.host_id, t);
      hub.log.info(`task ${r.task_id}: freeing it from unresponsive host ${r.host_id}`);
      freeTask(ctx, r.task_id);
      freed++;
    }
    for (const r of sched.staleAssignments(store, t - cfg.AssignTimeout)) {
      if (r.update_time !== null && r.update_time > r.assigned) {
        sched.addRefusal(store, { taskId: r.task_id, hostId: r.host_id, soft: true, byHost: false, msg: 'assignment timeout', time: t });
      }
      sched.logMessage(store, 'Task assignment timeout', r.task_id, r.host_id, t);
      freeTask(ctx, r.task_id);
      freed++;
    }
  });
  return freed;
}

/** How often timeouts are checked: a fraction of the shortest timeout, within 0.1–5 s. */
export function tickInterval(hub: Hub): number {
  const c = hub.config;
  const shortest = Math.min(c.ReadyTimeout, c.HostTimeout, c.AssignTimeout);
  return Math.min(5000, Math.max(100, (shortest * 1000) / 4));
}

export const schedulerService: Service = {
  name: 'scheduler',
  start(hub: Hub) {
    let pending = false;
    let stopped = false;
    let lastPass = 0;
    const run = () => {
      pending = false;
      if (stopped) return;
      lastPass = performance.now();
      try {
        const r = schedulePass(hub);
        if (r.more && r.assigned > 0) request();
      } catch (err) {
        hub.log.error(`scheduler pass failed: ${(err as Error).stack ?? err}`);
      }
    };
    // Coalesce bursts of wake-ups; under load passes run at most every 2 ms.
    const request = () => {
      if (pending || stopped) return;
      pending = true;
      const wait = Math.max(0, 2 - (performance.now() - lastPass));
      setTimeout(run, wait);
    };
    const unsubscribe = hub.subscribe((topic) => {
      if (topic === SCHEDULE) request();
    });
    const timer = setInterval(() => {
      try {
        checkTimeouts(hub);
      } catch (err) {
        hub.log.error(`scheduler timeout check failed: ${(err as Error).stack ?? err}`);
      }
      request();
    }, tickInterval(hub));
    request();
    return () => {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
    };
  },
};
