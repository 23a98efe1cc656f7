/**
 * @module
 * Lines the builder itself writes into buildroot logs (root.log, build.log),
 * stamped like mock's so they read naturally between tool output.
 */
import { appendFileSync } from 'node:fs';

/** Append one stamped line to a log file. */
export function appendLog(path: string, line: string): void {
  const ts = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
  appendFileSync(path, `${ts} kojibox: ${line}\n`);
}
