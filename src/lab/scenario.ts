/**
 * What the holder is asked to make (a spec), what it says it made (a report), and the nftables
 * rules each kind needs. Pure: the holder (holder.ts) and the caller (apply.ts) share these shapes.
 *
 * Every item owns one server port P on the namespace's loopback, and every socket it makes has P at
 * one end, so the rules of different items never meet and a test can pick an item's rows by port.
 * The rules sit on the input hook: a dropped packet is lost on the way in, so the sender sees
 * nothing and retransmits on its timers (an output-hook drop would return EPERM to the sender).
 */
import type { Endpoint } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';
import type { Family } from './sockaddr.js';

/** The kinds of item the holder makes, named after the state they are for. */
export const HOLD_KINDS = [
  'listen',
  'established',
  'time-wait',
  'close-wait',
  'fin-wait-2',
  'syn-sent',
  'syn-recv',
  'accept-queue',
  'fin-wait-1',
  'last-ack',
  'closing',
] as const;

export type HoldKind = (typeof HOLD_KINDS)[number];

/** One thing to make: a kind, over IPv4 (127.0.0.1) or IPv6 (::1), on server port `port`. */
export interface HoldItem {
  kind: HoldKind;
  family: Family;
  port: number;
  /** accept-queue only: the listener's backlog N (default 2); N + 2 clients connect. */
  backlog?: number;
}

/** The holder's argument: the items to make, in order. */
export interface HolderSpec {
  items: HoldItem[];
}

/** The part a socket plays in its item. */
export type HeldRole = 'listener' | 'client' | 'server' | 'request' | 'queued';

/** A socket the holder made (or caused: requests, queued children, orphans, TIME_WAIT). */
export interface HeldSocket {
  role: HeldRole;
  /** The state it is meant to be in once the item has settled. */
  state: TcpState;
  local: Endpoint;
  remote: Endpoint;
  /** The holder's fd when it owns the socket, else null. */
  fd: number | null;
  owned: boolean;
}

/** An item with the sockets it made. */
export interface HeldItem extends HoldItem {
  sockets: HeldSocket[];
}

/** The holder's one JSON line on stdout: its pid and what it made; or an `error` line, then it exits 2. */
export interface HolderReport {
  pid: number;
  items: HeldItem[];
}

/** The loopback address of a family. */
export function loopback(family: Family): string {
  return family === 4 ? '127.0.0.1' : '::1';
}

/** The default accept-queue backlog. */
export const DEFAULT_BACKLOG = 2;
const MAX_BACKLOG = 64;

/** A spec with every kind over IPv4 (ports base, base+1...) and IPv6 (base+1000...): one of each state. */
export function everyState(base = 30000): HolderSpec {
  return {
    items: HOLD_KINDS.flatMap((kind, i): HoldItem[] => [
      { kind, family: 4, port: base + i },
      { kind, family: 6, port: base + 1000 + i },
    ]),
  };
}

/** Checks a spec (from JSON) and returns it typed; throws one line naming the bad item. */
export function parseHolderSpec(value: unknown): HolderSpec {
  const items = (value as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length === 0)
    throw new TypeError('holder spec: "items" must be a non-empty array');
  const ports = new Set<number>();
  const out = items.map((raw: unknown, i): HoldItem => {
    const it = raw as Partial<HoldItem> | null;
    const at = `holder spec: items[${i}]`;
    if (!it || !HOLD_KINDS.includes(it.kind as HoldKind)) {
      throw new TypeError(`${at}: kind must be one of ${HOLD_KINDS.join(', ')}`);
    }
    if (it.family !== 4 && it.family !== 6) throw new TypeError(`${at}: family must be 4 or 6`);
    if (!Number.isInteger(it.port) || it.port! < 1 || it.port! > 65535)
      throw new TypeError(`${at}: bad port`);
    if (ports.has(it.port!)) throw new TypeError(`${at}: port ${it.port} used twice (one port per item)`);
    ports.add(it.port!);
    const item: HoldItem = { kind: it.kind!, family: it.family, port: it.port! };
    if (it.backlog !== undefined) {
      if (it.kind !== 'accept-queue') throw new TypeError(`${at}: backlog is for accept-queue only`);
      if (!Number.isInteger(it.backlog) || it.backlog < 0 || it.backlog > MAX_BACKLOG) {
        throw new TypeError(`${at}: backlog must be 0 to ${MAX_BACKLOG}`);
      }
      item.backlog = it.backlog;
    }
    return item;
  });
  return { items: out };
}

