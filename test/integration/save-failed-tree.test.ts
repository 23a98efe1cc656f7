/**
 * save-failed-tree against the real binary (hub and builder all in one):
 * a package whose %build fails, then the tarball of its buildroot — what
 * it holds, what it never holds, who may ask for it, koji's refusals, the
 * separate volume it lands on, and the hub's garbage collector.
 */
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';

setDefaultTimeout(120_000);

const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
const HOST_SECRET = 'host-file-content-7d41a9';
const KRB5 = 'kerberos-cache-content-52c1';
const KEYTAB = 'keytab-content-9be0';

let hub: TestHub;
let outside: string;
let volumeDir: string;
let hostSecret: string;
let srpm: string;
/** bob's failed build: its buildArch task, that task's buildroot, the srpm rebuild task. */
let buildArchTask: number;
let buildroot: number;
let rebuildTask: number;

interface Entry {
  name: string;
  type: string;
  linkname: string | null;
  body: Buffer;
}

async function ok(args: string[], opts: { user?: string } = {}): Promise<string> {
  const r = await hub.cli(args, opts);
  if (r.code !== 0) throw new Error(`kojibox ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function py(code: string): Promise<unknown> {
  const r = await python(hub.hubUrl, code);
  if (r.code !== 0) throw new Error(`python failed:\n${r.stderr}\n${r.stdout}`);
  return r.json;
}

/** Download a tarball and read it: its entries and its uncompressed bytes. */
async function download(url: string): Promise<{ entries: Entry[]; plain: Buffer }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const plain = Buffer.from(Bun.gunzipSync(new Uint8Array(await res.arrayBuffer())));
  const extract = tar.extract();
  const entries: Entry[] = [];
  const reading = (async () => {
    for await (const e of extract) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      entries.push({ name: e.header.name, type: e.header.type, linkname: e.header.linkname ?? null, body: Buffer.concat(parts) });
    }
  })();
  Readable.from([plain]).pipe(extract as unknown as NodeJS.WritableStream);
  await reading;
  return { entries, plain };
}

/** The buildroot's tree on the builder (all-in-one: under the data dir). */
const treeOf = (id: number) => join(hub.dataDir, 'builder', 'roots', String(id), 'root');

function tarballPath(task: number, br: number): string {
  return join(volumeDir, 'work', 'tasks', String(task % 10000), String(task), `broot-${br}.tar.gz`);
}

/** `Created task T for buildroot B` and `Tarball: URL` from the command's output. */
function parseOutput(stdout: string): { task: number; br: number; url: string } {
  const created = /^Created task (\d+) for buildroot (\d+)$/m.exec(stdout);
  const tarball = /^Tarball: (\S+)$/m.exec(stdout);
  if (!created || !tarball) throw new Error(`unexpected output:\n${stdout}`);
  return { task: Number(created[1]), br: Number(created[2]), url: tarball[1]! };
}

/** A source package with a real Source0 whose %build fails after %prep unpacked it. */
function makeSrpm(dir: string): string {
  const top = join(dir, 'rpmbuild');
  const src = join(dir, 'src', 'sft-fail-1.0');
  mkdirSync(join(src, 'private'), { recursive: true });
  writeFileSync(join(src, 'main.c'), 'int main(void) { return 0; }\n');
  writeFileSync(join(src, 'private', 'token.txt'), 'filtered by the builder config\n');
  mkdirSync(join(top, 'SOURCES'), { recursive: true });
  const t = Bun.spawnSync(['tar', '-czf', join(top, 'SOURCES', 'sft-fail-1.0.tar.gz'), '-C', join(dir, 'src'), 'sft-fail-1.0']);
  if (t.exitCode !== 0) throw new Error('tar failed');
  const spec = join(dir, 'sft-fail.spec');
  writeFileSync(spec, [
    'Name: sft-fail', 'Version: 1.0', 'Release: 1', 'Summary: Fails in %%build', 'License: MIT', 'BuildArch: noarch',
    'Source0: sft-fail-1.0.tar.gz', '', '%description', 'Fails after unpacking its sources.', '', '%prep', '%setup -q', '',
    '%build', 'echo "sft-fail: failing on purpose"', 'exit 1', '', '%install', '', '%files', '', '%changelog',
    '* Mon Jan 01 2024 kojibox tests <tests@example.invalid> - 1.0-1', '- fail', '',
  ].join('\n'));
  const r = Bun.spawnSync(['rpmbuild', '--define', `_topdir ${top}`, '-bs', spec], { stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return join(top, 'SRPMS', 'sft-fail-1.0-1.src.rpm');
}

const HUB_PLUGIN_CONF = '[permissions]\nallowed_methods = buildArch\n';
const KOJID_PLUGIN_CONF = '[global]\nvolume = trees\n\n[filters]\npaths = */build/BUILD/*/private\n';

beforeAll(async () => {
  outside = mkdtempSync(join(tmpdir(), 'kojibox-sft-'));
  volumeDir = join(outside, 'trees-volume');
  hostSecret = join(outside, 'host-secret.txt');
  writeFileSync(hostSecret, HOST_SECRET);
  srpm = makeSrpm(outside);
  // The builder plugin reads its config from the config root the builder was
  // given; until tasks are told it, the environment names the same files.
  const envRoot = join(outside, 'etc');
  mkdirSync(join(envRoot, 'kojid', 'plugins'), { recursive: true });
  writeFileSync(join(envRoot, 'kojid', 'plugins', 'save_failed_tree.conf'), KOJID_PLUGIN_CONF);
  hub = await startHub({
    allInOne: true,
    env: { KOJIBOX_CONFIG_ROOT: envRoot },
    config: {
      'koji-hub/hub.conf': `[hub]\nPlugins = save_failed_tree\n\n[volumes]\ntrees = ${volumeDir}\n\n[policy]\nbuild_from_srpm = all :: allow\n`,
      'koji-hub/plugins/save_failed_tree.conf': HUB_PLUGIN_CONF,
      'kojid/kojid.conf': '[kojid]\nplugin = save_failed_tree\n',
      'kojid/plugins/save_failed_tree.conf': KOJID_PLUGIN_CONF,
    },
  });
  for (const u of ['bob', 'carol']) {
    expect((await hub.cli(['add-user', u, '--password-stdin'], { stdin: `${u}-pw-123\n` })).code).toBe(0);
  }
  await ok(['add-tag', 'sft-build', '--arches', ARCH]);
  await ok(['add-tag', 'sft-dest']);
  await ok(['add-target', 'sft-target', 'sft-build', 'sft-dest']);
  await ok(['add-group', 'sft-build', 'build']);
  await ok(['add-pkg', '--owner', 'bob', 'sft-dest', 'sft-fail']);
  await ok(['regen-repo', 'sft-build', '--wait']);

  const build = await hub.cli(['build', '--wait', 'sft-target', srpm], { user: 'bob' });
  expect(build.code).toBe(1);
  const buildTask = Number(/Created task: (\d+)/.exec(build.stdout)?.[1]);
  const children = (await py(`out(hub.getTaskChildren(${buildTask}))`)) as Array<{ id: number; method: string; state: number }>;
  const arch = children.find((c) => c.method === 'buildArch');
  if (!arch) throw new Error(`no buildArch task:\n${build.stdout}\n${build.stderr}`);
  expect(arch.state).toBe(5);
  buildArchTask = arch.id;
  rebuildTask = children.find((c) => c.method === 'rebuildSRPM')!.id;
  const brs = (await py(`out([b['id'] for b in hub.listBuildroots(kw(taskID=${buildArchTask}))])`)) as number[];
  buildroot = Math.max(...brs);

  // what a build could leave behind: credentials and a link to a host file
  const root = treeOf(buildroot);
  writeFileSync(join(root, 'tmp', 'krb5cc_0'), KRB5);
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc', 'host.keytab'), KEYTAB);
  symlinkSync(hostSecret, join(root, 'builddir', 'host-link'));
});

afterAll(async () => {
  await stopHub(hub);
  if (outside) rmSync(outside, { recursive: true, force: true });
});

let builddirTarball: { task: number; url: string };
let fullTarball: { task: number; url: string };

describe('save-failed-tree of a failed build', () => {
  it('saves /builddir of the buildArch task\'s buildroot and prints where to get it', async () => {
    const r = await hub.cli(['save-failed-tree', String(buildArchTask)], { user: 'bob' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = parseOutput(r.stdout);
    expect(out.br).toBe(buildroot);
    expect(r.stdout).toContain(`Task info: ${hub.url}/koji/taskinfo?taskID=${out.task}\n`);
    expect(r.stdout).toContain(`${out.task} saveFailedTree (noarch) completed successfully`);
    expect(out.url).toBe(`${hub.url}/kojifiles/vol/trees/work/tasks/${out.task % 10000}/${out.task}/broot-${buildroot}.tar.gz`);
    builddirTarball = { task: out.task, url: out.url };

    // the task ran on the host holding the tree, and its output is on the trees volume
    const info = (await py(`t = hub.getTaskInfo(${out.task}, kw(request=True)); out([t['method'], t['host_id'] == hub.getBuildroot(${buildroot})['host_id'], t['request'], hub.listTaskOutput(${out.task}, kw(all_volumes=True))])`)) as unknown[];
    expect(info.slice(0, 3)).toEqual(['saveFailedTree', true, [buildroot, false]]);
    expect((info[3] as Record<string, string[]>)[`broot-${buildroot}.tar.gz`]).toEqual(['trees']);
    expect(existsSync(tarballPath(out.task, buildroot))).toBe(true);
    // the task page links it
    const page = await (await fetch(`${hub.url}/koji/taskinfo?taskID=${out.task}`)).text();
    expect(page).toContain(`href="${out.url.slice(hub.url.length)}"`);

    const { entries, plain } = await download(out.url);
    const names = entries.map((e) => e.name);
    const top = `broot-${buildroot}/builddir`;
    expect(names).toContain(`${top}/build/SOURCES/sft-fail-1.0.tar.gz`);
    expect(names).toContain(`${top}/build/SPECS/sft-fail.spec`);
    expect(entries.find((e) => e.name === `${top}/build/BUILD/sft-fail-1.0/main.c`)?.body.toString()).toBe('int main(void) { return 0; }\n');
    // builddir only
    expect(names.every((n) => n === `broot-${buildroot}/` || n.startsWith(`${top}/`) || n === `${top}/`)).toBe(true);
    // the configured filter
    expect(names.some((n) => n.includes('/private'))).toBe(false);
    // the link is a link; the host file's content is nowhere
    expect(entries.find((e) => e.name === `${top}/host-link`)).toMatchObject({ type: 'symlink', linkname: hostSecret });
    expect(plain.includes(HOST_SECRET)).toBe(false);
  });

  it('saves the whole tree with --full, for an admin, without credentials', async () => {
    const r = await hub.cli(['save-failed-tree', '--full', '--buildroot', String(buildroot)]);
    expect(r.code).toBe(0);
    const out = parseOutput(r.stdout);
    fullTarball = { task: out.task, url: out.url };
    const { entries, plain } = await download(out.url);
    const names = entries.map((e) => e.name);
    const top = `broot-${buildroot}`;
    expect(names).toEqual(expect.arrayContaining([`${top}/etc/passwd`, `${top}/tmp/`, `${top}/usr/`, `${top}/builddir/build/SPECS/sft-fail.spec`]));
    expect(names).not.toContain(`${top}/tmp/krb5cc_0`);
    expect(names).not.toContain(`${top}/etc/host.keytab`);
    expect(names.some((n) => n.includes('/private'))).toBe(false);
    expect(entries.find((e) => e.name === `${top}/builddir/host-link`)?.type).toBe('symlink');
    for (const secret of [KRB5, KEYTAB, HOST_SECRET]) expect(plain.includes(secret)).toBe(false);
  });

  it('returns at once with --nowait and prints nothing with --quiet', async () => {
    const r = await hub.cli(['save-failed-tree', '--nowait', String(buildArchTask)], { user: 'bob' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Created task \d+ for buildroot \d+\nTask info: \S+\n$/);
    const q = await hub.cli(['save-failed-tree', '--quiet', String(buildArchTask)], { user: 'bob' });
    expect(q).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('warns when the tree is bigger than the warning size, from the option or the profile', async () => {
    const r = await hub.cli(['save-failed-tree', '--warn-size', '1K', String(buildArchTask)], { user: 'bob' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^Warning: buildroot ${buildroot} held .* of files \\(tarball .*\\), more than 1\\.0 KiB`));
    writeFileSync(join(hub.configRoot, 'koji.conf'), '[koji]\nsave_failed_tree_warn_size = 2K\n');
    try {
      const p = await hub.cli(['save-failed-tree', '--quiet', String(buildArchTask)], { user: 'bob' });
      expect(p.stdout).toBe('');
      expect(p.stderr).toContain('more than 2.0 KiB');
    } finally {
      rmSync(join(hub.configRoot, 'koji.conf'));
    }
  });

  it('fails the task with koji\'s message when the tree is gone from the builder', async () => {
    const tree = treeOf(buildroot);
    const away = `${tree}.away`;
    Bun.spawnSync(['mv', tree, away]);
    try {
      const r = await hub.cli(['save-failed-tree', String(buildArchTask)], { user: 'bob' });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`FAILED: GenericError: Buildroot directory is missing: ${tree}/builddir`);
    } finally {
      Bun.spawnSync(['mv', away, tree]);
    }
  });
});

