/**
 * `doctor --pcap`'s rules on synthetic captures: a busy healthy capture finds nothing; a SYN flood,
 * a refused storm, a scan, a zero window that stays and an end left in CLOSE_WAIT are each found,
 * naming the port and the peers, as are connections torn down by RST among many that closed well; the
 * rules a capture cannot support are listed as skipped. Each is diagnosed from every connection
 * and from what `doctor --pcap` keeps of them (`CaptureConns`), with the same findings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CaptureConns, diagnoseCapture, WireFacts } from '../../src/doctor/capture-rules.js';
import { explainRule } from '../../src/doctor/explain.js';
import { type Conn, FlowTracker } from '../../src/flow/index.js';
import type { WirePacket } from '../../src/net/packet.js';
import { ACK, FIN, RST, SYN } from '../../src/tcp/index.js';
import { synthetic } from '../flow/synthetic.js';
import { frame, ipPacket, pcapFile } from '../helpers/capture-writer.js';
import { tcpscope } from '../helpers/cli.js';

const T0 = 1_700_000_000_000_000;

function pkt(
  t: number,
  src: string,
  sport: number,
  dst: string,
  dport: number,
  flags: number,
  seq: number,
  ack: number,
  len = 0,
  window = 512,
): WirePacket {
  return {
    timeUs: T0 + t,
    family: 4,
    src,
    sport,
    dst,
    dport,
    seq,
    ack,
    flags,
    len,
    window,
    iface: 0,
    offset: 0,
  };
}

function run(packets: readonly WirePacket[]) {
  const conns: Conn[] = [];
  const facts = new WireFacts();
  const tracker = new FlowTracker({ onConn: (c) => conns.push(c) });
  for (const p of packets) {
    facts.push(p);
    tracker.push(p);
  }
  tracker.finish();
  const d = diagnoseCapture({ file: 'x.pcap', conns, facts, lang: 'en' }, explainRule);
  // What `doctor --pcap` keeps (the connections a rule may name, the others counted) finds the same.
  const kept = new CaptureConns();
  for (const c of conns) kept.add(c);
  assert.equal(kept.count, conns.length);
  assert.deepEqual(
    diagnoseCapture(
      { file: 'x.pcap', conns: kept.kept, quiet: kept.quiet, fails: kept.fails, facts, lang: 'en' },
      explainRule,
    ),
    d,
  );
  return d;
}

const S = '192.0.2.1';

/** 40 handshakes to one port whose SYN+ACK is sent again and never answered, from four sources. */
function flood(): WirePacket[] {
  const ps: WirePacket[] = [];
  for (let i = 0; i < 40; i++) {
    const c = `198.51.100.${1 + (i % 4)}`;
    ps.push(pkt(i * 10, c, 2000 + i, S, 8080, SYN, 100, 0));
    ps.push(pkt(i * 10 + 1, S, 8080, c, 2000 + i, SYN | ACK, 500, 101));
    ps.push(pkt(i * 10 + 1_000_000, S, 8080, c, 2000 + i, SYN | ACK, 500, 101));
  }
  return ps;
}

/** One source refused on 30 ports (a scan), another 12 times on one port. */
function refusals(): WirePacket[] {
  const ps: WirePacket[] = [];
  for (let i = 0; i < 30; i++) {
    ps.push(pkt(i * 10, '198.51.100.9', 3000 + i, S, 9000 + i, SYN, 100, 0));
    ps.push(pkt(i * 10 + 1, S, 9000 + i, '198.51.100.9', 3000 + i, RST | ACK, 0, 101));
  }
  for (let i = 0; i < 12; i++) {
    ps.push(pkt(1000 + i * 10, '198.51.100.7', 4000 + i, S, 7, SYN, 100, 0));
    ps.push(pkt(1000 + i * 10 + 1, S, 7, '198.51.100.7', 4000 + i, RST | ACK, 0, 101));
  }
  return ps;
}

const C = '198.51.100.3';

/** A client whose window stays zero, and a server's FIN it never answers with its own. */
function stall(): WirePacket[] {
  return [
    pkt(0, C, 5000, S, 80, SYN, 100, 0),
    pkt(1, S, 80, C, 5000, SYN | ACK, 500, 101),
    pkt(2, C, 5000, S, 80, ACK, 101, 501),
    pkt(3, S, 80, C, 5000, ACK, 501, 101, 100),
    pkt(4, C, 5000, S, 80, ACK, 101, 601, 0, 0),
    pkt(2_000_000, C, 5000, S, 80, ACK, 101, 601, 0, 0),
    pkt(2_000_001, S, 80, C, 5000, FIN | ACK, 601, 101),
    pkt(2_000_002, C, 5000, S, 80, ACK, 101, 602, 0, 0),
    pkt(6_000_000, C, 5000, S, 80, ACK, 101, 602, 0, 0),
  ];
}

