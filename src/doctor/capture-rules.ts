/**
 * The doctor's rules that a capture can support (`doctor --pcap`): from the connections the flow
 * tracker rebuilt and a few per-flow facts seen on the wire, findings in the doctor's shape with
 * peers and ports, never owners. Each rule fires on what the packets prove: handshakes that never
 * complete, SYNs answered by RST, connections torn down by RST, retransmitted segments against all
 * segments, windows that stay closed, an end that received a FIN and never sent its own. Pure.
 */

import type { Conn, ConnEnd } from '../flow/tracker.js';
import { endpointOf } from '../net/endpoint.js';
import type { WirePacket } from '../net/packet.js';
import { completed, FailTallies, inOrder, sourceDetail } from './capture-fails.js';
import type { Diagnosis } from './diagnose.js';
import type { Explainer, Finding, Severity } from './types.js';
import { SEVERITIES } from './types.js';

const TOP = 5;

/** Thresholds of the capture rules (counts and seconds). */
export const CAPTURE_THRESHOLDS = {
  /** Handshakes left half-open towards one server port before it is a flood. */
  synFlood: 16,
  /** Failed destinations (address and port) from one source before it is a scan. */
  scanDestinations: 20,
  /** SYNs answered by RST on one port before it is a warning (fewer: info). */
  refusedWarning: 10,
  /** Connections torn down by RST after their handshake, and their share of all that completed. */
  resets: 5,
  resetsShare: 0.05,
  /** Retransmitted segments against all data segments: warning, critical. */
  retransShare: 0.02,
  retransCritical: 0.1,
  retransMin: 10,
  /** Seconds a window stays zero before it is a stall. */
  zeroWindowSeconds: 1,
  /** Seconds an end stays in CLOSE_WAIT until the capture's end before it is a leak. */
  closeWaitSeconds: 2,
} as const;

/**
 * A direction whose advertised window went to zero: when first, since when, and whether it opened
 * again.
 */
interface Stall {
  readonly from: string;
  readonly fromPort: number;
  readonly to: string;
  readonly toPort: number;
  readonly firstUs: number;
  sinceUs: number;
  longestUs: number;
  open: boolean;
}

/** What `WireFacts` knows, as plain data (a worker thread's share, to be merged). */
export interface WireFactsState {
  readonly firstUs: number | undefined;
  readonly lastUs: number;
  readonly segments: number;
  readonly stalls: readonly [string, Stall][];
}

/** Per-flow facts the tracker's connections do not keep: how long advertised windows stayed at zero. */
export class WireFacts {
  private readonly stalls = new Map<string, Stall>();
  /** The ports (source, destination) of the directions in `stalls`: most segments need no key. */
  private readonly stalledPorts = new Set<number>();
  firstUs: number | undefined;
  lastUs = 0;
  segments = 0;

  push(p: WirePacket): void {
    this.firstUs ??= p.timeUs;
    if (p.timeUs > this.lastUs) this.lastUs = p.timeUs;
    this.segments++;
    if ((p.flags & 0x06) !== 0) return; // SYN or RST: their window says nothing of a stall
    const ports = p.sport * 65536 + p.dport;
    if (p.window !== 0 && !this.stalledPorts.has(ports)) return;
    const key = `${p.src} ${p.sport} ${p.dst} ${p.dport}`;
    const s = this.stalls.get(key);
    if (p.window === 0) {
      if (!s) {
        this.stalls.set(key, {
          from: endpointOf({ address: p.src, port: p.sport }),
          fromPort: p.sport,
          to: p.dst,
          toPort: p.dport,
          firstUs: p.timeUs,
          sinceUs: p.timeUs,
          longestUs: 0,
          open: false,
        });
        this.stalledPorts.add(ports);
      } else if (s.open) {
        s.open = false;
        s.sinceUs = p.timeUs;
      }
    } else if (s && !s.open) {
      s.open = true;
      s.longestUs = Math.max(s.longestUs, p.timeUs - s.sinceUs);
    }
  }

