/**
 * @module
 * Running one task: its scratch directory, its context for the handler,
 * and the report to the hub afterwards — the result as an XML-RPC
 * methodResponse (closeTask), an error as a fault whose text is the
 * KojiError message or, for anything else, the stack trace (failTask), or
 * a refusal. A task that was cancelled or taken away is not reported.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GenericError, KojiError } from '../core/faults.ts';
import { encodeFault, encodeResponse, type RpcValue } from '../core/xmlrpc.ts';
import type { Logger } from '../core/log.ts';
import type { KojidConfig } from '../config/kojid.ts';
import { kw } from '../client/session.ts';
import { uploadFile } from '../client/upload.ts';
import type { HostSession } from './session.ts';
import { UploadingLog } from './live-log.ts';
import {
  RefuseTask, TaskAborted, type HostInfo, type SubtaskOptions, type TaskContext, type TaskHandler, type TaskInfo, type WaitOptions,
} from './handler.ts';

export interface RunnerDeps {
  session: HostSession;
  config: KojidConfig;
  /** The config root the builder was started with. */
  configRoot: string;
  host: HostInfo;
  log: Logger;
}

/** Seconds a waiting task re-checks its subtasks even without an alert from the hub. */
const WAIT_RECHECK_S = 10;

export function taskRelPath(id: number): string {
  return `tasks/${id % 10000}/${id}`;
}

export class TaskRunner {
  readonly id: number;
  /** Weight while running; it does not count while the task waits on subtasks. */
  weight: number;
  waiting = false;
  /** Set once the outcome has been reported (or the task was stopped). */
  finished = false;
  private readonly abortCtl = new AbortController();
  private alertWake: (() => void) | null = null;
  private readonly logs: UploadingLog[] = [];
  private taskLog: UploadingLog | null = null;
  readonly workdir: string;
  readonly log: Logger;

  constructor(
    private readonly deps: RunnerDeps,
    readonly info: TaskInfo,
    private readonly handler: TaskHandler,
    private readonly params: unknown[],
    private readonly kwargs: Record<string, unknown>,
    weight: number,
  ) {
    this.id = info.id;
    this.weight = weight;
    this.workdir = join(deps.config.workdir, taskRelPath(info.id));
    this.log = this.taskLogger(deps.log.child(`task-${info.id}`));
  }

  get aborted(): boolean {
    return this.abortCtl.signal.aborted;
  }

  /** Stop the task (cancelled, taken away, shutdown); its handler sees the signal. */
  abort(reason: string): void {
    if (this.aborted || this.finished) return;
    this.log.info(`stopping: ${reason}`);
    this.abortCtl.abort(new TaskAborted(reason));
    this.alertWake?.();
  }

  /** The hub says subtasks this task waits on have finished. */
  alert(): void {
    this.alertWake?.();
  }