/** 300 connections that close well, then 30 torn down by the server's RST. */
function resets(): WirePacket[] {
  const ps = synthetic(300, 3);
  const at = ps.at(-1)!.timeUs - T0 + 1000;
  for (let i = 0; i < 30; i++) {
    const c = '198.51.100.20';
    const t = at + i * 100;
    ps.push(pkt(t, c, 6000 + i, S, 443, SYN, 100, 0));
    ps.push(pkt(t + 1, S, 443, c, 6000 + i, SYN | ACK, 500, 101));
    ps.push(pkt(t + 2, c, 6000 + i, S, 443, ACK, 101, 501));
    ps.push(pkt(t + 3, S, 443, c, 6000 + i, RST | ACK, 501, 101));
  }
  return ps;
}

describe('doctor --pcap rules', () => {
  it('finds nothing in a busy healthy capture and lists what it cannot judge', () => {
    const d = run(synthetic(300, 3));
    assert.deepEqual(
      d.findings.map((f) => f.rule),
      [],
    );
    assert.ok(d.skipped.some((s) => s.rule === 'accept-queue'));
    assert.ok(d.skipped.some((s) => s.rule === 'owners'));
  });

  it('finds a SYN flood whose SYN+ACKs are sent again, with the port and the peers', () => {
    const d = run(flood());
    const f = d.findings.find((x) => x.rule === 'syn-flood');
    assert.ok(f, JSON.stringify(d.findings.map((x) => x.rule)));
    assert.equal(f.severity, 'critical');
    assert.deepEqual(f.evidence.ports, [{ port: 8080, count: 40 }]);
    assert.equal(f.evidence.peers?.length, 4);
    assert.equal(f.evidence.synAckRetransmitted, 40);
  });

  it('finds refused connects and a scan from one source', () => {
    const d = run(refusals());
    const scan = d.findings.find((x) => x.rule === 'scan');
    assert.ok(scan);
    assert.deepEqual(scan.evidence.peers, [{ address: '198.51.100.9', count: 30 }]);
    const refused = d.findings.find((x) => x.rule === 'connect-failures' && x.evidence.server === `${S}:7`);
    assert.ok(refused);
    assert.equal(refused.severity, 'warning');
    assert.deepEqual(refused.evidence.peers, [{ address: '198.51.100.7', count: 12 }]);
    // The scan's thirty refusals are the scan finding's, not thirty connect-failures of their own.
    assert.deepEqual(
      d.findings.filter((x) => x.rule === 'connect-failures').map((x) => x.evidence.server),
      [`${S}:7`],
    );
  });

  it('finds a window that stays zero and an end that never sends its FIN', () => {
    const d = run(stall());
    const z = d.findings.find((x) => x.rule === 'zero-window');
    assert.ok(z);
    assert.deepEqual(z.evidence.receivers, [`${C}:5000`]);
    const cw = d.findings.find((x) => x.rule === 'close-wait-leak');
    assert.ok(cw, JSON.stringify(d.findings.map((x) => x.rule)));
    assert.deepEqual(cw.evidence.ports, [{ port: 5000, count: 1 }]);
    assert.deepEqual(cw.evidence.peers, [{ address: S, count: 1 }]);
  });

  it('finds connections torn down by RST among many that closed well, counting those too', () => {
    const d = run(resets());
    const f = d.findings.find((x) => x.rule === 'resets');
    assert.ok(f, JSON.stringify(d.findings.map((x) => x.rule)));
    assert.equal(f.evidence.count, 30);
    assert.equal(f.evidence.connections, 330);
    assert.equal(f.evidence.resetByServer, 30);
  });

  it('finds the same on threads: the built CLI on one, two and three', () => {
    // Every capture with trouble above, ten minutes apart, as one file.
    const dir = mkdtempSync(join(tmpdir(), 'tcpscope-docthreads-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const recs = [flood(), refusals(), stall(), resets()].flatMap((ps, k) =>
      ps.map((p) => {
        const us = p.timeUs + k * 600_000_000;
        const ip = ipPacket({ ...p, window: p.window });
        return { data: frame('ethernet', ip), sec: Math.floor(us / 1e6), frac: us % 1e6 };
      }),
    );
    const file = join(dir, 'all.pcap');
    writeFileSync(file, pcapFile(recs));
    const doctor = (threads: string) => {
      const r = tcpscope(['doctor', '--pcap', file, '--json', '--fail-on', 'never', '--threads', threads]);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /missing/);
      return JSON.parse(r.stdout);
    };
    const one = doctor('1');
    const rules = one.findings.map((f: { rule: string }) => f.rule);
    for (const rule of ['close-wait-leak', 'connect-failures', 'resets', 'scan', 'syn-flood', 'zero-window'])
      assert.ok(rules.includes(rule), `${rule} in ${rules}`);
    assert.deepEqual(doctor('2'), one);
    assert.deepEqual(doctor('3'), one);
    const bad = tcpscope(['doctor', '--pcap', file, '--threads', 'many']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--threads: 'many' is not a whole number/);
  });
});
