/**
 * The flow tracker on captures made from simulations and by hand: both ends' states per connection,
 * the next connection on a reused 4-tuple, retransmissions and duplicates that change nothing, flows
 * first seen mid-stream, the bound on flows, Zeek's codes, and a captured connection's ladder.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Conn, FlowTracker, type TrackerOptions } from '../../src/flow/index.js';
import type { WirePacket } from '../../src/net/packet.js';
import { ladderSvg, ladderText } from '../../src/render/index.js';
import { builtinScenario, simulate } from '../../src/sim/index.js';
import { ACK, FIN, PSH, RST, SYN } from '../../src/tcp/index.js';
import { capturedArrivals } from './sim-packets.js';

function track(packets: readonly WirePacket[], opts: TrackerOptions = {}): { conns: Conn[]; t: FlowTracker } {
  const conns: Conn[] = [];
  const t = new FlowTracker({ ...opts, onConn: (c) => conns.push(c) });
  for (const p of packets) t.push(p);
  t.finish();
  conns.sort((a, b) => a.n - b.n);
  return { conns, t };
}
const states = (c: Conn, end: 'client' | 'server') => c[end].states.map((s) => s.state).join('>');

/** A hand-made segment between 192.0.2.1:40000 (`c`) and 192.0.2.2:80 (`s`). */
function seg(
  ms: number,
  from: 'c' | 's',
  flags: number,
  seq: number,
  ack: number,
  len = 0,
  ports: [number, number] = [40000, 80],
): WirePacket {
  const [c, s] = [
    { a: '192.0.2.1', p: ports[0] },
    { a: '192.0.2.2', p: ports[1] },
  ];
  const [src, dst] = from === 'c' ? [c, s] : [s, c];
  return {
    timeUs: 1_700_000_000_000_000 + ms * 1000,
    family: 4,
    src: src.a,
    sport: src.p,
    dst: dst.a,
    dport: dst.p,
    seq,
    ack,
    flags,
    len,
    window: 65535,
    iface: 0,
    offset: ms,
  };
}

/** A whole connection: handshake, a request and an answer, the client closes first. */
function connection(t0: number, ciss: number, siss: number, ports?: [number, number]): WirePacket[] {
  return [
    seg(t0, 'c', SYN, ciss, 0, 0, ports),
    seg(t0 + 1, 's', SYN | ACK, siss, ciss + 1, 0, ports),
    seg(t0 + 2, 'c', ACK, ciss + 1, siss + 1, 0, ports),
    seg(t0 + 3, 'c', ACK | PSH, ciss + 1, siss + 1, 100, ports),
    seg(t0 + 4, 's', ACK | PSH, siss + 1, ciss + 101, 300, ports),
    seg(t0 + 5, 'c', ACK, ciss + 101, siss + 301, 0, ports),
    seg(t0 + 6, 'c', FIN | ACK, ciss + 101, siss + 301, 0, ports),
    seg(t0 + 7, 's', FIN | ACK, siss + 301, ciss + 102, 0, ports),
    seg(t0 + 8, 'c', ACK, ciss + 102, siss + 302, 0, ports),
  ];
}

