/**
 * @module
 * The builder part: the `saveFailedTree` task. It packs a kept buildroot's
 * `/builddir` (or, with `full`, its whole tree) and streams the tarball to
 * the hub as the task's output `broot-<id>.tar.gz`, on the volume the
 * builder's plugin config names. Weight 3, as koji's handler.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GenericError } from '../../src/core/faults.ts';
import type { BuilderPlugin } from '../../src/plugin.ts';
import type { TaskContext, TaskHandler } from '../../src/builder/handler.ts';
import { buildrootBase, buildrootDir } from '../../src/builder/buildroot/backend.ts';
import { backendFor } from '../../src/builder/buildroot/task-buildroot.ts';
import { isInUse, markInUse } from '../../src/builder/buildroot/retention.ts';
import { asBool, asInt } from '../../src/hub/rpc/args.ts';
import { loadBuilderTreeConfig } from './config.ts';
import { packTree, type PackReport } from './pack.ts';
import { uploadStream } from './upload-stream.ts';
import { formatSize } from './units.ts';

export const METHOD = 'saveFailedTree';

/** What the task returns (koji's returns nothing; the CLI uses this to warn about big trees). */
export interface SaveResult {
  buildroot_id: number;
  full: boolean;
  /** Output file name in the task's directory. */
  file: string;
  volume: string;
  /** Bytes of the tarball. */
  size: number;
  /** Bytes of file content packed. */
  tree_size: number;
  entries: number;
  excluded: number;
  skipped: number;
}

/** The kojid config root, when the builder hands it to tasks. */
function configRootOf(task: TaskContext): string | undefined {
  return 'configRoot' in task && typeof task.configRoot === 'string' ? task.configRoot : undefined;
}

async function saveFailedTree(task: TaskContext, params: unknown[], kwargs: Record<string, unknown>): Promise<SaveResult> {
  const extra = Object.keys(kwargs).filter((k) => k !== 'buildrootID' && k !== 'full');
  if (extra.length) throw GenericError(`saveFailedTree() got an unexpected keyword argument '${extra[0]}'`);
  const buildrootId = asInt(params[0] ?? kwargs.buildrootID, 'buildrootID');
  const full = asBool(params[1] ?? kwargs.full ?? false);
  const log = task.logger;
  log.debug(`Saving buildroot ${buildrootId} [full=${full ? 'True' : 'False'}]`);
  const config = loadBuilderTreeConfig(configRootOf(task));

  const brinfo = await task.session.call<{ id: number; host_id: number | null } | null>('getBuildroot', buildrootId);
  if (!brinfo) throw GenericError(`Nonexistent buildroot: ${buildrootId}`);
  if (brinfo.host_id !== task.host.id) throw GenericError('Task is run on wrong builder');

  // The backend knows kept trees; a tree it does not know is reported by its usual path.
  const kept = backendFor(task.config).open(brinfo.id);
  const root = kept?.rootDir ?? join(buildrootDir(buildrootBase(task.config), brinfo.id), 'root');
  const subtree = full ? '/' : '/builddir';
  const path = full ? root : join(root, 'builddir');
  log.debug(`Adding buildroot${full ? ' (full)' : ''}: ${path}`);
  if (!existsSync(path)) throw GenericError(`Buildroot directory is missing: ${path}`);

  const name = `broot-${buildrootId}.tar.gz`;
  // Keep the retention sweep away from the tree while it is read.
  const wasInUse = isInUse(brinfo.id);
  markInUse(brinfo.id, true);
  let report: PackReport;
  let uploaded: { size: number };
  try {
    const packed = packTree({
      root, subtree, top: `broot-${buildrootId}`, filters: config.filters,
      onSkip: (p, why) => log.info(`not packed: ${p}: ${why}`),
    });
    log.info(`Uploading ${name} to hub${config.volume ? ` (volume ${config.volume})` : ''}`);
    try {
      uploaded = await uploadStream(task.session, packed.stream, task.uploadPath, name, { volume: config.volume, signal: task.signal });
    } catch (err) {
      packed.abort(err as Error);
      throw err;
    }
    report = await packed.done;
  } finally {
    if (!wasInUse) markInUse(brinfo.id, false);
  }
  log.info(
    `Finished saving buildroot ${buildrootId}: ${report.entries} entries, ${formatSize(report.treeBytes)} of files ` +
      `in ${formatSize(uploaded.size)}; ${report.excluded} left out by filters, ${report.skipped} not packable`,
  );
  return {
    buildroot_id: buildrootId, full, file: name, volume: config.volume ?? 'DEFAULT', size: uploaded.size,
    tree_size: report.treeBytes, entries: report.entries, excluded: report.excluded, skipped: report.skipped,
  };
}

export const saveFailedTreeHandler: TaskHandler = {
  methods: [METHOD],
  weight: 3.0,
  run: saveFailedTree,
};

export const saveFailedTreeBuilder: BuilderPlugin = {
  name: 'save_failed_tree',
  handlers: [saveFailedTreeHandler],
};
