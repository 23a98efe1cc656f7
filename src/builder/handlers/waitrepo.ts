/**
 * @module
 * The waitrepo task (chain builds, builds with wait_repo): wait for a repo
 * of a tag that is at least as new as an event and holds the given
 * builds, requesting one from the hub. Returns the repo's info.
 */
import { GenericError, ParameterError } from '../../core/faults.ts';
import { kw } from '../../client/session.ts';
import { RepoWatcher } from '../../client/wait-repo.ts';
import type { TaskHandler } from '../handler.ts';

/** Seconds between checks; kojibox makes repos itself, so this is shorter than kojid's minute. */
const PAUSE = 5;
/** Minutes before the task fails (kojid's). */
const TIMEOUT = 120;

export const waitRepoHandler: TaskHandler = {
  methods: ['waitrepo'],
  weight: 0.2,
  async run(task, params, kwargs) {
    const names = ['tag', 'newer_than', 'nvrs', 'min_event'];
    const a: Record<string, unknown> = {};
    params.forEach((v, i) => {
      if (i >= names.length) throw ParameterError(`waitrepo takes at most ${names.length} arguments`);
      a[names[i]!] = v;
    });
    for (const [k, v] of Object.entries(kwargs)) {
      if (!names.includes(k)) throw ParameterError(`waitrepo() got an unexpected keyword argument '${k}'`);
      a[k] = v;
    }
    let minEvent = (a.min_event ?? null) as number | 'last' | null;
    const newerThan = a.newer_than ?? null;
    if (newerThan !== null) {
      if (minEvent !== null) throw GenericError('newer_than and min_event args confict');
      if (typeof newerThan === 'string' && newerThan.toLowerCase() === 'now') minEvent = 'last';
      else if (typeof newerThan === 'number') {
        // the first change after that time, or the tag's last change if there was none
        const base = await task.session.call<{ id: number } | null>('getLastEvent', kw({ before: newerThan, strict: false }));
        const first = await task.session.call<number | null>('tagFirstChangeEvent', a.tag, kw({ after: base?.id ?? null }));
        minEvent = first ?? 'last';
      } else throw GenericError(`Invalid value for newer_than: ${String(newerThan)}`);
    }
    const watcher = await RepoWatcher.create(task.session, a.tag, {
      nvrs: (a.nvrs as string[] | null) ?? [],
      minEvent,
      pause: PAUSE,
      timeout: TIMEOUT,
      signal: task.signal,
      longPoll: false,
      logger: {
        debug: (m) => task.logger.debug(m),
        info: (m) => task.logger.info(m),
        warn: (m) => task.logger.warn(m),
        error: (m) => task.logger.error(m),
      },
    });
    return watcher.waitrepo();
  },
};
