/**
 * renderMetrics, the writer the agent serves and a server mounts, checked against the `/metrics`
 * contract (docs/metrics.md) and by promtool (Debian's prometheus): every family of the contract
 * declared with its type on an empty table and on a busy one, names the system chose (process names
 * with quotes, backslashes, line feeds, markup, other scripts) escaped so promtool reads them back,
 * caps held with the rest under "other" and the cut series counted across samples.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { renderMetrics } from '../../src/metrics/render.js';
import type { Snapshot, Socket } from '../../src/tcp/socket.js';
import type { TcpState } from '../../src/tcp/states.js';
import { parseExposition, samplesOf } from '../helpers/agent.js';

/** The contract's families and types (docs/metrics.md). */
const CONTRACT: Record<string, 'gauge' | 'counter' | 'untyped'> = {
  node_tcp_connection_states: 'gauge',
  node_netstat_Tcp_CurrEstab: 'untyped',
  node_netstat_Tcp_ActiveOpens: 'untyped',
  node_netstat_Tcp_PassiveOpens: 'untyped',
  node_netstat_Tcp_RetransSegs: 'untyped',
  node_netstat_Tcp_OutSegs: 'untyped',
  node_netstat_Tcp_InSegs: 'untyped',
  node_netstat_Tcp_AttemptFails: 'untyped',
  node_netstat_Tcp_EstabResets: 'untyped',
  node_netstat_Tcp_OutRsts: 'untyped',
  node_netstat_TcpExt_ListenOverflows: 'untyped',
  node_netstat_TcpExt_ListenDrops: 'untyped',
  node_netstat_TcpExt_SyncookiesSent: 'untyped',
  node_netstat_TcpExt_SyncookiesFailed: 'untyped',
  node_netstat_TcpExt_TCPTimeouts: 'untyped',
  node_netstat_TcpExt_TCPSynRetrans: 'untyped',
  tcpscope_tcp_sockets: 'gauge',
  tcpscope_tcp_sockets_by_process: 'gauge',
  tcpscope_netstat_total: 'counter',
  tcpscope_listen_queue: 'gauge',
  tcpscope_listen_backlog: 'gauge',
  tcpscope_listen_syn_recv: 'gauge',
  tcpscope_listener_info: 'gauge',
  tcpscope_ports_in_use: 'gauge',
  tcpscope_ephemeral_ports: 'gauge',
  tcpscope_close_wait_stayed: 'gauge',
  tcpscope_syn_sent_stayed: 'gauge',
  tcpscope_connect_failures_total: 'counter',
  tcpscope_tcp_transitions_total: 'counter',
  tcpscope_finding: 'gauge',
  tcpscope_scrape_duration_seconds: 'gauge',
  tcpscope_series_dropped_total: 'counter',
  tcpscope_build_info: 'gauge',
  tcpscope_tracefs_available: 'gauge',
};

const HOSTILE = ['a"b', 'back\\slash', 'line\nfeed', '<img src=x onerror=alert(1)>', '日本語 процесс', '-'];

let inode = 1;
function sock(state: TcpState, local: string, remote: string, command?: string, extra: Partial<Socket> = {}) {
  const ep = (t: string) => {
    const i = t.lastIndexOf(':');
    return { address: t.slice(0, i), port: Number(t.slice(i + 1)) };
  };
  const s: Socket = {
    state,
    family: 4,
    local: ep(local),
    remote: ep(remote),
    recvQ: 0,
    sendQ: 0,
    inode: command ? inode++ : 0,
    uid: 0,
    owners: command ? [{ pid: 1000 + inode, fd: 3, command, user: 'root' }] : [],
    ...extra,
  };
  return s;
}

const snap = (sockets: Socket[]): Snapshot => ({
  time: '2030-01-01T00:00:00.000Z',
  source: 'netlink',
  sockets,
});

/** A busy table: 60 listeners (over the port cap), hostile names, every state, leaks that stay. */
function busy(): { now: Snapshot; before: Snapshot } {
  const sockets: Socket[] = [];
  for (let p = 0; p < 60; p++) {
    const cmd = HOSTILE[p % HOSTILE.length]!;
    sockets.push(sock('LISTEN', `0.0.0.0:${8000 + p}`, '0.0.0.0:0', cmd, { recvQ: p % 3, sendQ: 128 }));
    for (let c = 0; c <= p % 4; c++)
      sockets.push(sock('ESTABLISHED', `127.0.0.1:${8000 + p}`, `127.0.0.2:${40000 + p * 10 + c}`, cmd));
  }
  for (let i = 0; i < 30; i++) sockets.push(sock('TIME_WAIT', `127.0.0.1:${50000 + i}`, `10.0.0.${i}:443`));
  sockets.push(
    sock('SYN_RECV', '0.0.0.0:8001', '127.0.0.9:1234', undefined, {
      timer: { kind: 'retransmit', expiresMs: 100, retransmits: 2 },
    }),
  );
  const leaks = [1, 2, 3].map((i) => sock('CLOSE_WAIT', '127.0.0.1:8002', `127.0.0.3:${41000 + i}`, 'a"b'));
  const stuck = sock('SYN_SENT', '127.0.0.1:51000', '192.0.2.1:5432', 'line\nfeed');
  for (const st of ['FIN_WAIT1', 'FIN_WAIT2', 'CLOSE', 'LAST_ACK', 'CLOSING'] as TcpState[])
    sockets.push(sock(st, '127.0.0.1:52000', '127.0.0.4:80'));
  const now = snap([...sockets, ...leaks, stuck]);
  return { now, before: snap([...leaks, stuck]) };
}

