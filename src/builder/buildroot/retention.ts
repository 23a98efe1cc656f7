/**
 * @module
 * What the builder remembers about each buildroot directory (a small JSON
 * state file beside the tree) and the sweep that removes trees: a tree in
 * use stays, a tree kept after a failure stays until kojid.conf's
 * failed_buildroot_lifetime has passed (save-failed-tree reads it until
 * then), anything else left over (a crash, a finished task) goes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { PopulateMode } from './backend.ts';

export const STATE_FILE = 'buildroot.json';

export interface BuildrootState {
  id: number;
  mode: PopulateMode;
  tagName: string;
  repoId: number;
  arch: string;
  created: number;
  /** The builder process that made it; another live builder's trees are left alone. */
  pid: number;
  /** Set when the tree is kept after a failure: when, and why. */
  kept: { at: number; reason: string } | null;
}

export function writeState(dir: string, state: BuildrootState): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}

export function readState(dir: string): BuildrootState | null {
  try {
    return JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as BuildrootState;
  } catch {
    return null;
  }
}

/** Buildroot ids whose trees this process is using right now. */
const inUse = new Set<number>();

export function markInUse(id: number, used: boolean): void {
  if (used) inUse.add(id);
  else inUse.delete(id);
}

export function isInUse(id: number): boolean {
  return inUse.has(id);
}

/**
 * Delete a buildroot directory. Trees made by an unprivileged build user
 * can hold read-only directories, so write permission is restored first;
 * symlinks are removed, never followed.
 */
export function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  try {
    rmSync(dir, { recursive: true, force: true });
    return;
  } catch {
    // fall through: make directories writable and try again
  }
  makeWritable(dir);
  rmSync(dir, { recursive: true, force: true });
}

function makeWritable(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  try {
    chmodSync(path, (st.mode & 0o7777) | 0o700);
  } catch {
    return;
  }
  for (const name of readdirSync(path)) makeWritable(join(path, name));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SweepResult {
  removed: number[];
  kept: number[];
}

/**
 * Remove buildroot trees under `base` that nobody needs any more. Kept
 * trees stay for `lifetime` seconds after their failure.
 */
export function sweepBuildroots(base: string, lifetime: number, now = Date.now() / 1000): SweepResult {
  const result: SweepResult = { removed: [], kept: [] };
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return result;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const id = Number(name);
    if (inUse.has(id)) continue;
    const dir = join(base, name);
    const state = readState(dir);
    if (state && state.pid !== process.pid && !state.kept && processAlive(state.pid)) continue;
    if (state?.kept && state.kept.at + lifetime > now) {
      result.kept.push(id);
      continue;
    }
    removeTree(dir);
    result.removed.push(id);
  }
  return result;
}
