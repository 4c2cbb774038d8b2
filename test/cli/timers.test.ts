/**
 * `ls -o -e` against `ss -tanoeH`, column by column, on real sockets with each kind of timer: the
 * ends as ss writes them, the queues, the timer's name, its count, and its time left cut as ss cuts
 * it (the exact cuts are checked against ss's own code in the unit test; here the two reads, a few
 * milliseconds apart, must agree within that).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tcpscope } from '../helpers/cli.js';
import { makeNetns, type TestNetns } from '../helpers/netns.js';

const LOAD = fileURLToPath(new URL('./_timers-load.js', import.meta.url));

interface Row {
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  peer: string;
  timer?: { name: string; text: string; count: number } | undefined;
}

/** ss's state names to the kernel's. */
const SS_STATES: Record<string, string> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
  UNCONN: 'UNCONN',
};

function timerOf(text: string | undefined): Row['timer'] {
  if (text === undefined || text === '') return undefined;
  const [name, t, count] = text.split(',');
  return { name: name!, text: t!, count: Number(count) };
}

function parseSsRows(out: string): Row[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = line.trim().split(/\s+/);
      const timer = /timer:\(([^)]*)\)/.exec(line)?.[1];
      return {
        state: SS_STATES[f[0]!] ?? f[0]!,
        recvQ: Number(f[1]),
        sendQ: Number(f[2]),
        local: f[3]!,
        peer: f[4]!,
        timer: timerOf(timer),
      };
    });
}

/** `ls -o -H` rows: State Recv-Q Send-Q Local Peer [Timer]. */
function parseOurs(out: string): Row[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = line.trim().split(/\s+/);
      return {
        state: f[0]!,
        recvQ: Number(f[1]),
        sendQ: Number(f[2]),
        local: f[3]!,
        peer: f[4]!,
        timer: timerOf(f[5]),
      };
    });
}

/** The range of milliseconds an ss duration stands for (ss cuts, never rounds). */
function msRange(text: string): [number, number] {
  if (text === '') return [0, 1];
  const m = /^(?:(\d+)min)?(?:(\d+)(?:sec|\.))?(?:(\d{3})(?:sec|ms))?$/.exec(text);
  assert.ok(m, `not an ss duration: ${text}`);
  const min = Number(m[1] ?? 0);
  const sec = Number(m[2] ?? 0);
  const ms = Number(m[3] ?? 0);
  const low = min * 60_000 + sec * 1000 + ms;
  const step = min >= 10 ? 60_000 : min > 0 || sec >= 10 ? 1000 : 1;
  return [low, low + step];
}

describe('ls -o against ss -tano, every timer kind', { timeout: 120_000 }, () => {
  let ns: TestNetns;
  let load: ChildProcess | undefined;

  before(async () => {
    ns = makeNetns();
    // A small receive buffer: the paused receiver's window closes after a few kilobytes.
    ns.exec(['sysctl', '-qw', 'net.ipv4.tcp_rmem=4096 4096 8192']);
    load = spawn('ip', ['netns', 'exec', ns.name, process.execPath, LOAD, 'hold'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('load: not ready after 30 s')), 30_000);
      load!.once('exit', (code) => reject(new Error(`load exited with ${code}`)));
      createInterface({ input: load!.stdout! }).once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const kinds = new Set(parseSsRows(ns.exec(['ss', '-tanoH'])).map((r) => r.timer?.name));
      if (['on', 'keepalive', 'timewait', 'persist'].every((k) => kinds.has(k))) break;
      if (Date.now() > deadline) throw new Error(`timers seen: ${[...kinds].join(' ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(() => {
    load?.stdin?.end();
    load?.kill('SIGTERM');
    ns?.delete();
  });

  for (const source of ['netlink', 'procfs']) {
    it(`agrees column by column (${source})`, () => {
      const t0 = Date.now();
      const r = tcpscope(['ls', '-o', '-H', '--source', source], { netns: ns.name });
      assert.equal(r.status, 0, r.stderr);
      const theirs = parseSsRows(ns.exec(['ss', '-tanoH']));
      const elapsed = Date.now() - t0;
      const ours = new Map(parseOurs(r.stdout).map((o) => [`${o.local} ${o.peer}`, o]));
      const kinds = new Set<string>();
      for (const t of theirs) {
        const key = `${t.local} ${t.peer}`;
        const o = ours.get(key);
        assert.ok(o, `ss has ${key}, ls has not:\n${r.stdout}`);
        assert.equal(o.state, t.state, key);
        assert.equal(o.recvQ, t.recvQ, key);
        // A listener's Send-Q is its backlog in netlink; /proc/net/tcp has none.
        if (!(source === 'procfs' && t.state === 'LISTEN')) assert.equal(o.sendQ, t.sendQ, key);
        assert.equal(o.timer?.name, t.timer?.name, key);
        if (!t.timer || !o.timer) continue;
        kinds.add(t.timer.name);
        // ours was read first: probes and retransmissions (every few hundred ms at first on
        // loopback) may come in between; the other timers' counts stand still.
        const moving = t.timer.name === 'persist' || t.timer.name === 'on';
        const more = t.timer.count - o.timer.count;
        assert.ok(moving ? more >= 0 : more === 0, `${key}: count ${o.timer.count} vs ss ${t.timer.count}`);
        const [oLow, oHigh] = msRange(o.timer.text);
        const [tLow, tHigh] = msRange(t.timer.text);
        // time passes between the reads; procfs counts in 10 ms ticks; a timer rearmed in between
        // (a retransmission, a keepalive reset) is left out.
        if (t.timer.count !== o.timer.count || t.timer.name === 'persist' || t.timer.name === 'on') continue;
        assert.ok(
          tLow < oHigh + 20 && tHigh + elapsed + 20 > oLow,
          `${key}: ls ${o.timer.text} vs ss ${t.timer.text} (${elapsed} ms apart)`,
        );
      }
      assert.deepEqual([...kinds].sort(), ['keepalive', 'on', 'persist', 'timewait']);
    });
  }
});
