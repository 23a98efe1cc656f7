/**
 * Build the self-contained executable dist/kojibox with `bun build --compile`.
 * The schema, web assets and plugins are imported by the code, so they are
 * embedded; the result runs with nothing else installed.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const outfile = process.env.KOJIBOX_OUTFILE ?? 'dist/kojibox';
const outdir = dirname(outfile);
mkdirSync(outdir, { recursive: true });
// with --splitting each build leaves one source map per chunk (named by a
// content hash) beside the binary; drop the previous build's
for (const f of readdirSync(outdir)) if (/-[0-9a-z]{8}\.js\.map$/.test(f)) rmSync(join(outdir, f));
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
