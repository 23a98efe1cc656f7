/**
 * @module
 * The runroot plugin against the real binary, all-in-one: the seed's set-up,
 * commands and their output and exit status, the channel rules, the
 * permission, packages from the tag's repo, mounts and their refusals, noarch,
 * isolation from the builder, and nothing left mounted or running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';
import { canBuildBase, setupRepoTag } from '../helpers/runroot-fixture.ts';
import { hostArch } from '../../src/core/arch.ts';

const ARCH = hostArch();
const HOST = 'aio-builder';

let hub: TestHub;
/** Files outside the hub's directories: the [path0] bind source and the RPMs. */
let outside = '';
let srv = '';

async function ok(args: string[], opts: Parameters<TestHub['cli']>[1] = {}): Promise<string> {
  const r = await hub.cli(args, opts);
  if (r.code !== 0) throw new Error(`${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Run `runroot --task-id ...`; returns the exit code, the task id and the rest of stdout. */
async function runroot(args: string[], user = 'bob'): Promise<{ code: number; task: number | null; out: string; err: string }> {
  const r = await hub.cli(['runroot', '--task-id', ...args], { user });
  const [first, ...rest] = r.stdout.split('\n');
  const task = /^\d+$/.test(first ?? '') ? Number(first) : null;
  return { code: r.code, task, out: task === null ? r.stdout : rest.join('\n'), err: r.stderr };
}

/** A finished task's fault as "Class: message", or its result. */
async function taskOutcome(task: number): Promise<string> {
  const r = await python(hub.hubUrl, `
try:
    out(repr(hub.getTaskResult(${task})))
except x.Fault as f:
    out(f.faultString)
`);
  return r.json as string;
}

/** Paths of mounts the host sees under a directory. */
function hostMountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((p) => p.startsWith(dir));
}

/** Processes whose command line mentions a path (sandboxes of buildroots under it). */
function processesMentioning(path: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (cmd.includes(path)) found.push(`${pid}: ${cmd}`);
  }
  return found;
}

beforeAll(async () => {
  outside = mkdtempSync(join(tmpdir(), 'kojibox-runroot-'));
  srv = join(outside, 'srv');
  mkdirSync(join(srv, 'tmp/job'), { recursive: true });
  writeFileSync(join(srv, 'readme'), 'from the data share\n');
  hub = await startHub({
    allInOne: true,
    config: {
      'koji-hub/hub.conf': '[hub]\nPlugins = runroot_hub\n',
      'kojid/kojid.conf': '[kojid]\nplugin = runroot\n',
      'kojid/plugins/runroot.conf': [
        '[paths]',
        'default_mounts = /mnt/data,/mnt/scratch',
        'safe_roots = /mnt/data/tmp,/mnt/broken',
        '[path0]',
        'mountpoint = /mnt/data',
        `path = ${srv}`,
        'fstype = none',
        'options = ro,bind',
        '[path1]',
        'mountpoint = /mnt/scratch',
        'path = none',
        'fstype = tmpfs',
        'options = size=1m,mode=0755',
        '[path2]',
        'mountpoint = /mnt/broken',
        'path = none',
        'fstype = kojibox-no-such-fs',
        'options = ro',
        '',
      ].join('\n'),
    },
  });
  await ok(['add-tag', 'f30-build', '--arches', ARCH]);
  await ok(['add-user', 'bob', '--password-stdin'], { stdin: 'bob-pw-123\n' });
  await ok(['add-user', 'carol', '--password-stdin'], { stdin: 'carol-pw-123\n' });
}, 60_000);

afterAll(async () => {
  await stopHub(hub);
  if (outside) rmSync(outside, { recursive: true, force: true });
});

describe('runroot before the set-up', () => {
  it('refuses to queue a task for the runroot channel nobody created', async () => {
    const r = await hub.cli(['runroot', 'f30-build', ARCH, 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('GenericError: No such channel: runroot');
  });

  it('runs in another channel with --channel-override', async () => {
    const r = await hub.cli(['runroot', '--channel-override', 'default', '--use-shell', 'f30-build', ARCH, 'echo override works']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('override works\n');
    expect(r.code).toBe(0);
  }, 120_000);
});

describe('runroot after the seed set-up', () => {
  beforeAll(async () => {
    await ok(['add-host-to-channel', '--new', HOST, 'runroot']);
    await ok(['grant-permission', 'runroot', 'bob']);
  });

  it('prints the output of a shell command and exits 0', async () => {
    const r = await runroot(['--use-shell', 'f30-build', ARCH, 'echo hello; id -u; ls /builddir']);
    expect(r.err).toBe('');
    expect(r.out.split('\n').slice(0, 2)).toEqual(['hello', '0']);
    expect(r.out.split('\n')).toContain('build');
    expect(r.code).toBe(0);
    expect(await taskOutcome(r.task!)).toBe("'echo completed successfully'");
    const channel = await python(hub.hubUrl, `out(hub.getChannel(hub.getTaskInfo(${r.task})['channel_id'])['name'])`);
    expect(channel.json).toBe('runroot');
  }, 60_000);

  it('passes an argument list word for word', async () => {
    const r = await runroot(['f30-build', ARCH, 'printf', '<%s>', 'two  words', "it's", '$HOME', ';', 'x']);
    expect(r.out).toBe("<two  words><it's><$HOME><;><x>");
    expect(r.code).toBe(0);
    expect(await taskOutcome(r.task!)).toBe("'printf completed successfully'");
  }, 60_000);

  it('exits non-zero for a failing command and reports its exit status', async () => {
    const r = await runroot(['--use-shell', 'f30-build', ARCH, 'echo before failing; exit 7']);
    expect(r.out).toBe('before failing\n');
    expect(r.code).toBe(1);
    expect(await taskOutcome(r.task!)).toBe('echo exited with status 7');
  }, 60_000);

  it('follows the task with --watch instead of printing the log', async () => {
    const good = await hub.cli(['runroot', '--watch', '--use-shell', 'f30-build', ARCH, 'echo not printed'], { user: 'bob' });
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('Watching tasks (this may be safely interrupted)...');
    expect(good.stdout).toMatch(/runroot \(\w+\): open \([^)]*\) -> closed/);
    expect(good.stdout).not.toContain('not printed');
    const bad = await hub.cli(['runroot', '--watch', '--use-shell', 'f30-build', ARCH, 'exit 3'], { user: 'bob' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('FAILED: BuildrootError: exit exited with status 3');
  }, 60_000);

  it('refuses a user without the runroot permission', async () => {
    const r = await hub.cli(['runroot', 'f30-build', ARCH, 'true'], { user: 'carol' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ActionNotAllowed: runroot permission required (logged in as carol)');
  });

  it('checks the command and the options before making a task', async () => {
    const r = await python(hub.hubUrl, `
p = login('bob', 'bob-pw-123')
out([fault(lambda: p.runroot('f30-build', '${ARCH}', 5)),
     fault(lambda: p.runroot('f30-build', '${ARCH}', 'true', kw(bogus=1))),
     fault(lambda: p.runroot('f30-build', '${ARCH}', 'true', kw(mounts='/mnt/data/tmp'))),
     fault(lambda: p.runroot('no-such-tag', '${ARCH}', 'true')),
     fault(lambda: p.runroot('f30-build', 'x86/64', 'true'))])`);
    expect(r.json).toEqual([
      { faultCode: 1000, faultString: "Invalid type for value '5': <class 'int'>" },
      { faultCode: 1019, faultString: "runroot() got an unexpected keyword argument 'bogus'" },
      { faultCode: 1019, faultString: "Invalid value for mounts: '/mnt/data/tmp', expected a list of non-empty strings" },
      { faultCode: 1000, faultString: "No such tagInfo: 'no-such-tag'" },
      { faultCode: 1000, faultString: 'Architecture can be only [a-zA-Z0-9_-]' },
    ]);
  });

  it('chooses an arch for noarch that the tag and the channel have', async () => {
    const r = await runroot(['f30-build', 'noarch', 'uname', '-m']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${ARCH}\n`);
    const info = await python(hub.hubUrl, `out(hub.getTaskInfo(${r.task})['arch'])`);
    expect(info.json).toBe(ARCH);
  }, 60_000);

  it('refuses noarch when no host of the channel has an arch of the tag', async () => {
    await ok(['add-tag', 'exotic-build', '--arches', 's390x']);
    const r = await hub.cli(['runroot', 'exotic-build', 'noarch', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('GenericError: no common arches for tag/channel: exotic-build/runroot');
  });
});

