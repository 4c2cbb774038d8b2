import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseTraceText } from '../../src/kernel/tracefs/text.js';
import { stateName } from '../../src/trace/track.js';
import { commOf } from '../helpers/comm.js';
import { makeNetns, type TestNetns } from '../helpers/netns.js';
import { CLI, instancesOf, sidecar, startTcpscope, until } from './_sidecar.js';

const SCENARIO = fileURLToPath(new URL('./_scenario.js', import.meta.url));

interface Line {
  local: { address: string; port: number };
  remote: { address: string; port: number };
  from: string;
  to: string;
  inferred?: boolean;
  announced?: string;
  durationMs?: number;
  owner?: { pid: number; command: string; via: string };
}

const key = (l: string, lp: number, r: string, rp: number, from: string, to: string) =>
  `${l}:${lp} ${r}:${rp} ${from}>${to}`;

/** Runs a scenario in the namespace with tcpscope trace and a sidecar instance on its port. */
async function traced(ns: TestNetns, scenario: string, port: number) {
  const side = sidecar(port);
  const t = await startTcpscope(['trace', '--json', '--port', String(port)]);
  try {
    ns.exec([process.execPath, SCENARIO, scenario, String(port)]);
    const kernel = () => parseTraceText(side.text()).events;
    const lines = () =>
      t
        .out()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Line);
    // Every event the kernel wrote for the port has reached tcpscope.
    await until(`${scenario}: tcpscope's lines`, 10_000, () => lines().length >= kernel().length);
    t.child.kill('SIGINT');
    assert.equal(await t.exited, 0, t.err());
    const expected = kernel()
      .map((e) =>
        e.event === 'inet_sock_set_state'
          ? key(e.saddr, e.sport, e.daddr, e.dport, stateName(e.oldstate)!, stateName(e.newstate)!)
          : '',
      )
      .sort();
    const got = lines()
      .map((l) =>
        key(l.local.address, l.local.port, l.remote.address, l.remote.port, l.from, l.announced ?? l.to),
      )
      .sort();
    assert.deepEqual(got, expected);
    assert.deepEqual(instancesOf(t.child.pid!), [], 'instance removed');
    return lines();
  } finally {
    t.child.kill('SIGKILL');
    side.remove();
  }
}

const seq = (lines: Line[], port: number, side: 'server' | 'client') =>
  lines
    .filter((l) =>
      side === 'server' ? l.local.port === port : l.remote.port === port && l.local.port !== port,
    )
    .filter((l) => !(side === 'server' && ((l.from === 'LISTEN' && l.to === 'CLOSE') || l.to === 'LISTEN')))
    // close() after shutdown() announces the state it is in again (FIN_WAIT1 -> FIN_WAIT1).
    .filter((l) => l.from !== l.to)
    .map((l) => `${l.from}>${l.to}${l.inferred ? '*' : ''}`);