  /** Lines to the builder's log and to the task's own task.log. */
  private taskLogger(base: Logger): Logger {
    const line = (level: string, msg: string) => {
      const log = (this.taskLog ??= this.openLog('task.log'));
      log.write(`${new Date().toISOString()} ${level} ${msg}\n`);
    };
    const wrap = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string) => {
      base[level](msg);
      if (level !== 'debug') line(level.toUpperCase(), msg);
    };
    return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error'), child: (n) => base.child(n) };
  }

  openLog(name: string): UploadingLog {
    if (name.includes('/') || name.startsWith('.')) throw GenericError(`Invalid log name: ${name}`);
    const log = new UploadingLog(this.deps.session, taskRelPath(this.id), name, join(this.workdir, name), this.deps.log);
    this.logs.push(log);
    return log;
  }

  /** Run the handler and report the outcome; resolves when all is done. */
  async run(): Promise<void> {
    const session = this.deps.session;
    rmSync(this.workdir, { recursive: true, force: true });
    mkdirSync(this.workdir, { recursive: true });
    let report: (() => Promise<unknown>) | null = null;
    try {
      const result = await this.handler.run(this.context(), this.params, this.kwargs);
      if (!this.aborted) {
        const response = encodeResponse((result === undefined ? null : result) as RpcValue);
        report = () => session.call('host.closeTask', this.id, response);
      }
    } catch (err) {
      if (this.aborted) this.deps.log.info(`task ${this.id} stopped (${(this.abortCtl.signal.reason as Error)?.message})`);
      else if (err instanceof RefuseTask) {
        this.log.warn(`refusing task: ${err.message}`);
        report = () => session.call('host.refuseTask', this.id, kw({ soft: err.soft, msg: err.message }));
      } else {
        const fault = err instanceof KojiError ? encodeFault(err.faultCode, err.message) : encodeFault(1, describe(err));
        this.log.error(err instanceof KojiError ? `${err.faultName}: ${err.message}` : describe(err));
        report = () => session.call('host.failTask', this.id, fault);
      }
    }
    // logs first, so whoever sees the task finish sees its whole log
    await Promise.all(this.logs.map((l) => l.close()));
    // from here the hub may see the task finished before the report returns
    this.finished = true;
    try {
      if (report) await report();
    } catch (err) {
      this.deps.log.error(`task ${this.id}: could not report the outcome: ${(err as Error).message}`);
    } finally {
      rmSync(this.workdir, { recursive: true, force: true });
    }
  }

  private context(): TaskContext {
    const runner = this;
    const { session, config, configRoot, host } = this.deps;
    const signal = this.abortCtl.signal;
    return {
      id: this.id,
      method: this.info.method,
      info: this.info,
      session,
      workdir: this.workdir,
      uploadPath: taskRelPath(this.id),
      logger: this.log,
      signal,
      config,
      configRoot,
      host,
      uploadFile: async (localPath, opts = {}) => {
        const dir = opts.relPath ? `${taskRelPath(this.id)}/${opts.relPath.replace(/^\/+|\/+$/g, '')}` : taskRelPath(this.id);
        await uploadFile(session, localPath, dir, { name: opts.name, volume: opts.volume, overwrite: true });
      },
      openLog: (name) => runner.openLog(name),
      subtask: (method, args, opts = {}) => runner.subtask(method, args, opts),
      wait: (ids, opts) => runner.wait(ids, opts),
      sleep: (seconds) => abortableSleep(seconds, signal),
      checkAborted: () => {
        if (signal.aborted) throw signal.reason;
      },
    };
  }

  private subtask(method: string, args: unknown[], opts: SubtaskOptions): Promise<number> {
    const { kwargs, ...rest } = opts;
    const taskOpts: Record<string, unknown> = { ...rest };
    if (kwargs && Object.keys(kwargs).length) taskOpts.kwargs = kwargs;
    return this.deps.session.call<number>('host.subtask', method, args, this.id, kw(taskOpts));
  }

  /** Koji's BaseTaskHandler.wait, woken by the hub's alerts instead of signals. */
  private async wait(ids: number | number[] | null | undefined, opts: WaitOptions = {}): Promise<Record<number, unknown>> {
    const session = this.deps.session;
    const subtasks = ids === undefined || ids === null ? null : Array.isArray(ids) ? ids : [ids];
    const checked = new Set(opts.canfail ?? []);
    await session.call('host.taskSetWait', this.id, subtasks);
    this.waiting = true;
    const start = Date.now();
    let finished: number[] = [];
    try {
      for (;;) {
        const alerted = new Promise<void>((resolve) => (this.alertWake = resolve));
        const state = await session.call<[number[], number[]]>('host.taskWait', this.id);
        finished = state[0];
        if (!state[1].length) break;
        if (finished.length) {
          if (!opts.all) break;
          if (opts.failany) {
            for (const t of finished.filter((x) => !checked.has(x))) {
              try {
                await session.call('getTaskResult', t);
                checked.add(t);
              } catch (err) {
                this.log.info(`task ${t} failed or was canceled, cancelling unfinished tasks`);
                await session.call('cancelTaskChildren', this.id);
                throw err;
              }
            }
          }
        }
        let wait = WAIT_RECHECK_S;
        if (opts.timeout) {
          const remain = opts.timeout - (Date.now() - start) / 1000;
          if (remain <= 0) {
            this.log.info('Subtasks timed out');
            await session.call('cancelTaskChildren', this.id);
            throw GenericError(`Subtasks timed out after ${((Date.now() - start) / 1000).toFixed(1)} seconds`);
          }
          wait = Math.min(wait, remain);
        }
        await Promise.race([alerted, Bun.sleep(wait * 1000)]);
        this.alertWake = null;
        if (this.aborted) throw this.abortCtl.signal.reason;
      }
    } finally {
      this.waiting = false;
      this.alertWake = null;
    }
    const wanted = opts.all ? subtasks : finished;
    const results = await session.call<Array<[number, unknown]>>('host.taskWaitResults', this.id, wanted, opts.canfail ?? null);
    return Object.fromEntries(results);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/** Sleep `seconds`, or reject with the signal's reason once it aborts. */
export function abortableSleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, seconds * 1000));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