describe('who may save a tree, and which', () => {
  it('refuses a user who does not own the failed task', async () => {
    const r = await hub.cli(['save-failed-tree', String(buildArchTask)], { user: 'carol' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("kojibox: ActionNotAllowed: Only owner of failed task or 'admin' can run this task.\n");
    const f = await py(`c = login('carol', 'carol-pw-123'); out([fault(lambda: c.saveFailedTree(${buildroot})), fault(lambda: hub.saveFailedTree(${buildroot}))])`);
    const refusal = { faultCode: 1004, faultString: "Only owner of failed task or 'admin' can run this task." };
    expect(f).toEqual([refusal, refusal]);
  });

  it('refuses a buildroot whose task did not fail', async () => {
    const r = await hub.cli(['save-failed-tree', String(rebuildTask)], { user: 'bob' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`kojibox: PreBuildError: Task ${rebuildTask} has not failed. Only failed tasks can upload their buildroots.\n`);
    const brs = (await py(`out([b['id'] for b in hub.listBuildroots(kw(taskID=${rebuildTask}))])`)) as number[];
    const f = await py(`b = login('bob', 'bob-pw-123'); out([fault(lambda: b.saveFailedTree(${Math.max(...brs)}, True)), fault(lambda: b.saveFailedTree(99999)), fault(lambda: b.saveFailedTree('x'))])`);
    expect(f).toEqual([
      { faultCode: 1010, faultString: `Task ${rebuildTask} has not failed. Only failed tasks can upload their buildroots.` },
      { faultCode: 1000, faultString: 'No such buildroot: 99999' },
      { faultCode: 1019, faultString: "Invalid type for value 'x': <class 'str'>, expected type <class 'int'>" },
    ]);
  });

  it('refuses while the host is disabled', async () => {
    await ok(['disable-host', 'aio-builder']);
    try {
      const r = await hub.cli(['save-failed-tree', String(buildArchTask)], { user: 'bob' });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('kojibox: PreBuildError: Host is disabled.\n');
    } finally {
      await ok(['enable-host', 'aio-builder']);
    }
  });

  it('says so for a task without buildroots', async () => {
    const r = await hub.cli(['save-failed-tree', '999999'], { user: 'bob' });
    expect(r).toMatchObject({ code: 1, stdout: 'No buildroots for task 999999\n' });
  });
});

describe('after a restart with other settings', () => {
  it('refuses a method not in allowed_methods, and the collector enforces max_age and the size cap', async () => {
    // a third full tarball, newest of all
    const third = parseOutput((await ok(['save-failed-tree', '--full', String(buildArchTask)])));
    const files = [builddirTarball.task, fullTarball.task, third.task].map((t) => tarballPath(t, buildroot));
    const now = Date.now() / 1000;
    // the first is past max_age; the second is the oldest of the rest
    utimesSync(files[0]!, now - 7200, now - 7200);
    utimesSync(files[1]!, now - 3000, now - 3000);
    // the cap holds everything but those two, so exactly the second goes for it
    const all = [...new Bun.Glob('work/tasks/*/*/broot-*.tar.gz').scanSync(volumeDir)].map((f) => join(volumeDir, f));
    expect(all.length).toBeGreaterThan(3);
    const size = (f: string) => statSync(f).size;
    const cap = all.reduce((sum, f) => sum + size(f), 0) - size(files[0]!) - size(files[1]!);
    writeFileSync(join(hub.configRoot, 'koji-hub/plugins/save_failed_tree.conf'),
      `[permissions]\nallowed_methods = rebuildSRPM, newRepo\n\n[gc]\nmax_age = 1 hour\nmax_total_size = ${cap}\ninterval = 1s\n`);
    await hub.stop();
    await hub.restart();

    const r = await hub.cli(['save-failed-tree', String(buildArchTask)], { user: 'bob' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`kojibox: PreBuildError: Only rebuildSRPM, newRepo tasks can upload their buildroots (Task ${buildArchTask} is buildArch).\n`);

    const deadline = Date.now() + 15_000;
    while (existsSync(files[1]!) && Date.now() < deadline) await Bun.sleep(200);
    expect(files.map((f) => existsSync(f))).toEqual([false, false, true]);
    const left = all.filter((f) => existsSync(f));
    expect(left.length).toBe(all.length - 2);
    expect(left.reduce((sum, f) => sum + size(f), 0)).toBeLessThanOrEqual(cap);
    const log = hub.log();
    expect(log).toMatch(new RegExp(`gc: deleted ${files[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(task ${builddirTarball.task}, volume trees, .*\\): max_age`));
    expect(log).toMatch(new RegExp(`gc: deleted .*broot-${buildroot}\\.tar\\.gz \\(task ${fullTarball.task}, volume trees, .*\\): max_total_size`));
    const listed = await py(`out(hub.listTaskOutput(${builddirTarball.task}, kw(all_volumes=True)))`);
    expect(listed).not.toHaveProperty(`broot-${buildroot}.tar.gz`);
    expect((await fetch(builddirTarball.url)).status).toBe(404);
    // the newest one still downloads
    expect((await fetch(third.url)).status).toBe(200);
    // the task page says what the collector removed, and why
    const page = await (await fetch(`${hub.url}/koji/taskinfo?taskID=${builddirTarball.task}`)).text();
    expect(page).toContain('<th>Notes</th>');
    expect(page).toMatch(new RegExp(`broot-${buildroot}\\.tar\\.gz \\([^)]*\\) was deleted by the garbage collector on [^<]*: it was older than max_age`));
  });
});