describe('trace: transitions equal the kernel’s, read beside tcpscope', { concurrency: false }, () => {
  let ns: TestNetns;
  let port = 20000 + (process.pid % 20000);
  before(() => {
    ns = makeNetns();
    ns.exec(['sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=1']);
  });
  after(() => ns.delete());

  it('open and close, with owners and measured durations', async () => {
    const p = port++;
    const lines = await traced(ns, 'open-close', p);
    assert.deepEqual(seq(lines, p, 'client'), [
      'CLOSE>SYN_SENT',
      'SYN_SENT>ESTABLISHED',
      'ESTABLISHED>CLOSE_WAIT',
      'CLOSE_WAIT>LAST_ACK',
      'LAST_ACK>CLOSE',
    ]);
    assert.deepEqual(seq(lines, p, 'server'), [
      'LISTEN>SYN_RECV',
      'SYN_RECV>ESTABLISHED',
      'ESTABLISHED>FIN_WAIT1',
      'FIN_WAIT1>FIN_WAIT2',
      'FIN_WAIT2>CLOSE',
    ]);
    const listen = lines.find((l) => l.to === 'LISTEN')!;
    assert.equal(listen.owner?.via, 'context');
    // The server runs on this node binary: its command is what the kernel shows for this process.
    assert.equal(listen.owner?.command, commOf(process.pid));
    const child = lines.find((l) => l.from === 'LISTEN' && l.to === 'SYN_RECV')!;
    assert.deepEqual(child.owner, listen.owner && { ...listen.owner, via: 'listener' });
    // The server held the connection 300 ms before closing.
    const est = lines.find((l) => l.local.port === p && l.from === 'ESTABLISHED')!;
    assert.ok(est.durationMs! >= 290 && est.durationMs! < 1000, `${est.durationMs} ms`);
    // Unmeasurable: the child's SYN_RECV (a request socket before) and FIN_WAIT2.
    assert.equal(lines.find((l) => l.from === 'SYN_RECV')!.durationMs, undefined);
    assert.equal(lines.find((l) => l.from === 'FIN_WAIT2')!.durationMs, undefined);
  });

  it('open and close over IPv6', async () => {
    const p = port++;
    const lines = await traced(ns, 'open-close6', p);
    assert.ok(lines.every((l) => l.local.address === '::1'));
    assert.equal(seq(lines, p, 'client').length, 5);
  });

  it('refused', async () => {
    const p = port++;
    const lines = await traced(ns, 'refused', p);
    assert.deepEqual(seq(lines, p, 'client'), ['CLOSE>SYN_SENT', 'SYN_SENT>CLOSE']);
    assert.equal(lines[0]!.local.port, 0, 'connect() announces SYN_SENT before the port is chosen');
  });

  it('reset: both ends close, no TIME_WAIT', async () => {
    const p = port++;
    const lines = await traced(ns, 'rst', p);
    assert.deepEqual(seq(lines, p, 'server').slice(-1), ['ESTABLISHED>CLOSE']);
    assert.deepEqual(seq(lines, p, 'client').slice(-1), ['ESTABLISHED>CLOSE']);
  });

  it('half-close: the closer waits in FIN_WAIT2 while the peer still sends', async () => {
    const p = port++;
    const lines = await traced(ns, 'half-close', p);
    assert.deepEqual(seq(lines, p, 'client').slice(2), [
      'ESTABLISHED>FIN_WAIT1',
      'FIN_WAIT1>FIN_WAIT2',
      'FIN_WAIT2>CLOSE',
    ]);
    const cw = lines.find((l) => l.from === 'CLOSE_WAIT')!;
    assert.ok(cw.durationMs! >= 290, `CLOSE_WAIT ${cw.durationMs} ms`);
  });

  it('simultaneous close: CLOSING, then TIME_WAIT inferred', async () => {
    const p = port++;
    const lines = await traced(ns, 'simultaneous', p);
    // Both FINs were lost, then retransmitted on each end's own timer. An end that gets the peer's
    // FIN while its own is unacknowledged goes to CLOSING; the other may get its ACK first and pass
    // FIN_WAIT2 (one retransmission timer firing a jiffy before the other decides which). At least
    // one end always goes through CLOSING: the first FIN to arrive finds its receiver in FIN_WAIT1.
    const crossing = ['ESTABLISHED>FIN_WAIT1', 'FIN_WAIT1>CLOSING', 'CLOSING>TIME_WAIT*'];
    const acked = ['ESTABLISHED>FIN_WAIT1', 'FIN_WAIT1>FIN_WAIT2', 'FIN_WAIT2>CLOSE'];
    const ends = (['client', 'server'] as const).map((side) => seq(lines, p, side).slice(-3));
    for (const e of ends)
      assert.ok(
        [crossing, acked].some((x) => x.join() === e.join()),
        e.join(' '),
      );
    assert.ok(
      ends.some((e) => e.join() === crossing.join()),
      ends.map((e) => e.join(' ')).join(' / '),
    );
    assert.ok(lines.filter((l) => l.inferred).every((l) => l.announced === 'CLOSE'));
  });

  it('SYN_RECV held by a dropped ACK: the child appears only when the handshake completes', async () => {
    const p = port++;
    const lines = await traced(ns, 'syn-recv', p);
    const client = lines.find((l) => l.from === 'SYN_SENT' && l.to === 'ESTABLISHED')!;
    const child = lines.find((l) => l.from === 'LISTEN' && l.to === 'SYN_RECV')!;
    const gap =
      Date.parse((child as unknown as { time: string }).time) -
      Date.parse((client as unknown as { time: string }).time);
    assert.ok(gap >= 350, `the request waited ${gap} ms, unannounced`);
  });

  it('orphaned FIN_WAIT2 timing out: FIN_WAIT2 -> CLOSE at once, the expiry unannounced, the peer reset later', async () => {
    const p = port++;
    const lines = await traced(ns, 'orphan-fin-wait2', p);
    assert.deepEqual(seq(lines, p, 'client').slice(2), [
      'ESTABLISHED>FIN_WAIT1',
      'FIN_WAIT1>FIN_WAIT2',
      'FIN_WAIT2>CLOSE',
    ]);
    assert.deepEqual(seq(lines, p, 'server').slice(-3), [
      'ESTABLISHED>CLOSE_WAIT',
      'CLOSE_WAIT>LAST_ACK',
      'LAST_ACK>CLOSE',
    ]);
  });
});

