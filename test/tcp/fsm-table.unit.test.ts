/**
 * Table tests of the transitions: one row a rule, with the RFC 9293 section (or the Linux function)
 * it comes from. Each end is reached through real events (see _fsm.ts); we are ISS 100, the peer 300.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTcb, type FsmEvent, step, type Tcb, type TcpState } from '../../src/tcp/index.js';
import { ACK, active, call, FIN, PSH, passive, RST, recv, run, SYN, seg, timer } from './_fsm.js';

interface Case {
  readonly rule: string;
  readonly from: () => Tcb;
  readonly event: FsmEvent;
  /** States passed through, in order (empty: no change). */
  readonly to: readonly TcpState[];
  readonly sends?: readonly string[];
  readonly anomaly?: string;
}

const replies = (events: readonly { reply: string }[]) => events.map((o) => o.reply);

const CASES: readonly Case[] = [
  // 3.10.1 OPEN, 3.10.7.2 LISTEN, 3.10.7.3 SYN-SENT
  { rule: '3.10.1 passive open', from: () => createTcb(), event: call('listen'), to: ['LISTEN'] },
  {
    rule: '3.10.1 active open sends SYN',
    from: () => createTcb(),
    event: call('connect'),
    to: ['SYN_SENT'],
    sends: ['SYN'],
  },
  {
    rule: '3.10.7.2 SYN in LISTEN: SYN+ACK',
    from: () => passive('LISTEN'),
    event: recv(seg(SYN, 300)),
    to: ['SYN_RECV'],
    sends: ['SYN-ACK'],
  },
  {
    rule: '3.10.7.2 ACK in LISTEN: RST',
    from: () => passive('LISTEN'),
    event: recv(seg(ACK, 300, 555)),
    to: [],
    sends: ['RST-reply'],
    anomaly: 'bad-ack',
  },
  {
    rule: '3.10.7.2 RST in LISTEN: dropped',
    from: () => passive('LISTEN'),
    event: recv(seg(RST, 300)),
    to: [],
  },
  {
    rule: '3.10.7.3 SYN+ACK of our SYN: ESTABLISHED',
    from: () => active('SYN_SENT'),
    event: recv(seg(SYN | ACK, 300, 101)),
    to: ['ESTABLISHED'],
    sends: ['ACK'],
  },
  {
    rule: '3.10.7.3 crossing SYN: simultaneous open',
    from: () => active('SYN_SENT'),
    event: recv(seg(SYN, 300)),
    to: ['SYN_RECV'],
    sends: ['SYN-ACK'],
  },
  {
    rule: '3.10.7.3 RST acking our SYN: refused',
    from: () => active('SYN_SENT'),
    event: recv(seg(RST | ACK, 0, 101)),
    to: ['CLOSE'],
    anomaly: 'connection-refused',
  },
  {
    rule: '3.10.7.3 RST without ACK in SYN_SENT: dropped',
    from: () => active('SYN_SENT'),
    event: recv(seg(RST, 0)),
    to: [],
  },
  {
    rule: '3.10.7.3 SYN+ACK acking something else: RST (old duplicate)',
    from: () => active('SYN_SENT'),
    event: recv(seg(SYN | ACK, 300, 91)),
    to: [],
    sends: ['RST-reply'],
    anomaly: 'bad-ack',
  },
  // 3.10.7.4 other states
  {
    rule: '3.10.7.4 ACK of our SYN completes the handshake',
    from: () => passive('SYN_RECV'),
    event: recv(seg(ACK, 301, 101)),
    to: ['ESTABLISHED'],
  },
  {
    rule: '3.10.7.4 unacceptable ACK in SYN_RECV: RST',
    from: () => passive('SYN_RECV'),
    event: recv(seg(ACK, 301, 999)),
    to: [],
    sends: ['RST-reply'],
    anomaly: 'bad-ack',
  },
  {
    rule: '3.10.7.4 RST in SYN_RECV (passive): back to LISTEN',
    from: () => passive('SYN_RECV'),
    event: recv(seg(RST, 301)),
    to: ['LISTEN'],
    anomaly: 'rst-in-syn-recv',
  },
  {
    rule: 'tcp_check_req: in-window RST also frees a request socket',
    from: () => passive('SYN_RECV'),
    event: recv(seg(RST, 400)),
    to: ['LISTEN'],
    anomaly: 'rst-in-syn-recv',
  },
  {
    rule: '3.10.7.4 RST in SYN_RECV (active): CLOSE',
    from: () => active('SYN_RECV'),
    event: recv(seg(RST, 301)),
    to: ['CLOSE'],
    anomaly: 'connection-reset',
  },
  {
    rule: 'tcp_check_req: retransmitted SYN gets SYN+ACK again',
    from: () => passive('SYN_RECV'),
    event: recv(seg(SYN, 300)),
    to: [],
    sends: ['SYN-ACK'],
  },
  {
    rule: 'RFC 9293 Fig. 8: SYN+ACK in SYN_RECV (simultaneous open)',
    from: () => active('SYN_RECV'),
    event: recv(seg(SYN | ACK, 300, 101)),
    to: ['ESTABLISHED'],
    sends: ['ACK'],
  },
  {
    rule: '3.10.7.4 RST at RCV.NXT: reset',
    from: () => active('ESTABLISHED'),
    event: recv(seg(RST, 301)),
    to: ['CLOSE'],
    anomaly: 'connection-reset',
  },
  {
    rule: 'RFC 5961 3.2 RST in window, not exact: challenge ACK',
    from: () => active('ESTABLISHED'),
    event: recv(seg(RST, 302)),
    to: [],
    sends: ['challenge-ACK'],
    anomaly: 'challenge-ack',
  },
  {
    rule: '3.10.7.4 RST outside the window: dropped',
    from: () => active('ESTABLISHED'),
    event: recv(seg(RST, 300 + 70_000)),
    to: [],
  },
  {
    rule: 'RFC 5961 4.2 SYN in ESTABLISHED: challenge ACK',
    from: () => active('ESTABLISHED'),
    event: recv(seg(SYN, 9999)),
    to: [],
    sends: ['challenge-ACK'],
    anomaly: 'challenge-ack',
  },
  {
    rule: '3.10.7.4 old duplicate segment: ACK',
    from: () => active('ESTABLISHED'),
    event: recv(seg(ACK | PSH, 200, 101, 50)),
    to: [],
    sends: ['ACK'],
  },
  {
    rule: '3.10.7.4 data: ACK',
    from: () => active('ESTABLISHED'),
    event: recv(seg(ACK | PSH, 301, 101, 50)),
    to: [],
    sends: ['ACK'],
  },
  {
    rule: '3.10.7.4 FIN in ESTABLISHED: CLOSE_WAIT',
    from: () => active('ESTABLISHED'),
    event: recv(seg(FIN | ACK, 301, 101)),
    to: ['CLOSE_WAIT'],
    sends: ['ACK'],
  },
  {
    rule: '3.10.7.4 ACK of our FIN: FIN_WAIT2',
    from: () => active('FIN_WAIT1'),
    event: recv(seg(ACK, 301, 102)),
    to: ['FIN_WAIT2'],
  },
  {
    rule: 'an ACK short of our FIN changes nothing',
    from: () => active('FIN_WAIT1'),
    event: recv(seg(ACK, 301, 101)),
    to: [],
  },
  {
    rule: '3.10.7.4 FIN before the ACK of ours: CLOSING',
    from: () => active('FIN_WAIT1'),
    event: recv(seg(FIN | ACK, 301, 101)),
    to: ['CLOSING'],
    sends: ['ACK'],
  },
  {
    rule: 'Linux: FIN+ACK of our FIN passes FIN_WAIT2 on the way',
    from: () => active('FIN_WAIT1'),
    event: recv(seg(FIN | ACK, 301, 102)),
    to: ['FIN_WAIT2', 'TIME_WAIT'],
    sends: ['ACK'],
  },
  {
    rule: '3.10.7.4 FIN in FIN_WAIT2: TIME_WAIT',
    from: () => active('FIN_WAIT2'),
    event: recv(seg(FIN | ACK, 301, 102)),
    to: ['TIME_WAIT'],
    sends: ['ACK'],
  },
  {
    rule: '3.10.7.4 ACK of our FIN in CLOSING: TIME_WAIT',
    from: () => active('CLOSING'),
    event: recv(seg(ACK, 302, 102)),
    to: ['TIME_WAIT'],
  },
  {
    rule: '3.10.7.4 ACK of our FIN in LAST_ACK: CLOSE',
    from: () => active('LAST_ACK'),
    event: recv(seg(ACK, 302, 102)),
    to: ['CLOSE'],
  },
  {
    rule: '3.10.7.4 retransmitted FIN in TIME_WAIT: ACK again',
    from: () => active('TIME_WAIT'),
    event: recv(seg(FIN | ACK, 301, 102)),
    to: [],
    sends: ['ACK'],
  },
  {
    rule: 'RFC 1337 / Linux: RST at RCV.NXT ends TIME_WAIT',
    from: () => active('TIME_WAIT'),
    event: recv(seg(RST, 302)),
    to: ['CLOSE'],
    anomaly: 'time-wait-assassination',
  },
  {
    rule: 'Linux: SYN beyond RCV.NXT in TIME_WAIT with no listener: ACK, stay (TCP_TW_SYN falls to TCP_TW_ACK)',
    from: () => active('TIME_WAIT'),
    event: recv(seg(SYN, 400)),
    to: [],
    sends: ['ACK'],
  },
  {
    rule: 'Linux: timewait sockets send no challenge ACK',
    from: () => active('TIME_WAIT'),
    event: recv(seg(RST, 310)),
    to: [],
  },
  {
    rule: 'Linux: data to an orphan in FIN_WAIT2: RST',
    from: () => active('FIN_WAIT2'),
    event: recv(seg(ACK | PSH, 301, 102, 10)),
    to: ['CLOSE'],
    sends: ['RST'],
    anomaly: 'abort-on-data',
  },
  // 3.10.4 CLOSE, 3.10.5 ABORT, shutdown
  {
    rule: '3.10.4 close in ESTABLISHED: FIN_WAIT1',
    from: () => active('ESTABLISHED'),
    event: call('close'),
    to: ['FIN_WAIT1'],
    sends: ['FIN'],
  },
  {
    rule: '3.10.4 close in CLOSE_WAIT: LAST_ACK',
    from: () => active('CLOSE_WAIT'),
    event: call('close'),
    to: ['LAST_ACK'],
    sends: ['FIN'],
  },
  {
    rule: '3.10.4 close in SYN_SENT: CLOSE, nothing sent',
    from: () => active('SYN_SENT'),
    event: call('close'),
    to: ['CLOSE'],
    sends: [],
  },
  { rule: '3.10.4 close of a listener', from: () => passive('LISTEN'), event: call('close'), to: ['CLOSE'] },
  {
    rule: '3.10.5 abort in ESTABLISHED: RST',
    from: () => active('ESTABLISHED'),
    event: call('abort'),
    to: ['CLOSE'],
    sends: ['RST'],
    anomaly: 'abort-by-program',
  },
  {
    rule: '3.10.5 abort in LAST_ACK: no RST',
    from: () => active('LAST_ACK'),
    event: call('abort'),
    to: ['CLOSE'],
    sends: [],
  },
  {
    rule: '3.6.1 shutdown: half-close',
    from: () => active('ESTABLISHED'),
    event: call('shutdown'),
    to: ['FIN_WAIT1'],
    sends: ['FIN'],
  },
  {
    rule: 'Linux: connect() on a listener fails (EISCONN)',
    from: () => passive('LISTEN'),
    event: call('connect'),
    to: [],
    anomaly: 'call-error',
  },
  // 3.10.8 timeouts
  { rule: '3.10.8 2MSL timeout', from: () => active('TIME_WAIT'), event: timer('time-wait'), to: ['CLOSE'] },
  {
    rule: '3.8.1 retransmission timeout resends the SYN',
    from: () => active('SYN_SENT'),
    event: timer('retransmit'),
    to: [],
    sends: ['retransmit'],
  },
  {
    rule: 'Linux tcp_fin_timeout: orphaned FIN_WAIT2 ends',
    from: () => active('FIN_WAIT2'),
    event: timer('fin-wait2'),
    to: ['CLOSE'],
    anomaly: 'orphan-timeout',
  },
];

