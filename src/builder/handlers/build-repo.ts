/**
 * @module
 * kojid's BaseTaskHandler.getRepo for the build task: a repo of the build
 * tag that holds the builds asked for (and, with wait_repo, is newer than
 * the tag's last change); when none is ready yet, a waitrepo subtask waits
 * for it, so the wait shows in the task tree.
 */
import { RepoWatcher } from '../../client/wait-repo.ts';
import type { TaskContext } from '../handler.ts';

type Dict = Record<string, unknown>;

export async function getRepoFor(task: TaskContext, tag: number | string, builds: string[], wait: boolean): Promise<Dict> {
  const watcher = await RepoWatcher.create(task.session, tag, {
    nvrs: builds,
    minEvent: wait ? 'last' : null,
    signal: task.signal,
    logger: {
      debug: (m) => task.logger.debug(m),
      info: (m) => task.logger.info(m),
      warn: (m) => task.logger.warn(m),
      error: (m) => task.logger.error(m),
    },
  });
  const repo = await watcher.getRepo();
  if (repo) return repo;
  const id = await task.subtask('waitrepo', watcher.taskArgs());
  return (await task.wait(id))[id] as Dict;
}
