/**
 * Issue 2 benchmark: getTag calls/s over XML-RPC on the real hub, against a
 * bare Hono XML-RPC echo (the ceiling), and a multiCall of 1,000 getTag.
 * Target: at least 50% of the echo's rate.
 */
import { encodeMethodCall, parseMethodResponse } from '../../src/core/xmlrpc.ts';
import { startHub, stopHub, ROOT } from '../helpers/hub.ts';
import { rate, report, xmlCall } from './lib.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3) * 1000;

async function startEcho(): Promise<{ url: string; stop(): void }> {
  const proc = Bun.spawn([process.execPath, `${ROOT}/test/bench/echo-server.ts`], { stdout: 'pipe', stderr: 'inherit' });
  const reader = proc.stdout.getReader();
  let out = '';
  while (!out.includes('ready at')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('echo server died');
    out += new TextDecoder().decode(value);
  }
  return { url: /ready at (\S+)/.exec(out)![1]!, stop: () => proc.kill() };
}

const hub = await startHub();
const echo = await startEcho();
try {
  const made = await hub.cli(['add-tag', 'bench-tag', '--arches', 'x86_64']);
  if (made.code !== 0) throw new Error(`add-tag failed: ${made.stderr}`);
  const body = xmlCall('getTag', '<param>\n<value><string>bench-tag</string></value>\n</param>\n');
  const check = parseMethodResponse(await (await fetch(hub.hubUrl, { method: 'POST', body })).text()) as { name: string };
  if (check.name !== 'bench-tag') throw new Error('getTag did not answer as expected');
  const call = (url: string) => async () => {
    const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'text/xml' } });
    await res.text();
  };
  await rate(call(echo.url), 500);
  await rate(call(hub.hubUrl), 500);
  const echoRate = await rate(call(echo.url), SECONDS);
  const hubRate = await rate(call(hub.hubUrl), SECONDS);
  report('getTag over XML-RPC', hubRate, echoRate, 'calls/s', '>= 0.5');

  const multi = encodeMethodCall('multiCall', [Array.from({ length: 1000 }, () => ({ methodName: 'getTag', params: ['bench-tag'] }))]);
  const t0 = performance.now();
  const res = parseMethodResponse(await (await fetch(hub.hubUrl, { method: 'POST', body: multi })).text()) as unknown[];
  const ms = performance.now() - t0;
  if (res.length !== 1000) throw new Error('multiCall lost entries');
  const perCall = (1000 / ms) * 1000;
  report('multiCall of 1,000 getTag', perCall, echoRate, 'calls/s', 'informational: entries/s vs single echo calls/s');
  console.log(`multiCall of 1,000 getTag took ${ms.toFixed(1)} ms`);
} finally {
  echo.stop();
  await stopHub(hub);
}