describe('trace: nothing left in tracefs', { concurrency: false }, () => {
  for (const how of ['SIGINT', 'SIGTERM', 'SIGHUP', 'closed stdout'] as const) {
    it(`after ${how}`, async () => {
      const t = await startTcpscope(['trace', '--json']);
      if (how === 'closed stdout') {
        t.child.stdout!.destroy();
        // Something must be written to meet the closed pipe.
        execFileSync(process.execPath, ['-e', "require('net').connect(1,'127.0.0.1').on('error',()=>{})"]);
      } else t.child.kill(how);
      await t.exited;
      assert.deepEqual(instancesOf(t.child.pid!), []);
    });
  }

  it('removes a dead tcpscope’s instance at the next start', async () => {
    const t = await startTcpscope(['trace', '--json']);
    t.child.kill('SIGKILL');
    await t.exited;
    assert.equal(instancesOf(t.child.pid!).length, 1, 'SIGKILL leaves it');
    const next = await startTcpscope(['trace', '--json', '--duration', '0.3']);
    await next.exited;
    assert.deepEqual(instancesOf(t.child.pid!), []);
    assert.deepEqual(instancesOf(next.child.pid!), []);
  });
});

describe('life: one line per connection, durations as measured', { concurrency: false }, () => {
  let ns: TestNetns;
  const port = 40000 + (process.pid % 20000);
  before(() => {
    ns = makeNetns();
  });
  after(() => ns.delete());

  it('times a connection the server held 300 ms, and states no event can time are left out', async () => {
    const t = await startTcpscope(['life', '--json', '--port', String(port)], 'life');
    const s = await startTcpscope(['life', '--summary', '--json', '--port', String(port)], 'life');
    try {
      ns.exec([process.execPath, SCENARIO, 'open-close', String(port)]);
      const lives = () =>
        t
          .out()
          .split('\n')
          .filter((l) => l !== '')
          .map(
            (l) =>
              JSON.parse(l) as Line & { opened: string; states: string[]; stateMs: Record<string, number> },
          );
      await until('two lives', 10_000, () => lives().length >= 2);
      t.child.kill('SIGINT');
      s.child.kill('SIGINT');
      await Promise.all([t.exited, s.exited]);
      const client = lives().find((l) => l.opened === 'connect')!;
      const server = lives().find((l) => l.opened === 'accept')!;
      assert.deepEqual(client.states, ['SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSE']);
      assert.deepEqual(server.states, ['SYN_RECV', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE']);
      for (const l of [client, server])
        assert.ok(l.durationMs! >= 295 && l.durationMs! < 1500, `${l.durationMs} ms`);
      assert.ok(server.stateMs['ESTABLISHED']! >= 295 && server.stateMs['ESTABLISHED']! < 1500);
      assert.equal(server.stateMs['SYN_RECV'], undefined);
      assert.equal(server.stateMs['FIN_WAIT2'], undefined);
      const summary = JSON.parse(s.out()) as {
        states: Record<string, { count: number; minMs: number }>;
        unmeasured: Record<string, { count: number; why: string }>;
      };
      assert.equal(summary.states['ESTABLISHED']?.count, 2);
      assert.equal(summary.unmeasured['SYN_RECV']?.count, 1);
      assert.equal(summary.unmeasured['FIN_WAIT2']?.count, 1);
      assert.equal(summary.states['SYN_RECV'], undefined);
    } finally {
      t.child.kill('SIGKILL');
      s.child.kill('SIGKILL');
    }
  });
});

describe('trace --port on a client’s own port', { concurrency: false }, () => {
  let ns: TestNetns;
  const port = 42000 + (process.pid % 2000);
  before(() => {
    ns = makeNetns();
    // The client's port can only be one of two: the filter names them.
    ns.exec(['sysctl', '-qw', 'net.ipv4.ip_local_port_range=45000 45001']);
  });
  after(() => ns.delete());

  it('keeps connect()’s CLOSE→SYN_SENT, announced before the port is picked (sport 0)', async () => {
    const t = await startTcpscope(['trace', '--json', '--port', '45000,45001']);
    try {
      ns.exec([process.execPath, SCENARIO, 'open-close', String(port)]);
      const client = () =>
        t
          .out()
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Line)
          .filter((l) => l.remote.port === port)
          .map((l) => `${l.local.port === 0 ? 0 : 'P'} ${l.from}>${l.to}`);
      await until('the client’s transitions', 10_000, () => client().includes('P LAST_ACK>CLOSE'));
      assert.deepEqual(client().slice(0, 2), ['0 CLOSE>SYN_SENT', 'P SYN_SENT>ESTABLISHED']);
    } finally {
      t.child.kill('SIGKILL');
    }
  });
});

describe('life: the phases no event times, timed through socket tables', { concurrency: false }, () => {
  let ns: TestNetns;
  const port = 41000 + (process.pid % 20000);
  before(() => {
    ns = makeNetns();
    ns.exec(['sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=1']);
  });
  after(() => ns.delete());

  it('times a held SYN_RECV, an orphan FIN_WAIT2 and a TIME_WAIT, and reads bytes each way', async () => {
    const args = ['--json', '--tables', '100', '--port', String(port)];
    const t = await startTcpscope(['life', ...args], 'life', ns.name);
    const s = await startTcpscope(['life', '--summary', ...args], 'life', ns.name);
    try {
      // SYN_RECV held 400 ms by a dropped ACK; an orphan FIN_WAIT2 that expires after 1 s;
      // a TIME_WAIT ended after 1.2 s; bytes each way.
      for (const scenario of ['syn-recv', 'orphan-fin-wait2', 'time-wait'])
        ns.exec([process.execPath, SCENARIO, scenario, String(port)]);
      // Stopped, life reads one last table: the TIME_WAIT ended by ss -K is seen gone.
      t.child.kill('SIGINT');
      s.child.kill('SIGINT');
      assert.equal(await t.exited, 0, t.err());
      assert.equal(await s.exited, 0, s.err());
      const summary = JSON.parse(s.out()) as {
        states: Record<string, { count: number; minMs: number; maxMs: number }>;
        byTables: Record<string, { count: number; resolutionMs: number; incomplete: number }>;
      };
      const timed = (state: string, lo: number, hi: number) => {
        const h = summary.states[state];
        const b = summary.byTables[state];
        assert.ok(h && b && b.count >= 1, `${state} timed: ${JSON.stringify(summary.byTables)}`);
        // Tables every 100 ms: the moment is known to about that, or a few readings more when the
        // machine is busy (a bound on the order of the table interval, not of the whole run).
        assert.ok(b.resolutionMs <= 500, `${state} within ±${b.resolutionMs} ms`);
        // ss -K ends every TIME_WAIT on the port: the earlier scenarios' last longer.
        assert.ok(
          [h.minMs, h.maxMs].some((ms) => ms >= lo && ms <= hi),
          `${state} ${h.minMs}..${h.maxMs} ms, expected ${lo}..${hi}`,
        );
      };
      timed('SYN_RECV', 250, 900);
      timed('FIN_WAIT2', 700, 2600);
      timed('TIME_WAIT', 900, 1800);
      const lives = t
        .out()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Line & { bytes?: { sent: number; received: number; ageMs: number } });
      const withData = lives.filter((l) => l.bytes && l.bytes.received >= 30_000);
      const client = withData.find((l) => l.remote.port === port);
      const server = withData.find((l) => l.local.port === port);
      // bytes_acked counts an acknowledged FIN as one byte, and bytes_received a FIN received (RCV.NXT
      // moves past it) when the last table read comes after it.
      const got = (n: number | undefined, data: number) => n === data || n === data + 1;
      assert.ok(
        client && got(client.bytes!.received, 50_000) && client.bytes!.sent >= 30_000,
        JSON.stringify(lives),
      );
      assert.ok(
        server && got(server.bytes!.received, 30_000) && server.bytes!.sent >= 50_000,
        JSON.stringify(lives),
      );
    } finally {
      t.child.kill('SIGKILL');
      s.child.kill('SIGKILL');
    }
  });
});

