/**
 * The simulator: two hosts and a network, driven by a scenario's timed actions, in simulated time.
 * Each end's connection is the state machine of src/tcp stepped by the events that reach it; the
 * engine only carries segments, fires the timers the TCBs ask for, and records each event as a row.
 */

import { type Conn, connKey, Host } from '../flow/host.js';
import type { ConnEvent, ConnSegment } from '../flow/trace.js';
import {
  createTcb,
  type FsmEvent,
  flagsText,
  type Segment,
  type StepResult,
  step,
  type TimerName,
} from '../tcp/index.js';
import { Network } from './network.js';
import { type RowDraft, recordStep } from './record.js';
import type { Action, EndSettings, Scenario, Side, SimAddr, SimResult } from './types.js';

type Queued =
  | { readonly t: 'action'; readonly at: number; readonly action: Action }
  | { readonly t: 'arrive'; readonly at: number; readonly packet: ConnSegment; readonly why: string }
  | { readonly t: 'lost'; readonly at: number; readonly packet: ConnSegment; readonly why: string }
  | {
      readonly t: 'timer';
      readonly at: number;
      readonly side: Side;
      readonly key: string;
      readonly timer: TimerName;
    };

/** At most this many rows: a script that loops forever is cut short. */
const MAX_STEPS = 2000;
const TIMER_TEXT: Record<TimerName, string> = {
  retransmit: 'retransmission timer',
  'time-wait': 'TIME_WAIT timer (2MSL)',
  'fin-wait2': 'FIN_WAIT2 timer (tcp_fin_timeout)',
};

/** Runs a scenario to its end (no more events) or to its `until` time. */
export function simulate(scenario: Scenario): SimResult {
  return new Run(scenario).run();
}

class Run {
  private readonly queue: { ev: Queued; order: number }[] = [];
  private order = 0;
  private packetId = 0;
  private readonly hosts: Record<Side, Host<EndSettings>>;
  private readonly net: Network;
  private readonly steps: ConnEvent[] = [];
  private readonly scheduled = new Set<string>();

  constructor(private readonly sc: Scenario) {
    const s = sc.settings;
    this.hosts = {
      client: new Host('client', s.client, { host: 'server', port: s.server.port }),
      server: new Host('server', s.server, { host: 'client', port: s.client.port }),
    };
    this.net = new Network(s.latencyMs, new Set(['client', 'server']));
    // Rules are armed up front: their time says from when they count segments, whatever runs first.
    for (const action of sc.actions) {
      if (action.kind === 'rule') this.net.arm(action.rule, action.at);
      else this.push({ t: 'action', at: action.at, action });
    }
  }

  run(): SimResult {
    while (this.queue.length > 0 && this.steps.length < MAX_STEPS) {
      const next = this.queue[0]!;
      if (next.ev.at > this.sc.settings.untilMs) break;
      this.queue.shift();
      this.handle(next.ev);
    }
    const s = this.sc.settings;
    return {
      scenario: this.sc,
      id: this.sc.id,
      title: this.sc.title,
      about: this.sc.about,
      ends: [
        { id: 'client', label: s.client.label },
        { id: 'server', label: s.server.label },
      ],
      events: this.steps,
      truncated: this.queue.length > 0,
      untilMs: s.untilMs,
      latencyMs: s.latencyMs,
      source: 'simulation',
    };
  }