describe('flow tracker', () => {
  const fromSim: Record<string, [string, string, string]> = {
    'three-way-handshake': ['SYN_SENT>ESTABLISHED', 'SYN_RECV>ESTABLISHED', 'S1'],
    refused: ['SYN_SENT>CLOSE', 'CLOSE', 'REJ'],
    'normal-close': [
      'SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT',
      'SYN_RECV>ESTABLISHED>CLOSE_WAIT>LAST_ACK>CLOSE',
      'SF',
    ],
    'half-close': [
      'SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT',
      'SYN_RECV>ESTABLISHED>CLOSE_WAIT>LAST_ACK>CLOSE',
      'SF',
    ],
    'lost-final-ack': [
      'SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT',
      'SYN_RECV>ESTABLISHED>CLOSE_WAIT>LAST_ACK>CLOSE',
      'SF',
    ],
    'lost-syn-ack': ['SYN_SENT>ESTABLISHED', 'SYN_RECV>ESTABLISHED', 'S1'],
    'rst-established': ['SYN_SENT>ESTABLISHED>CLOSE', 'SYN_RECV>ESTABLISHED>CLOSE', 'RSTR'],
    'peer-vanishes': ['SYN_SENT>ESTABLISHED>CLOSE', 'SYN_RECV>ESTABLISHED>CLOSE', 'RSTR'],
    'close-with-unread-data': ['SYN_SENT>ESTABLISHED>CLOSE', 'SYN_RECV>ESTABLISHED>CLOSE', 'RSTO'],
  };
  // Not 'simultaneous-close': a capture at one point cannot tell two FINs that crossed from a FIN that
  // was lost; the tracker counts a FIN once its receiver acknowledges it or it comes again, which is
  // right for a lost FIN (the kernel test below) and sees only one end in CLOSING for crossing ones.
  for (const [id, [client, server, code]] of Object.entries(fromSim)) {
    it('a simultaneous open: both ends sent a SYN, neither listened, crossing SYN+ACKs change nothing', () => {
      const P: [number, number] = [40000, 40001];
      const { conns } = track([
        seg(0, 'c', SYN, 100, 0, 0, P),
        seg(1, 's', SYN, 500, 0, 0, P),
        seg(2, 'c', SYN | ACK, 100, 501, 0, P),
        seg(3, 's', SYN | ACK, 500, 101, 0, P),
        seg(10, 'c', FIN | ACK, 101, 501, 0, P),
        seg(11, 's', ACK, 501, 102, 0, P),
        seg(12, 's', FIN | ACK, 501, 102, 0, P),
        seg(13, 'c', ACK, 102, 502, 0, P),
      ]);
      assert.equal(conns.length, 1);
      assert.equal(
        states(conns[0]!, 'client'),
        'SYN_SENT>SYN_RECV>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT',
      );
      assert.equal(states(conns[0]!, 'server'), 'SYN_SENT>SYN_RECV>ESTABLISHED>CLOSE_WAIT>LAST_ACK>CLOSE');
      assert.deepEqual(conns[0]!.anomalies, []);
    });

    it(`rebuilds both ends of '${id}' from what arrived`, () => {
      const { conns } = track(capturedArrivals(simulate(builtinScenario(id)!)));
      assert.equal(conns.length, 1);
      const c = conns[0]!;
      assert.equal(states(c, 'client'), client);
      assert.equal(states(c, 'server'), server);
      assert.equal(c.connState, code);
      assert.equal(c.midstream, false);
    });
  }

  it('is done with a closed connection after a minute of quiet, the time TIME_WAIT lasts', () => {
    const done: { n: number; beforeFinish: boolean; conn: Conn }[] = [];
    let finishing = false;
    const t = new FlowTracker({ onConn: (c) => done.push({ n: c.n, beforeFinish: !finishing, conn: c }) });
    const first = connection(0, 1000, 5000);
    // A duplicate of the last ACK, 30 s later: TIME_WAIT still holds the 4-tuple.
    const late = seg(30_000, 'c', ACK, 1102, 5302);
    const others = Array.from({ length: 130 }, (_, i) =>
      connection(31_000 + i * 600, 7000 + i, 9000, [41000 + i, 80]),
    );
    for (const p of [...first, late, ...others.flat()]) t.push(p);
    const open = t.openFlows;
    finishing = true;
    t.finish();
    const c = done.find((d) => d.n === 1)!;
    assert.equal(c.beforeFinish, true, 'done while the capture went on');
    assert.equal(done.filter((d) => d.conn.midstream).length, 0, 'the late ACK was no new connection');
    assert.equal(states(c.conn, 'client'), 'SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT>CLOSE');
    assert.equal(c.conn.client.states.at(-1)!.atUs - c.conn.client.states.at(-2)!.atUs, 60_000_000);
    assert.equal(c.conn.client.packets, 7);
    assert.ok(open < 131, `${open} flows open at the end`);
    // The connections of the last minute were still open: they are done at the end, in TIME_WAIT.
    const last = done.find((d) => d.n === 131)!;
    assert.equal(last.beforeFinish, false);
    assert.equal(states(last.conn, 'client'), 'SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT');
  });

  it('says who closed first, counts packets and bytes each way, writes Zeek history', () => {
    const { conns } = track(connection(0, 1000, 5000));
    const c = conns[0]!;
    assert.deepEqual(c.firstClose, { end: 'client', how: 'FIN' });
    assert.deepEqual([c.client.packets, c.client.bytes, c.server.packets, c.server.bytes], [6, 100, 3, 300]);
    assert.equal(c.history, 'ShADdFf');
    assert.equal(c.connState, 'SF');
    assert.deepEqual(c.anomalies, []);
  });

  it('starts the next connection when a new SYN reuses the 4-tuple; TIME_WAIT gives way', () => {
    const { conns } = track([...connection(0, 1000, 5000), ...connection(50, 900_000, 7000)]);
    assert.equal(conns.length, 2);
    assert.equal(states(conns[0]!, 'client'), 'SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT>CLOSE');
    assert.equal(states(conns[1]!, 'client'), 'SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT');
    assert.equal(conns[1]!.startUs - conns[0]!.startUs, 50_000);
  });

  it('TIME_WAIT ends after 60 s of capture time', () => {
    const late = seg(61_000, 'c', ACK, 1, 1, 0, [1, 2]);
    const { conns } = track([...connection(0, 1000, 5000), late]);
    const first = conns.find((c) => c.client.port === 40000)!;
    assert.equal(states(first, 'client'), 'SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT>CLOSE');
    assert.equal(first.client.states.at(-1)!.atUs - first.client.states.at(-2)!.atUs, 60_000_000);
  });

  it('retransmissions, duplicates and reordering change no state and are counted', () => {
    const base = connection(0, 1000, 5000);
    const dup = [...base];
    dup.splice(1, 0, seg(0.5, 'c', SYN, 1000, 0)); // the SYN again
    dup.splice(5, 0, seg(3.5, 'c', ACK | PSH, 1001, 5001, 100)); // the request again
    dup.splice(9, 0, seg(6.5, 'c', FIN | ACK, 1101, 5301)); // the FIN again, before the server's
    const { conns } = track(dup);
    const c = conns[0]!;
    assert.equal(states(c, 'client'), 'SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT');
    assert.equal(states(c, 'server'), 'SYN_RECV>ESTABLISHED>CLOSE_WAIT>LAST_ACK>CLOSE');
    assert.equal(c.client.retransmissions, 3);
    assert.ok(c.anomalies.includes('syn-retransmitted'));
    assert.match(c.history, /T/);
    // Reordered data: the second segment seen first waits for the first.
    const ro = [
      ...connection(0, 1000, 5000).slice(0, 3),
      seg(3, 'c', ACK | PSH, 1051, 5001, 50), // overtook the one before it
      seg(3.1, 'c', FIN | ACK, 1101, 5001), // and so did the FIN
      seg(3.2, 'c', ACK | PSH, 1001, 5001, 50),
    ];
    const r = track(ro).conns[0]!;
    assert.equal(
      states(r, 'server'),
      'SYN_RECV>ESTABLISHED>CLOSE_WAIT',
      'the FIN counts once the hole is filled',
    );
    const early = track(ro.slice(0, 5)).conns[0]!;
    assert.equal(states(early, 'server'), 'SYN_RECV>ESTABLISHED', 'a FIN beyond a hole waits');
  });

  it('a flow first seen mid-stream starts ESTABLISHED and is marked so', () => {
    const mid = connection(0, 1000, 5000).slice(3);
    const { conns } = track(mid);
    const c = conns[0]!;
    assert.equal(c.midstream, true);
    assert.ok(c.anomalies.includes('midstream'));
    assert.equal(states(c, 'client'), 'ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT');
    assert.equal(states(c, 'server'), 'ESTABLISHED>CLOSE_WAIT>LAST_ACK>CLOSE');
  });

  it('keeps at most --max-flows flows: the one idle longest is closed off and counted', () => {
    const packets = [
      seg(0, 'c', SYN, 1, 0, 0, [40001, 80]),
      seg(1, 'c', SYN, 1, 0, 0, [40002, 80]),
      seg(2, 'c', SYN, 1, 0, 0, [40001, 80]), // keeps 40001 fresh
      seg(3, 'c', SYN, 1, 0, 0, [40003, 80]),
    ];
    const { conns, t } = track(packets, { maxFlows: 2 });
    assert.equal(t.stats.evicted, 1);
    assert.equal(conns.length, 3);
    const evicted = conns.filter((c) => c.anomalies.includes('evicted'));
    assert.deepEqual(
      evicted.map((c) => c.client.port),
      [40002],
    );
  });

  it('an RST from the client before any answer is RSTOS0; a SYN nobody answers is S0', () => {
    const a = track([seg(0, 'c', SYN, 1, 0), seg(1, 'c', RST, 2, 0)]).conns[0]!;
    assert.equal(a.connState, 'RSTOS0');
    const b = track([seg(0, 'c', SYN, 1, 0), seg(1000, 'c', SYN, 1, 0)]).conns[0]!;
    assert.equal(b.connState, 'S0');
    assert.ok(b.anomalies.includes('handshake-incomplete') && b.anomalies.includes('syn-retransmitted'));
  });

  it('a recorded connection draws as a ladder like a simulated one', () => {
    const { conns } = track(connection(0, 1000, 5000), { record: (n) => n === 1 });
    const tr = conns[0]!.trace!;
    assert.equal(tr.events.length, 9);
    const text = ladderText(tr);
    assert.match(text, /^Connection 1: 192\.0\.2\.1:40000 to 192\.0\.2\.2:80 \(1\)/);
    assert.match(text, /SYN_SENT\s+--> <SEQ=1000><CTL=SYN>\s+-->\s+SYN_RECV/);
    assert.match(text, /final: 192\.0\.2\.1:40000 TIME_WAIT, 192\.0\.2\.2:80 CLOSE/);
    assert.match(ladderSvg(tr), /<polygon class="c2s-t arrowhead"/);
  });
});
