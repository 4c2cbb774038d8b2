import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildConfig, DEFAULTS } from '../../src/doctor/config.js';
import { diagnose, reaches } from '../../src/doctor/diagnose.js';
import type { DoctorInput } from '../../src/doctor/types.js';
import { attribute } from '../../src/snapshot/attribute.js';
import type { Socket } from '../../src/tcp/socket.js';
import type { TcpState } from '../../src/tcp/states.js';

function sock(
  state: TcpState,
  local: string,
  lport: number,
  remote: string,
  rport: number,
  pid?: number,
  extra: Partial<Socket> = {},
): Socket {
  const s: Socket = {
    state,
    family: 4,
    local: { address: local, port: lport },
    remote: { address: remote, port: rport },
    recvQ: 0,
    sendQ: 0,
    inode: pid ? 1000 + lport + rport : 0,
    uid: 0,
    ...extra,
  };
  s.owners = pid ? [{ pid, fd: 3, command: `app${pid}`, user: 'root' }] : [];
  return s;
}

function input(sockets: Socket[], over: Partial<DoctorInput> = {}): DoctorInput {
  attribute(sockets);
  return {
    snapshot: { time: '2026-01-01T00:00:00.000Z', source: 'procfs', sockets },
    counters: {},
    sockstat: { TCP: { inuse: sockets.length, orphan: 0, tw: 0, alloc: 0, mem: 1 } },
    sysctls: {
      'net.core.somaxconn': 4096,
      'net.ipv4.ip_local_port_range': [32768, 60999],
      'net.ipv4.tcp_max_tw_buckets': 1000,
      'net.ipv4.tcp_syncookies': 1,
    },
    exes: new Map(),
    config: { ...DEFAULTS },
    lang: 'en',
    ...over,
  };
}

const listener = (port: number, pid: number) => sock('LISTEN', '0.0.0.0', port, '0.0.0.0', 0, pid);
const rules = (i: DoctorInput) =>
  diagnose(i).findings.filter((f) => f.rule !== 'listen-audit' || f.severity !== 'info');

describe('doctor rules on made-up tables', () => {
  it('finds nothing wrong on a quiet table', () => {
    const t = [listener(22, 1), sock('ESTABLISHED', '10.0.0.1', 22, '10.0.0.9', 50000, 1)];
    assert.deepEqual(rules(input(t)), []);
  });

  it('names the process that leaks CLOSE_WAIT, its port and peers', () => {
    const t = [
      listener(8080, 42),
      ...Array.from({ length: 12 }, (_, i) =>
        sock('CLOSE_WAIT', '10.0.0.1', 8080, `10.0.0.${i % 3}`, 40000 + i, 42),
      ),
    ];
    const [f] = rules(input(t));
    assert.equal(f?.rule, 'close-wait-leak');
    assert.equal(f?.severity, 'warning');
    assert.deepEqual(f?.evidence.processes, [{ pid: 42, command: 'app42', count: 12 }]);
    assert.deepEqual(f?.evidence.ports, [{ port: 8080, count: 12 }]);
    assert.match(f!.title, /12 CLOSE_WAIT held by app42\[42\] on :8080/);
  });

  it('sees a SYN flood on a listener and names its owner and the sources', () => {
    const t = [
      listener(80, 7),
      ...Array.from({ length: 100 }, (_, i) => sock('SYN_RECV', '10.0.0.1', 80, `192.0.2.${i}`, 1024 + i)),
    ];
    const f = rules(input(t)).find((x) => x.rule === 'syn-flood')!;
    assert.equal(f.severity, 'warning');
    assert.equal(f.evidence['distinctSources'], 100);
    assert.deepEqual(f.evidence.processes, [{ pid: 7, command: 'app7', count: 100 }]);
  });

  it('tells a scan from one unreachable destination', () => {
    const scan = Array.from({ length: 30 }, (_, i) =>
      sock('SYN_SENT', '10.0.0.1', 50000 + i, '10.0.0.2', 1 + i, 9),
    );
    assert.equal(rules(input(scan))[0]!.evidence['pattern'], 'scan');
    assert.equal(rules(input(scan))[0]!.severity, 'critical');
    const one = Array.from({ length: 30 }, (_, i) =>
      sock('SYN_SENT', '10.0.0.1', 50000 + i, '10.0.0.2', 443, 9),
    );
    assert.equal(rules(input(one))[0]!.evidence['pattern'], 'unreachable');
    assert.equal(rules(input(one))[0]!.severity, 'warning');
  });

  it('weighs TIME_WAIT against tcp_max_tw_buckets and says which end closes first', () => {
    const tw = Array.from({ length: 600 }, (_, i) =>
      sock('TIME_WAIT', '10.0.0.1', 33000 + i, '10.0.0.5', 5432),
    );
    const f = rules(input(tw))[0]!;
    assert.equal(f.rule, 'time-wait-pressure');
    assert.equal(f.severity, 'warning');
    assert.equal(f.evidence['activeCloser'], 'client');
  });

  it('reports a full accept queue (netlink gives the backlog)', () => {
    const l = listener(9000, 5);
    l.recvQ = 3;
    l.sendQ = 2;
    const i = input([l]);
    i.snapshot.source = 'netlink';
    const f = rules(i)[0]!;
    assert.equal(f.rule, 'accept-queue');
    assert.equal(f.severity, 'critical');
  });

  it('flags listeners from deleted executables, sensitive wildcard binds, and what the baseline lacks', () => {
    const t = [listener(6379, 11), listener(4444, 12)];
    const i = input(t, {
      exes: new Map([[12, { path: '/tmp/x/node', deleted: true, temporary: true }]]),
      baseline: { listeners: [{ port: 6379, address: '0.0.0.0', command: 'app11' }] },
    });
    const got = rules(i).map((f) => `${f.rule} ${f.severity} ${f.evidence.ports?.[0]?.port}`);
    assert.deepEqual(got.sort(), [
      'listen-audit critical 4444',
      'listen-audit warning 4444',
      'listen-audit warning 6379',
    ]);
  });

  it('skips rate rules without a window and half-open without tcp_info', () => {
    const d = diagnose(input([]));
    assert.deepEqual(d.skipped.map((s) => s.rule).sort(), ['half-open', 'resets', 'retransmits']);
  });

  it('writes titles in Chinese when asked', () => {
    const t = [
      listener(8080, 42),
      ...Array.from({ length: 6 }, (_, i) => sock('CLOSE_WAIT', '10.0.0.1', 8080, '10.0.0.3', 40000 + i, 42)),
    ];
    assert.match(rules(input(t, { lang: 'zh' }))[0]!.title, /持有 6 个 CLOSE_WAIT/);
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
});
