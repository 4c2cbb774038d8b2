/**
 * A listener that never accepts, for accept-queue overflows: Node's `net` accepts every connection
 * at once, so it can never overflow an accept queue. This is the lab's own listener (socket, bind,
 * listen through koffi, src/lab/holder-kit.ts), on 127.0.0.1. Create it inside a namespace with
 * `inNetns` or from a process run in one (the socket stays in the namespace it was made in).
 */
import { listener } from '../../src/lab/holder-kit.js';
import { close } from '../../src/lab/rawsock.js';

/** socket + bind 127.0.0.1:port + listen(backlog); returns the fd. Never accepts. */
export function rawListen(port: number, backlog: number): number {
  return listener(4, port, backlog);
}

/** Closes a raw fd. */
export function rawClose(fd: number): void {
  close(fd);
}
