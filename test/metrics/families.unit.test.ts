/** The /metrics families from made-up tables: counts, caps, sockets that stayed, escaping, and the text format. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exposition, type MetricFamily } from '../../src/metrics/exposition.js';
import { type MetricsInput, metricFamilies } from '../../src/metrics/families.js';
import type { Snapshot, Socket } from '../../src/tcp/socket.js';
import type { TcpState } from '../../src/tcp/states.js';

let inode = 1;
function sock(
  state: TcpState,
  l: string,
  remote = '0.0.0.0:0',
  cmd?: string,
  extra: Partial<Socket> = {},
): Socket {
  const [la, lp] = l.split(/:(?=\d+$)/) as [string, string];
  const [ra, rp] = remote.split(/:(?=\d+$)/) as [string, string];
  return {
    state,
    family: la.includes(':') ? 6 : 4,
    local: { address: la, port: Number(lp) },
    remote: { address: ra, port: Number(rp) },
    recvQ: 0,
    sendQ: 0,
    inode: cmd ? inode++ : 0,
    uid: 0,
    ...(cmd ? { owners: [{ pid: 100 + cmd.length, fd: 3, command: cmd, user: 'root' }] } : { owners: [] }),
    ...extra,
  };
}

function snap(sockets: Socket[]): Snapshot {
  return { time: '2026-12-05T00:00:00Z', source: 'netlink', sockets };
}

function base(sockets: Socket[], extra: Partial<MetricsInput> = {}): MetricsInput {
  return { snapshot: snap(sockets), counters: {}, tracefs: false, version: '0.1.0', ...extra };
}

/** Series of one family as "labels value" lines. */
function series(families: MetricFamily[], name: string): Map<string, number> {
  const f = families.find((x) => x.name === name);
  assert.ok(f, `family ${name} missing`);
  return new Map(f.samples.map((s) => [JSON.stringify(s.labels ?? {}), s.value]));
}

