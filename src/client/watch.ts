/**
 * @module
 * Following tasks as Koji's watch_tasks does: one line when a task is
 * first seen and one per state change ("12 sleep (noarch): open (host) ->
 * closed"), subtasks indented below their parent as they appear, a
 * free/open/done/failed tally when a task finishes, and a summary at the
 * end. Exit code 0 only if every top-level task CLOSED. A kojibox hub tells
 * the watcher the moment something changes (waitTaskChange); with another
 * hub it polls every poll_interval seconds.
 */
import { KojiError, faultNameForCode } from '../core/faults.ts';
import { TASK_STATES } from '../core/states.ts';
import { taskLabel } from '../core/task-params.ts';
import type { CliEnv } from './env.ts';
import { kw, type ClientSession } from './session.ts';

export interface WatchOptions {
  quiet?: boolean;
  /** Longest pause between checks, in seconds (default: the profile's poll_interval). */
  pollInterval?: number;
  /** Base URL of the hub's files, for the logs of failed tasks (default: the profile's topurl). */
  topurl?: string | null;
}

interface Info {
  id: number;
  state: number;
  host_id: number | null;
  method: string;
  arch: string;
  request?: unknown[];
}

const { FREE, OPEN, CLOSED, CANCELED, ASSIGNED, FAILED } = TASK_STATES;
const isDone = (s: number) => s === CLOSED || s === CANCELED || s === FAILED;

class Watched {
  info: Info | null = null;
  children = 0;
  failure: string | null = null;
  constructor(
    readonly id: number,
    readonly level: number,
  ) {}

  get done(): boolean {
    return this.info !== null && isDone(this.info.state);
  }

  str(): string {
    const pad = '  '.repeat(this.level);
    return this.info ? `${pad}${this.id} ${taskLabel(this.info)}` : `${pad}${this.id}`;
  }
}

