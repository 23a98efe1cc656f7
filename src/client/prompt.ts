/**
 * @module
 * Reading a secret: the next line of standard input (piped), or a prompt
 * without echo on a terminal.
 */

let buffered: string[] | null = null;

async function stdinLines(): Promise<string[]> {
  if (buffered === null) {
    const text = await Bun.stdin.text();
    buffered = text.split(/\r?\n/);
  }
  return buffered;
}

export async function readSecret(prompt: string): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write(prompt);
    const { execSync } = await import('node:child_process');
    try {
      execSync('stty -echo', { stdio: 'inherit' });
      const line = await new Promise<string>((resolve) => {
        process.stdin.once('data', (d) => resolve(String(d).replace(/\r?\n$/, '')));
      });
      return line;
    } finally {
      execSync('stty echo', { stdio: 'inherit' });
      process.stderr.write('\n');
      process.stdin.pause();
    }
  }
  const lines = await stdinLines();
  const line = lines.shift();
  if (line === undefined || line === '') throw new Error('no password on standard input');
  return line;
}
