/**
 * @module
 * Test helpers for tasks: extra `kojibox builder` processes (each with
 * its own kojid.conf), a logged-in client session for the test process,
 * and waiting for a task to reach a state.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { ClientSession } from '../../src/client/session.ts';
import { ADMIN_PASSWORD, BIN, type TestHub } from './hub.ts';

export interface TestBuilder {
  name: string;
  proc: Subprocess;
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Register a build host (add-host, a password, channels) unless it exists.
 * `channels` replaces its channel list; the default channel is left only if listed.
 */
export async function addBuilderHost(hub: TestHub, name: string, channels: string[], password = `${name}-pw-123`): Promise<void> {
  const run = async (args: string[], stdin?: string) => {
    const r = await hub.cli(args, stdin !== undefined ? { stdin } : {});
    if (r.code !== 0) throw new Error(`kojibox ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    return r;
  };
  await run(['add-host', name, 'x86_64']);
  await run(['edit-user', name, '--password-stdin'], `${password}\n`);
  for (const ch of channels) if (ch !== 'default') await run(['add-host-to-channel', '--new', name, ch]);
  if (!channels.includes('default')) await run(['remove-host-from-channel', name, 'default']);
}

/** Start `kojibox builder` as host `name` and wait until it says it is ready. */
export async function startBuilder(hub: TestHub, name: string, opts: { password?: string; conf?: string } = {}): Promise<TestBuilder> {
  const root = join(hub.dir, `builder-${name}`);
  mkdirSync(join(root, 'etc/kojid'), { recursive: true });
  writeFileSync(
    join(root, 'etc/kojid/kojid.conf'),
    `[kojid]\nserver = ${hub.hubUrl}\nuser = ${name}\npassword = ${opts.password ?? `${name}-pw-123`}\nworkdir = ${join(root, 'work')}\nmaxjobs = 5\n${opts.conf ?? ''}`,
  );
  let output = '';
  const proc = Bun.spawn([BIN, 'builder', '--config-root', join(root, 'etc')], { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      const dec = new TextDecoder();
      for await (const chunk of stream) {
        output += dec.decode(chunk);
        if (output.includes('kojibox builder ready')) resolve();
      }
    };
    void pump(proc.stdout);
    void pump(proc.stderr);
    void proc.exited.then((code) => reject(new Error(`builder ${name} exited with ${code}:\n${output}`)));
    setTimeout(() => reject(new Error(`builder ${name} not ready after 20s:\n${output}`)), 20000);
  });
  return {
    name,
    proc,
    log: () => output,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await proc.exited;
    },
  };
}

/** A session for the test itself, logged in as admin (or the given user). */
export async function adminSession(hub: TestHub, user = 'admin', password = user === 'admin' ? ADMIN_PASSWORD : `${user}-pw-123`): Promise<ClientSession> {
  const s = new ClientSession(hub.hubUrl);
  await s.login(user, password);
  return s;
}

export interface TaskInfo {
  id: number;
  state: number;
  host_id: number | null;
  parent: number | null;
  method: string;
  waiting: boolean | null;
}

/** Poll until the task is in one of the states (by name); returns its info. */
export async function waitForState(s: ClientSession, id: number, states: string[], timeoutMs = 20000): Promise<TaskInfo> {
  const names = ['FREE', 'OPEN', 'CLOSED', 'CANCELED', 'ASSIGNED', 'FAILED'];
  const deadline = Date.now() + timeoutMs;
  let info: TaskInfo | null = null;
  while (Date.now() < deadline) {
    info = await s.call<TaskInfo>('getTaskInfo', id);
    if (states.includes(names[info.state]!)) return info;
    await Bun.sleep(50);
  }
  throw new Error(`task ${id} did not reach ${states.join('/')} in ${timeoutMs} ms (state ${info ? names[info.state] : '?'})`);
}
