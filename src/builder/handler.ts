/**
 * @module
 * The contract between the builder and task handlers (core ones in
 * ./handlers, plugin ones in plugins/<name>/builder). A handler declares
 * the methods it runs and its weight beside its code, as Koji's do, and gets
 * a TaskContext with everything a task needs: its id and info, a hub
 * session, a scratch directory, a logger whose lines become the task's
 * `task.log`, uploads, subtasks, waiting, and an abort signal.
 */
import type { ClientSession } from '../client/session.ts';
import type { KojidConfig } from '../config/kojid.ts';
import type { Logger } from '../core/log.ts';

/** Task fields as getTaskInfo returns them. */
export interface TaskInfo {
  id: number;
  state: number;
  method: string;
  arch: string;
  owner: number;
  parent: number | null;
  label: string | null;
  channel_id: number;
  priority: number;
  weight: number;
  host_id: number | null;
}

export interface HostInfo {
  id: number;
  name: string;
  arches: string[];
  capacity: number;
}

export interface SubtaskOptions {
  /** Reuse the child with this label if the task is retried. */
  label?: string;
  arch?: string;
  priority?: number;
  channel?: string;
  weight?: number;
  /** Keyword arguments of the subtask's handler. */
  kwargs?: Record<string, unknown>;
}

export interface WaitOptions {
  /** Wait for all of them (default: return when any finishes). */
  all?: boolean;
  /** With all: the first failure cancels the rest and is raised. */
  failany?: boolean;
  /** Subtasks allowed to fail: their result is their fault struct. */
  canfail?: number[];
  /** Seconds; then the subtasks are cancelled and the wait fails. */
  timeout?: number;
}

/** A log file in the task's output that is uploaded while it grows (watch-logs follows it). */
export interface LiveLog {
  /** Local path of the file (a handler may let a subprocess append to it). */
  readonly path: string;
  write(text: string | Uint8Array): void;
  /** Upload what has been written so far. */
  flush(): Promise<void>;
  /** Final upload; later writes are ignored. */
  close(): Promise<void>;
}

export interface TaskContext {
  readonly id: number;
  readonly method: string;
  readonly info: TaskInfo;
  /** This builder's session with the hub (logged in as the host). */
  readonly session: ClientSession;
  /** Scratch directory of this task on the builder; removed when the task ends. */
  readonly workdir: string;
  /** The task's output directory below the hub's work dir: `tasks/<id % 10000>/<id>`. */
  readonly uploadPath: string;
  /** Lines go to the builder's log and to the task's `task.log`. */
  readonly logger: Logger;
  /** Aborted when the task is cancelled or taken away, or the builder stops. */
  readonly signal: AbortSignal;
  readonly config: KojidConfig;
  /** The config root the builder was started with (for plugins' kojid/plugins/<name>.conf). */
  readonly configRoot: string;
  readonly host: HostInfo;
  /** Upload a local file into the task's output (relPath: a subdirectory of it). */
  uploadFile(localPath: string, opts?: { name?: string; relPath?: string; volume?: string }): Promise<void>;
  /** A log in the task's output, uploaded while it is written. */
  openLog(name: string): LiveLog;
  /** Create a subtask (host.subtask); returns its id. */
  subtask(method: string, args: unknown[], opts?: SubtaskOptions): Promise<number>;
  /**
   * Wait for subtasks (all of this task's when ids are null); returns
   * their results by id. The task's weight does not count while it waits.
   */
  wait(ids?: number | number[] | null, opts?: WaitOptions): Promise<Record<number, unknown>>;
  /** Sleep that ends early (with an AbortError) when the task is aborted. */
  sleep(seconds: number): Promise<void>;
  /** Throw if the task has been aborted. */
  checkAborted(): void;
}

export interface TaskHandler {
  /** Task methods this handler runs. */
  methods: string[];
  /** Share of the host's capacity (Koji's default 1.0), or computed from the arguments. */
  weight?: number | ((params: unknown[], kwargs: Record<string, unknown>) => number);
  run(task: TaskContext, params: unknown[], kwargs: Record<string, unknown>): Promise<unknown>;
}

/** Thrown by a handler that will not run the task here; the hub offers it to another host. */
export class RefuseTask extends Error {
  constructor(message: string, readonly soft = true) {
    super(message);
    this.name = 'RefuseTask';
  }
}

/** Why a running task was stopped by the builder (cancelled, taken away, shutdown). */
export class TaskAborted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskAborted';
  }
}