function render(sample: Parameters<typeof renderMetrics>[0], dropped = new Map<string, number>()): string {
  return renderMetrics(sample, { version: '0.1.0', dropped });
}

function busyText(dropped?: Map<string, number>): string {
  const { now, before } = busy();
  return render(
    {
      snapshot: now,
      previous: before,
      counters: { TcpActiveOpens: 10, TcpCurrEstab: 150, TcpExtListenOverflows: 2, TcpRtoMin: 200 },
      ephemeral: [32768, 60999],
      findings: [
        {
          rule: 'close-wait-leak',
          severity: 'warning',
          evidence: { ports: [{ port: 8002 }], processes: [{ command: 'a"b' }] },
        },
      ],
      transitions: new Map([['SYN_SENT ESTABLISHED', 5]]),
      connectFailures: [
        { process: 'line\nfeed', destination: '192.0.2.1:5432', error: 'ETIMEDOUT', count: 1 },
      ],
      tracefs: true,
      exes: new Map(),
      sampleSeconds: 0.042,
    },
    dropped,
  );
}

/** promtool's complaints, less its style lint on node_exporter's own camelCase names. */
function promtool(text: string): string[] {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'promtool runs (Debian: prometheus)');
  return `${r.stdout}${r.stderr}`
    .split('\n')
    .filter(
      (l) => l.trim() !== '' && !/^node_netstat_\w+ metric names should be written in 'snake_case'/.test(l),
    );
}

function types(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out[m[1]!] = m[2]!;
  return out;
}

describe('renderMetrics', () => {
  it('declares every family of the contract with its type, on an empty table too', () => {
    for (const text of [render({ snapshot: snap([]), counters: {}, tracefs: false }), busyText()]) {
      const declared = types(text);
      for (const [name, type] of Object.entries(CONTRACT)) assert.equal(declared[name], type, name);
      assert.deepEqual(promtool(text), []);
    }
  });

  it('writes names the system chose so that promtool and a parser read them back', () => {
    const text = busyText();
    assert.deepEqual(promtool(text), []);
    const series = parseExposition(text);
    assert.equal(
      samplesOf(series, 'tcpscope_close_wait_stayed', 'port="8002"', 'process="a\\"b"')[0]?.[1],
      3,
    );
    assert.equal(samplesOf(series, 'tcpscope_syn_sent_stayed', 'process="line\\nfeed"')[0]?.[1], 1);
    assert.ok(samplesOf(series, 'tcpscope_tcp_sockets_by_process', 'process="back\\\\slash"').length > 0);
    assert.ok(
      samplesOf(series, 'tcpscope_listener_info', 'process="<img src=x onerror=alert(1)>"').length > 0,
    );
    assert.ok(samplesOf(series, 'tcpscope_listener_info', 'process="日本語 процесс"').length > 0);
    assert.equal(samplesOf(series, 'tcpscope_finding', 'rule="close-wait-leak"', 'port="8002"').length, 1);
    assert.equal(
      samplesOf(series, 'tcpscope_tcp_transitions_total', 'from="syn_sent"', 'to="established"')[0]?.[1],
      5,
    );
    assert.equal(
      samplesOf(series, 'tcpscope_netstat_total', 'name="RtoMin"').length,
      0,
      'a setting is no counter',
    );
    assert.equal(samplesOf(series, 'node_tcp_connection_states').length, 11);
    assert.equal(samplesOf(series, 'tcpscope_scrape_duration_seconds')[0]?.[1], 0.042);
  });

  it('keeps 50 listening ports, sums the rest under "other", and counts the cut series across samples', () => {
    const dropped = new Map<string, number>();
    const first = parseExposition(busyText(dropped));
    const ports = new Set(
      samplesOf(first, 'tcpscope_tcp_sockets').map(([k]) => /port="([^"]+)"/.exec(k)![1]),
    );
    assert.equal(ports.size, 51);
    assert.ok(ports.has('other'));
    const total = (m: Map<string, number>, f: string) => samplesOf(m, f).reduce((n, [, v]) => n + v, 0);
    const { now } = busy();
    const onListeningPorts = now.sockets.filter((s) => s.local.port >= 8000 && s.local.port < 8060).length;
    assert.equal(total(first, 'tcpscope_tcp_sockets'), onListeningPorts, 'nothing lost by the cap');
    assert.equal(
      samplesOf(first, 'tcpscope_series_dropped_total', 'family="tcpscope_tcp_sockets"')[0]?.[1],
      10,
    );
    const second = parseExposition(busyText(dropped));
    assert.equal(
      samplesOf(second, 'tcpscope_series_dropped_total', 'family="tcpscope_tcp_sockets"')[0]?.[1],
      20,
    );
  });
});
