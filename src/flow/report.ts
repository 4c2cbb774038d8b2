/**
 * What `tcpscope pcap` says about tracked connections: each end's state at a moment, the moment a
 * user names (`--at`), and a connection in the JSON contract's shape. Pure.
 */
import type { TcpState } from '../tcp/index.js';
import type { Conn, ConnEnd } from './tracker.js';

/** An end's state at `atUs`: undefined before it existed (a connection not yet begun). */
export function stateAt(end: ConnEnd, atUs: number): TcpState | undefined {
  let found: TcpState | undefined;
  for (const s of end.states) {
    if (s.atUs > atUs) break;
    found = s.state;
  }
  return found;
}

/** Both ends' states at `atUs` (undefined: the connection had not begun). */
export function statesAt(c: Conn, atUs: number): { client: TcpState; server: TcpState } | undefined {
  if (c.startUs > atUs) return undefined;
  return { client: stateAt(c.client, atUs) ?? 'CLOSE', server: stateAt(c.server, atUs) ?? 'CLOSE' };
}

/** Whether an end in this state is a socket a host would list (not gone, not the listener itself). */
export function isSocket(state: TcpState): boolean {
  return state !== 'CLOSE' && state !== 'LISTEN';
}

/**
 * The moment `--at` names, in µs since the epoch: an ISO 8601 time (`2026-12-04T12:00:03.250Z`), a
 * time of day on the capture's first date in the local time zone as tcpdump prints it
 * (`12:00:03`, `12:00:03.250`), or an offset from the first packet (`+12.5s`, `+250ms`, `+2m`).
 * Undefined when the text is none of these.
 */
export function parseMoment(text: string, firstUs: number, tzOffsetMin?: number): number | undefined {
  const t = text.trim();
  const off = /^\+(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)?$/.exec(t);
  if (off) {
    const unit = { us: 1, µs: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 }[off[2] ?? 's']!;
    return firstUs + Math.round(Number(off[1]) * unit);
  }
  const tod = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(t);
  if (tod) {
    const [h, m, s] = [Number(tod[1]), Number(tod[2]), Number(tod[3] ?? 0)];
    if (h > 23 || m > 59 || s > 60) return undefined;
    const frac = tod[4] ? Number(tod[4].padEnd(6, '0')) : 0;
    // Midnight of the first packet's day in the local zone (or the given offset, for tests).
    const first = new Date(firstUs / 1000);
    const zone = tzOffsetMin ?? first.getTimezoneOffset();
    const local = new Date(first.getTime() - zone * 60_000);
    const midnightUtcMs =
      Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) + zone * 60_000;
    const at = (midnightUtcMs + ((h * 60 + m) * 60 + s) * 1000) * 1000 + frac;
    // Earlier in the day than the first packet: the next day's (a capture that runs past midnight).
    return at < firstUs ? at + DAY_US : at;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isNaN(ms)) return undefined;
    const sub = /\.\d{3}(\d{1,3})/.exec(t);
    return ms * 1000 + (sub ? Number(sub[1]!.padEnd(3, '0')) : 0);
  }
  return undefined;
}

const DAY_US = 86_400_000_000;

/** A moment as the contract writes moments: ISO 8601 with microseconds when there are any. */
export function isoTime(us: number): string {
  // Whole microseconds within Date's range take the quick way: no float remainder, no padding.
  if (!Number.isSafeInteger(us) || us < 0) return isoTimeSlow(us);
  const ms = Math.floor(us / 1000);
  const rest = us - ms * 1000;
  const sec = Math.floor(ms / 1000);
  // The date and time to the second are made once a second, and kept for a few minutes of seconds:
  // a capture's moments come close together, and a connection's span its life and the minute after.
  const slot = sec & (ISO_SECONDS - 1);
  if (isoSeconds[slot] !== sec) {
    isoSeconds[slot] = sec;
    isoPrefixes[slot] = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  const prefix = isoPrefixes[slot]!;
  const milli = DIGITS3[ms - sec * 1000]!;
  return rest === 0 ? `${prefix}${milli}Z` : `${prefix}${milli}${DIGITS3[rest]!}Z`;
}

/** 000 to 999. */
const DIGITS3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

const ISO_SECONDS = 256;
const isoSeconds = new Float64Array(ISO_SECONDS).fill(Number.NaN);
const isoPrefixes: string[] = new Array<string>(ISO_SECONDS).fill('');

function isoTimeSlow(us: number): string {
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  const rest = Math.round(us % 1000);
  return rest === 0 ? iso : iso.replace('Z', `${String(rest).padStart(3, '0')}Z`);
}

function endJson(e: ConnEnd): Record<string, unknown> {
  return {
    address: e.address,
    port: e.port,
    states: e.states.map((s) => s.state),
    timeline: e.states.map((s) => ({ state: s.state, time: isoTime(s.atUs) })),
    packets: e.packets,
    bytes: e.bytes,
    retransmissions: e.retransmissions,
  };
}

/** A connection in `pcap --json`'s shape (docs/json.md). */
export function connJson(c: Conn): Record<string, unknown> {
  return {
    id: c.n,
    family: c.family,
    start: isoTime(c.startUs),
    durationMs: (c.lastUs - c.startUs) / 1000,
    client: endJson(c.client),
    server: endJson(c.server),
    connState: c.connState,
    history: c.history,
    ...(c.firstClose ? { firstClose: c.firstClose } : {}),
    midstream: c.midstream,
    anomalies: c.anomalies,
  };
}

/**
 * `JSON.stringify(connJson(c))`, written directly: a capture's listing writes hundreds of thousands
 * of connections, and every text in one (addresses, state names, Zeek's codes and letters, anomaly
 * names) needs no escaping.
 */
export function connJsonText(c: Conn): string {
  const fc = c.firstClose ? `,"firstClose":{"end":"${c.firstClose.end}","how":"${c.firstClose.how}"}` : '';
  let anomalies = '';
  for (const a of c.anomalies) anomalies += `${anomalies === '' ? '' : ','}"${a}"`;
  return (
    `{"id":${c.n},"family":${c.family},"start":"${isoTime(c.startUs)}","durationMs":${(c.lastUs - c.startUs) / 1000},` +
    `"client":${endJsonText(c.client)},"server":${endJsonText(c.server)},` +
    `"connState":"${c.connState}","history":"${c.history}"${fc},"midstream":${c.midstream},"anomalies":[${anomalies}]}`
  );
}

function endJsonText(e: ConnEnd): string {
  let states = '';
  let timeline = '';
  for (const s of e.states) {
    const sep = states === '' ? '' : ',';
    states += `${sep}"${s.state}"`;
    timeline += `${sep}{"state":"${s.state}","time":"${isoTime(s.atUs)}"}`;
  }
  return (
    `{"address":${JSON.stringify(e.address)},"port":${e.port},"states":[${states}],"timeline":[${timeline}],` +
    `"packets":${e.packets},"bytes":${e.bytes},"retransmissions":${e.retransmissions}}`
  );
}
