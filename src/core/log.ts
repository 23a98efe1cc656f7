/**
 * @module
 * Server-side logging. Servers log (to stderr, for journald); only the
 * client layer prints to the terminal. KOJIBOX_LOG=debug shows debug lines.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  child(name: string): Logger;
}

export function createLogger(name: string, sink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const threshold = ORDER[(process.env.KOJIBOX_LOG as Level) ?? 'info'] ?? ORDER.info;
  const emit = (level: Level, msg: string) => {
    if (ORDER[level] < threshold) return;
    sink(`${new Date().toISOString()} ${level.toUpperCase()} [${name}] ${msg}`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    child: (sub) => createLogger(`${name}.${sub}`, sink),
  };
}