  state(): WireFactsState {
    return { firstUs: this.firstUs, lastUs: this.lastUs, segments: this.segments, stalls: [...this.stalls] };
  }

  /** Adds what another saw of other flows (a worker thread's share of the capture). */
  merge(o: WireFactsState): void {
    if (o.firstUs !== undefined && (this.firstUs === undefined || o.firstUs < this.firstUs))
      this.firstUs = o.firstUs;
    if (o.lastUs > this.lastUs) this.lastUs = o.lastUs;
    this.segments += o.segments;
    for (const [key, s] of o.stalls) {
      this.stalls.set(key, s);
      this.stalledPorts.add(s.fromPort * 65536 + s.toPort);
    }
  }

  /**
   * Each stalled direction with its longest zero-window stretch (until the capture's end when it
   * never opened), in order of its first zero window.
   */
  zeroWindows(): { from: string; to: string; toPort: number; seconds: number; stillClosed: boolean }[] {
    const stalls = [...this.stalls].sort(
      ([ka, a], [kb, b]) => a.firstUs - b.firstUs || (ka < kb ? -1 : ka > kb ? 1 : 0),
    );
    return stalls.map(([, s]) => ({
      from: s.from,
      to: s.to,
      toPort: s.toPort,
      seconds: Math.max(s.longestUs, s.open ? 0 : this.lastUs - s.sinceUs) / 1e6,
      stillClosed: !s.open,
    }));
  }
}

export interface CaptureInput {
  file: string;
  /** The connections a rule may name (`CaptureConns.kept`, or all of them). */
  conns: readonly Conn[];
  /** Completed connections left out of `conns` with nothing for a rule to name: how many, their segments. */
  quiet?: { readonly connections: number; readonly segments: number };
  /** The failed handshakes, tallied (then left out of `conns`); when absent, tallied from `conns`. */
  fails?: FailTallies;
  facts: WireFacts;
  lang: 'en' | 'zh';
}

/** The doctor's rules a capture cannot support, with why (English, Chinese). */
const SKIPPED: [string, string, string][] = [
  ['accept-queue', 'accept queues are in the kernel, not on the wire', '全连接队列在内核里，不在线路上'],
  ['recv-queue', 'socket queues are not on the wire', '套接字队列不在线路上'],
  ['send-queue', 'socket queues are not on the wire', '套接字队列不在线路上'],
  [
    'port-exhaustion',
    'needs the host’s sockets and its ephemeral port range',
    '需要主机的套接字和临时端口范围',
  ],
  ['time-wait-pressure', 'TIME_WAIT is the host’s table, not the wire', 'TIME_WAIT 在主机的表里，不在线路上'],
  ['fin-wait-pileup', 'needs the host’s sockets and their timers', '需要主机的套接字及其定时器'],
  ['last-ack-pileup', 'needs the host’s sockets and their timers', '需要主机的套接字及其定时器'],
  ['half-open', 'keepalive timers and tcp_info are not on the wire', '保活定时器和 tcp_info 不在线路上'],
  ['tcp-memory', 'needs the kernel’s memory counters', '需要内核的内存计数'],
  ['listen-audit', 'owners and listeners are not on the wire', '属主和监听套接字不在线路上'],
  ['owners', 'a capture names peers and ports, never processes', '抓包只有对端和端口，没有进程'],
  [
    'counters',
    'the kernel’s counters (SYN cookies, drops) are not in a capture',
    '内核计数（SYN cookie、丢弃）不在抓包里',
  ],
];

/** The doctor's rules a capture cannot support, with why, in a language. */
export function captureSkipped(lang: 'en' | 'zh'): { rule: string; reason: string }[] {
  return SKIPPED.map(([rule, en, zh]) => ({ rule, reason: lang === 'zh' ? zh : en }));
}

const tr = (lang: 'en' | 'zh', en: string, zh: string): string => (lang === 'zh' ? zh : en);

