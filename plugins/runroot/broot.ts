/**
 * @module
 * A buildroot for one runroot task, with its record on the hub: recorded
 * (host.newBuildRoot), made by the builder's buildroot backend from the
 * tag's repo and build group, marked BUILDING, its package list recorded,
 * and finally expired and deleted. Runroot never builds a sandbox of its
 * own; everything inside goes through the backend interface.
 */
import type { TaskContext } from '../../src/builder/handler.ts';
import type { Buildroot, BuildrootBackend, BuildrootSpec, InstalledPackage } from '../../src/builder/buildroot/backend.ts';
import { buildrootBase } from '../../src/builder/buildroot/backend.ts';
import { BwrapBackend } from '../../src/builder/buildroot/bwrap.ts';
import { kw } from '../../src/client/session.ts';
import { canonArch } from '../../src/core/arch.ts';

/** A buildroot made for this task. */
export interface TaskBuildroot {
  /** The hub's buildroot id. */
  readonly id: number;
  readonly buildroot: Buildroot;
  /** host.setBuildRootState BUILDING. */
  building(): Promise<void>;
  /** Send the installed packages: the whole list, or (update) those added since. */
  recordPackages(update: boolean): Promise<void>;
  /** host.setBuildRootState EXPIRED and delete the tree (in the background); never throws. */
  expire(): Promise<void>;
}

export interface BuildrootRequest {
  tag: string;
  tagId: number;
  arch: string;
  repoId: number;
  /** The tag's build config (getBuildConfig): extra holds rpm.macro.* and rpm.env.*. */
  buildConfig: { extra?: Record<string, unknown> };
  /** Receives the backend's set-up output and package installs. */
  rootLog: string;
  network: boolean;
}

/** The backend a task's buildroots come from (the builder's configured one). */
export function backendFor(task: TaskContext): BuildrootBackend {
  return new BwrapBackend({ base: buildrootBase({ mockdir: task.config.mockdir, workdir: task.config.workdir }), chrootTmpdir: task.config.chroot_tmpdir });
}

interface GroupEntry {
  name: string;
  blocked?: boolean;
  packagelist?: Array<{ package: string; blocked?: boolean }>;
}

/** Package names of the tag's `build` group (what mock installs into every buildroot). */
async function buildGroupPackages(task: TaskContext, tagId: number): Promise<string[]> {
  const groups = await task.session.call<GroupEntry[]>('getTagGroups', tagId);
  const build = groups.find((g) => g.name === 'build' && !g.blocked);
  return (build?.packagelist ?? []).filter((p) => !p.blocked).map((p) => p.package);
}

function prefixed(extra: Record<string, unknown>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(extra)) if (k.startsWith(prefix) && v !== null && v !== undefined) out[k.slice(prefix.length)] = String(v);
  return out;
}

function topurl(task: TaskContext): string {
  return (task.config.topurl ?? task.config.server.replace(/\/kojihub\/?$/, '/kojifiles')).replace(/\/+$/, '');
}

/** The packages as host.setBuildRootList takes them. */
function rpmList(pkgs: InstalledPackage[]): Array<Record<string, unknown>> {
  return pkgs.map((p) => ({ ...p }));
}

/** Record a buildroot on the hub and make its tree. */
export async function openTaskBuildroot(task: TaskContext, req: BuildrootRequest, backend = backendFor(task)): Promise<TaskBuildroot> {
  const session = task.session;
  const id = await session.call<number>('host.newBuildRoot', req.repoId, req.arch, kw({ task_id: task.id }));
  const extra = req.buildConfig.extra ?? {};
  const spec: BuildrootSpec = {
    id,
    arch: req.arch,
    tagName: req.tag,
    repoId: req.repoId,
    repoUrl: `${topurl(task)}/repos/${req.tag}/${req.repoId}/${canonArch(req.arch)}`,
    groupPackages: await buildGroupPackages(task, req.tagId),
    network: req.network,
    macros: prefixed(extra, 'rpm.macro.'),
    env: prefixed(extra, 'rpm.env.'),
  };
  let buildroot: Buildroot;
  try {
    buildroot = await backend.create(spec, req.rootLog);
  } catch (err) {
    await session.call('host.setBuildRootState', id, 'EXPIRED', kw({ task_id: task.id })).catch(() => undefined);
    throw err;
  }
  let recorded = new Set<string>();
  const key = (p: InstalledPackage) => `${p.name}-${p.epoch ?? ''}:${p.version}-${p.release}.${p.arch}`;
  return {
    id,
    buildroot,
    building: () => session.call('host.setBuildRootState', id, 'BUILDING', kw({ task_id: task.id })).then(() => undefined),
    async recordPackages(update) {
      const pkgs = await buildroot.installedPackages();
      const fresh = update ? pkgs.filter((p) => !recorded.has(key(p))) : pkgs;
      recorded = new Set(pkgs.map(key));
      if (!fresh.length) return;
      await session.call(update ? 'host.updateBuildRootList' : 'host.setBuildRootList', id, rpmList(fresh), kw({ task_id: task.id }));
    },
    async expire() {
      try {
        await session.call('host.setBuildRootState', id, 'EXPIRED', kw({ task_id: task.id }));
      } catch (err) {
        task.logger.warn(`buildroot ${id}: could not mark it expired: ${(err as Error).message}`);
      }
      // Nothing runs in the tree any more; deleting it need not delay the
      // task's result (Koji leaves expired trees to a later clean-up).
      setTimeout(() => {
        buildroot.remove().catch((err) => task.logger.warn(`buildroot ${id}: could not remove its tree: ${(err as Error).message}`));
      }, 0);
    },
  };
}