describe('metric families', () => {
  it('counts every state under node_exporter names, zeros included', () => {
    const fams = metricFamilies(
      base([
        sock('LISTEN', '0.0.0.0:80', undefined, 'nginx', { sendQ: 511 }),
        sock('ESTABLISHED', '10.0.0.1:80', '10.0.0.2:5000', 'nginx'),
        sock('TIME_WAIT', '10.0.0.1:80', '10.0.0.3:5001'),
        sock('CLOSE_WAIT', '::1:9000', '::1:41000', 'java'),
      ]),
    );
    const states = series(fams, 'node_tcp_connection_states');
    assert.equal(states.size, 11);
    assert.equal(states.get('{"state":"listen"}'), 1);
    assert.equal(states.get('{"state":"time_wait"}'), 1);
    assert.equal(states.get('{"state":"close_wait"}'), 1);
    assert.equal(states.get('{"state":"syn_recv"}'), 0);
    const perPort = series(fams, 'tcpscope_tcp_sockets');
    assert.equal(perPort.get('{"state":"established","port":"80"}'), 1);
    assert.equal(perPort.get('{"state":"time_wait","port":"80"}'), 1);
    assert.equal(perPort.size, 3, 'only sockets on listening ports');
    const q = series(fams, 'tcpscope_listen_backlog');
    assert.equal(q.get('{"port":"80","address":"0.0.0.0:80","process":"nginx"}'), 511);
    const byProc = series(fams, 'tcpscope_tcp_sockets_by_process');
    assert.equal(byProc.get('{"state":"time_wait","process":"-"}'), 1);
  });

  it('splits counters into node_exporter names and tcpscope_netstat_total, gauges left out', () => {
    const fams = metricFamilies(
      base([], {
        counters: { TcpActiveOpens: 7, TcpCurrEstab: 3, TcpExtListenOverflows: 2, IpInReceives: 9 },
      }),
    );
    assert.equal(series(fams, 'node_netstat_Tcp_ActiveOpens').get('{}'), 7);
    assert.equal(series(fams, 'node_netstat_Tcp_CurrEstab').get('{}'), 3);
    const total = series(fams, 'tcpscope_netstat_total');
    assert.equal(total.get('{"group":"TcpExt","name":"ListenOverflows"}'), 2);
    assert.equal(total.get('{"group":"Tcp","name":"ActiveOpens"}'), 7);
    assert.equal(total.has('{"group":"Tcp","name":"CurrEstab"}'), false);
    assert.equal(
      [...total.keys()].some((k) => k.includes('InReceives')),
      false,
    );
  });

  it('counts only sockets that stayed in CLOSE_WAIT or SYN_SENT since the previous reading', () => {
    const stay = sock('CLOSE_WAIT', '10.0.0.1:8080', '10.0.0.9:40000', 'java');
    const gone = sock('CLOSE_WAIT', '10.0.0.1:8080', '10.0.0.9:40001', 'java');
    const fresh = sock('CLOSE_WAIT', '10.0.0.1:8080', '10.0.0.9:40002', 'java');
    const tryingA = sock('SYN_SENT', '10.0.0.1:50000', '10.9.9.9:443', 'worker');
    const previous = snap([stay, gone, tryingA]);
    const fams = metricFamilies(base([stay, fresh, tryingA], { previous }));
    assert.deepEqual(
      [...series(fams, 'tcpscope_close_wait_stayed')],
      [['{"port":"8080","process":"java"}', 1]],
    );
    assert.deepEqual(
      [...series(fams, 'tcpscope_syn_sent_stayed')],
      [['{"process":"worker","destination":"10.9.9.9:443"}', 1]],
    );
    const first = metricFamilies(base([stay, fresh, tryingA]));
    assert.equal(
      series(first, 'tcpscope_close_wait_stayed').size,
      0,
      'nothing stayed without a previous reading',
    );
  });

  it('counts ephemeral ports per destination, not the server ends of listeners', () => {
    const sockets = [
      sock('LISTEN', '0.0.0.0:80', undefined, 'nginx'),
      sock('ESTABLISHED', '10.0.0.1:80', '10.0.0.2:45000', 'nginx'),
      ...Array.from({ length: 5 }, (_, i) => sock('TIME_WAIT', `10.0.0.1:${40000 + i}`, '10.0.0.7:3306')),
      sock('ESTABLISHED', '10.0.0.1:1000', '10.0.0.7:3306', 'app'),
    ];
    const fams = metricFamilies(base(sockets, { ephemeral: [32768, 60999] }));
    assert.deepEqual([...series(fams, 'tcpscope_ports_in_use')], [['{"destination":"10.0.0.7:3306"}', 5]]);
    assert.equal(series(fams, 'tcpscope_ephemeral_ports').get('{}'), 28232);
  });

  it('caps label sets, sums the rest under other and counts what it dropped', () => {
    const sockets: Socket[] = [];
    for (let p = 0; p < 30; p++) {
      sockets.push(sock('LISTEN', `0.0.0.0:${1000 + p}`, undefined, `proc${p}`));
      for (let k = 0; k <= p; k++)
        sockets.push(sock('ESTABLISHED', `10.0.0.1:${1000 + p}`, `10.0.0.2:${20000 + k}`, `proc${p}`));
    }
    const dropped = new Map<string, number>();
    const fams = metricFamilies(base(sockets, { caps: { ports: 10, processes: 5 }, dropped }));
    const perPort = series(fams, 'tcpscope_tcp_sockets');
    const ports = new Set([...perPort.keys()].map((k) => (JSON.parse(k) as { port: string }).port));
    assert.equal(ports.size, 11);
    assert.ok(ports.has('other') && ports.has('1029') && !ports.has('1000'));
    const total = [...perPort.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, sockets.length, 'nothing is lost, only summed');
    const procs = new Set(
      [...series(fams, 'tcpscope_tcp_sockets_by_process').keys()].map((k) => JSON.parse(k).process),
    );
    assert.equal(procs.size, 6);
    assert.equal(dropped.get('tcpscope_tcp_sockets'), 20);
    assert.equal(dropped.get('tcpscope_tcp_sockets_by_process'), 25);
    assert.equal(series(fams, 'tcpscope_series_dropped_total').get('{"family":"tcpscope_tcp_sockets"}'), 20);
  });

  it('marks request sockets whose SYN+ACK was retried', () => {
    const fams = metricFamilies(
      base([
        sock('LISTEN', '0.0.0.0:80', undefined, 'nginx', { sendQ: 128 }),
        sock('SYN_RECV', '10.0.0.1:80', '6.6.6.6:1', undefined, {
          timer: { kind: 'retransmit', expiresMs: 100, retransmits: 2 },
        }),
        sock('SYN_RECV', '10.0.0.1:80', '6.6.6.7:1'),
      ]),
    );
    assert.equal(series(fams, 'tcpscope_listen_syn_recv').get('{"port":"80"}'), 2);
    assert.equal(series(fams, 'tcpscope_listen_syn_recv_retried').get('{"port":"80"}'), 1);
  });

  it('names each port of a finding, and its process when it names one alone', () => {
    const fams = metricFamilies(
      base([], {
        findings: [
          {
            rule: 'close-wait-leak',
            severity: 'warning',
            evidence: { ports: [{ port: 8080 }], processes: [{ command: 'java' }] },
          },
          {
            rule: 'listen-audit',
            severity: 'info',
            evidence: {
              ports: [{ port: 22 }, { port: 80 }],
              processes: [{ command: 'a' }, { command: 'b' }],
            },
          },
          { rule: 'tcp-memory', severity: 'critical', evidence: {} },
        ],
      }),
    );
    const f = series(fams, 'tcpscope_finding');
    assert.deepEqual([...f.keys()].sort(), [
      '{"rule":"close-wait-leak","severity":"warning","port":"8080","process":"java"}',
      '{"rule":"listen-audit","severity":"info","port":"22","process":""}',
      '{"rule":"listen-audit","severity":"info","port":"80","process":""}',
      '{"rule":"tcp-memory","severity":"critical","port":"","process":""}',
    ]);
  });
});

describe('exposition', () => {
  it('declares every family, empty ones too, and escapes label values', () => {
    const evil = sock('LISTEN', '0.0.0.0:81', undefined, 'a"b\\c\nd');
    const text = exposition(metricFamilies(base([evil])));
    assert.match(
      text,
      /^tcpscope_listen_queue\{port="81",address="0\.0\.0\.0:81",process="a\\"b\\\\c\\nd"\} 0$/m,
    );
    for (const name of [
      'tcpscope_connect_failures_total',
      'tcpscope_tcp_transitions_total',
      'tcpscope_close_wait_stayed',
    ])
      assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'));
    assert.ok(text.endsWith('\n'));
    // One HELP and TYPE per family, nothing else between the samples.
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    assert.equal(new Set(types).size, types.length);
  });

  it('refuses a bad metric or label name rather than writing a broken scrape', () => {
    assert.throws(() => exposition([{ name: 'bad-name', type: 'gauge', help: '', samples: [] }]));
    assert.throws(() =>
      exposition([{ name: 'ok', type: 'gauge', help: '', samples: [{ labels: { 'x-y': '1' }, value: 1 }] }]),
    );
  });
});
