import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tcpscope, tcpscopeJson } from '../helpers/cli.js';
import { holdInNetns, type TestNetns } from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

interface SummaryJson {
  sockstat: Record<string, Record<string, number>>;
  tcp: { total: number; estab: number; closed: number; orphaned: number; timewait: number };
  hostWide?: string[];
  total: number;
  states: Record<string, number>;
}

/** `ss -s` in the namespace: the Total line, the TCP line and the transport table. */
function ssSummary(ns: TestNetns): {
  total: number;
  tcp: Record<string, number>;
  transport: Record<string, number[]>;
} {
  const text = ns.exec(['ss', '-s']);
  const total = Number(/^Total: (\d+)/m.exec(text)![1]);
  const m = /^TCP:\s+(\d+) \(estab (\d+), closed (-?\d+), orphaned (\d+), timewait (\d+)/m.exec(text)!;
  const [, all, estab, closed, orphaned, timewait] = m.map(Number);
  const transport: Record<string, number[]> = {};
  for (const row of text.matchAll(/^(RAW|UDP|TCP|INET|FRAG)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/gm))
    transport[row[1]!] = [Number(row[2]), Number(row[3]), Number(row[4])];
  return {
    total,
    tcp: { total: all!, estab: estab!, closed: closed!, orphaned: orphaned!, timewait: timewait! },
    transport,
  };
}

describe('ls --summary against ss -s in a namespace', () => {
  const held = holdInNetns(['states']);

  it("uses ss's definitions: estab is Tcp CurrEstab (CLOSE_WAIT included), timewait sockstat's tw", async () => {
    // The counters and the table are read one after the other: on a loaded machine a held socket can
    // move between the two reads (and sockets of other programs come and go in `sockets: used`), so the
    // figures are taken again until a reading agrees with itself and with ss's before it. ss -s opens
    // no socket; tcpscope's netlink socket, once closed, stays counted in `sockets: used` for a while
    // on some kernels (its release is deferred), so ss reads first, and rounds are apart.
    const { ours, ss } = await waitFor(
      'a summary read while nothing moved',
      () => {
        const ss = ssSummary(held.ns);
        const ours = tcpscopeJson<SummaryJson>(['ls', '--summary', '--netns', held.ns.name]);
        const again = tcpscopeJson<SummaryJson>(['ls', '--summary', '--netns', held.ns.name]);
        // Both of ours agree and ss agrees with them: nothing moved; a wrong figure would never
        // agree and the wait would fail with it.
        return JSON.stringify(ours.states) === JSON.stringify(again.states) &&
          ours.tcp.estab === again.tcp.estab &&
          ours.tcp.estab === (ours.states['ESTABLISHED'] ?? 0) + (ours.states['CLOSE_WAIT'] ?? 0) &&
          ours.tcp.estab === ss.tcp['estab'] &&
          ours.tcp.timewait === ss.tcp['timewait'] &&
          ours.sockstat['sockets']!['used'] === ss.total
          ? { ours, ss }
          : undefined;
      },
      { timeoutMs: 30_000, everyMs: 1500 },
    );
    assert.ok((ours.states['CLOSE_WAIT'] ?? 0) > 0, 'the holder keeps CLOSE_WAIT sockets');
    assert.equal(ours.tcp.estab, (ours.states['ESTABLISHED'] ?? 0) + (ours.states['CLOSE_WAIT'] ?? 0));
    assert.equal(ours.tcp.estab, ss.tcp['estab']);
    assert.equal(ours.tcp.timewait, ss.tcp['timewait']);
    assert.equal(ours.sockstat['sockets']!['used'], ss.total);
    // alloc and orphan are the host's and move with the rest of the machine: ss's arithmetic on our reading.
    const st = ours.sockstat;
    assert.equal(ours.tcp.total, st['TCP']!['alloc']! + st['TCP']!['tw']!);
    assert.equal(
      ours.tcp.closed,
      st['TCP']!['alloc']! - (st['TCP']!['inuse']! + st['TCP6']!['inuse']! - st['TCP']!['tw']!),
    );
    assert.equal(ours.tcp.orphaned, st['TCP']!['orphan']);
  });

  it('prints the TCP line and transport table as ss -s does, and marks the host-wide figures', () => {
    const r = tcpscope(['ls', '--summary', '--netns', held.ns.name]);
    assert.equal(r.status, 0, r.stderr);
    const ss = ssSummary(held.ns);
    const line = /^TCP:\s+\d+ \(estab (\d+), closed -?\d+, orphaned \d+, timewait (\d+)\)$/m.exec(r.stdout);
    assert.ok(line, r.stdout);
    assert.deepEqual([Number(line[1]), Number(line[2])], [ss.tcp['estab'], ss.tcp['timewait']]);
    for (const proto of ['RAW', 'UDP', 'TCP', 'INET', 'FRAG']) {
      const row = new RegExp(`^${proto}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$`, 'm').exec(r.stdout);
      assert.deepEqual(row?.slice(1).map(Number), ss.transport[proto], proto);
    }
    assert.match(r.stdout, /whole host's: sockstat's TCP alloc and orphan are host-wide/);
    assert.deepEqual(tcpscopeJson<SummaryJson>(['ls', '--summary', '--netns', held.ns.name]).hostWide, [
      'TCP.orphan',
      'TCP.alloc',
      'TCP.mem',
      'UDP.mem',
    ]);
    assert.equal(tcpscopeJson<SummaryJson>(['ls', '--summary']).hostWide, undefined, 'not on the host');
  });
});
