/**
 * The shipped artefacts: the compiled binary runs alone, and the systemd
 * units pass systemd-analyze verify.
 */
import { describe, expect, it } from 'bun:test';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers/hub.ts';

describe('dist/kojibox', () => {
  it('runs from an empty directory with an empty environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kojibox-alone-'));
    try {
      const bin = join(dir, 'kojibox');
      copyFileSync(BIN, bin);
      const help = Bun.spawnSync([bin, '--help'], { cwd: dir, env: {} });
      expect(help.exitCode).toBe(0);
      expect(help.stdout.toString()).toContain('add-user');
      const proc = Bun.spawn([bin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'data'), '--config-root', join(dir, 'etc'), '--amqp-listen', 'off'], {
        cwd: dir,
        env: { KOJIBOX_ADMIN_PASSWORD: 'x-password' },
        stdout: 'pipe',
        stderr: 'pipe',
      });
      const reader = proc.stdout.getReader();
      let out = '';
      while (!out.includes('ready at')) {
        const { value, done } = await reader.read();
        if (done) break;
        out += new TextDecoder().decode(value);
      }
      const url = /ready at (\S+)/.exec(out)![1]!;
      const res = await fetch(url, {
        method: 'POST',
        body: '<?xml version="1.0"?><methodCall><methodName>getKojiVersion</methodName><params/></methodCall>',
      });
      expect(await res.text()).toContain('1.35.3');
      proc.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('command lookup', () => {
  // the binary builds only the command it is asked for, and all of them otherwise
  const run = (...args: string[]) => {
    const r = Bun.spawnSync([BIN, ...args], { env: { ...process.env, KOJIBOX_CONFIG_ROOT: tmpdir() } });
    return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
  };

  it('finds a command after global options that take values', () => {
    const r = run('--server', 'http://127.0.0.1:1/kojihub', '-p', 'koji', '--user', 'x', 'add-sidetag', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: kojibox add-sidetag [options] <basetag>');
  });

  it('lists every command in the help, and answers aliases and typos', () => {
    const help = run('--help');
    for (const name of ['serve', 'builder', 'add-sidetag', 'runroot', 'kiwi-build', 'watch-messages', 'wait-repo']) expect(help.out).toContain(name);
    expect(run('help').out).toContain('add-sidetag');
    expect(run('moshimoshi', '--help').out).toContain('Usage: kojibox hello|moshimoshi');
    const typo = run('add-sidetg');
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("unknown command 'add-sidetg'");
    expect(typo.err).toContain('add-sidetag');
  });
});

describe('systemd units', () => {
  for (const unit of ['kojibox-hub.service', 'kojibox-builder.service']) {
    it(`${unit} passes systemd-analyze verify`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'kojibox-unit-'));
      try {
        // verify checks that ExecStart exists; point it at the built binary
        const text = readFileSync(join(ROOT, 'systemd', unit), 'utf8').replaceAll('/usr/local/bin/kojibox', BIN);
        expect(text).toContain(`ExecStart=${BIN} `);
        writeFileSync(join(dir, unit), text);
        const r = Bun.spawnSync(['systemd-analyze', 'verify', join(dir, unit)]);
        expect(r.stderr.toString()).toBe('');
        expect(r.exitCode).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