/** The `n` keys of `items` that come most often, most first (ties by key). */
function top<T>(items: readonly T[], key: (t: T) => string, n = TOP): [string, number][] {
  const m = new Map<string, number>();
  for (const i of items) {
    const k = key(i);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return topOf(m, n);
}

/** The `n` keys counted most, most first (ties by key), from counts by key. */
function topOf<K extends string | number>(counts: ReadonlyMap<K, number>, n = TOP): [string, number][] {
  const m: [string, number][] = [];
  for (const [k, v] of counts) m.push([String(k), v]);
  return m.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}

const peersOf = (cs: readonly Conn[], side: 'client' | 'server' = 'client') =>
  top(cs, (c) => c[side].address).map(([address, count]) => ({ address, count }));

/**
 * The connections the rules read, as the tracker finishes them: handshakes that failed (half-open,
 * refused) tallied per server and source; those another rule may name (a handshake not completed
 * otherwise, an RST, a segment sent again, an end left in CLOSE_WAIT) kept, with each end's last
 * state only; the others, most of a healthy capture, counted with their segments. Memory then
 * grows with the peers of the trouble a capture shows, not with its connections.
 */
export class CaptureConns {
  readonly kept: Conn[] = [];
  readonly quiet = { connections: 0, segments: 0 };
  readonly fails = new FailTallies();
  /** How many were kept elsewhere (`hold` false). */
  private handed = 0;

  /** `hold` false: what is kept is only returned by `add` (a worker thread hands it on). */
  constructor(private readonly hold = true) {}

  /** Tallies, keeps or counts `c`; returns it as kept (`keptOf`) when it is. */
  add(c: Conn): Conn | undefined {
    if (this.fails.add(c)) return undefined;
    const k = keptOf(c);
    if (!k) this.addQuiet(1, c.client.packets + c.server.packets);
    else if (this.hold) this.kept.push(k);
    else this.handed++;
    return k;
  }

  /** Connections another kept (a worker thread's), as `keptOf` gave them. */
  addKept(c: Conn): void {
    this.kept.push(c);
  }

  addQuiet(connections: number, segments: number): void {
    this.quiet.connections += connections;
    this.quiet.segments += segments;
  }

  /** Every connection added. */
  get count(): number {
    return this.kept.length + this.handed + this.quiet.connections + this.fails.total;
  }
}

/**
 * A connection a rule may name, with each end's last state only (all the rules read); undefined for
 * one that completed and closed well, which only adds to the quiet counts.
 */
function keptOf(c: Conn): Conn | undefined {
  const named =
    !completed(c) ||
    c.firstClose?.how === 'RST' ||
    c.client.retransmissions + c.server.retransmissions > 0 ||
    c.client.states.at(-1)?.state === 'CLOSE_WAIT' ||
    c.server.states.at(-1)?.state === 'CLOSE_WAIT';
  if (!named) return undefined;
  const last = (e: ConnEnd): ConnEnd => (e.states.length <= 1 ? e : { ...e, states: [e.states.at(-1)!] });
  return { ...c, client: last(c.client), server: last(c.server) };
}

type Part = Omit<Finding, 'why' | 'remedies' | 'commands'> & { commands?: string[] };

/** Runs the capture rules and orders the findings, worst first; the rest are listed as skipped. */
export function diagnoseCapture(input: CaptureInput, explain: Explainer): Diagnosis {
  const T = CAPTURE_THRESHOLDS;
  const { lang, conns } = input;
  const parts: Part[] = [];

  // syn-flood: many handshakes to one listener never complete.
  let fails = input.fails;
  if (!fails) {
    fails = new FailTallies();
    for (const c of conns) fails.add(c);
  }
  for (const [srv, g] of inOrder(fails.flood)) {
    if (g.count < T.synFlood) continue;
    const severity: Severity =
      g.synAckRetrans >= T.synFlood || g.count >= 10 * T.synFlood ? 'critical' : 'warning';
    parts.push({
      rule: 'syn-flood',
      severity,
      title: tr(
        lang,
        `${g.count} handshakes to ${srv} never completed (${g.synAckRetrans} SYN+ACKs sent again, ${g.unanswered} SYNs never answered)`,
        `到 ${srv} 的 ${g.count} 次握手从未完成（${g.synAckRetrans} 个 SYN+ACK 重传，${g.unanswered} 个 SYN 无应答）`,
      ),
      states: ['SYN_RECV', 'SYN_SENT'],
      evidence: {
        basis: 'capture',
        count: g.count,
        ports: [{ port: g.port, count: g.count }],
        peers: topOf(g.peers).map(([address, count]) => ({ address, count })),
        server: srv,
        synAckRetransmitted: g.synAckRetrans,
        synUnanswered: g.unanswered,
        sources: g.peers.size,
      },
    });
  }

  // scan: one source, many destinations failing.
  const scanners = new Set<string>();
  for (const [src, s] of inOrder(fails.scan)) {
    const { dests, ports } = sourceDetail(s);
    if (dests < T.scanDestinations) continue;
    scanners.add(src);
    parts.push({
      rule: 'scan',
      severity: 'warning',
      title: tr(
        lang,
        `${src} tried ${dests} destinations that did not answer or refused`,
        `${src} 尝试了 ${dests} 个未应答或拒绝的目的地`,
      ),
      states: ['SYN_SENT'],
      evidence: {
        basis: 'capture',
        count: s.count,
        destinations: dests,
        peers: [{ address: src, count: s.count }],
        ports: topOf(ports).map(([p, count]) => ({ port: Number(p), count })),
      },
    });
  }

  // connect-failures: SYNs answered by RST (nothing listened). Those of a scanning source are the
  // scan's: a scan of a thousand ports is one finding, not a thousand and one.
  for (const [srv, g] of inOrder(fails.refused)) {
    const peers = new Map([...g.peers].filter(([address]) => !scanners.has(address)));
    let count = 0;
    for (const n of peers.values()) count += n;
    if (count === 0) continue;
    parts.push({
      rule: 'connect-failures',
      severity: count >= T.refusedWarning ? 'warning' : 'info',
      title: tr(
        lang,
        `${count} connects to ${srv} refused (SYN answered by RST)`,
        `${count} 次连接 ${srv} 被拒绝（SYN 被 RST 回应）`,
      ),
      states: ['SYN_SENT'],
      evidence: {
        basis: 'capture',
        count,
        refused: count,
        ports: [{ port: g.port, count }],
        peers: topOf(peers).map(([address, count]) => ({ address, count })),
        server: srv,
      },
    });
  }

  // resets: connections torn down by RST after their handshake.
  const done = conns.filter(completed);
  const doneCount = done.length + (input.quiet?.connections ?? 0);
  const reset = done.filter((c) => c.firstClose?.how === 'RST');
  if (reset.length >= T.resets && reset.length >= T.resetsShare * doneCount) {
    const bySender = { client: 0, server: 0 };
    for (const c of reset) bySender[c.firstClose!.end]++;
    parts.push({
      rule: 'resets',
      severity: 'warning',
      title: tr(
        lang,
        `${reset.length} of ${doneCount} connections torn down by RST (${bySender.server} by the server, ${bySender.client} by the client)`,
        `${doneCount} 个连接中有 ${reset.length} 个被 RST 终止（服务端 ${bySender.server}，客户端 ${bySender.client}）`,
      ),
      states: ['ESTABLISHED'],
      evidence: {
        basis: 'capture',
        count: reset.length,
        connections: doneCount,
        resetByServer: bySender.server,
        resetByClient: bySender.client,
        ports: top(reset, (c) => String(c.server.port)).map(([p, count]) => ({ port: Number(p), count })),
        peers: peersOf(reset),
      },
    });
  }

  // retransmits: segments sent again against all segments of completed connections.
  let sent = input.quiet?.segments ?? 0;
  let again = 0;
  for (const c of done) {
    sent += c.client.packets + c.server.packets;
    again += c.client.retransmissions + c.server.retransmissions;
  }
  if (again >= T.retransMin && again >= T.retransShare * sent) {
    const worst = done.filter((c) => c.client.retransmissions + c.server.retransmissions > 0);
    parts.push({
      rule: 'retransmits',
      severity: again >= T.retransCritical * sent ? 'critical' : 'warning',
      title: tr(
        lang,
        `${again} of ${sent} segments sent again (${((100 * again) / sent).toFixed(1)} %)`,
        `${sent} 个报文段中有 ${again} 个重传（${((100 * again) / sent).toFixed(1)} %）`,
      ),
      states: ['ESTABLISHED'],
      evidence: {
        basis: 'capture',
        count: again,
        segments: sent,
        connections: worst.length,
        ports: top(worst, (c) => String(c.server.port)).map(([p, count]) => ({ port: Number(p), count })),
        peers: peersOf(worst),
      },
    });
  }

  // zero-window: an advertised window that stays zero.
  const stalls = input.facts.zeroWindows().filter((z) => z.seconds >= T.zeroWindowSeconds);
  if (stalls.length > 0) {
    const longest = Math.max(...stalls.map((s) => s.seconds));
    parts.push({
      rule: 'zero-window',
      severity: 'warning',
      title: tr(
        lang,
        `${stalls.length} receiver(s) kept a zero window for up to ${longest.toFixed(1)} s`,
        `${stalls.length} 个接收端的零窗口持续最长 ${longest.toFixed(1)} 秒`,
      ),
      states: ['ESTABLISHED'],
      evidence: {
        basis: 'capture',
        count: stalls.length,
        longestSeconds: Number(longest.toFixed(3)),
        stillClosed: stalls.filter((s) => s.stillClosed).length,
        receivers: stalls.slice(0, TOP).map((s) => s.from),
        peers: top(stalls, (s) => s.to).map(([address, count]) => ({ address, count })),
      },
    });
  }

  // close-wait-leak: an end that received a FIN and never sent its own.
  const lastUs = input.facts.lastUs;
  const leaks: { c: Conn; side: 'client' | 'server'; seconds: number }[] = [];
  for (const c of conns)
    for (const side of ['client', 'server'] as const) {
      const last = c[side].states.at(-1);
      if (last?.state !== 'CLOSE_WAIT') continue;
      const seconds = (lastUs - last.atUs) / 1e6;
      if (seconds >= T.closeWaitSeconds) leaks.push({ c, side, seconds });
    }
  if (leaks.length > 0) {
    const longest = Math.max(...leaks.map((l) => l.seconds));
    const ends = top(leaks, (l) => endpointOf(l.c[l.side]));
    parts.push({
      rule: 'close-wait-leak',
      severity: 'warning',
      title: tr(
        lang,
        `${leaks.length} end(s) received a FIN and never sent their own (CLOSE_WAIT up to ${longest.toFixed(1)} s at the capture's end)`,
        `${leaks.length} 个端收到 FIN 后始终未发出自己的 FIN（抓包结束时 CLOSE_WAIT 最长 ${longest.toFixed(1)} 秒）`,
      ),
      states: ['CLOSE_WAIT'],
      evidence: {
        basis: 'capture',
        count: leaks.length,
        longestSeconds: Number(longest.toFixed(3)),
        ports: top(leaks, (l) => String(l.c[l.side].port)).map(([p, count]) => ({ port: Number(p), count })),
        peers: top(leaks, (l) => l.c[l.side === 'client' ? 'server' : 'client'].address).map(
          ([address, count]) => ({ address, count }),
        ),
        ends: ends.map(([end]) => end),
      },
    });
  }

  const findings: Finding[] = parts.map((p) => {
    const e = explain(p.rule, lang);
    const commands = [`tcpscope pcap ${input.file} --by port`, ...e.commands];
    return { ...p, why: e.why, remedies: e.remedies, commands };
  });
  const order = (f: Finding): number => -SEVERITIES.indexOf(f.severity);
  findings.sort((a, b) => order(a) - order(b));
  return { findings, skipped: captureSkipped(lang) };
}
