/**
 * @module
 * Builders' long polls. A builder blocked in host.waitForTasks is woken as
 * soon as something concerns it: a task assigned to it, one of its running
 * tasks cancelled or taken away, or a child of a task it is waiting in
 * finished. Waiting is in memory; the state itself is always re-read from
 * the store.
 */
import type { Hub } from '../hub.ts';
import { TASK_CHANGE, type TaskChange } from './events.ts';

interface Waiter {
  running: Set<number>;
  waiting: Set<number>;
  wake(): void;
}

export class HostWaiters {
  private readonly byHost = new Map<number, Set<Waiter>>();

  constructor(hub: Hub) {
    hub.subscribe((topic, payload) => {
      if (topic === TASK_CHANGE) this.onChange(payload as TaskChange);
    });
  }

  private onChange(change: TaskChange): void {
    for (const [hostId, waiters] of this.byHost) {
      const hostHit = change.hosts.includes(hostId);
      for (const w of waiters) {
        if (hostHit || change.tasks.some((t) => w.running.has(t)) || change.parents.some((p) => w.waiting.has(p))) w.wake();
      }
    }
  }

  /** Resolve true when woken by a relevant change, false after `ms` or when `signal` aborts. */
  wait(hostId: number, interest: { running: number[]; waiting: number[] }, ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      const set = this.byHost.get(hostId) ?? new Set<Waiter>();
      this.byHost.set(hostId, set);
      const finish = (woken: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        set.delete(waiter);
        if (!set.size) this.byHost.delete(hostId);
        signal?.removeEventListener('abort', onAbort);
        resolve(woken);
      };
      const waiter: Waiter = { running: new Set(interest.running), waiting: new Set(interest.waiting), wake: () => finish(true) };
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), Math.max(0, ms));
      set.add(waiter);
      signal?.addEventListener('abort', onAbort);
    });
  }

  /** Wake every waiter (hub shutting down). */
  wakeAll(): void {
    for (const set of this.byHost.values()) for (const w of [...set]) w.wake();
  }

  get size(): number {
    let n = 0;
    for (const set of this.byHost.values()) n += set.size;
    return n;
  }
}

const registry = new WeakMap<Hub, HostWaiters>();

/** The hub's long-poll registry, created on first use. */
export function hostWaiters(hub: Hub): HostWaiters {
  let w = registry.get(hub);
  if (!w) {
    w = new HostWaiters(hub);
    registry.set(hub, w);
  }
  return w;
}

/**
 * Resolve true as soon as any of the tasks changes state or gains a
 * child (or a child of theirs finishes); false after `ms`.
 */
export function waitForTaskChange(hub: Hub, taskIds: number[], ms: number): Promise<boolean> {
  const ids = new Set(taskIds);
  return new Promise((resolve) => {
    const finish = (changed: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(changed);
    };
    const unsubscribe = hub.subscribe((topic, payload) => {
      if (topic !== TASK_CHANGE) return;
      const c = payload as TaskChange;
      if (c.tasks.some((t) => ids.has(t)) || c.parents.some((p) => ids.has(p))) finish(true);
    });
    const timer = setTimeout(() => finish(false), Math.max(0, ms));
  });
}
