// Real kernel, as root: every `tcpscope lab` scenario is started through the library
// (startLabScenario, as the doctor's tests do), and `ss` in its namespace must show the states written
// out below, independently of the holder: per state, how many sockets a lab process holds ("owned")
// and how many nobody holds ("none"). Counts are small to keep the run short; syn-flood runs at its
// default count to show the SYN cookies. Three scenarios run at a time, each in its own namespace.
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { LAB_SCENARIOS } from '../../src/lab/catalog.js';
import { listNetns } from '../../src/lab/netns.js';
import type { SsSocket } from '../../src/lab/ss.js';
import { type LabRun, startLabScenario } from '../../src/lab/start.js';

const EXPECTED: Record<string, { count?: number; states: Record<string, number> }> = {
  listen: { states: { 'LISTEN owned': 2 } },
  established: { states: { 'ESTABLISHED owned': 4 } },
  'time-wait': { states: { 'TIME_WAIT none': 2 } },
  'close-wait': { states: { 'CLOSE_WAIT owned': 2, 'FIN_WAIT2 owned': 2 } },
  'fin-wait-2': { states: { 'FIN_WAIT2 none': 2, 'CLOSE_WAIT owned': 2 } },
  'syn-sent': { states: { 'SYN_SENT owned': 2 } },
  'syn-recv': { states: { 'LISTEN owned': 2, 'ESTABLISHED owned': 2, 'SYN_RECV none': 2 } },
  'fin-wait-1': { states: { 'FIN_WAIT1 none': 2, 'CLOSE_WAIT owned': 2 } },
  'last-ack': { states: { 'FIN_WAIT2 owned': 2, 'LAST_ACK none': 2 } },
  closing: { states: { 'CLOSING none': 2, 'FIN_WAIT2 none': 2 } },
  // backlog 128 + 1 requests kept; the 71 other SYNs got cookies (checked below).
  'syn-flood': { states: { 'LISTEN owned': 1, 'SYN_RECV none': 129 } },
  scan: { count: 3, states: { 'SYN_SENT owned': 3 } },
  'close-wait-leak': { count: 3, states: { 'LISTEN owned': 1, 'CLOSE_WAIT owned': 3, 'FIN_WAIT2 none': 3 } },
  // three vanished peers, and the same peer connected again (both ends).
  'half-open': { count: 3, states: { 'LISTEN owned': 1, 'ESTABLISHED owned': 5 } },
  'server-shutdown': {
    count: 3,
    states: { 'FIN_WAIT1 none': 3, 'ESTABLISHED owned': 3, 'TIME_WAIT none': 2 },
  },
  // vanished: LAST_ACK at the server, FIN_WAIT2 orphans at the clients; killed: TIME_WAIT at the clients.
  'vanished-load-client': {
    count: 3,
    states: { 'LISTEN owned': 2, 'LAST_ACK none': 3, 'FIN_WAIT2 none': 3, 'TIME_WAIT none': 3 },
  },
  'restart-eaddrinuse': { count: 3, states: { 'TIME_WAIT none': 6, 'LISTEN owned': 1 } },
  // backlog 4: 5 queued (the first one CLOSE_WAIT), their 5 clients, 3 more clients dropped in SYN_SENT.
  'accept-queue-overflow': {
    count: 8,
    states: {
      'LISTEN owned': 1,
      'ESTABLISHED none': 4,
      'CLOSE_WAIT none': 1,
      'ESTABLISHED owned': 4,
      'FIN_WAIT2 owned': 1,
      'SYN_SENT owned': 3,
    },
  },
  'unexpected-listener': { states: { 'LISTEN owned': 2 } },
};

