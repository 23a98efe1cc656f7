/**
 * @module
 * Shared benchmark helpers: a closed-loop load generator and ratio output.
 * Benchmarks print measurements against a ceiling measured in the same run;
 * they never fail a build.
 */

/** Run `fn` from `concurrency` loops for `ms` milliseconds; returns calls per second. */
export async function rate(fn: () => Promise<unknown>, ms: number, concurrency = 8): Promise<number> {
  let count = 0;
  const deadline = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await fn();
        count++;
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One result line: what, the measured value, the ceiling, their ratio and the target. */
export function report(name: string, value: number, ceiling: number, unit: string, target: string): void {
  const ratio = value / ceiling;
  console.log(`${name}: ${value.toFixed(1)} ${unit} vs ceiling ${ceiling.toFixed(1)} ${unit} -> ratio ${ratio.toFixed(3)} (target ${target})`);
}

export function xmlCall(method: string, paramsXml = ''): string {
  return `<?xml version='1.0'?>\n<methodCall>\n<methodName>${method}</methodName>\n<params>\n${paramsXml}</params>\n</methodCall>\n`;
}