describe('runroot mounts', () => {
  it('shows a [path0] default mount read-only', async () => {
    const r = await runroot(['--use-shell', 'f30-build', ARCH, 'cat /mnt/data/readme; echo x > /mnt/data/tmp/job/nope || echo refused']);
    expect(r.out).toContain('from the data share\n');
    expect(r.out).toContain('Read-only file system');
    expect(r.out).toContain('refused\n');
    expect(existsSync(join(srv, 'tmp/job/nope'))).toBe(false);
  }, 60_000);

  it('mounts other file systems inside the sandbox only', async () => {
    const r = await runroot(['--use-shell', 'f30-build', ARCH, 'grep " /mnt/scratch " /proc/mounts | cut -d" " -f1-3; echo ok > /mnt/scratch/f && cat /mnt/scratch/f']);
    expect(r.out).toBe('none /mnt/scratch tmpfs\nok\n');
    expect(r.code).toBe(0);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain('/mnt/scratch');
  }, 60_000);

  it('fails the task when a file system cannot be mounted', async () => {
    const r = await runroot(['--mount', '/mnt/broken', 'f30-build', ARCH, 'true']);
    expect(r.code).toBe(1);
    expect(await taskOutcome(r.task!)).toBe('Unable to mount /mnt/broken: mount exited with status 32');
  }, 60_000);

  it('makes a --mount under a safe root read-write', async () => {
    const r = await runroot(['--mount', '/mnt/data/tmp/job', '--use-shell', 'f30-build', ARCH, 'echo written > /mnt/data/tmp/job/out && echo done']);
    expect(r.out).toBe('done\n');
    expect(r.code).toBe(0);
    expect(readFileSync(join(srv, 'tmp/job/out'), 'utf8')).toBe('written\n');
  }, 60_000);

  it("refuses mounts outside safe roots, with .., or of missing sources with Koji's messages", async () => {
    const cases: Array<[string, string]> = [
      ['/mnt/data/tmpX', 'GenericError: read-write mount point is not safe: /mnt/data/tmpX'],
      ['/etc', 'GenericError: read-write mount point is not safe: /etc'],
      ['/mnt/data/tmp/../../../etc', 'GenericError: read-write mount point is not safe: /mnt/data/tmp/../../../etc'],
      ['/mnt/data/tmp/missing', `GenericError: No such directory or mount: ${srv}/tmp/missing`],
    ];
    for (const [mount, message] of cases) {
      const r = await runroot(['--mount', mount, 'f30-build', ARCH, 'true']);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      const outcome = await taskOutcome(r.task!);
      expect(`${mount}: ${outcome}`).toBe(`${mount}: ${message.replace(/^\w+: /, '')}`);
    }
  }, 120_000);
});

