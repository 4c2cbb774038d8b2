/**
 * The doctor's rules on made-up tables: each quiet on a busy healthy host (sockets that come and
 * go, first-try connects, idle pools, TIME_WAIT) and loud on its own trouble, naming the culprit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildConfig } from '../../src/doctor/config.js';
import { diagnose, reaches } from '../../src/doctor/diagnose.js';
import { explainRule } from '../../src/doctor/explain.js';
import type { Socket } from '../../src/tcp/socket.js';
import { input, interval, listener, loud, many, of, sock, windowed } from './_tables.js';

const LO = '127.0.0.1';
const retx = (n: number): Partial<Socket> => ({
  timer: { kind: 'retransmit', expiresMs: 800, retransmits: n },
});

/**
 * Snapshot `k` of a busy healthy host: a web server on :80 answering half-closing clients (CLOSE_WAIT
 * and FIN_WAIT2 for a moment, server-side TIME_WAIT), an idle pool of 60 to :5432, first-try
 * connects to ten backends, handshakes in flight. Every short-lived socket is new in each snapshot.
 */
export function busy(k: number): Socket[] {
  const port = (i: number) => 20000 + ((k * 997 + i) % 40000);
  return [
    listener(80, 10, { sendQ: 511, recvQ: k % 3 }),
    sock('LISTEN', LO, 5432, '0.0.0.0', 0, 20, { sendQ: 244 }),
    listener(22, 1, { sendQ: 128 }),
    ...many(300, (i) => sock('CLOSE_WAIT', LO, 80, '127.0.0.2', port(i), 10, { recvQ: 0 })),
    ...many(200, (i) => sock('FIN_WAIT2', '127.0.0.2', port(i), LO, 80, 30)),
    ...many(2000, (i) => sock('TIME_WAIT', LO, 80, '127.0.0.2', port(i + 300))),
    ...many(30, (i) => sock('FIN_WAIT1', LO, 80, '127.0.0.2', port(i + 2400), 0, retx(0))),
    ...many(30, (i) => sock('LAST_ACK', LO, 80, '127.0.0.2', port(i + 2500))),
    ...many(20, (i) => sock('SYN_RECV', LO, 80, '127.0.0.2', port(i + 2600), 0, retx(0))),
    ...many(50, (i) => sock('SYN_SENT', '127.0.0.3', port(i + 2700), `127.0.1.${i % 10}`, 6000, 50, retx(0))),
    ...many(60, (i) =>
      sock('ESTABLISHED', '127.0.0.4', 30000 + i, LO, 5432, 40, {
        info: { last_data_recv: 20_000, last_data_sent: 20_000 },
        timer: { kind: 'off', expiresMs: 0, retransmits: 0 },
      }),
    ),
    ...many(60, (i) => sock('ESTABLISHED', LO, 5432, '127.0.0.4', 30000 + i, 20)),
    ...many(5, (i) =>
      sock('ESTABLISHED', LO, 80, '127.0.0.2', port(i + 2800), 10, { recvQ: 9000, sendQ: 5000 }),
    ),
  ];
}

const BUSY_COUNTERS = {
  TcpActiveOpens: 2700,
  TcpPassiveOpens: 2700,
  TcpOutSegs: 30000,
  TcpInSegs: 30000,
  TcpRetransSegs: 120,
  TcpExtTCPLossProbes: 100,
  TcpEstabResets: 3,
  TcpOutRsts: 20,
  TcpAttemptFails: 0,
  TcpExtListenOverflows: 0,
};
const busyWindow = () => windowed([busy(0), busy(1), busy(2), busy(3)], BUSY_COUNTERS);

describe('doctor rules: a busy healthy host stays quiet', () => {
  it('says nothing above info over a window', () => {
    assert.deepEqual(
      loud(busyWindow()).map((f) => f.title),
      [],
    );
  });
  it('says nothing above info with --now, and lists the rules that need the window', () => {
    const d = diagnose(input(busy(3)));
    assert.deepEqual(
      d.findings.filter((f) => f.severity !== 'info').map((f) => f.title),
      [],
    );
    assert.deepEqual(d.skipped.map((s) => s.rule).sort(), [
      'close-wait-leak',
      'connect-failures',
      'recv-queue',
      'resets',
      'retransmits',
      'send-queue',
    ]);
    for (const s of d.skipped) assert.match(s.reason, /needs the window/);
  });
});