/** Watch tasks until all are done; returns 0 if every top-level task CLOSED, else 1. */
export async function watchTasks(env: CliEnv, session: ClientSession, taskIds: number[], opts: WatchOptions = {}): Promise<number> {
  if (!taskIds.length) return 0;
  const quiet = Boolean(opts.quiet);
  const say = (line: string) => {
    if (!quiet) env.out(line);
  };
  const poll = opts.pollInterval ?? env.profile.poll_interval ?? 6;
  const topurl = (opts.topurl ?? env.profile.topurl ?? '').replace(/\/+$/, '');
  const watched = new Map<number, Watched>();
  for (const id of taskIds) watched.set(id, new Watched(id, 0));
  const hosts = new Map<number, string>();
  let canWait = true;

  say('Watching tasks (this may be safely interrupted)...');
  const onInterrupt = () => {
    if (!quiet) {
      const running = [...watched.values()].filter((w) => !w.done).map((w) => `${w.str()}: ${display(w, w.info)}`);
      env.out(`Tasks still running. You can continue to watch with the 'kojibox watch-task' command.\nRunning Tasks:\n${running.join('\n')}`);
    }
    process.exit(1);
  };
  process.once('SIGINT', onInterrupt);

  const hostName = (id: number) => hosts.get(id) ?? String(id);
  function display(w: Watched, info: Info | null): string {
    if (!info) return 'unknown';
    const name = TASK_STATES.nameOf(info.state) ?? 'BADSTATE';
    if (info.state === OPEN || info.state === ASSIGNED) return info.host_id ? `${name.toLowerCase()} (${hostName(info.host_id)})` : name.toLowerCase();
    if (info.state === FAILED) return `FAILED: ${w.failure ?? ''}`;
    return name.toLowerCase();
  }

  /** Host names, failure texts and log links the next lines need. */
  async function prepare(list: Watched[], infos: Array<Info | null>): Promise<void> {
    const wantHosts = [...new Set(infos.filter((i): i is Info => !!i && (i.state === OPEN || i.state === ASSIGNED) && !!i.host_id && !hosts.has(i.host_id!)).map((i) => i.host_id!))];
    if (wantHosts.length) {
      const res = await session.multiCall(wantHosts.map((h) => ['getHost', h] as [string, ...unknown[]]));
      wantHosts.forEach((h, i) => hosts.set(h, (res[i] as { name?: string } | null)?.name ?? String(h)));
    }
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      const info = infos[i];
      if (!info || info.state !== FAILED || w.failure !== null) continue;
      w.failure = await failureText(session, w.id, w.level, topurl);
    }
  }

  let rv = 0;
  try {
    for (;;) {
      const pending = [...watched.values()].filter((w) => !w.done);
      const infos = pending.length ? await session.call<Array<Info | null>>('getTaskInfo', pending.map((w) => w.id), kw({ request: true })) : [];
      await prepare(pending, infos);
      let allDone = true;
      const childLists = await session.multiCall([...watched.keys()].map((id) => ['getTaskChildren', id] as [string, ...unknown[]]));
      const ids = [...watched.keys()];
      const newChildren: Watched[] = [];
      const childrenOf = new Map<number, Watched[]>();
      ids.forEach((id, i) => {
        const list = childLists[i];
        if (list instanceof KojiError) throw list;
        const parent = watched.get(id)!;
        parent.children = (list as Info[]).length;
        for (const child of list as Info[]) {
          if (watched.has(child.id) || newChildren.some((c) => c.id === child.id)) continue;
          const c = new Watched(child.id, parent.level + 1);
          newChildren.push(c);
          childrenOf.set(id, [...(childrenOf.get(id) ?? []), c]);
        }
      });
      const childInfos = newChildren.length ? await session.call<Array<Info | null>>('getTaskInfo', newChildren.map((c) => c.id), kw({ request: true })) : [];
      await prepare(newChildren, childInfos);
      const childInfo = new Map(newChildren.map((c, i) => [c.id, childInfos[i] ?? null]));

      for (const id of ids) {
        const w = watched.get(id)!;
        const i = pending.indexOf(w);
        if (i >= 0) {
          const info = infos[i] ?? null;
          if (!info) {
            say(`No such task id: ${id}`);
            return 1;
          }
          const last = w.info;
          w.info = info;
          if (!last) say(`${w.str()}: ${display(w, info)}`);
          else if (last.state !== info.state) {
            say(`${w.str()}: ${display(w, last)} -> ${display(w, info)}`);
            if (w.done) tally();
          }
        }
        if (!w.done) allDone = false;
        else if (w.level === 0 && w.info!.state !== CLOSED) rv = 1;
        for (const c of childrenOf.get(id) ?? []) {
          watched.set(c.id, c);
          c.info = childInfo.get(c.id) ?? null;
          if (c.info) say(`${c.str()}: ${display(c, c.info)}`);
          allDone = false;
        }
      }
      if (allDone) {
        say('');
        for (const w of watched.values()) {
          if (w.level !== 0) continue;
          const s = w.info!.state;
          say(s === CLOSED ? `${w.str()} completed successfully` : s === FAILED ? `${w.str()} failed` : s === CANCELED ? `${w.str()} was canceled` : `${w.str()} has not completed`);
        }
        return rv;
      }
      // children seen for the first time may have finished already, so no
      // change would end the wait: look again at once instead
      if (newChildren.length) continue;
      await pause();
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }

  function tally(): void {
    let free = 0;
    let open = 0;
    let done = 0;
    let failed = 0;
    for (const w of watched.values()) {
      const s = w.info?.state;
      if (s === FAILED) failed++;
      else if (s === CLOSED || s === CANCELED) done++;
      else if (s === OPEN || s === ASSIGNED) open++;
      else if (s === FREE) free++;
    }
    say(`  ${free} free  ${open} open  ${done} done  ${failed} failed`);
  }

  /** Until something changes (a kojibox hub says so) or poll_interval passes. */
  async function pause(): Promise<void> {
    const pending = [...watched.values()].filter((w) => !w.done);
    if (canWait) {
      const known = Object.fromEntries(pending.map((w) => [String(w.id), [w.info?.state ?? -1, w.children]]));
      try {
        await session.call('waitTaskChange', pending.map((w) => w.id), kw({ timeout: poll, known }));
        return;
      } catch (err) {
        if (!(err instanceof KojiError && err.message.includes('Invalid method'))) throw err;
        canWait = false;
      }
    }
    await Bun.sleep(poll * 1000);
  }
}

/** "Class: message" of a failed task, plus links to its logs when the files URL is known. */
async function failureText(session: ClientSession, id: number, level: number, topurl: string): Promise<string> {
  let text = '';
  try {
    await session.call('getTaskResult', id);
  } catch (err) {
    if (!(err instanceof KojiError)) throw err;
    text = `${faultNameForCode(err.faultCode) ?? 'Fault'}: ${err.message.trim()}`;
  }
  if (!topurl) return text;
  const output = await session.call<Record<string, string[]>>('listTaskOutput', id, kw({ all_volumes: true }));
  const pad = '  '.repeat(level + 1);
  const logs: string[] = [];
  for (const [file, volumes] of Object.entries(output)) {
    if (!file.endsWith('log')) continue;
    for (const v of volumes) logs.push(`${pad}${topurl}${v === 'DEFAULT' ? '' : `/vol/${v}`}/work/tasks/${id % 10000}/${id}/${file}`);
  }
  return logs.length ? `${text}\n${pad}Relevant logs:\n${logs.join('\n')}` : text;
}
