/**
 * Structural tests of the machine: every state is reachable from CLOSE by a shortest event path;
 * every (state, event class) cell has an outcome with a reason and a source; every event a correct
 * peer can produce lands on a cell the table names; every edge of the drawn diagram is a real step.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIAGRAM_EDGES } from '../../src/render/diagram-model.js';
import {
  ANOMALIES,
  classify,
  createTcb,
  DRIVING_CLASSES,
  EVENT_CLASSES,
  exampleEvent,
  type FsmEvent,
  isDefinedCell,
  outcomeOf,
  retryLimit,
  step,
  TCP_STATES,
  type Tcb,
  type TcpState,
  TRANSITION_TABLE,
} from '../../src/tcp/index.js';
import { ACK, active, FIN, passive, recv, seg } from './_fsm.js';

/** Every TCB a breadth-first walk of the driving classes meets (one per state, passive and orphan flag). */
function reachable(): Tcb[] {
  const seen = new Map<string, Tcb>();
  let frontier = [createTcb({ iss: 100 })];
  for (let depth = 0; depth < 8 && frontier.length; depth++) {
    const next: Tcb[] = [];
    for (const t of frontier) {
      const key = `${t.state}|${t.passive}|${t.orphan}|${t.finSeq !== undefined}|${t.unread > 0}`;
      if (seen.has(key)) continue;
      seen.set(key, t);
      for (const cls of DRIVING_CLASSES) {
        const ev = exampleEvent(t, cls, depth);
        if (ev) next.push(step(t, ev).tcb);
      }
    }
    frontier = next;
  }
  return [...seen.values()];
}

describe('state machine structure', () => {
  it('reaches every state from CLOSE by a shortest event path, and replaying the path gets there', async () => {
    const { shortestPaths } = await import('../../src/tcp/index.js');
    const paths = shortestPaths();
    assert.deepEqual([...paths.keys()].sort(), [...TCP_STATES].sort());
    for (const [state, path] of paths) {
      let t = createTcb({ iss: 100 });
      for (const e of path) t = step(t, e).tcb;
      assert.equal(t.state, state, `path to ${state}`);
    }
    assert.equal(paths.get('TIME_WAIT')!.length, 5, 'connect, SYN+ACK, close, ACK, FIN');
  });

  it('defines an outcome for every (state, event class) pair, with a reason and a source', () => {
    let cells = 0;
    for (const state of TCP_STATES) {
      for (const cls of EVENT_CLASSES) {
        for (const p of [false, true]) {
          const o = outcomeOf(state, cls, p);
          assert.ok(o.why.length > 5, `${state} ${cls}`);
          assert.match(o.rfc, /^(\d+(\.\d+)*|RFC \d+ [\d.]+)$/, `${state} ${cls} cites ${o.rfc}`);
          if (o.anomaly) assert.ok(o.anomaly in ANOMALIES);
          if (o.to !== undefined) assert.ok(TCP_STATES.includes(o.to));
          cells++;
        }
      }
    }
    assert.equal(cells, 11 * EVENT_CLASSES.length * 2);
  });

  it('names the cell of every event a correct peer, program or timer can produce', () => {
    const tcbs = reachable();
    assert.ok(tcbs.length > 20, `walked ${tcbs.length} ends`);
    const met = new Set<string>();
    for (const t of tcbs) {
      for (const cls of EVENT_CLASSES) {
        const ev = exampleEvent(t, cls);
        if (!ev) continue;
        assert.ok(classify(t, ev).includes(cls));
        for (const c of classify(t, ev)) {
          assert.ok(isDefinedCell(t.state, c), `${t.state} ${c} (from an example of ${cls}) is named`);
          met.add(`${t.state} ${c}`);
        }
      }
    }
    // Most of the table is exercised by examples; the rest are cells like CLOSE + ack-of-fin.
    const named = TCP_STATES.flatMap((s) => Object.keys(TRANSITION_TABLE[s]).map((c) => `${s} ${c}`));
    assert.ok(met.size / named.length > 0.8, `examples meet ${met.size} of ${named.length} named cells`);
  });

  it('gives up at the retry limit from every retransmitting state', () => {
    for (const t of reachable()) {
      const withRetries = { ...t, retries: retryLimit(t) };
      const ev = exampleEvent(withRetries, 'rto-limit');
      if (!ev) continue;
      const to = step(withRetries, ev).tcb.state;
      if (outcomeOf(t.state, 'rto-limit', t.passive).to !== undefined) {
        assert.ok(to === 'CLOSE' || (t.passive && to === 'LISTEN'), `${t.state} gives up to ${to}`);
      }
    }
  });

  it('makes every transition the diagram draws, with the event it is labelled with', () => {
    const inState: Record<string, () => Tcb> = {
      CLOSE: () => createTcb({ iss: 100 }),
      LISTEN: () => passive('LISTEN'),
      SYN_SENT: () => active('SYN_SENT'),
      ESTABLISHED: () => active('ESTABLISHED'),
      FIN_WAIT1: () => active('FIN_WAIT1'),
      FIN_WAIT2: () => active('FIN_WAIT2'),
      CLOSING: () => active('CLOSING'),
      TIME_WAIT: () => active('TIME_WAIT'),
      CLOSE_WAIT: () => active('CLOSE_WAIT'),
      LAST_ACK: () => active('LAST_ACK'),
    };
    for (const edge of DIAGRAM_EDGES) {
      const from: Tcb =
        edge.from === 'SYN_RECV'
          ? edge.passive
            ? passive('SYN_RECV')
            : active('SYN_RECV')
          : inState[edge.from]!();
      const t = from;
      let ev: FsmEvent | undefined;
      if (edge.cause === 'ack-of-fin+fin') ev = recv(seg(FIN | ACK, t.rcvNxt!, t.finSeq! + 1));
      else ev = exampleEvent(t, edge.cause);
      assert.ok(ev, `an event of ${edge.cause} in ${edge.from}`);
      const to: TcpState = step(t, ev).tcb.state;
      assert.equal(to, edge.to, `${edge.id}: ${edge.from} --${edge.cause}--> ${edge.to}`);
    }
  });
});
