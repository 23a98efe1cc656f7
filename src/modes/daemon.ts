/**
 * @module
 * Long-running modes (serve, builder) mark themselves so the entry point
 * does not exit when their command's action returns.
 */
let daemon = false;

export function markDaemon(): void {
  daemon = true;
}

export function isDaemon(): boolean {
  return daemon;
}
