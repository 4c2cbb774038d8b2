/**
 * `doctor --pcap` against real captures (root, iproute2, nftables, tcpdump): in a namespace, tcpdump
 * captures the loopback while (a) healthy traffic runs: no warning; (b) a refused storm and a SYN
 * flood whose SYN+ACKs nft drops run: the findings name the destination ports and the peers.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readCaptureFile } from '../../src/capture/index.js';
import { diagnoseCapture, WireFacts } from '../../src/doctor/capture-rules.js';
import { explainRule } from '../../src/doctor/explain.js';
import { type Conn, FlowTracker } from '../../src/flow/index.js';
import { makeNetns, type TestNetns } from '../helpers/netns.js';

const root = process.getuid?.() === 0;

/** Node code: `healthy N` opens, uses and closes N connections to its own server; `storm` connects to a dropped and a closed port. */
const TRAFFIC = `
import net from 'node:net';
const [mode, n] = [process.argv[1], Number(process.argv[2])];
const srcs = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const connect = (port, i, ms) => new Promise((res) => {
  const s = net.connect({ host: '127.0.0.1', port, localAddress: srcs[i % 3] });
  const t = setTimeout(() => { s.destroy(); res('timeout'); }, ms);
  s.on('connect', () => { s.end('hello'); });
  s.on('data', () => {});
  s.on('error', (e) => { clearTimeout(t); res(e.code); });
  s.on('close', () => { clearTimeout(t); res('closed'); });
});
if (mode === 'healthy') {
  const srv = net.createServer((c) => { c.on('data', (d) => c.end(d)); }).listen(48001, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  for (let i = 0; i < n; i += 20) await Promise.all(Array.from({ length: 20 }, (_, k) => connect(48001, i + k, 5000)));
  srv.close();
} else {
  const srv = net.createServer(() => {}).listen({ port: 48002, host: '127.0.0.1', backlog: 1024 });
  await new Promise((r) => srv.once('listening', r));
  await Promise.all([
    ...Array.from({ length: n }, (_, i) => connect(48002, i, 2500)),
    ...Array.from({ length: n }, (_, i) => connect(48003, i, 2500)),
  ]);
  srv.close();
}
console.log('done');
`;

async function captureWhile(ns: TestNetns, file: string, work: () => Promise<unknown>): Promise<void> {
  const dump: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns.name,
      'tcpdump',
      '-U',
      '--immediate-mode',
      '-n',
      '-s',
      '128',
      '-i',
      'lo',
      '-w',
      file,
      'tcp',
    ],
    { stdio: 'ignore' },
  );
  try {
    for (let i = 0; i < 100 && !statSync(file, { throwIfNoEntry: false })?.size; i++)
      await new Promise((r) => setTimeout(r, 50));
    await work();
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    dump.kill('SIGTERM');
    await new Promise((r) => dump.once('exit', r));
  }
}

async function doctor(file: string) {
  const conns: Conn[] = [];
  const facts = new WireFacts();
  const tracker = new FlowTracker({ onConn: (c) => conns.push(c) });
  await readCaptureFile(file, (p) => {
    facts.push(p);
    tracker.push(p);
  });
  tracker.finish();
  return { conns, d: diagnoseCapture({ file, conns, facts, lang: 'en' }, explainRule) };
}

describe('doctor --pcap on real captures', { skip: root ? false : 'needs root' }, () => {
  it('stays quiet on healthy traffic and names the ports and peers of a flood and a refused storm', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcps-pcapdoc-'));
    const ns = makeNetns('pcapdoc');
    try {
      const healthy = join(dir, 'healthy.pcap');
      await captureWhile(ns, healthy, () => ns.node(TRAFFIC, ['healthy', '200'], 60_000));
      const a = await doctor(healthy);
      assert.ok(a.conns.length >= 200, `${a.conns.length} connections`);
      assert.deepEqual(
        a.d.findings.filter((f) => f.severity !== 'info').map((f) => f.rule),
        [],
      );

      ns.exec(['nft', 'add', 'table', 'inet', 'pcapdoc']);
      ns.exec(['nft', 'add', 'chain', 'inet', 'pcapdoc', 'out', '{ type filter hook output priority 0 ; }']);
      ns.exec(['nft', 'add rule inet pcapdoc out tcp sport 48002 tcp flags & (syn | ack) == syn | ack drop']);
      const storm = join(dir, 'storm.pcap');
      await captureWhile(ns, storm, () => ns.node(TRAFFIC, ['storm', '30'], 60_000));
      const b = await doctor(storm);
      const flood = b.d.findings.find((f) => f.rule === 'syn-flood');
      assert.ok(flood, JSON.stringify(b.d.findings.map((f) => f.title)));
      assert.equal(flood.evidence.ports?.[0]?.port, 48002);
      assert.deepEqual(flood.evidence.peers?.map((p) => p.address).sort(), [
        '127.0.0.2',
        '127.0.0.3',
        '127.0.0.4',
      ]);
      const refused = b.d.findings.find((f) => f.rule === 'connect-failures');
      assert.ok(refused);
      assert.equal(refused.severity, 'warning');
      assert.equal(refused.evidence.ports?.[0]?.port, 48003);
      assert.equal(refused.evidence.peers?.length, 3);
      assert.ok(b.d.skipped.some((s) => s.rule === 'owners'));
    } finally {
      ns.delete();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
