import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SetStateEvent, TraceEvent } from '../../src/kernel/tracefs/events.js';
import { parseTraceText } from '../../src/kernel/tracefs/text.js';
import { itemJsonLine, itemLine, transitionJson } from '../../src/render/trace-text.js';
import type { Socket } from '../../src/tcp/socket.js';
import { LifeTracker, StateDurations } from '../../src/trace/life.js';
import { diffTables, indexSockets } from '../../src/trace/sampled.js';
import { TransitionTracker } from '../../src/trace/track.js';
import type { TraceItem, TraceTransition } from '../../src/trace/types.js';

const fixture = fileURLToPath(new URL('../../../test/fixtures/tracefs/trace.txt', import.meta.url));
const owners = (tid: number) => (tid === 0 ? undefined : { pid: tid, command: 'node' });

function run(events: TraceEvent[]): TraceItem[] {
  const t = new TransitionTracker(owners);
  return events.flatMap((e) => t.push(e));
}

let ns = 0;
function ev(
  skaddr: string,
  from: number,
  to: number,
  [sport, dport]: [number, number],
  extra: Partial<SetStateEvent> = {},
): SetStateEvent {
  ns += 1_000_000;
  return {
    event: 'inet_sock_set_state',
    ns,
    timeMs: ns / 1e6,
    cpu: 0,
    pid: 0,
    family: 4,
    saddr: '127.0.0.1',
    daddr: '127.0.0.1',
    sport,
    dport,
    skaddr,
    protocol: 6,
    oldstate: from,
    newstate: to,
    ...extra,
  };
}

describe('transition tracker', () => {
  it('pairs the text pipe’s events by 4-tuple (no skaddr), the client’s port 0 included', () => {
    const { events } = parseTraceText(readFileSync(fixture, 'utf8'));
    const items = run(events).filter((i): i is TraceTransition => i.kind === 'transition');
    const client = items.filter((t) => t.remote.port === 7000 && t.local.port !== 7000);
    assert.deepEqual(
      client.map((t) => [t.from, t.to, t.durationMs !== undefined]),
      [
        ['CLOSE', 'SYN_SENT', false],
        ['SYN_SENT', 'ESTABLISHED', true],
        ['ESTABLISHED', 'CLOSE_WAIT', true],
        ['CLOSE_WAIT', 'LAST_ACK', true],
        ['LAST_ACK', 'CLOSE', true],
      ],
    );
    assert.ok(client.every((t) => t.owner?.via === 'context'));
    const child = items.find((t) => t.from === 'LISTEN' && t.to === 'SYN_RECV' && t.local.port === 7000)!;
    assert.equal(child.owner?.via, 'listener');
  });

  it('infers TIME_WAIT from CLOSING -> CLOSE, unless a reset was received', () => {
    const closing = [ev('a', 1, 4, [1, 2]), ev('a', 4, 11, [1, 2]), ev('a', 11, 7, [1, 2])];
    const last = run(closing).at(-1) as TraceTransition;
    assert.deepEqual(
      [last.from, last.to, last.inferred, last.announced],
      ['CLOSING', 'TIME_WAIT', true, 'CLOSE'],
    );
    const rst: TraceEvent = {
      event: 'tcp_receive_reset',
      ns: 0,
      timeMs: 0,
      cpu: 0,
      pid: 0,
      family: 4,
      saddr: '127.0.0.1',
      daddr: '127.0.0.1',
      sport: 1,
      dport: 2,
      skaddr: 'b',
    };
    const reset = run([ev('b', 1, 4, [1, 2]), ev('b', 4, 11, [1, 2]), rst, ev('b', 11, 7, [1, 2])]).at(
      -1,
    ) as TraceTransition;
    assert.deepEqual([reset.to, reset.inferred], ['CLOSE', undefined]);
    // FIN_WAIT2 -> CLOSE proves nothing: shown as announced.
    const fw2 = run([ev('c', 4, 5, [1, 2]), ev('c', 5, 7, [1, 2])]).at(-1) as TraceTransition;
    assert.deepEqual([fw2.to, fw2.inferred, fw2.durationMs], ['CLOSE', undefined, undefined]);
  });

  it('skips other protocols and unknown states, counting them; request sockets read as SYN_RECV', () => {
    const t = new TransitionTracker();
    assert.deepEqual(t.push(ev('d', 7, 10, [5, 0], { protocol: 132 })), []);
    assert.deepEqual(t.push(ev('d', 7, 99, [5, 0])), []);
    assert.deepEqual(t.counts, { otherProtocols: 1, unknownStates: 1 });
    const req = t.push(ev('e', 12, 1, [5, 6]))[0] as TraceTransition;
    assert.equal(req.from, 'SYN_RECV');
  });

  it('keeps the clock of a state across a repeated announcement (close() after shutdown())', () => {
    const items = run([ev('f', 1, 4, [1, 2]), ev('f', 4, 4, [1, 2]), ev('f', 4, 5, [1, 2])]);
    assert.equal((items[2] as TraceTransition).durationMs, 2);
  });
});