describe('doctor rules: trouble is named', () => {
  it('close-wait-leak: CLOSE_WAIT that stay, by process and port; growing is critical', () => {
    const leak = many(10, (i) => sock('CLOSE_WAIT', LO, 8080, '127.0.0.9', 40000 + i, 42));
    const [f] = of(windowed([leak, leak, leak, leak]), 'close-wait-leak');
    assert.equal(f?.severity, 'warning');
    assert.deepEqual(f?.evidence.processes, [{ pid: 42, command: 'app42', count: 10 }]);
    assert.deepEqual(f?.evidence.ports, [{ port: 8080, count: 10 }]);
    assert.match(f!.title, /10 CLOSE_WAIT stayed 3 s, held by app42\[42\] on :8080/);
    const grow = windowed([leak.slice(0, 4), leak.slice(0, 6), leak.slice(0, 8), leak]);
    const [g] = of(grow, 'close-wait-leak');
    assert.equal(g?.severity, 'critical');
    assert.deepEqual(g?.evidence['perSnapshot'], [4, 6, 8, 10]);
    // Only the four that were there from the start stayed; the count grew.
    assert.equal(g?.evidence.count, 4);
  });

  it('fin-wait-pileup: a FIN retransmitted proves it in one snapshot; FIN_WAIT2 only when it stays', () => {
    const fw1 = many(12, (i) => sock('FIN_WAIT1', LO, 8443, '127.0.0.9', 40000 + i, 0, retx(2)));
    const [f] = of(input(fw1), 'fin-wait-pileup');
    assert.equal(f?.severity, 'warning');
    assert.equal(f?.evidence['retransmittingFin'], 12);
    const fw2 = many(120, (i) => sock('FIN_WAIT2', LO, 40000 + i, '127.0.0.9', 80, 33));
    assert.deepEqual(of(input(fw2), 'fin-wait-pileup'), []);
    const [g] = of(windowed([fw2, fw2, fw2]), 'fin-wait-pileup');
    assert.match(g!.title, /120 FIN_WAIT2 stayed 2 s/);
    assert.deepEqual(g!.evidence.processes, [{ pid: 33, command: 'app33', count: 120 }]);
    // A client-side finding names the service, not 120 ephemeral local ports.
    assert.deepEqual(g!.evidence.ports, [{ port: 80, count: 120 }]);
  });

  it('last-ack-pileup: our FIN retransmitted, and a zero-window peer said so', () => {
    const la = [
      ...many(10, (i) => sock('LAST_ACK', LO, 8000, '127.0.0.9', 40000 + i, 0, retx(1))),
      sock('LAST_ACK', LO, 8000, '127.0.0.9', 41000, 0, {
        timer: { kind: 'probe', expiresMs: 200, retransmits: 2 },
      }),
    ];
    const [f] = of(input(la), 'last-ack-pileup');
    assert.equal(f?.evidence.count, 11);
    assert.match(f!.title, /1 waiting on a peer's zero window \(persist timer\)/);
  });

  it('syn-sent-storm: retried SYNs; a scan only with many destinations failing', () => {
    const scan = many(30, (i) => sock('SYN_SENT', '10.0.0.1', 50000 + i, `10.0.${i}.2`, 135, 9, retx(1)));
    const [s] = of(input(scan), 'syn-sent-storm');
    assert.equal(s?.evidence['pattern'], 'scan');
    assert.equal(s?.severity, 'critical');
    assert.deepEqual(s?.evidence.processes, [{ pid: 9, command: 'app9', count: 30 }]);
    const one = many(30, (i) => sock('SYN_SENT', '10.0.0.1', 50000 + i, '10.0.0.2', 443, 9, retx(2)));
    const [u] = of(input(one), 'syn-sent-storm');
    assert.equal(u?.evidence['pattern'], 'unreachable');
    assert.match(u!.title, /10\.0\.0\.2:443 unreachable/);
    const v6 = many(30, (i) => sock('SYN_SENT', '::1', 50000 + i, 'fd00::2', 443, 9, retx(1)));
    assert.match(of(input(v6), 'syn-sent-storm')[0]!.title, /\[fd00::2\]:443/);
    // First tries to a pool of 40 backends, however many: nothing.
    const pool = many(400, (i) =>
      sock('SYN_SENT', '10.0.0.1', 50000 + i, `10.0.1.${i % 40}`, 443, 9, retx(0)),
    );
    assert.deepEqual(of(input(pool), 'syn-sent-storm'), []);
  });

  it('accept-queue: only a listener seen above its backlog; ListenOverflows is context', () => {
    const full = listener(6379, 5, { recvQ: 6, sendQ: 5 });
    const quiet = listener(80, 6, { recvQ: 3, sendQ: 511 });
    const i = windowed(
      [
        [full, quiet],
        [full, quiet],
        [full, quiet],
      ],
      { TcpExtListenOverflows: 40 },
    );
    const f = of(i, 'accept-queue');
    assert.deepEqual(
      f.map((x) => [x.severity, x.evidence.ports?.[0]?.port]),
      [['critical', 6379]],
    );
    assert.deepEqual(f[0]!.evidence['namespace'], {
      TcpExtListenOverflows: 40,
      TcpExtListenDrops: 0,
      'TcpExtListenOverflows/s': 20,
    });
    // One snapshot proves a full queue too.
    assert.equal(of(input([full]), 'accept-queue')[0]?.severity, 'critical');
    // procfs has no backlog: a queue past somaxconn is full, and the limit is said to be unknown.
    const p = input([listener(81, 5, { recvQ: 4097, sendQ: 0 })]);
    p.snapshot.source = 'procfs';
    assert.match(of(p, 'accept-queue')[0]!.title, /backlog unknown on procfs/);
  });

  it('syn-flood: SYN+ACKs sent again on a listener, against its own backlog; cookies are context', () => {
    const l = listener(80, 7, { sendQ: 64 });
    const flood = many(100, (i) => sock('SYN_RECV', '10.0.0.1', 80, `192.0.2.${i}`, 1024 + i, 0, retx(1)));
    const [f] = of(input([l, ...flood]), 'syn-flood');
    assert.equal(f?.severity, 'critical');
    assert.equal(f?.evidence['distinctSources'], 100);
    assert.deepEqual(f?.evidence.processes, [{ pid: 7, command: 'app7', count: 100 }]);
    const fresh = many(100, (i) => sock('SYN_RECV', '10.0.0.1', 80, `192.0.2.${i}`, 1024 + i, 0, retx(0)));
    assert.deepEqual(of(input([l, ...fresh]), 'syn-flood'), []);
    const cookies = of(windowed([[l], [l]], { TcpExtSyncookiesSent: 500 }), 'syn-flood');
    assert.deepEqual(
      cookies.map((x) => x.severity),
      ['warning'],
    );
  });

  it('half-open: backing-off retransmissions or unanswered keepalives warn; idleness is info', () => {
    const gone = many(3, (i) =>
      sock('ESTABLISHED', LO, 9000, '127.0.0.9', 40000 + i, 12, { sendQ: 1000, ...retx(3) }),
    );
    const probe = sock('ESTABLISHED', LO, 9000, '127.0.0.9', 41000, 12, {
      timer: { kind: 'keepalive', expiresMs: 1000, retransmits: 2 },
    });
    const [f] = of(input([...gone, probe]), 'half-open');
    assert.equal(f?.severity, 'warning');
    assert.equal(f?.evidence['keepaliveUnanswered'], 1);
    const idle = many(5, (i) =>
      sock('ESTABLISHED', LO, 9000, '127.0.0.9', 42000 + i, 12, {
        info: { last_data_recv: 4_000_000, last_data_sent: 4_000_000 },
      }),
    );
    const [g] = of(input(idle), 'half-open');
    assert.equal(g?.severity, 'info');
    assert.match(g!.title, /app12\[12\] on :9000 .*keepalive/);
  });

  it('resets: relative to the connections opened; RSTs answering refused connects said so', () => {
    const reset = of(
      windowed([[], []], { TcpEstabResets: 300, TcpActiveOpens: 10, TcpInSegs: 1000 }),
      'resets',
    );
    assert.equal(reset[0]?.severity, 'warning');
    const refused = of(
      windowed([[], []], { TcpOutRsts: 5000, TcpAttemptFails: 5000, TcpInSegs: 10000 }),
      'resets',
    );
    assert.match(refused[0]!.title, /answering connects to closed ports/);
    assert.equal(refused[0]!.severity, 'info', 'connect-failures names them');
  });

  it('retransmits: against the segments sent, tail-loss probes left out', () => {
    const bad = of(windowed([[], []], { TcpOutSegs: 3000, TcpRetransSegs: 600 }), 'retransmits');
    assert.equal(bad[0]?.severity, 'critical');
    const tlp = of(
      windowed([[], []], { TcpOutSegs: 3000, TcpRetransSegs: 600, TcpExtTCPLossProbes: 590 }),
      'retransmits',
    );
    assert.deepEqual(tlp, []);
  });

  it('time-wait-pressure: info when many, warning near tcp_max_tw_buckets, never critical', () => {
    const tw = (n: number) => many(n, (i) => sock('TIME_WAIT', LO, 80, '127.0.0.2', 1024 + (i % 60000)));
    assert.deepEqual(
      of(input(tw(5000)), 'time-wait-pressure').map((f) => f.severity),
      ['info'],
    );
    const near = input(tw(900), { sysctls: { 'net.ipv4.tcp_max_tw_buckets': 1000 } });
    const [f] = of(near, 'time-wait-pressure');
    assert.equal(f?.severity, 'warning');
    assert.match(f!.title, /90% of tcp_max_tw_buckets 1,000/);
  });

  it('tcp-memory: TIME_WAIT overflow is a warning naming the limit; memory pressure is critical', () => {
    const [tw] = of(windowed([[], []], { TcpExtTCPTimeWaitOverflow: 50 }), 'tcp-memory');
    assert.equal(tw?.severity, 'warning');
    assert.match(tw!.title, /tcp_max_tw_buckets 262144/);
    const [mem] = of(windowed([[], []], { TcpExtTCPMemoryPressures: 2 }), 'tcp-memory');
    assert.equal(mem?.severity, 'critical');
    const orphans = input([], { sockstat: { TCP: { orphan: 65000, mem: 1 } } });
    assert.equal(of(orphans, 'tcp-memory')[0]?.severity, 'critical');
  });

  it('recv-queue and send-queue: only queues that stay for the window', () => {
    const stuck = sock('ESTABLISHED', LO, 7000, '127.0.0.9', 40000, 14, { recvQ: 10000 });
    const [r] = of(windowed([[stuck], [stuck], [stuck]]), 'recv-queue');
    assert.deepEqual(r?.evidence.processes, [{ pid: 14, command: 'app14', count: 1 }]);
    const moment = sock('ESTABLISHED', LO, 7000, '127.0.0.9', 40001, 14, { recvQ: 10000 });
    assert.deepEqual(of(windowed([[], [], [moment]]), 'recv-queue'), []);
    const zw = sock('ESTABLISHED', LO, 7001, '127.0.0.9', 40002, 15, {
      sendQ: 60000,
      timer: { kind: 'probe', expiresMs: 400, retransmits: 3 },
    });
    assert.equal(of(windowed([[zw], [zw], [zw]]), 'send-queue')[0]?.severity, 'warning');
    assert.deepEqual(of(windowed([[], [], [zw]]), 'send-queue'), []);
  });

  it('connect-failures: the traced process, destination and error; else the namespace counter', () => {
    const traced = windowed(
      [[], []],
      { TcpAttemptFails: 5000, TcpActiveOpens: 5000 },
      {
        connects: {
          seconds: 1,
          failures: [
            { pid: 77, command: 'curl', address: '::1', port: 9, error: 'ECONNREFUSED', count: 1756 },
          ],
        },
      },
    );
    const [f] = of(traced, 'connect-failures');
    assert.match(
      f!.title,
      /curl\[77\] fails to connect to \[::1\]:9: 1,756 failures \(1,756\/s\): ECONNREFUSED 1,756/,
    );
    assert.deepEqual(f!.evidence.processes, [{ pid: 77, command: 'curl', count: 1756 }]);
    const counter = of(
      windowed([[], []], { TcpAttemptFails: 3000, TcpActiveOpens: 3000 }),
      'connect-failures',
    );
    assert.match(counter[0]!.title, /3,000 connects failed/);
    assert.deepEqual(of(busyWindow(), 'connect-failures'), []);
  });

  it('port-exhaustion: ports in use towards one destination against the range, or EADDRNOTAVAIL traced', () => {
    const sysctls = { 'net.ipv4.ip_local_port_range': [40000, 40039], 'net.ipv4.tcp_tw_reuse': 2 };
    const held = many(40, (i) => sock('ESTABLISHED', LO, 40000 + i, LO, 8080, 77));
    const [f] = of(input(held, { sysctls }), 'port-exhaustion');
    assert.equal(f?.severity, 'critical');
    assert.match(
      f!.title,
      /app77\[77\] uses 40 of 40 local ports \(40000-40039\) towards 127\.0\.0\.1:8080: .*EADDRNOTAVAIL/,
    );
    // TIME_WAIT to loopback is reusable by connect() with tcp_tw_reuse=2: no exhaustion.
    const tw = many(40, (i) => sock('TIME_WAIT', LO, 40000 + i, LO, 8080));
    assert.deepEqual(of(input(tw, { sysctls }), 'port-exhaustion'), []);
    const traced = windowed(
      [[], []],
      {},
      {
        sysctls,
        connects: {
          seconds: 2,
          failures: [{ pid: 78, command: 'ab', address: LO, port: 8080, error: 'EADDRNOTAVAIL', count: 90 }],
        },
      },
    );
    assert.match(of(traced, 'port-exhaustion')[0]!.title, /ab\[78\] gets EADDRNOTAVAIL .* 127\.0\.0\.1:8080/);
    assert.deepEqual(of(traced, 'connect-failures'), [], 'EADDRNOTAVAIL is port-exhaustion’s');
  });

  it('flags listeners from deleted executables, sensitive wildcard binds, and what the baseline lacks', () => {
    const i = input([listener(6379, 11), listener(4444, 12)], {
      exes: new Map([[12, { path: '/tmp/x/node', deleted: true, temporary: true }]]),
      baseline: { listeners: [{ port: 6379, address: '0.0.0.0', command: 'app11' }] },
    });
    const got = loud(i).map((f) => `${f.rule} ${f.severity} ${f.evidence.ports?.[0]?.port}`);
    assert.deepEqual(got.sort(), [
      'listen-audit critical 4444',
      'listen-audit warning 4444',
      'listen-audit warning 6379',
    ]);
  });
});

describe('doctor rules: how findings read', () => {
  it('a socket with an inode but no owner seen (not root) is held by a process we could not inspect', () => {
    const leak = many(6, (i) => {
      const s = sock('CLOSE_WAIT', LO, 8080, '127.0.0.9', 40000 + i);
      s.inode = 5000 + i;
      return s;
    });
    const i = windowed([leak, leak], {}, {});
    i.snapshot.unseen = { processes: 3 };
    const d = diagnose(i);
    assert.equal(d.unseen?.processes, 3);
    assert.match(d.findings[0]!.title, /held by a process we could not inspect/);
  });

  it('completes every finding inside its rule: why, remedies and commands from the knowledge base', () => {
    const i = windowed([[], []], { TcpEstabResets: 300, TcpActiveOpens: 10 });
    const d = diagnose(
      input(
        many(40, (k) => sock('ESTABLISHED', LO, 40000 + k, LO, 8080, 77)),
        {
          sysctls: { 'net.ipv4.ip_local_port_range': [40000, 40039] },
        },
      ),
      explainRule,
    );
    const pe = d.findings.find((f) => f.rule === 'port-exhaustion')!;
    assert.ok(pe.why.length > 40);
    // The remedies in their order: reuse, more source addresses, a wider range, tcp_tw_reuse.
    assert.match(pe.remedies[0]!, /Reuse connections/);
    assert.match(pe.remedies[1]!, /source addresses/);
    assert.match(pe.remedies[2]!, /Widen/);
    assert.match(pe.remedies[3]!, /tcp_tw_reuse/);
    for (const f of diagnose(i, explainRule).findings)
      assert.ok(f.why && f.remedies.length && f.commands.length, f.rule);
  });

  it('writes titles in Chinese when asked', () => {
    const leak = many(6, (i) => sock('CLOSE_WAIT', LO, 8080, '10.0.0.3', 40000 + i, 42));
    assert.match(
      of(windowed([leak, leak], {}, { lang: 'zh' }), 'close-wait-leak')[0]!.title,
      /app42\[42\] 在 :8080 上持有的 6 个 CLOSE_WAIT 持续 1 秒/,
    );
  });
});

describe('doctor config and --fail-on', () => {
  it('takes thresholds from a file and --set, and names bad keys', () => {
    const { config, errors } = buildConfig({ thresholds: { 'close-wait-leak.warning': 50 } }, [
      'syn-flood.synRecvWarning=10',
    ]);
    assert.deepEqual(errors, []);
    assert.equal(config['close-wait-leak.warning'], 50);
    assert.equal(config['syn-flood.synRecvWarning'], 10);
    assert.match(buildConfig(undefined, ['nope.x=1']).errors[0]!, /unknown threshold 'nope.x'/);
    assert.match(buildConfig(undefined, ['resets.outRstsPerSecond=-1']).errors[0]!, /non-negative/);
    assert.match(buildConfig({ thresholds: [] }, []).errors[0]!, /expected an object/);
  });
  it('fails on a level and above', () => {
    const f = { severity: 'warning' } as Parameters<typeof reaches>[0];
    assert.ok(reaches(f, 'warning'));
    assert.ok(!reaches(f, 'critical'));
    assert.ok(!reaches(f, 'never'));
  });
  it('the counter helper gives rates over the seconds', () => {
    assert.equal(interval({ X: 30 }, 3).rates['X'], 10);
  });
});