describe('runroot isolation', () => {
  it("cannot read the builder's files or write the host's /tmp", async () => {
    const secretDir = join(hub.dataDir, 'builder');
    mkdirSync(secretDir, { recursive: true });
    const secret = join(secretDir, 'work', 'kojibox-secret.txt');
    mkdirSync(join(secretDir, 'work'), { recursive: true });
    writeFileSync(secret, 'builder secret\n');
    const probe = `/tmp/kojibox-runroot-probe-${process.pid}`;
    const r = await runroot(['--use-shell', 'f30-build', ARCH, `cat ${secret}; echo escaped > ${probe}; cat ${probe}`]);
    expect(r.out).not.toContain('builder secret');
    expect(r.out).toContain('No such file or directory');
    expect(r.out).toContain('escaped\n');
    expect(existsSync(probe)).toBe(false);
  }, 60_000);

  it('uploads upload_logs from inside the buildroot only', async () => {
    const hostOnly = join(outside, 'host-only.log');
    writeFileSync(hostOnly, 'host file\n');
    const script = `
p = login('bob', 'bob-pw-123')
def run(cmd, logs):
    t = p.runroot('f30-build', '${ARCH}', cmd, kw(upload_logs=logs))
    while not hub.taskFinished(t):
        import time; time.sleep(0.2)
    files = hub.listTaskOutput(t)
    try:
        res = hub.getTaskResult(t)
    except x.Fault as f:
        res = f.faultString
    return [t, sorted(files), res]
good = run('echo inside > /tmp/my.log', ['/tmp/my.log'])
absolute = run('true', ['${hostOnly}'])
link = run('ln -s ${hostOnly} /tmp/link.log', ['/tmp/link.log'])
import base64
content = base64.b64decode(hub.downloadTaskOutput(good[0], 'my.log')).decode()
out({'good': good, 'absolute': absolute, 'link': link, 'content': content})
`;
    const r = await python(hub.hubUrl, script);
    const j = r.json as Record<string, [number, string[], string]> & { content: string };
    expect(j.good[1]).toContain('my.log');
    expect(j.content).toBe('inside\n');
    expect(j.absolute[2]).toBe(`upload_logs: no such file in the buildroot: ${hostOnly}`);
    expect(j.absolute[1]).not.toContain('host-only.log');
    expect(j.link[2]).toBe('upload_logs: no such file in the buildroot: /tmp/link.log');
    expect(j.link[1]).not.toContain('link.log');
  }, 120_000);
});

