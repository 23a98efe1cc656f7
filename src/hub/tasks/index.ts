/**
 * @module
 * The task machinery for API modules and plugins: create tasks, change
 * their state, read their output. Plugins (runroot, kiwi, save-failed-tree,
 * repos) import from here.
 */
export { createTask, normalizeArches, policyDataFromTaskArgs, type TaskOptions, type TaskSpec } from './create.ts';
export {
  assertHostOwns, cancelChildren, cancelFull, cancelTask, finishTask, freeTask, hostOwns, openTask, requireTask,
  setBuildCanceller, setTaskPriority, setTaskWeight, FINISHED_STATES,
} from './state.ts';
export { decodeRequest, decodeResult, taskShape, hostShape, channelShape, taskRelPath } from './shape.ts';
export { listTaskOutput, readTaskOutput, taskDir } from './output.ts';
export { explainTask } from './explain.ts';
export { encodeArgs, decodeArgs, parseTaskParams, taskLabel } from '../../core/task-params.ts';
