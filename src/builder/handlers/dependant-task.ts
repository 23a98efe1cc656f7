/**
 * @module
 * The `dependantTask` task (moveAllBuilds makes them): wait until the
 * listed tasks, which are not its children, have finished, fail if one of
 * them failed or was cancelled, then run the listed calls as subtasks
 * ([method, args, opts?] each) and wait for all of them.
 */
import { GenericError } from '../../core/faults.ts';
import { TASK_STATES } from '../../core/states.ts';
import type { SubtaskOptions, TaskHandler } from '../handler.ts';

/** How often the dependencies are looked at; they are other tasks, so no wake-up comes from the hub. */
const POLL_SECONDS = 1;

function subtaskOptions(raw: unknown): SubtaskOptions {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const o = raw as Record<string, unknown>;
  const out: SubtaskOptions = {};
  if (typeof o.priority === 'number') out.priority = o.priority;
  if (typeof o.arch === 'string') out.arch = o.arch;
  if (typeof o.label === 'string') out.label = o.label;
  if (typeof o.channel === 'string') out.channel = o.channel;
  if (typeof o.weight === 'number') out.weight = o.weight;
  return out;
}

export const dependantTaskHandler: TaskHandler = {
  methods: ['dependantTask'],
  // mostly waiting on other tasks
  weight: 0.2,
  async run(task, [waitList = [], taskList = []]) {
    const pending: number[] = [];
    for (const id of Array.isArray(waitList) ? waitList : []) {
      if (typeof id === 'number' && Number.isInteger(id) && (await task.session.call('getTaskInfo', id))) pending.push(id);
      else task.logger.info(`invalid task id ${String(id)}, removing from wait_list`);
    }
    while (pending.length) {
      for (const id of [...pending]) {
        if (!(await task.session.call<boolean>('taskFinished', id))) continue;
        const info = await task.session.call<{ id: number; state: number } | null>('getTaskInfo', id);
        if (info && (info.state === TASK_STATES.CANCELED || info.state === TASK_STATES.FAILED)) {
          throw GenericError(`Dependency ${info.id} failed to complete.`);
        }
        pending.splice(pending.indexOf(id), 1);
      }
      if (pending.length) await task.sleep(POLL_SECONDS);
    }
    const subtasks: number[] = [];
    for (const entry of Array.isArray(taskList) ? taskList : []) {
      const [method, args, opts] = entry as [string, unknown[], unknown];
      subtasks.push(await task.subtask(method, Array.isArray(args) ? args : [], subtaskOptions(opts)));
    }
    if (subtasks.length) await task.wait(subtasks, { all: true });
  },
};
