/**
 * @module
 * Repo regeneration inside the hub (what kojira does beside a Koji hub).
 * When anything versioned changes (a new event), tags that need a current
 * repo get requests; the request queue gets newRepo tasks; finished and
 * failed tasks settle or retry their requests; old repos are expired and
 * deleted by kojira's retention rules. Tag changes, new requests and task
 * changes wake it at once; a one-second tick catches everything else
 * (inheritance or group edits) cheaply, by comparing the newest event id.
 * End events and retention are looked at every kojira `sleeptime`.
 */
import type { Hub } from '../hub.ts';
import { CallContext } from '../context.ts';
import type { Service } from './index.ts';
import type { CallbackName } from '../callbacks.ts';
import { maxEventId } from '../../store/repos.ts';
import { TASK_CHANGE } from '../tasks/events.ts';
import { checkRepoQueue } from '../repos/queue.ts';
import { autoRequests, loadRetention, removeRepoDirs, sweepRepos, updateEndEvents } from '../repos/maintenance.ts';
import { REPO_READY_TOPIC, REPO_REQUEST_TOPIC } from '../repos/requests.ts';

/** Milliseconds between cheap checks. */
const TICK_MS = 1000;
/** A wake-up after changes waits this long so the changes of a burst are handled together. */
const SETTLE_MS = 50;
/** Automatic requests look at every automatic tag, so at most this often. */
const AUTO_MIN_INTERVAL_MS = 1000;

/** Callbacks after which a tag's repo content may have changed. */
const CHANGE_CALLBACKS: CallbackName[] = [
  'postTag', 'postUntag', 'postCreateTag', 'postEditTag', 'postDeleteTag', 'postPackageListChange', 'postBuildStateChange',
];

export const repoService: Service = {
  name: 'repos',
  start(hub: Hub) {
    const retention = loadRetention(hub.configRoot);
    let lastSeenEvent = -1;
    let lastSweep = 0;
    let lastAuto = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let running = false;
    let stopped = false;

    const inTx = <T>(name: string, fn: (ctx: CallContext) => T): T | null => {
      try {
        return hub.store.tx(() => fn(new CallContext(hub, null, '127.0.0.1', name)));
      } catch (err) {
        hub.log.error(`repos: ${name} failed: ${(err as Error).stack ?? err}`);
        return null;
      }
    };

    const pass = () => {
      if (running || stopped) return;
      running = true;
      try {
        // waiting requests first: someone may be watching them
        inTx('repo.checkQueue', checkRepoQueue);
        const ev = maxEventId(hub.store);
        const t = Date.now();
        if (ev !== lastSeenEvent) {
          if (t - lastAuto >= AUTO_MIN_INTERVAL_MS) {
            lastSeenEvent = ev;
            lastAuto = t;
            if (inTx('repo.autoRequests', autoRequests)) inTx('repo.checkQueue', checkRepoQueue);
          } else kick(AUTO_MIN_INTERVAL_MS - (t - lastAuto));
        }
        if (t - lastSweep >= retention.sleeptime * 1000) {
          lastSweep = t;
          inTx('repo.updateEndEvents', updateEndEvents);
          const removals = inTx('repo.sweep', (ctx) => sweepRepos(ctx, retention));
          if (removals?.length) removeRepoDirs(hub, removals);
        }
      } finally {
        running = false;
      }
    };

    let timerDue = 0;
    /** Run a pass after `delay` ms, or sooner if one is already due sooner. */
    const kick = (delay = SETTLE_MS) => {
      if (stopped) return;
      const due = Date.now() + delay;
      if (timer) {
        if (timerDue <= due) return;
        clearTimeout(timer);
      }
      timerDue = due;
      timer = setTimeout(() => {
        timer = null;
        pass();
      }, delay);
    };

    for (const name of CHANGE_CALLBACKS) hub.callbacks.on(name, 'repos', (ctx) => ctx.afterCommit(() => kick()));
    const unsubscribe = hub.subscribe((topic) => {
      // a request is someone waiting: give it its task at once
      if (topic === REPO_REQUEST_TOPIC) kick(0);
      else if (topic === REPO_READY_TOPIC || topic === TASK_CHANGE) kick();
    });
    const interval = setInterval(pass, TICK_MS);
    kick();
    return () => {
      stopped = true;
      clearInterval(interval);
      if (timer) clearTimeout(timer);
      unsubscribe();
    };
  },
};
