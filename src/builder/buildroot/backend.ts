/**
 * @module
 * The buildroot contract. A buildroot is a directory tree on the builder
 * (`<mockdir>/<buildroot id>/root`) in which commands run isolated from the
 * host; everything a task needs from one (create it for a tag's repo,
 * install packages, run a command with binds, find the tree of a kept one)
 * goes through this interface, so a mock backend for Fedora builders can sit
 * beside the bubblewrap one.
 */

/** What a new buildroot is made from. */
export interface BuildrootSpec {
  /** The hub's buildroot id (host.newBuildRoot); names the directory. */
  id: number;
  /** Target arch of the buildroot (its canonical arch, or noarch). */
  arch: string;
  /** Tag name and repo id, for logs and the hostname. */
  tagName: string;
  repoId: number;
  /**
   * URL (or local path) of the tag's repo for this buildroot's arch, i.e.
   * `<topurl>/repos/<tag>/<repo_id>/<arch>`; null when there is none.
   */
  repoUrl: string | null;
  /** Names of the packages of the tag's install group ("build"). */
  groupPackages: string[];
  /** Let commands reach the network (tag extra `rpmbuild_networking`/runroot). */
  network: boolean;
  /** rpm macros written to /etc/rpm/macros.koji inside the tree (name without %). */
  macros: Record<string, string>;
  /** Environment given to every command (tag extra rpm.env.*). */
  env: Record<string, string>;
}

/** How a buildroot's tree was populated. */
export type PopulateMode = 'repo' | 'host';

export interface Bind {
  /** Path on the builder; with `fstype`, what mount(8) mounts (a device, `host:/export`, `none`). */
  src: string;
  /** Path inside the buildroot. */
  dest: string;
  readOnly?: boolean;
  /**
   * A file system to mount rather than a directory to bind (runroot.conf
   * `[pathN]` nfs, tmpfs...). It is mounted with mount(8) in a private mount
   * namespace that lives only as long as the command, then bound in like a
   * directory, so the builder itself never has it mounted.
   */
  fstype?: string;
  /** mount(8) options for `fstype`. */
  options?: string[];
}

export interface RunOptions {
  /** Working directory inside the buildroot (default /builddir). */
  cwd?: string;
  env?: Record<string, string>;
  binds?: Bind[];
  /** Overrides the buildroot's network setting for this command. */
  network?: boolean;
  /** File on the builder that receives stdout and stderr (appended). */
  logfile?: string;
  /** Run as root inside (package installs, runroot) rather than the build user. */
  asRoot?: boolean;
  /** Seconds before the command is killed. */
  timeout?: number;
  signal?: AbortSignal;
  /** Run under `setarch <personality>` (e.g. i686 on x86_64), so uname -m shows the buildroot's arch. */
  personality?: string;
  /**
   * Old-chroot mode (tag extra mock.new_chroot=False, which kiwi needs for
   * debootstrap's device nodes): no user namespace, root inside and the
   * builder's /dev. Takes effect only when the builder itself runs as root.
   */
  privileged?: boolean;
}

/** One installed package, in the shape host.setBuildRootList takes. */
export interface InstalledPackage {
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  arch: string;
  payloadhash: string;
  size: number;
  buildtime: number;
}

export interface Buildroot {
  readonly id: number;
  /** The buildroot's directory (holds root/ and the state file). */
  readonly dir: string;
  /** The tree that is / inside. */
  readonly rootDir: string;
  readonly mode: PopulateMode;
  readonly spec: BuildrootSpec;
  /** Install packages from the buildroot's repo (repo mode only). */
  install(packages: string[], logfile: string): Promise<void>;
  /** Run a command inside; resolves to its exit code (killed by signal: 128+n). */
  run(cmd: string[], opts?: RunOptions): Promise<number>;
  /** Packages in the tree's rpm database (empty in host mode). */
  installedPackages(): Promise<InstalledPackage[]>;
  /** Host path of a path inside the buildroot. */
  hostPath(inside: string): string;
  /** Mark the tree kept after a failure (removed after failed_buildroot_lifetime). */
  keep(reason: string): void;
  /** Delete the tree. */
  remove(): Promise<void>;
}

export interface BuildrootBackend {
  readonly name: string;
  /** Make a new buildroot tree and populate it; the root log receives the setup output. */
  create(spec: BuildrootSpec, rootLog: string): Promise<Buildroot>;
  /** A buildroot still on disk (kept after a failure), or null. */
  open(id: number): Buildroot | null;
}

/** Where buildroots live: kojid.conf mockdir, else `<workdir>/buildroots`. */
export function buildrootBase(cfg: { mockdir?: string; workdir: string }): string {
  return cfg.mockdir ?? `${cfg.workdir.replace(/\/+$/, '')}/buildroots`;
}

/** The directory of buildroot `id` under a base; its tree is `<dir>/root`. */
export function buildrootDir(base: string, id: number): string {
  return `${base}/${id}`;
}
