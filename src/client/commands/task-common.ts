/**
 * @module
 * What the task commands share: task rows as the client sees them, the
 * task selection options of list-tasks/watch-task (koji's _list_tasks),
 * task ids on the command line, and exiting with a watch's status.
 */
import { KojiError } from '../../core/faults.ts';
import { TASK_STATES } from '../../core/states.ts';
import { CliError } from '../env.ts';
import { kw, type ClientSession } from '../session.ts';

export type Dict = Record<string, unknown>;

export interface Task extends Dict {
  id: number;
  state: number;
  method: string;
  arch: string;
  owner: number;
  host_id: number | null;
  parent: number | null;
  priority: number;
  request?: unknown[];
  owner_name?: string;
  children?: Task[];
  sub?: boolean;
}

export const stateName = (s: number) => TASK_STATES.nameOf(s) ?? 'BADSTATE';
export const isFinished = (s: number) => s === TASK_STATES.CLOSED || s === TASK_STATES.CANCELED || s === TASK_STATES.FAILED;

/** Leave with a status code and no message (koji returns a failed watch's code silently). */
export function setExitCode(code: number): void {
  process.exitCode = code;
}

/** koji's _running_in_bg: no terminal on stdin means nobody to show a watch to. */
export function runningInBackground(): boolean {
  return !process.stdin.isTTY;
}

export function taskIdArg(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CliError('task id must be an integer', 2);
  return Number(text);
}

/** `<topurl>[/vol/V]/work/tasks/<id % 10000>/<id>` */
export function taskUrl(topurl: string, id: number, volume: string): string {
  return `${topurl.replace(/\/+$/, '')}${volume === 'DEFAULT' ? '' : `/vol/${volume}`}/work/tasks/${id % 10000}/${id}`;
}

export async function outputAllVolumes(s: ClientSession, id: number): Promise<Record<string, string[]>> {
  return s.call<Record<string, string[]>>('listTaskOutput', id, kw({ all_volumes: true }));
}

export interface SelectOptions {
  mine?: boolean;
  user?: string;
  arch?: string;
  method?: string;
  channel?: string;
  host?: string;
  before?: string;
  after?: string;
  all?: boolean;
}

function timeValue(v: string, name: string): number {
  if (/^\d+(\.\d*)?$/.test(v.trim())) return Number(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new CliError(`option --${name}: invalid time specification: ${v}`, 2);
  return ms / 1000;
}

/** koji_cli.lib._list_tasks: the selection as a listTasks query, children threaded under parents. */
export async function listTasksFor(s: ClientSession, o: SelectOptions): Promise<Task[]> {
  const opts: Dict = { decode: true };
  if (!o.all) opts.state = [TASK_STATES.FREE, TASK_STATES.OPEN, TASK_STATES.ASSIGNED];
  if (o.after) opts.startedAfter = timeValue(o.after, 'after');
  if (o.before) opts.startedBefore = timeValue(o.before, 'before');
  if (o.mine) {
    if (o.user) throw new KojiError('GenericError', "Can't specify 'mine' and 'user' in same time");
    const me = await s.call<{ id: number } | null>('getLoggedInUser');
    if (!me) throw new CliError('Unable to determine user');
    opts.owner = me.id;
  }
  if (o.user) {
    const u = await s.call<{ id: number } | null>('getUser', o.user);
    if (!u) throw new CliError(`No such user: ${o.user}`);
    opts.owner = u.id;
  }
  if (o.arch) opts.arch = o.arch.replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  if (o.method) opts.method = o.method;
  if (o.channel) {
    const c = await s.call<{ id: number } | null>('getChannel', o.channel);
    if (!c) throw new CliError(`No such channel: ${o.channel}`);
    opts.channel_id = c.id;
  }
  if (o.host) {
    const h = await s.call<{ id: number } | null>('getHost', o.host);
    if (!h) throw new CliError(`No such host: ${o.host}`);
    opts.host_id = h.id;
  }
  const list = await s.call<Task[]>('listTasks', opts, { order: 'priority,create_time' });
  const byId = new Map(list.map((t) => [t.id, t]));
  for (const t of list) {
    const parent = t.parent !== null ? byId.get(t.parent) : undefined;
    if (parent) {
      (parent.children ??= []).push(t);
      t.sub = true;
    }
  }
  return list;
}