describe('runroot with packages from the repo', () => {
  it('installs a --package from the tag repo and the command uses it', async () => {
    if (!canBuildBase()) return; // the base package copies x86_64 library paths
    await setupRepoTag(hub, 'pkgs-build', ARCH, join(outside, 'fixture'));
    const r = await runroot(['--package', 'hello', 'pkgs-build', ARCH, 'hello']);
    expect(r.err).toBe('');
    expect(r.out).toBe('Hello from hello-1.0-1\n');
    expect(r.code).toBe(0);
    // without the package the command is not there
    const without = await runroot(['pkgs-build', ARCH, 'hello']);
    expect(without.code).toBe(1);
    expect(await taskOutcome(without.task!)).toBe('hello exited with status 127');
    // the buildroot's listing names what was installed
    const brs = await python(hub.hubUrl, `
brs = hub.listBuildroots(kw(taskID=${r.task}))
out(sorted(r['name'] for r in hub.getBuildrootListing(brs[0]['id'])) + [brs[0]['state']])`);
    expect(brs.json).toEqual(['hello', 'kojibox-test-base', 3]);
  }, 300_000);
});

describe('runroot leaves nothing behind', () => {
  it('stops a cancelled command and leaves no mount or process on the host', async () => {
    const started = await runroot(['--nowait', '--use-shell', 'f30-build', ARCH, 'sleep 300 & sleep 300']);
    expect(started.code).toBe(0);
    const task = started.task!;
    // wait until the command runs, then cancel the task
    let running = false;
    for (let i = 0; i < 150 && !running; i++) {
      running = processesMentioning(join(hub.dataDir, 'builder')).some((p) => p.includes('sleep 300'));
      if (!running) await Bun.sleep(200);
    }
    expect(running).toBe(true);
    await ok(['cancel', String(task)]);
    let left: string[] = [];
    for (let i = 0; i < 50; i++) {
      left = processesMentioning(join(hub.dataDir, 'builder'));
      if (!left.length) break;
      await Bun.sleep(200);
    }
    expect(left).toEqual([]);
    expect(hostMountsUnder(hub.dataDir)).toEqual([]);
    expect(hostMountsUnder(srv)).toEqual([]);
    // sleeps of the sandbox are gone too (they ran in its pid namespace)
    const sleeps = Bun.spawnSync(['pgrep', '-f', '^sleep 300$']).stdout.toString().trim();
    expect(sleeps).toBe('');
  }, 120_000);

  it('leaves no mount or process behind when the builder dies mid-command', async () => {
    const started = await runroot(['--nowait', '--mount', '/mnt/data/tmp/job', '--use-shell', 'f30-build', ARCH, 'sleep 301 & sleep 301']);
    expect(started.code).toBe(0);
    let running = false;
    for (let i = 0; i < 150 && !running; i++) {
      running = processesMentioning(join(hub.dataDir, 'builder')).some((p) => p.includes('sleep 301'));
      if (!running) await Bun.sleep(200);
    }
    expect(running).toBe(true);
    // the all-in-one builder runs in the hub's process: kill it outright
    await hub.stop('SIGKILL');
    let left: string[] = [];
    for (let i = 0; i < 50; i++) {
      left = processesMentioning(join(hub.dataDir, 'builder'));
      if (!left.length) break;
      await Bun.sleep(200);
    }
    expect(left).toEqual([]);
    expect(hostMountsUnder(hub.dataDir)).toEqual([]);
    expect(hostMountsUnder(srv)).toEqual([]);
    // the kernel kills the sandbox's pid namespace when its init dies; on a
    // busy machine that can trail the bwrap processes' exit by a moment
    let sleeps = '';
    for (let i = 0; i < 50; i++) {
      sleeps = Bun.spawnSync(['pgrep', '-f', '^sleep 301$']).stdout.toString().trim();
      if (!sleeps) break;
      await Bun.sleep(200);
    }
    expect(sleeps).toBe('');
  }, 120_000);
});

describe('runroot without the hub plugin', () => {
  it('tells the user the plugin is not installed on the hub', async () => {
    const plain = await startHub();
    try {
      const r = await plain.cli(['runroot', 'f30-build', ARCH, 'true']);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('* The runroot plugin appears to not be installed on the koji hub.  Please contact the administrator.\n');
      expect(r.stderr).toContain('GenericError: Invalid method: runroot');
    } finally {
      await stopHub(plain);
    }
  });
});