  private push(ev: Queued): void {
    const item = { ev, order: this.order++ };
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.ev.at > ev.at) i--;
    this.queue.splice(i, 0, item);
  }

  private handle(ev: Queued): void {
    switch (ev.t) {
      case 'action':
        this.act(ev.action);
        return;
      case 'arrive':
        this.arrive(ev.packet, ev.at, ev.why);
        return;
      case 'lost':
        this.row({ time: ev.at, kind: 'lost', at: 'network', text: ev.why, packet: ev.packet });
        return;
      case 'timer':
        this.fire(ev.side, ev.key, ev.timer, ev.at);
        return;
    }
  }

  private act(a: Action): void {
    switch (a.kind) {
      case 'note':
        this.row({ time: a.at, kind: 'note', at: 'network', text: a.text });
        return;
      case 'rule':
        return;
      case 'inject': {
        const to = this.hosts[a.to];
        const from = a.from ?? this.hosts[a.to === 'client' ? 'server' : 'client'].addr;
        const packet = this.packet(from, to.addr, a.segment, a.at);
        this.arrive(packet, a.at, 'injected');
        return;
      }
      case 'crash':
      case 'restart':
        this.crashOrRestart(a.side, a.kind, a.at);
        return;
      case 'call':
        this.call(a.side, a, a.at);
        return;
    }
  }

  private crashOrRestart(side: Side, kind: 'crash' | 'restart', time: number): void {
    const h = this.hosts[side];
    const before = h.view().state;
    if (kind === 'crash') h.crash();
    else h.up = true;
    const after = h.view().state;
    const transitions = before === after ? [] : [{ end: side, from: before, to: after, cause: kind }];
    const text =
      kind === 'crash' ? 'crash: all state lost, nothing answers' : 'restart: up again, no connections';
    this.row({ time, kind, at: side, text, transitions });
  }

  private call(side: Side, a: Extract<Action, { kind: 'call' }>, time: number): void {
    const h = this.hosts[side];
    const ev: FsmEvent = {
      kind: 'call',
      time,
      call: a.call,
      ...(a.bytes === undefined ? {} : { bytes: a.bytes }),
    };
    const text = a.call === 'send' ? `send(${a.bytes ?? 0})` : `${a.call}()`;
    if (!h.up) {
      this.row({ time, kind: 'call', at: side, text: `${text}: host is down` });
      return;
    }
    const main = h.main(false);
    const idle = !main || main.tcb.state === 'CLOSE' || main.tcb.state === 'LISTEN';
    // With no connection going, the program's socket is its listener: calls act on it.
    if (idle && (a.call === 'listen' || (h.listening && (a.call === 'close' || a.call === 'abort')))) {
      this.listenerCall(h, a.call, text, time);
      return;
    }
    if (idle && h.listening) {
      const r = step(createTcb({ state: 'LISTEN' }), ev);
      this.row(recordStep({ time, kind: 'call', at: side, text }, r, side, false));
      return;
    }
    const conn = h.main(true)!;
    this.stepConn(h, conn, ev, { time, kind: 'call', at: side, text });
  }

  /** listen() and the listener's close(): the listener is the host's, not a connection's. */
  private listenerCall(h: Host<EndSettings>, call: string, text: string, time: number): void {
    const from = h.view().state;
    const main = h.main(false);
    if (call === 'listen' && h.listening) {
      const r = step(createTcb({ state: 'LISTEN' }), { kind: 'call', time, call: 'listen' });
      this.row(recordStep({ time, kind: 'call', at: h.side as Side, text }, r, h.side as Side, false));
      return;
    }
    // A finished connection makes way for the listener in the ladder's column.
    if (main && main.tcb.state === 'CLOSE') h.conns.delete(h.mainKey);
    h.listening = call === 'listen';
    if (!h.listening)
      for (const [k, c] of h.conns) if (c.tcb.passive && c.tcb.state === 'SYN_RECV') h.conns.delete(k);
    const to = h.view().state;
    const transitions = from === to ? [] : [{ end: h.side as Side, from, to, cause: call }];
    this.row({ time, kind: 'call', at: h.side as Side, text, transitions });
  }

  private arrive(p: ConnSegment, time: number, why: string): void {
    const side = p.to.host as Side;
    const h = this.hosts[side];
    const what = p.segment.len > 0 ? `${flagsText(p.segment.flags)}+data` : flagsText(p.segment.flags);
    const text = why === '' ? `${what} arrives` : `${what} arrives (${why})`;
    const base: RowDraft = { time, kind: 'arrive', at: side, text, packet: p };
    if (!h.up) {
      this.row({ ...base, kind: 'dropped', text: 'host is down: dropped' });
      return;
    }
    const before = h.view().state;
    const d = h.deliver(p.segment, p.from, p.to);
    const ev: FsmEvent = { kind: 'recv', time, segment: p.segment };
    if (d.kind === 'dropped') {
      this.row({ ...base, kind: 'dropped', text: d.why });
      return;
    }
    if (d.kind === 'cookie') {
      this.row({ ...base, why: 'request queue full: answer with a SYN cookie, keep no state' });
      this.send(side, p.to, p.from, d.reply, 'SYN-ACK (cookie)', time);
      return;
    }
    if (d.kind === 'stateless') {
      const r = step(d.tcb, ev);
      this.row(recordStep(base, r, side, false));
      for (const o of r.send) this.send(side, p.to, p.from, o.segment, o.reply, time);
      return;
    }
    if (!d.cookie) {
      // A new incarnation after the connection ended: the listener, not the old CLOSE, takes the SYN.
      const reborn = d.fresh && before === 'CLOSE' && connKey(d.conn.local, d.conn.remote) === h.mainKey;
      const lead = reborn
        ? [{ end: side, from: 'CLOSE' as const, to: 'LISTEN' as const, cause: 'listener' }]
        : [];
      this.stepConn(h, d.conn, ev, { ...base, transitions: lead });
      return;
    }
    // tcp_v4_cookie_check(): the cookie checks out, the child is made ESTABLISHED without SYN_RECV.
    const isMain = connKey(d.conn.local, d.conn.remote) === h.mainKey;
    const transitions = isMain
      ? [{ end: side, from: 'LISTEN' as const, to: 'ESTABLISHED' as const, cause: 'syn-cookie' }]
      : [];
    this.row({
      ...base,
      why: 'the ACK carries a valid SYN cookie: the connection is made ESTABLISHED',
      transitions,
    });
    this.arm(side, connKey(d.conn.local, d.conn.remote), d.conn);
  }

  private fire(side: Side, key: string, timer: TimerName, time: number): void {
    this.scheduled.delete(`${side}|${key}|${timer}|${time}`);
    const h = this.hosts[side];
    const conn = h.conns.get(key);
    if (!h.up || !conn || conn.tcb.timers[timer] !== time) return;
    this.stepConn(
      h,
      conn,
      { kind: 'timer', time, timer },
      { time, kind: 'timer', at: side, text: TIMER_TEXT[timer] },
    );
  }

  /** Steps a connection's TCB, records the row, sends what it sends, arms what it arms. */
  private stepConn(h: Host<EndSettings>, conn: Conn, ev: FsmEvent, base: RowDraft): void {
    const r: StepResult = step(conn.tcb, ev);
    conn.tcb = r.tcb;
    if (h.settings.read === 'auto' && conn.tcb.unread > 0) {
      conn.tcb = step(conn.tcb, { kind: 'call', time: ev.time, call: 'read' }).tcb;
    }
    const isMain = connKey(conn.local, conn.remote) === h.mainKey;
    h.tidy();
    this.row(recordStep(base, r, h.side as Side, !isMain));
    for (const o of r.send) this.send(h.side as Side, conn.local, conn.remote, o.segment, o.reply, ev.time);
    this.arm(h.side as Side, connKey(conn.local, conn.remote), conn);
  }

  private arm(side: Side, key: string, conn: Conn): void {
    for (const [name, at] of Object.entries(conn.tcb.timers) as [TimerName, number][]) {
      const id = `${side}|${key}|${name}|${at}`;
      if (this.scheduled.has(id)) continue;
      this.scheduled.add(id);
      this.push({ t: 'timer', at, side, key, timer: name });
    }
  }

  private packet(from: SimAddr, to: SimAddr, segment: Segment, sentAt: number): ConnSegment {
    const end = (a: SimAddr) => (a.host === 'client' || a.host === 'server' ? { end: a.host } : undefined);
    const f = end(from);
    const t = end(to);
    return {
      id: ++this.packetId,
      from,
      to,
      ...(f ? { fromEnd: f.end } : {}),
      ...(t ? { toEnd: t.end } : {}),
      segment,
      sentAt,
    };
  }

  private send(side: Side, from: SimAddr, to: SimAddr, seg: Segment, reply: string, time: number): void {
    const p = this.packet(from, to, seg, time);
    this.row({ time, kind: 'send', at: side, text: replyText(reply, seg), packet: p });
    for (const f of this.net.fate(p, side)) {
      if (f.kind === 'lost') this.push({ t: 'lost', at: f.at, packet: p, why: f.why });
      else this.push({ t: 'arrive', at: f.at, packet: p, why: f.why });
    }
  }

  private row(d: RowDraft): void {
    this.steps.push({
      n: this.steps.length + 1,
      transitions: [],
      anomalies: [],
      ...d,
      views: [this.hosts.client.view(), this.hosts.server.view()],
    });
  }
}

/** What a row says a sent segment is. */
function replyText(reply: string, seg: Segment): string {
  const what = seg.len > 0 ? `${flagsText(seg.flags)}+data (${seg.len} bytes)` : flagsText(seg.flags);
  if (reply === 'retransmit') return `${what} again (retransmission)`;
  if (reply === 'challenge-ACK') return 'a challenge ACK';
  if (reply === 'RST-reply') return `${what} (answering a segment it has no connection for)`;
  return reply.includes('cookie') ? `${what} (SYN cookie)` : what;
}
