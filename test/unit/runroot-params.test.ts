/**
 * @module
 * The runroot task's arguments, the command line it runs (checked against
 * a real sh) and the words of its result.
 */
import { describe, expect, it } from 'bun:test';
import type { KojiError } from '../../src/core/faults.ts';
import { bindRunrootParams, commandLine, commandName, failureError, shellQuote, successText } from '../../plugins/runroot/params.ts';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return `${(err as KojiError).faultName}: ${(err as Error).message}`;
  }
  throw new Error('expected a refusal');
}

describe('bindRunrootParams', () => {
  it("binds positional and keyword arguments like Koji's handler signature", () => {
    const p = bindRunrootParams(['f30-build', 'x86_64', 'true'], { packages: ['a'], mounts: ['/m'], repo_id: 4, weight: 1.5, new_chroot: false });
    expect(p).toEqual({
      root: 'f30-build', arch: 'x86_64', command: 'true', keep: false, packages: ['a'], mounts: ['/m'], repo_id: 4,
      skip_setarch: false, weight: 1.5, upload_logs: null, new_chroot: false,
    });
  });

  it('treats None as not given', () => {
    const p = bindRunrootParams(['t', 'noarch', ['ls']], { repo_id: null, weight: null, packages: null, new_chroot: null });
    expect([p.repo_id, p.weight, p.packages, p.new_chroot]).toEqual([null, null, [], null]);
  });

  it('refuses unknown, duplicate, missing and mistyped arguments', () => {
    expect(refusal(() => bindRunrootParams(['t', 'x86_64', 'true'], { bogus: 1 }))).toBe("ParameterError: runroot() got an unexpected keyword argument 'bogus'");
    expect(refusal(() => bindRunrootParams(['t', 'x86_64', 'true'], { arch: 'x' }))).toBe("ParameterError: runroot() got multiple values for argument 'arch'");
    expect(refusal(() => bindRunrootParams(['t', 'x86_64']))).toBe("ParameterError: runroot() missing required argument: 'command'");
    expect(refusal(() => bindRunrootParams(['t', 'x86_64', 5]))).toContain('GenericError: Invalid type for value');
    expect(refusal(() => bindRunrootParams(['t', 'x86_64', ['ls', 3]]))).toContain('GenericError');
    expect(refusal(() => bindRunrootParams(['t', 'x86_64', 'ls'], { mounts: '/m' }))).toContain('ParameterError');
  });
});

describe('commandLine', () => {
  it('keeps a string as it is, for the shell', () => {
    expect(commandLine('echo a; echo b')).toBe('echo a; echo b');
  });

  it('quotes each word of a list so sh passes it on exactly', () => {
    const words = ['printf', '<%s>', "it's", 'two  spaces', '$HOME', '`id`', '"q"', ';', '\\', ''];
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const r = Bun.spawnSync(['/bin/sh', '-c', commandLine(words)], { stdout: 'pipe' });
    expect(r.stdout.toString()).toBe(words.slice(2).map((w) => `<${w}>`).join(''));
  });
});

describe('result texts', () => {
  it('names the command by the base name of its first word that is not an assignment', () => {
    expect(commandName('LANG=C /usr/bin/make -j4 all')).toBe('make');
    expect(commandName(['FOO=1', 'BAR=2'])).toBe('(none)');
    expect(commandName('  echo hello; id -u')).toBe('echo');
    expect(successText(['/usr/bin/pungi-koji', '--config=x'])).toBe('pungi-koji completed successfully');
  });

  it('fails with a BuildrootError carrying the exit status', () => {
    const err = failureError('exit 7', 7);
    expect(err.faultName).toBe('BuildrootError');
    expect(err.message).toBe('exit exited with status 7');
  });
});