describe('transition table', () => {
  for (const c of CASES) {
    it(c.rule, () => {
      const from = c.from();
      const r = step(from, c.event);
      assert.deepEqual(
        r.transitions.map((t) => t.to),
        c.to,
        `states from ${from.state}`,
      );
      if (c.sends) assert.deepEqual(replies(r.send), c.sends);
      assert.deepEqual(
        r.anomalies.map((a) => a.id),
        c.anomaly ? [c.anomaly] : [],
      );
      for (const a of r.applied) {
        assert.ok(a.outcome.rfc.length > 0 && a.outcome.why.length > 0, `${a.cls} has a source and a reason`);
      }
    });
  }

  it('Linux: close() with unread data resets instead of FIN (RFC 1122 4.2.2.13)', () => {
    const est = run(active('ESTABLISHED'), recv(seg(ACK | PSH, 301, 101, 500)));
    assert.equal(est.unread, 500);
    const r = step(est, call('close'));
    assert.equal(r.tcb.state, 'CLOSE');
    assert.deepEqual(replies(r.send), ['RST']);
    assert.deepEqual(r.send[0]!.segment, { seq: 101, ack: 801, flags: RST | ACK, len: 0 });
    assert.equal(step(run(est, call('read')), call('close')).tcb.state, 'FIN_WAIT1');
  });

  it('Linux: close() after shutdown() in FIN_WAIT2 is a traced same-state change and arms the orphan timer', () => {
    const fw2 = run(active('ESTABLISHED'), call('shutdown'), recv(seg(ACK, 301, 102)));
    assert.equal(fw2.state, 'FIN_WAIT2');
    assert.equal(fw2.timers['fin-wait2'], undefined, 'not an orphan: no timeout, as the RFC says');
    const r = step(fw2, { kind: 'call', time: 5, call: 'close' });
    assert.deepEqual(r.transitions, [{ time: 5, from: 'FIN_WAIT2', to: 'FIN_WAIT2', cause: 'close' }]);
    assert.equal(r.tcb.timers['fin-wait2'], 5 + 60_000);
  });

  it('tracks sequence numbers: an ACK is of our FIN only at FIN + 1', () => {
    const fw1 = run(active('ESTABLISHED'), call('send', 1000), call('close'));
    assert.equal(fw1.finSeq, 1101);
    assert.equal(step(fw1, recv(seg(ACK, 301, 1101))).tcb.state, 'FIN_WAIT1', 'acks the data only');
    assert.equal(step(fw1, recv(seg(ACK, 301, 1102))).tcb.state, 'FIN_WAIT2');
  });

  /** Drives a connect() whose SYN nobody answers: the seconds of each retransmission and of the failure. */
  function synSchedule(limits: Partial<Tcb['limits']> = {}): {
    resent: number[];
    failed: number;
  } {
    let t = step(createTcb({ iss: 1, limits }), {
      kind: 'call',
      time: 0,
      call: 'connect',
    }).tcb;
    const resent: number[] = [];
    for (let i = 0; i < 50; i++) {
      const at = t.timers.retransmit!;
      const r = step(t, timer('retransmit', at));
      if (r.tcb.state === 'CLOSE') {
        assert.deepEqual(
          r.anomalies.map((a) => a.id),
          ['timeout'],
        );
        return { resent, failed: at / 1000 };
      }
      assert.ok(
        r.send.some((x) => x.segment.flags === SYN),
        'the SYN is sent again',
      );
      resent.push(at / 1000);
      t = r.tcb;
    }
    throw new Error('never gave up');
  }

  it('retransmits a SYN as Linux 6.18 does (tcp_syn_linear_timeouts): 10 times, failing at 131 s', () => {
    assert.deepEqual(synSchedule(), { resent: [1, 2, 3, 4, 5, 7, 11, 19, 35, 67], failed: 131 });
  });

  it('with tcp_syn_retries=2: five retransmissions a second apart, failing at 7 s', () => {
    assert.deepEqual(synSchedule({ synRetries: 2 }), { resent: [1, 2, 3, 4, 5], failed: 7 });
    // Without linear timeouts (before 6.5): 1, 3 s and failure at 7 s.
    assert.deepEqual(synSchedule({ synRetries: 2, synLinearTimeouts: 0 }), { resent: [1, 3], failed: 7 });
  });

  it('a request gives up after tcp_synack_retries, back to LISTEN', () => {
    let req = passive('SYN_RECV');
    for (let i = 0; i < 5; i++) req = run(req, timer('retransmit'));
    assert.equal(step(req, timer('retransmit')).tcb.state, 'LISTEN');
  });

  it('TIME_WAIT: a SYN with a newer timestamp opens a new incarnation even at an old sequence (RFC 6191)', () => {
    const withTs = (flags: number, seq: number, ack: number, tsval: number) => ({
      ...seg(flags, seq, ack),
      tsval,
    });
    // A server that closed first: its TIME_WAIT has seen the client's timestamps.
    let srv = run(passive('ESTABLISHED'), recv(withTs(ACK, 301, 101, 1000)), call('close'));
    srv = run(srv, recv(withTs(ACK, 301, 102, 1001)), recv(withTs(FIN | ACK, 301, 102, 1002)));
    assert.equal(srv.state, 'TIME_WAIT');
    assert.equal(srv.tsRecent, 1002);
    const newer = step(srv, recv(withTs(SYN, 100, 0, 2000)));
    assert.deepEqual(
      newer.transitions.map((x) => x.to),
      ['SYN_RECV'],
      'a listener takes it',
    );
    const older = step(srv, recv(withTs(SYN, 100, 0, 900)));
    assert.equal(older.tcb.state, 'TIME_WAIT');
    assert.deepEqual(
      older.send.map((x) => x.segment.flags),
      [ACK],
      'an old SYN is answered by ACK',
    );
  });

  it('arms and clears timers: retransmission while unacknowledged, 2MSL in TIME_WAIT', () => {
    const s = step(createTcb({ iss: 7 }), { kind: 'call', time: 100, call: 'connect' }).tcb;
    assert.deepEqual(s.timers, { retransmit: 1100 });
    const e = step(s, { kind: 'recv', time: 150, segment: seg(SYN | ACK, 300, 8) }).tcb;
    assert.deepEqual(e.timers, {});
    const tw = step(run(e, call('close'), recv(seg(ACK, 301, 9))), {
      kind: 'recv',
      time: 200,
      segment: seg(FIN | ACK, 301, 9),
    }).tcb;
    assert.deepEqual(tw.timers, { 'time-wait': 60_200 });
  });
});

describe('out-of-order segments', () => {
  it('keeps data and a FIN beyond a hole, acknowledges the hole, and takes them in when it fills (3.10.7.4)', () => {
    const est = active('ESTABLISHED');
    const early = step(est, recv(seg(FIN | ACK | PSH, 351, 101, 50)));
    assert.deepEqual(
      early.applied.map((a) => a.cls),
      ['ack', 'out-of-order'],
    );
    assert.deepEqual(
      early.send.map((o) => o.segment.ack),
      [301],
      'a duplicate ACK for the hole',
    );
    assert.equal(early.tcb.state, 'ESTABLISHED');
    const filled = step(early.tcb, recv(seg(ACK | PSH, 301, 101, 50)));
    assert.deepEqual(
      filled.applied.map((a) => a.cls),
      ['ack', 'data', 'fin'],
    );
    assert.equal(filled.tcb.state, 'CLOSE_WAIT');
    assert.equal(filled.tcb.rcvNxt, 402);
    assert.equal(filled.tcb.unread, 100);
    assert.deepEqual(
      filled.send.map((o) => o.segment.ack),
      [402],
    );
  });
});