// The four flags that tell handshake, data and teardown segments apart; `== ack` is a pure ACK.
const PURE_ACK = 'tcp flags & (fin | syn | rst | ack) == ack';

/**
 * The input-hook rules an item needs, each scoped to its port:
 * - syn-sent: every segment to P dropped, so the SYNs go unanswered (no RST either).
 * - syn-recv: pure ACKs to P dropped: the handshake's last ACK never reaches the listener, whose
 *   request socket stays SYN_RECV (the client, which got the SYN-ACK, is ESTABLISHED).
 * - fin-wait-1: pure ACKs from P dropped: the server's ACK of the client's FIN is lost.
 * - last-ack: segments from P carrying FIN dropped: the client never sees the server's FIN.
 * - closing: the client's FIN to P and the server's pure ACKs dropped; the server's own FIN, sent
 *   before it saw the client's, gets through and finds the client in FIN_WAIT1 (RFC 9293 3.6 case 2).
 */
export function rulesFor(item: HoldItem): string[] {
  const p = item.port;
  switch (item.kind) {
    case 'syn-sent':
      return [`tcp dport ${p} drop`];
    case 'syn-recv':
      return [`tcp dport ${p} ${PURE_ACK} drop`];
    case 'fin-wait-1':
      return [`tcp sport ${p} ${PURE_ACK} drop`];
    case 'last-ack':
      return [`tcp sport ${p} tcp flags & fin == fin drop`];
    case 'closing':
      return [`tcp dport ${p} tcp flags & fin == fin drop`, `tcp sport ${p} ${PURE_ACK} drop`];
    default:
      return [];
  }
}

/** The nftables table name the lab uses in its namespaces. */
export const NFT_TABLE = 'tcpscope_lab';

/**
 * The ruleset (`nft -f -` syntax) for a spec, or '' when no item needs a rule. Loading it again with
 * other items adds rules to the same table and chain.
 */
export function nftRuleset(spec: HolderSpec): string {
  const rules = spec.items.flatMap((it) =>
    rulesFor(it).map((r) => `    iif "lo" ${r} comment "${it.kind} ${it.family} ${it.port}"`),
  );
  if (rules.length === 0) return '';
  return [
    `table inet ${NFT_TABLE} {`,
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    ...rules,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The part of an ss row a held socket is compared with (see ss.ts). */
export interface ObservedSocket {
  state: TcpState;
  local: Endpoint;
  remote: Endpoint;
  owners?: { pid: number; fd: number }[];
}

/** Whether an observed row is this held socket: same state and ends, and held by exactly its owner or nobody. */
export function isHeld(h: HeldSocket, row: ObservedSocket, holderPid: number): boolean {
  if (row.state !== h.state || !sameEnd(row.local, h.local) || !sameEnd(row.remote, h.remote)) return false;
  const owners = row.owners ?? [];
  if (!h.owned) return owners.length === 0;
  return owners.length === 1 && owners[0]!.pid === holderPid && owners[0]!.fd === h.fd;
}

/** The held sockets of a report that no observed row shows yet, each with its item. */
export function missingHeld(report: HolderReport, rows: readonly ObservedSocket[]): [HeldItem, HeldSocket][] {
  const out: [HeldItem, HeldSocket][] = [];
  for (const item of report.items) {
    for (const h of item.sockets) if (!rows.some((r) => isHeld(h, r, report.pid))) out.push([item, h]);
  }
  return out;
}

/** The rows that belong to an item: its port at either end (ephemeral ports never reach it, see LAB_SYSCTLS). */
export function rowsOfItem<T extends ObservedSocket>(rows: readonly T[], item: HoldItem): T[] {
  return rows.filter((r) => r.local.port === item.port || r.remote.port === item.port);
}

/** A held socket in one line: `FIN_WAIT1 127.0.0.1:44918 > 127.0.0.1:30008 orphan`. */
export function describeHeld(h: HeldSocket): string {
  const ep = (e: Endpoint) =>
    e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
  return `${h.state} ${ep(h.local)} > ${ep(h.remote)} ${h.owned ? `fd ${h.fd}` : 'no owner'}`;
}

function sameEnd(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && a.address === b.address;
}
