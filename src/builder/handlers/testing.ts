/**
 * @module
 * Koji's testing tasks: `sleep` (what `make-task sleep N` runs), `subtask`
 * (a chain of subtasks ending in a sleep) and `waittest` (several sleeping
 * subtasks plus one that fails and may). They exercise the task machinery
 * without touching any build tool.
 */
import type { TaskHandler } from '../handler.ts';

function seconds(n: unknown): number {
  const v = typeof n === 'string' && n.trim() !== '' ? Number(n) : n;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new TypeError(`sleep needs a number of seconds, not ${JSON.stringify(n)}`);
  }
  return v;
}

export const sleepHandler: TaskHandler = {
  methods: ['sleep'],
  weight: 0.25,
  async run(task, [n]) {
    const s = seconds(n);
    task.logger.info(`Sleeping for ${s} seconds`);
    await task.sleep(s);
    task.logger.info('Finished sleeping');
  },
};

export const subtaskHandler: TaskHandler = {
  methods: ['subtask'],
  weight: 0.1,
  async run(task, [n = 4]) {
    const depth = Number(n);
    const child = depth > 0 ? await task.subtask('subtask', [depth - 1], { label: 'foo' }) : await task.subtask('sleep', [15], { label: 'bar' });
    await task.wait(child);
  },
};

export const waittestHandler: TaskHandler = {
  methods: ['waittest'],
  weight: 0.1,
  async run(task, [count, secs = 10]) {
    const ids: number[] = [];
    for (let i = 0; i < Number(count); i++) ids.push(await task.subtask('sleep', [secs], { label: String(i) }));
    const bad = await task.subtask('sleep', ['BAD_ARG'], { label: 'bad' });
    ids.push(bad);
    const results = await task.wait(ids, { all: true, failany: true, canfail: [bad] });
    task.logger.info(`results: ${JSON.stringify(results)}`);
  },
};
