/**
 * @module
 * Reusing repodata: hard links to the files of another repo's repodata
 * (copies when the two are on different filesystems). Safe because
 * repodata files are never changed in place: createrepo_c writes new ones.
 */
import { copyFileSync, linkSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Link every file of `src` into `dst` (created); returns the file names. */
export function linkTree(src: string, dst: string): string[] {
  mkdirSync(dst, { recursive: true });
  const files: string[] = [];
  for (const f of readdirSync(src)) {
    const from = join(src, f);
    if (!statSync(from).isFile()) continue;
    try {
      linkSync(from, join(dst, f));
    } catch {
      copyFileSync(from, join(dst, f));
    }
    files.push(f);
  }
  return files;
}
