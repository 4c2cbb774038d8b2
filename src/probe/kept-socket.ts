/**
 * One sock_diag socket kept open between reads, lent to one read at a time. A dump cut short (an
 * error, a throw from the caller) may leave replies queued on the socket: it is closed then, and the
 * next read opens a fresh one, so no read ever sees another's replies.
 */

/** A socket that can be closed (a DiagSocket; the tests lend stand-ins). */
export interface Closable {
  close(): void;
}

/** Structurally a KeptDiagSocket (snapshot/source.ts) when `S` is a DiagSocket. */
export class KeptSocket<S extends Closable> {
  private sock: S | undefined;
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Sockets opened so far (1 while nothing failed). */
  opened = 0;

  /** `open` makes a socket in the right namespace; called on the first read, and after a failed one. */
  constructor(private readonly open: () => Promise<S>) {}

  use<T>(fn: (sock: S) => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('probe: used after close()'));
    const mine = this.turn.then(async () => {
      if (!this.sock) {
        this.sock = await this.open();
        this.opened++;
      }
      try {
        return await fn(this.sock);
      } catch (e) {
        this.drop();
        throw e;
      }
    });
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  /** Closes the socket once the reads already asked for are done. */
  async close(): Promise<void> {
    this.closed = true;
    await this.turn;
    this.drop();
  }

  private drop(): void {
    const s = this.sock;
    this.sock = undefined;
    s?.close();
  }
}
