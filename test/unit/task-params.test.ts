import { describe, expect, it } from 'bun:test';
import { decodeArgs, encodeArgs, parseTaskParams, taskLabel, UnknownTaskMethod } from '../../src/core/task-params.ts';
import { KojiError } from '../../src/core/faults.ts';

describe('parseTaskParams', () => {
  it('names positional and keyword arguments by the method\'s signature', () => {
    expect(parseTaskParams('build', ['x.src.rpm', 'f40', { scratch: true }])).toEqual({ src: 'x.src.rpm', target: 'f40', opts: { scratch: true } });
    expect(parseTaskParams('tagBuild', [3, 7])).toEqual({ tag_id: 3, build_id: 7, force: false, fromtag: null, ignore_success: false });
    expect(parseTaskParams('newRepo', encodeArgs(['f40-build'], { src: true }))).toMatchObject({ tag: 'f40-build', src: true, event: null });
  });

  it('takes the second newRepo signature when the first does not fit', () => {
    expect(parseTaskParams('newRepo', ['t', null, null, null, null, { x: 1 }])).toMatchObject({ opts: { x: 1 } });
  });

  it('refuses arguments no signature accepts, and methods it does not know', () => {
    expect(() => parseTaskParams('sleep', [])).toThrow(KojiError);
    expect(() => parseTaskParams('sleep', [1, 2])).toThrow('Invalid signature for sleep');
    expect(() => parseTaskParams('someplugin', [1])).toThrow(UnknownTaskMethod);
  });

  it('returns new-style requests as they are', () => {
    expect(parseTaskParams('anything', [{ __method__: 'anything', a: 1 }])).toEqual({ a: 1 });
  });
});

describe('encodeArgs and decodeArgs', () => {
  it('round-trip kwargs through a trailing __starstar struct', () => {
    const params = encodeArgs([1, 'a'], { k: true });
    expect(params).toEqual([1, 'a', { k: true, __starstar: true }]);
    expect(decodeArgs(params)).toEqual({ args: [1, 'a'], kwargs: { k: true } });
    expect(encodeArgs([1])).toEqual([1]);
  });
});

describe('taskLabel', () => {
  it('labels tasks as koji does', () => {
    expect(taskLabel({ method: 'sleep', arch: 'noarch', request: [5] })).toBe('sleep (noarch)');
    expect(taskLabel({ method: 'build', arch: 'noarch', request: ['cli-build/1.abc/hello-1.0-1.src.rpm', 'f40-candidate'] })).toBe('build (f40-candidate, hello-1.0-1.src.rpm)');
    expect(taskLabel({ method: 'build', arch: 'noarch', request: ['git+https://example.com/rpms/hello.git#abc123', 'f40'] })).toBe('build (f40, hello:abc123)');
    expect(taskLabel({ method: 'buildArch', arch: 'x86_64', request: ['work/x/hello-1.0-1.src.rpm', 3, 'x86_64', false] })).toBe('buildArch (hello-1.0-1.src.rpm, x86_64)');
    expect(taskLabel({ method: 'newRepo', arch: 'noarch', request: ['f40-build'] })).toBe('newRepo (f40-build)');
    expect(taskLabel({ method: 'sleep', arch: 'noarch', request: [] })).toBe('sleep (noarch, unknown args)');
    expect(taskLabel({ method: 'runroot', arch: 'x86_64', request: ['f40-build', 'x86_64', ['true']] })).toBe('runroot (x86_64)');
  });
});