describe('lives and state durations', () => {
  it('ends a life at CLOSE, timed from connect(); counts what cannot be measured', () => {
    const items = run([
      ev('g', 7, 2, [0, 80], { pid: 42 }),
      ev('g', 2, 1, [5000, 80]),
      ev('g', 1, 4, [5000, 80]),
      ev('g', 4, 5, [5000, 80]),
      ev('g', 5, 7, [5000, 80]),
    ]) as TraceTransition[];
    const lives = new LifeTracker();
    const d = new StateDurations();
    const ended = items
      .map((t) => {
        d.add(t);
        return lives.push(t);
      })
      .filter((l) => l !== undefined);
    assert.equal(ended.length, 1);
    assert.deepEqual(ended[0]!.states, ['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE']);
    assert.equal(ended[0]!.durationMs, 4);
    assert.deepEqual(ended[0]!.owner, { pid: 42, command: 'node', via: 'context' });
    assert.equal(d.states.get('ESTABLISHED')?.count, 1);
    assert.equal(d.states.get('ESTABLISHED')?.buckets.length, 10); // 1 ms = 1000 µs: bucket 9 (512..1024)
    assert.equal(d.unmeasured.get('FIN_WAIT2'), 1);
  });
});

describe('sampled transitions', () => {
  const sock = (state: Socket['state'], lp: number, rp: number): Socket => ({
    state,
    family: 4,
    local: { address: '127.0.0.1', port: lp },
    remote: { address: rp === 0 ? '0.0.0.0' : '127.0.0.1', port: rp },
    recvQ: 0,
    sendQ: 0,
    inode: 1,
    uid: 0,
  });
  it('reports changes, births (children of a listener from LISTEN) and deaths, with the interval', () => {
    const before = indexSockets([
      sock('LISTEN', 80, 0),
      sock('ESTABLISHED', 5000, 80),
      sock('CLOSE_WAIT', 6000, 1),
    ]);
    const after = indexSockets([
      sock('LISTEN', 80, 0),
      sock('FIN_WAIT1', 5000, 80),
      sock('ESTABLISHED', 80, 5001),
    ]);
    const t = diffTables(before, after, 1000, 100);
    assert.deepEqual(
      t.map((x) => `${x.local.port}:${x.from}>${x.to}`),
      ['5000:ESTABLISHED>FIN_WAIT1', '80:LISTEN>ESTABLISHED', '6000:CLOSE_WAIT>CLOSE'],
    );
    assert.ok(t.every((x) => x.source === 'sampled' && x.inferred && x.intervalMs === 100));
    assert.equal(transitionJson(t[0]!)['source'], 'sampled');
    assert.match(itemLine(t[0]!), /ESTABLISHED -> FIN_WAIT1\*/);
  });
});

describe('NDJSON lines', () => {
  it('the hand-written line is the JSON of the contract object, key for key', () => {
    const items = run([
      ev('h', 7, 2, [0, 80], { pid: 42 }),
      ev('h', 2, 1, [5000, 80]),
      ev('h', 1, 4, [5000, 80]),
      ev('h', 4, 11, [5000, 80]),
      ev('h', 11, 7, [5000, 80], { family: 6, saddr: '::1', daddr: '::1' }),
    ]) as TraceTransition[];
    const quoted = { ...items[0]!, owner: { pid: 1, command: 'we"ird\\name', via: 'context' as const } };
    for (const t of [...items, quoted])
      assert.equal(itemJsonLine(t), `${JSON.stringify(transitionJson(t))}\n`);
  });
});

describe('notes of --events all', () => {
  it('names connect() failures by errno and process, skips EINPROGRESS, ties resets to the socket', () => {
    const base = { ns: 1, timeMs: 1, cpu: 0, pid: 77 };
    const items = run([
      ev('k', 7, 2, [0, 9], { pid: 77 }),
      { event: 'sys_exit_connect', ...base, ret: -115 },
      { event: 'sys_exit_connect', ...base, ret: -111 },
      {
        event: 'tcp_send_reset',
        ...base,
        family: 4,
        saddr: '127.0.0.1',
        daddr: '127.0.0.1',
        sport: 9,
        dport: 4000,
        skaddr: '0',
        state: 0,
      },
      {
        event: 'inet_sk_error_report',
        ...base,
        family: 4,
        saddr: '127.0.0.1',
        daddr: '127.0.0.1',
        sport: 4000,
        dport: 9,
        protocol: 6,
        error: 111,
      },
    ]);
    assert.deepEqual(
      items.map((i) =>
        i.kind === 'transition' ? i.to : `${i.kind} ${i.error?.name ?? ''} ${i.owner?.pid ?? ''}`,
      ),
      ['SYN_SENT', 'connect-error ECONNREFUSED 77', 'reset-sent  ', 'socket-error ECONNREFUSED '],
    );
  });
});
