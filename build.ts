/**
 * Build the self-contained executable dist/kojibox with `bun build --compile`.
 * The schema, web assets and plugins are imported by the code, so they are
 * embedded; the result runs with nothing else installed.
 */
import { mkdirSync } from 'node:fs';

const outfile = process.env.KOJIBOX_OUTFILE ?? 'dist/kojibox';
mkdirSync('dist', { recursive: true });
// --bytecode: the binary starts its client commands ~30 ms sooner, which
// every CLI call (and add-sidetag --wait's wall time) feels. --splitting:
// the hub and builder code (imported lazily by `serve` and `builder`)
// become chunks that a client command never loads.
const proc = Bun.spawnSync([process.execPath, 'build', '--compile', '--bytecode', '--splitting', '--format', 'esm', '--minify-syntax', '--sourcemap', 'src/main.ts', '--outfile', outfile], {
  stdout: 'inherit',
  stderr: 'inherit',
});
if (proc.exitCode !== 0) {
  console.error(`build failed (exit ${proc.exitCode})`);
  process.exit(proc.exitCode ?? 1);
}
console.log(`built ${outfile}`);
