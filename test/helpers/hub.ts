/**
 * @module
 * Test harness: starts the real dist/kojibox binary as a hub in a temporary
 * data dir and config root, and runs the kojibox CLI and Python's
 * xmlrpc.client against it.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type Subprocess } from 'bun';

export const ROOT = resolve(import.meta.dir, '../..');
export const BIN = process.env.KOJIBOX_BIN ?? join(ROOT, 'dist/kojibox');
export const ADMIN_PASSWORD = 'admin-test-password';

export interface HubOptions {
  /** Files to write under the config root, e.g. {'koji-hub/hub.conf': '...'}. */
  config?: Record<string, string>;
  allInOne?: boolean;
  args?: string[];
  env?: Record<string, string>;
  amqp?: string;
}

export interface TestHub {
  url: string;
  hubUrl: string;
  dataDir: string;
  configRoot: string;
  dir: string;
  proc: Subprocess;
  log(): string;
  /** Run the kojibox client; logs in as admin unless user/password given. */
  cli(args: string[], opts?: { user?: string; password?: string; stdin?: string; env?: Record<string, string> }): Promise<CliResult>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

export async function startHub(opts: HubOptions = {}): Promise<TestHub> {
  const dir = mkdtempSync(join(tmpdir(), 'kojibox-test-'));
  const dataDir = join(dir, 'data');
  const configRoot = join(dir, 'etc');
  mkdirSync(join(configRoot, 'koji-hub/plugins'), { recursive: true });
  mkdirSync(join(configRoot, 'kojid/plugins'), { recursive: true });
  for (const [rel, text] of Object.entries(opts.config ?? {})) {
    mkdirSync(dirname(join(configRoot, rel)), { recursive: true });
    writeFileSync(join(configRoot, rel), text);
  }
  let output = '';
  let proc!: Subprocess<'ignore', 'pipe', 'pipe'>;
  let url = '';
  const port = await freePort();

  const launch = async () => {
    const amqp = opts.amqp ?? 'off';
    const args = [BIN, 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--config-root', configRoot, '--amqp-listen', amqp];
    if (opts.allInOne) args.push('--all-in-one', '--host-name', 'aio-builder');
    args.push(...(opts.args ?? []));
    proc = Bun.spawn(args, {
      stdout: 'pipe',
      stderr: 'pipe',
      stdin: 'ignore',
      env: { ...process.env, KOJIBOX_ADMIN_PASSWORD: ADMIN_PASSWORD, ...opts.env },
    });
    const ready = new Promise<void>((resolveReady, reject) => {
      const pump = async (stream: ReadableStream<Uint8Array>) => {
        const dec = new TextDecoder();
        for await (const chunk of stream) {
          output += dec.decode(chunk);
          const m = /kojibox hub ready at (\S+)\/kojihub/.exec(output);
          if (m) {
            url = m[1]!;
            resolveReady();
          }
        }
      };
      void pump(proc.stdout);
      void pump(proc.stderr);
      void proc.exited.then((code) => reject(new Error(`hub exited with ${code} before ready:\n${output}`)));
      setTimeout(() => reject(new Error(`hub not ready after 30s:\n${output}`)), 30000);
    });
    await ready;
  };
  await launch();

  const hub: TestHub = {
    get url() {
      return url;
    },
    get hubUrl() {
      return `${url}/kojihub`;
    },
    dataDir,
    configRoot,
    dir,
    get proc() {
      return proc;
    },
    log: () => output,
    async cli(args, o = {}) {
      const user = o.user ?? 'admin';
      const password = o.password ?? (user === 'admin' ? ADMIN_PASSWORD : `${user}-pw-123`);
      const p = Bun.spawn([BIN, '--server', `${url}/kojihub`, '--weburl', `${url}/koji`, '--topurl', `${url}/kojifiles`, '--user', user, '--password', password, '--config-root', configRoot, ...args], {
        stdout: 'pipe',
        stderr: 'pipe',
        stdin: o.stdin !== undefined ? new TextEncoder().encode(o.stdin) : 'ignore',
        env: { ...process.env, HOME: dir, ...o.env },
      });
      const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      return { code, stdout, stderr };
    },
    async stop(signal = 'SIGTERM') {
      proc.kill(signal);
      await proc.exited;
    },
    async restart() {
      output = '';
      await launch();
    },
  };
  return hub;
}

export async function stopHub(hub: TestHub | undefined, keep = false): Promise<void> {
  if (!hub) return;
  if (hub.proc.exitCode === null) await hub.stop();
  if (!keep && !process.env.KOJIBOX_KEEP_TEST_DIRS) rmSync(hub.dir, { recursive: true, force: true });
}

/**
 * Run Python code with a koji-dialect xmlrpc.client ServerProxy bound as
 * `hub` (anonymous) and a helper `login(user, pw)` that returns a proxy
 * sending Koji-Session-* headers. The script prints JSON on stdout.
 */
export async function python(hubUrl: string, code: string): Promise<{ code: number; stdout: string; stderr: string; json: unknown }> {
  const prelude = `
import json, sys, xmlrpc.client as x
URL = ${JSON.stringify(hubUrl)}
class SessionTransport(x.Transport):
    def __init__(self):
        super().__init__()
        self.sid = None; self.key = None; self.callnum = 0
    def send_headers(self, conn, headers):
        super().send_headers(conn, headers)
        if self.sid is not None:
            self.callnum += 1
            conn.putheader('Koji-Session-Id', str(self.sid))
            conn.putheader('Koji-Session-Key', self.key)
            conn.putheader('Koji-Session-Callnum', str(self.callnum))
hub = x.ServerProxy(URL, allow_none=True, use_builtin_types=True)
def login(user, pw):
    t = SessionTransport()
    p = x.ServerProxy(URL, allow_none=True, transport=t, use_builtin_types=True)
    r = p.login(user, pw, None)
    t.sid = r['session-id']; t.key = r['session-key']; t.callnum = 0
    return p
def kw(**k):
    k['__starstar'] = True
    return k
def fault(fn):
    try:
        return {'ok': fn()}
    except x.Fault as f:
        return {'faultCode': f.faultCode, 'faultString': f.faultString}
def out(v):
    print(json.dumps(v, default=str))
`;
  const p = Bun.spawn(['/usr/bin/python3', '-c', prelude + '\n' + code], { stdout: 'pipe', stderr: 'pipe' });
  const [stdout, stderr, exit] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  let json: unknown = null;
  const last = stdout.trim().split('\n').pop();
  try {
    json = last ? JSON.parse(last) : null;
  } catch {
    json = null;
  }
  return { code: exit, stdout, stderr, json };
}
