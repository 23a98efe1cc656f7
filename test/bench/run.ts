/**
 * Runs every benchmark in test/bench one after another (they measure the
 * machine, so never in parallel) and prints their reports.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dir;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`== ${f}`);
  const p = Bun.spawnSync([process.execPath, join(dir, f)], { stdout: 'inherit', stderr: 'inherit' });
  if (p.exitCode !== 0) {
    failed++;
    console.log(`(${f} exited with ${p.exitCode})`);
  }
}
process.exit(failed ? 1 : 0);