/** Extra checks of a scenario, on its running form and its rows. */
const CHECKS: Record<string, (lab: LabRun, rows: SsSocket[]) => Promise<void> | void> = {
  'syn-flood': async (lab) => {
    assert.equal(lab.sysctls['net.ipv4.tcp_syncookies'], '1');
    assert.deepEqual(lab.processes[0]!.report.items[0]!.facts, { backlog: 128, requests: 129, cookies: 71 });
    assert.equal(counter(await lab.ns.exec(['cat', '/proc/net/netstat']), 'SyncookiesSent'), 71);
  },
  scan: (_lab, rows) => assert.equal(new Set(rows.map((r) => r.remote.address)).size, 3),
  'server-shutdown': async (lab) => {
    // The retransmission timer may still run at first (the FIN or data just sent): the probe timer
    // takes over once the zero window is seen, within a few hundred milliseconds; 5 s at most.
    const read = async () =>
      (await lab.ns.exec(['ss', '-tanoH', 'state', 'fin-wait-1'])).split('\n').filter(Boolean);
    const deadline = Date.now() + 5000;
    let lines = await read();
    while (Date.now() < deadline && !(lines.length === 3 && lines.every((l) => /timer:\(persist,/.test(l)))) {
      await new Promise((r) => setTimeout(r, 100));
      lines = await read();
    }
    assert.equal(lines.length, 3);
    for (const l of lines) {
      assert.match(l, /timer:\(persist,/, 'the zero-window probe timer');
      assert.ok(Number(l.trim().split(/\s+/)[1]) > 0, `data still queued: ${l}`);
    }
  },
  'vanished-load-client': (lab, rows) => {
    const killed = lab.ports[1]!;
    assert.ok(rows.every((r) => r.state !== 'LAST_ACK' || r.local.port === lab.culprit.port));
    assert.equal(rows.filter((r) => r.state === 'TIME_WAIT' && r.remote.port === killed).length, 3);
    const facts = lab.processes[0]!.report.items[1]!.facts!;
    assert.equal(facts['signal'], 'SIGKILL');
  },
  'restart-eaddrinuse': (lab, rows) => {
    const [without, withIt] = lab.processes[0]!.report.items.map((i) => i.facts);
    assert.deepEqual(without, {
      reuseaddr: false,
      bindWithoutReuseaddr: 'EADDRINUSE',
      bindWithReuseaddr: 'EADDRINUSE',
      restarted: false,
    });
    assert.deepEqual(withIt, {
      reuseaddr: true,
      bindWithoutReuseaddr: 'EADDRINUSE',
      bindWithReuseaddr: 'ok',
      restarted: true,
    });
    assert.equal(rows.find((r) => r.state === 'LISTEN')?.local.port, lab.ports[1]);
  },
  'accept-queue-overflow': async (lab, rows) => {
    const l = rows.find((r) => r.state === 'LISTEN')!;
    assert.deepEqual([l.recvQ, l.sendQ], [5, 4]);
    assert.ok(counter(await lab.ns.exec(['cat', '/proc/net/netstat']), 'ListenOverflows') >= 3);
  },
  'unexpected-listener': (lab, rows) => {
    assert.equal(lab.culprit.role, 'implant');
    const exe = readlinkSync(`/proc/${lab.culprit.pid}/exe`);
    assert.ok(exe.startsWith(tmpdir()) && exe.endsWith(' (deleted)'), exe);
    const implant = rows.find((r) => r.local.port === lab.culprit.port)!;
    assert.equal(implant.local.address, '0.0.0.0');
    assert.deepEqual(
      implant.owners?.map((o) => [o.command, o.pid]),
      [['lab-implant', lab.culprit.pid]],
    );
  },
};

/** A TcpExt counter of /proc/net/netstat text. */
function counter(netstat: string, name: string): number {
  const lines = netstat.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]!.split(/\s+/);
  return Number(lines[1]!.split(/\s+/)[names.indexOf(name)]);
}

function tally(lab: LabRun, rows: SsSocket[]): Record<string, number> {
  const pids = new Set(lab.processes.map((p) => p.pid));
  const out: Record<string, number> = {};
  for (const r of rows) {
    const owners = r.owners ?? [];
    assert.ok(
      owners.every((o) => pids.has(o.pid)),
      `held by a lab process: ${JSON.stringify(r)}`,
    );
    const key = `${r.state} ${owners.length ? 'owned' : 'none'}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('every lab scenario, checked with ss', { concurrency: 3 }, () => {
  it('has an expectation for every scenario', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), LAB_SCENARIOS.map((s) => s.id).sort());
  });

  for (const s of LAB_SCENARIOS) {
    it(s.id, async () => {
      const want = EXPECTED[s.id]!;
      const lab = await startLabScenario(s.id, want.count ? { count: want.count } : {});
      try {
        assert.match(lab.netns, new RegExp(`^tcpscope-lab-${s.id}-${process.pid}-\\d+$`));
        const rows = await lab.sockets();
        assert.deepEqual(tally(lab, rows), want.states);
        for (const p of lab.processes) assert.ok(readFileSync(`/proc/${p.pid}/stat`, 'utf8'), 'alive');
        assert.ok(lab.ports.includes(lab.culprit.port));
        assert.ok((await lab.ns.pids()).includes(lab.culprit.pid), 'the culprit runs in the namespace');
        await CHECKS[s.id]?.(lab, rows);
      } finally {
        await lab.stop();
      }
      assert.ok(!(await listNetns()).includes(lab.netns), 'namespace removed');
    });
  }
});
