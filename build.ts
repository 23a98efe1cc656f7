/**
 * Build the self-contained executable dist/kojibox with `bun build --compile`.
 * The schema, web assets and plugins are imported by the code, so they are
 * embedded; the result runs with nothing else installed.
 */
import { mkdirSync } from 'node:fs';

const outfile = process.env.KOJIBOX_OUTFILE ?? 'dist/kojibox';
mkdirSync('dist', { recursive: true });
const proc = Bun.spawnSync([process.execPath, 'build', '--compile', '--minify-syntax', '--sourcemap', 'src/main.ts', '--outfile', outfile], {
  stdout: 'inherit',
  stderr: 'inherit',
});
if (proc.exitCode !== 0) {
  console.error(`build failed (exit ${proc.exitCode})`);
  process.exit(proc.exitCode ?? 1);
}
console.log(`built ${outfile}`);
