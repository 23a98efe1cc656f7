/**
 * @module
 * Shapes shared by the policy engine: the lookups the hub supplies, the
 * policy data, the test interface that built-in and plugin tests implement,
 * and the result of evaluating a policy.
 */

import type { PolicySet } from './policy-set.ts';

/** What the engine needs to know about a build (a subset of getBuild plus derived facts). */
export interface PolicyBuildInfo {
  name: string;
  version: string;
  release: string;
  owner_id: number;
  volume_name: string;
  draft: boolean;
  /** Build source; the hub should fill it from the build task when the build row has none. */
  source?: string | null;
  /** Content generators of the build's buildroots. */
  cg_names?: string[];
  /** Build type names (rpm, maven, image, ...). */
  btypes?: string[];
  /** True if any rpm or archive of the build lacks a buildroot. */
  imported?: boolean;
}

/**
 * Read-only facts the hub (database-backed) supplies to policy tests.
 * Tests in unit tests pass fakes. Optional members cover data that only some
 * tests need; a test that needs a missing member fails with a GenericError.
 */
export interface PolicyLookups {
  userName(userId: number): string | null;
  /** Permission names held, directly or through groups. */
  userPerms(userId: number): string[];
  /** Names of the groups the user belongs to. */
  userGroups(userId: number): string[];
  tagName(tag: number | string): string | null;
  /** Names of the tags the build is currently in (`hastag`). */
  tagsOfBuild(buildId: number): string[];
  /** Names of all tags `tag` inherits from, not including itself (`buildtag_inherits_from`). */
  tagAncestors(tag: number | string): string[];
  buildInfo(build: number | string): PolicyBuildInfo | null;
  /**
   * True if the package is new (`is_new_package`, for package_list). Koji
   * means "no package of this name exists anywhere yet"; `tag` is data.tag.
   */
  isNewPackage?(tag: number | string, pkg: string): boolean;
  /** The logged-in user; "user" tests fall back to it when the data has no `user_id`. */
  sessionUserId?: number | null;
  /** Package name for a package id, when policy data carries ids. */
  packageName?(packageId: number): string | null;
  /** Volume name for a volume id, when policy data carries ids. */
  volumeName?(volumeId: number): string | null;
  /** Name of the build tag of a build target (`buildtag` when data has only `target`). */
  targetBuildTag?(target: number | string): string | null;
  /**
   * Build tags of the buildroots that produced a build's components, `null`
   * for a component without buildroot or a buildroot without tag (`buildtag`
   * for tag policies).
   */
  buildRootTags?(build: number | string): (string | null)[];
}

/** Policy data: keys as in koji (tag, fromtag, build, user_id, package, method, ...). */
export type PolicyData = Record<string, unknown>;

/** Context a test runs in. */
export interface PolicyEnv {
  lookups: PolicyLookups;
  /** All policies, for the `policy NAME` test. */
  policies: PolicySet;
  /** Names of the policies being evaluated, outermost first; used to detect loops. */
  stack: string[];
}

/**
 * A policy test: `name args...` in a rule. Built-in tests and plugin tests
 * implement the same interface.
 */
export interface PolicyTest {
  name: string;
  /** Decide the test. `args` are the whitespace-split words after the test name. */
  run(args: string[], data: PolicyData, env: PolicyEnv): boolean;
  /** Reject bad arguments when the policy is parsed; throw an Error with a message. */
  validate?(args: string[]): void;
  /** Restrict the test to these policies (koji's `policy` class attribute). */
  policies?: readonly string[];
}

/** Outcome of evaluating one policy. */
export interface PolicyResult {
  /** First word of the matched action, lowercased (the verdict); null when no rule matched. */
  action: string | null;
  /** Rest of the matched action after the first word, as written. */
  reason: string;
  /** Whole matched action as written (case kept, e.g. a volume name); null when no match. */
  text: string | null;
  /** The rule path that matched, `tests :: ... tests :: action`; null when no match. */
  rule: string | null;
}
