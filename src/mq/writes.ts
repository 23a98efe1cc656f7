/**
 * @module
 * One socket write per burst of AMQP frames instead of one per frame.
 * rhea hands every frame it encodes straight to socket.write, so a tick
 * that moves a hundred messages makes a hundred system calls; the socket
 * write was the largest single cost per message in the broker. Corking the
 * socket for the rest of the tick (the usual Node idiom) lets the frames
 * leave together, in the same order, as soon as the tick's work is done.
 */
import type { Connection } from 'rhea';

/** What rhea keeps on a Connection without declaring it in its typings. */
interface ConnectionInternals {
  socket?: { cork(): void; uncork(): void; destroyed?: boolean };
  output(): void;
}

const PATCHED = Symbol('kojibox.mq.coalescedWrites');

/**
 * Makes `connection` coalesce the frames it writes within one tick. Safe to
 * call before the socket exists and more than once; ending the socket
 * uncorks it, so a close is never held back.
 */
export function coalesceWrites(connection: Connection): void {
  const c = connection as unknown as ConnectionInternals & { [PATCHED]?: true };
  if (c[PATCHED]) return;
  c[PATCHED] = true;
  const output = c.output;
  let corked: ConnectionInternals['socket'] | null = null;
  c.output = function (this: ConnectionInternals) {
    const socket = this.socket;
    if (socket && corked !== socket && !socket.destroyed) {
      corked = socket;
      socket.cork();
      queueMicrotask(() => {
        corked = null;
        // end() may have uncorked it already; uncork is then a no-op.
        socket.uncork();
      });
    }
    output.call(this);
  };
}