describe('trace without root', { concurrency: false }, () => {
  let ns: TestNetns;
  before(() => {
    ns = makeNetns();
  });
  after(() => ns.delete());
  const nobody = ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI];

  it('says what root would give, and samples the socket table instead', () => {
    const r = spawnSync('setpriv', [...nobody, 'trace', '--duration', '0.3'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /tracefs.*permission denied \(run as root.*: sampling the socket table instead/);
  });

  it('sees a connection held 300 ms between samples, marked sampled with the interval', async () => {
    const port = 30000 + (process.pid % 20000);
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns.name,
        'setpriv',
        ...nobody,
        'trace',
        '--sampled',
        '--json',
        '--interval',
        '20',
        '--duration',
        '3',
        '--port',
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 800));
    ns.exec([process.execPath, SCENARIO, 'open-close', String(port)]);
    await exited;
    const lines = out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line & { source: string; intervalMs: number });
    const est = lines.find((l) => l.to === 'ESTABLISHED' && l.local.port === port);
    assert.ok(est, out);
    assert.ok(lines.every((l) => l.source === 'sampled' && l.inferred === true && l.intervalMs >= 20));
    assert.ok(
      lines.some((l) => l.from === 'ESTABLISHED' || l.to === 'CLOSE'),
      out,
    );
  });
});
