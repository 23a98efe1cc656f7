/**
 * @module
 * Matching a client's regular expression against many names without
 * handing the client the hub's only thread. A hostile pattern such as
 * `(a+)+$` backtracks for about half a second per name in JavaScriptCore,
 * so an anonymous `search` over every RPM name could stall the hub for
 * minutes. The matching runs in a worker that is stopped after a time
 * limit. The worker's code is inline (a blob URL), so the compiled binary
 * needs no extra entry point.
 */

const WORKER_CODE = `
self.onmessage = (e) => {
  const { pattern, flags, names } = e.data;
  const re = new RegExp(pattern, flags);
  postMessage(names.map((n) => re.test(n)));
};`;

let workerUrl: string | null = null;

/** Workers at once (each is a thread); further searches wait their turn. */
const MAX_WORKERS = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

/** The pattern took longer than the limit. */
export class RegexTimeout extends Error {}

/**
 * Which of `names` match `pattern` (already checked to compile), decided
 * in a worker; rejects with RegexTimeout after `timeoutMs`.
 */
export async function matchNames(pattern: string, flags: string, names: string[], timeoutMs: number): Promise<boolean[]> {
  if (!names.length) return [];
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_CODE], { type: 'application/javascript' }));
  const release = await slot();
  const worker = new Worker(workerUrl);
  try {
    return await new Promise<boolean[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new RegexTimeout(`matching took longer than ${timeoutMs / 1000} s`)), timeoutMs);
      worker.onmessage = (e: MessageEvent<boolean[]>) => {
        clearTimeout(timer);
        resolve(e.data);
      };
      worker.onerror = (e) => {
        clearTimeout(timer);
        reject(new Error(e.message));
      };
      worker.postMessage({ pattern, flags, names });
    });
  } finally {
    worker.terminate();
    release();
  }
}
