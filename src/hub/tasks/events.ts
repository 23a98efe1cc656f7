/**
 * @module
 * In-process wake-ups about tasks and hosts. Changes are announced after
 * their transaction commits, so a listener that re-reads the store sees
 * them: the scheduler looks for work, and a builder's long poll returns.
 */
import type { Hub } from '../hub.ts';
import type { CallContext } from '../context.ts';

/** Something the scheduler may be able to act on (a FREE task, a host with room). */
export const SCHEDULE = 'tasks.schedule';
/** Tasks changed; builders waiting on these hosts, tasks or parents should look. */
export const TASK_CHANGE = 'tasks.change';

export interface TaskChange {
  /** Tasks whose state or host changed. */
  tasks: number[];
  /** Hosts concerned (old and new owners, assignees). */
  hosts: number[];
  /** Parents of tasks that finished: their waits may be over. */
  parents: number[];
}

/** Announce a task change after the call commits; the scheduler runs too when `schedule`. */
export function announce(ctx: CallContext, change: Partial<TaskChange>, schedule = false): void {
  announceFromHub(ctx.hub, change, schedule, (fn) => ctx.afterCommit(fn));
}

export function announceFromHub(hub: Hub, change: Partial<TaskChange>, schedule: boolean, defer: (fn: () => void) => void = (fn) => hub.store.afterCommit(fn)): void {
  const payload: TaskChange = {
    tasks: change.tasks ?? [],
    hosts: (change.hosts ?? []).filter((h): h is number => typeof h === 'number'),
    parents: (change.parents ?? []).filter((p): p is number => typeof p === 'number'),
  };
  defer(() => {
    hub.notify(TASK_CHANGE, payload);
    if (schedule) hub.notify(SCHEDULE);
  });
}
