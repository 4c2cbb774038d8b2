/**
 * Test helper: two ends stepping the machine directly, joined by two in-order wires, driven by a list
 * of commands (fast-check makes the lists). It records what the properties talk about: the states
 * each end passed through, whether a segment was lost, an RST sent, an orphan or retry timer fired,
 * and every moment one end was ESTABLISHED while the other was CLOSE.
 */
import {
  createTcb,
  type FsmEvent,
  RST,
  type Segment,
  step,
  type Tcb,
  type TcpState,
} from '../../src/tcp/index.js';

export type Command =
  | { readonly t: 'deliver'; readonly dir: 0 | 1 }
  | { readonly t: 'lose'; readonly dir: 0 | 1 }
  | { readonly t: 'call'; readonly end: 0 | 1; readonly call: 'send' | 'close' | 'shutdown' };

export class World {
  readonly ends: [Tcb, Tcb];
  /** wires[i] carries what end i sent, oldest first. */
  readonly wires: [Segment[], Segment[]] = [[], []];
  /** Segments each end sent and received, for observers. */
  readonly seen: [FsmEvent[], FsmEvent[]] = [[], []];
  readonly visited: [TcpState[], TcpState[]];
  time = 0;
  lost = false;
  rst = false;
  timedOut = false;
  /** Moments with one end ESTABLISHED and the other CLOSE. */
  readonly splits: string[] = [];

  constructor(issA: number, issB: number, simultaneous: boolean) {
    const limits = { synRetries: 3, synackRetries: 3, retries2: 3, orphanRetries: 3 };
    this.ends = [createTcb({ iss: issA, limits }), createTcb({ iss: issB, limits })];
    this.visited = [[this.ends[0].state], [this.ends[1].state]];
    if (!simultaneous) this.apply(1, { kind: 'call', time: 0, call: 'listen' });
    this.apply(0, { kind: 'call', time: 0, call: 'connect' });
    if (simultaneous) this.apply(1, { kind: 'call', time: 0, call: 'connect' });
  }

  apply(i: 0 | 1, ev: FsmEvent): void {
    const r = step(this.ends[i], ev);
    this.ends[i] = r.tcb;
    for (const tr of r.transitions) this.visited[i].push(tr.to);
    if (r.anomalies.some((a) => a.id === 'orphan-timeout' || a.id === 'timeout')) this.timedOut = true;
    if (ev.kind === 'recv') this.seen[i].push(ev);
    for (const o of r.send) {
      if (o.segment.flags & RST) this.rst = true;
      this.wires[i].push(o.segment);
      this.seen[i].push({ kind: 'sent', time: ev.time, segment: o.segment });
    }
    // The programs read everything that arrives.
    if (this.ends[i].unread > 0)
      this.ends[i] = step(this.ends[i], { kind: 'call', time: ev.time, call: 'read' }).tcb;
    const [a, b] = [this.ends[0].state, this.ends[1].state];
    if ((a === 'ESTABLISHED' && b === 'CLOSE') || (a === 'CLOSE' && b === 'ESTABLISHED'))
      this.splits.push(`${a}/${b}`);
  }

  run(cmd: Command): void {
    this.time++;
    if (cmd.t === 'call') {
      const s = this.ends[cmd.end].state;
      const open = s === 'ESTABLISHED' || s === 'CLOSE_WAIT';
      if (open || (cmd.call === 'close' && (s === 'FIN_WAIT1' || s === 'FIN_WAIT2'))) {
        this.apply(cmd.end, { kind: 'call', time: this.time, call: cmd.call, bytes: 100 });
      }
      return;
    }
    const seg = this.wires[cmd.dir].shift();
    if (!seg) return;
    if (cmd.t === 'lose') this.lost = true;
    else this.apply(cmd.dir === 0 ? 1 : 0, { kind: 'recv', time: this.time, segment: seg });
  }

  /** Delivers everything in flight, in order, alternating directions. */
  drain(): void {
    for (let n = 0; n < 1000 && (this.wires[0].length || this.wires[1].length); n++) {
      this.run({ t: 'deliver', dir: this.wires[0].length ? 0 : 1 });
      if (this.wires[1].length) this.run({ t: 'deliver', dir: 1 });
    }
  }

  /** Both programs close, then time passes until no timer is left. Bounded. */
  finish(): void {
    for (let round = 0; round < 100; round++) {
      this.drain();
      for (const i of [0, 1] as const) {
        const s = this.ends[i].state;
        if (
          s === 'ESTABLISHED' ||
          s === 'CLOSE_WAIT' ||
          s === 'LISTEN' ||
          (s === 'FIN_WAIT2' && !this.ends[i].orphan)
        ) {
          this.apply(i, { kind: 'call', time: this.time, call: 'close' });
        }
      }
      this.drain();
      const due = ([0, 1] as const)
        .flatMap((i) =>
          Object.entries(this.ends[i].timers).map(([name, at]) => ({ i, name, at: at as number })),
        )
        .sort((x, y) => x.at - y.at)[0];
      if (!due) return;
      this.time = Math.max(this.time, due.at);
      this.apply(due.i, { kind: 'timer', time: due.at, timer: due.name as 'retransmit' });
    }
  }
}
