/**
 * tag-build through the task path on an all-in-one hub: the CLI creates
 * tagBuild tasks, the built-in builder runs them, and the watcher reports
 * success or the TagError of a retag.
 */
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';

setDefaultTimeout(120_000);

let hub: TestHub;

beforeAll(async () => {
  hub = await startHub({ allInOne: true });
  const r = await python(hub.hubUrl, `
p = login('admin', 'admin-test-password')
p.createTag('dest')
p.packageListAdd('dest', 'bash', 'admin')
p.createEmptyBuild('bash', '5.0', '1', None)
p.createEmptyBuild('zsh', '5.9', '1', None)
out(None)
`);
  expect(r.stderr).toBe('');
});
afterAll(() => stopHub(hub));

describe('tag-build', () => {
  it('tags through a tagBuild task and waits for it', async () => {
    const r = await hub.cli(['tag-build', '--wait', 'dest', 'bash-5.0-1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Created task (\d+)\n/);
    expect(r.stdout).toContain('tagBuild (noarch) completed successfully');
    const out = await python(hub.hubUrl, `out([b['nvr'] for b in hub.listTagged('dest')])`);
    expect(out.json).toEqual(['bash-5.0-1']);
  });

  it('fails the task on a retag and exits 1', async () => {
    const r = await hub.cli(['tag-build', '--wait', 'dest', 'bash-5.0-1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED: TagError: build bash-5.0-1 already tagged (dest)');
  });

  it('refuses at once a package that is not in the tag\'s list, and only prints the task id with --nowait', async () => {
    let r = await hub.cli(['tag-build', 'dest', 'zsh-5.9-1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TagError: Package zsh not in list for dest');
    r = await hub.cli(['tag-build', '--nowait', '--force', 'dest', 'zsh-5.9-1']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Created task \d+\n$/);
  });
});
