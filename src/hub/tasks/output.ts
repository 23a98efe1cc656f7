/**
 * @module
 * Files a task left in its work directory, `<volume>/work/tasks/<id %
 * 10000>/<id>/`: listing (listTaskOutput's four shapes) and reading
 * (downloadTaskOutput).
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { GenericError } from '../../core/faults.ts';
import { RpcDouble, type RpcValue } from '../../core/xmlrpc.ts';
import type { Hub } from '../hub.ts';
import { volumeNames } from '../../store/tasks.ts';
import { taskRelPath } from './shape.ts';

export function taskDir(hub: Hub, taskId: number, volume: string | null = null): string {
  return join(hub.volumeDir(volume), 'work', taskRelPath(taskId));
}

/**
 * Relative paths of the files under a directory, sorted. Symlinks count when
 * `served` accepts the file they resolve to: a build's task directory links
 * to its RPMs under packages/, as Koji's does, and those are output too.
 */
export function walkFiles(dir: string, served: (realPath: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) visit(r);
      else if (e.isFile()) out.push(r);
      else if (e.isSymbolicLink() && linksToServedFile(join(dir, r), served)) out.push(r);
    }
  };
  visit('');
  return out.sort();
}

function linksToServedFile(path: string, served: (realPath: string) => boolean): boolean {
  try {
    const real = realpathSync(path);
    return statSync(real).isFile() && served(real);
  } catch {
    return false;
  }
}

function statMap(path: string): Record<string, RpcValue> {
  const st = statSync(path);
  // Koji sends st_size as a string (it may not fit an XML-RPC int)
  return { st_size: String(st.size), st_atime: new RpcDouble(st.atimeMs / 1000), st_mtime: new RpcDouble(st.mtimeMs / 1000), st_ctime: new RpcDouble(st.ctimeMs / 1000) };
}

/** listTaskOutput: `[file]`, `{file: [vol]}`, `{file: stat}` or `{file: {vol: stat}}`. */
export function listTaskOutput(hub: Hub, taskId: number, stat: boolean, allVolumes: boolean): RpcValue {
  const volumes = allVolumes ? volumeNames(hub.store) : ['DEFAULT'];
  const list: string[] = [];
  const map: Record<string, RpcValue> = {};
  for (const volume of volumes) {
    const dir = taskDir(hub, taskId, volume);
    if (!existsSync(dir)) continue;
    for (const file of walkFiles(dir, (real) => hub.serves(real))) {
      if (stat) {
        const s = statMap(join(dir, file));
        if (allVolumes) ((map[file] ??= {}) as Record<string, RpcValue>)[volume] = s;
        else map[file] = s;
      } else if (allVolumes) ((map[file] ??= []) as RpcValue[]).push(volume);
      else list.push(file);
    }
  }
  return stat || allVolumes ? map : list;
}

/**
 * Bytes of a task's output file from `offset` (negative: from the end),
 * at most `size` (-1: all), base64-encoded as Koji sends them.
 */
export function readTaskOutput(hub: Hub, taskId: number, fileName: string, offset: number, size: number, volume: string | null): string {
  if (fileName.includes('..')) throw GenericError(`Invalid file name: ${fileName}`);
  const path = normalize(join(taskDir(hub, taskId, volume), fileName));
  let st;
  try {
    st = statSync(path);
  } catch {
    st = null;
  }
  if (!st || !st.isFile() || !hub.serves(realpathSync(path))) throw GenericError(`no file "${fileName}" output by task ${taskId}`);
  let start = offset > 0 ? offset : offset < 0 ? Math.max(0, st.size + offset) : 0;
  start = Math.min(start, st.size);
  const length = size < 0 ? st.size - start : Math.min(size, st.size - start);
  const buf = Buffer.alloc(Math.max(0, length));
  if (length > 0) {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buf, 0, length, start);
    } finally {
      closeSync(fd);
    }
  }
  return buf.toString('base64');
}
