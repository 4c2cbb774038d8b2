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

/** The kinds of item that make one socket (or pair) in a state, named after the state they are for. */
export const STATE_KINDS = [
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

/**
 * The kinds that make a situation with `count` connections (IPv4 only: their peers take addresses of
 * their own in 127.0.0.0/8, every one of which is the namespace's loopback). See holder-situations.ts.
 */
export const SITUATION_KINDS = [
  'syn-flood',
  'scan',
  'close-wait-leak',
  'half-open',
  'server-shutdown',
  'vanished-client',
  'killed-client',
  'restart',
] as const;

/** Every kind of item the holder makes. */
export const HOLD_KINDS = [...STATE_KINDS, ...SITUATION_KINDS] as const;

export type StateKind = (typeof STATE_KINDS)[number];
export type SituationKind = (typeof SITUATION_KINDS)[number];
export type HoldKind = (typeof HOLD_KINDS)[number];

/** One thing to make: a kind, over IPv4 (127.0.0.1) or IPv6 (::1), on server port `port`. */
export interface HoldItem {
  kind: HoldKind;
  family: Family;
  port: number;
  /** accept-queue and syn-flood: the listener's backlog N (accept-queue: default 2; syn-flood: 128). */
  backlog?: number;
  /** accept-queue and the situations: how many connections (accept-queue: clients, default backlog + 2). */
  count?: number;
  /** restart: whether the server sets SO_REUSEADDR on its listener, before and after the restart. */
  reuseaddr?: boolean;
  /** listen: bind the wildcard address (0.0.0.0 or ::) instead of loopback. */
  wildcard?: boolean;
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
  /** What the holder saw happen besides sockets: a bind's errno, a child's pid... */
  facts?: Record<string, string | number | boolean>;
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
/** The default backlog of a flooded listener: a common server default (the old SOMAXCONN). */
export const FLOOD_BACKLOG = 128;
/** The most connections one item makes (file descriptors and packets stay bounded). */
export const MAX_COUNT = 500;
const MAX_BACKLOG: Partial<Record<HoldKind, number>> = { 'accept-queue': 64, 'syn-flood': 4096 };

/** A spec with every state kind over IPv4 (ports base, base+1...) and IPv6 (base+1000...): one of each state. */
export function everyState(base = 30000): HolderSpec {
  return {
    items: STATE_KINDS.flatMap((kind, i): HoldItem[] => [
      { kind, family: 4, port: base + i },
      { kind, family: 6, port: base + 1000 + i },
    ]),
  };
}

/** Whether a kind is a situation (IPv4 only, takes `count`). */
export function isSituation(kind: HoldKind): kind is SituationKind {
  return (SITUATION_KINDS as readonly string[]).includes(kind);
}

/** Checks a spec (from JSON) and returns it typed; throws one line naming the bad item. */
export function parseHolderSpec(value: unknown): HolderSpec {
  const items = (value as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length === 0)
    throw new TypeError('holder spec: "items" must be a non-empty array');
  const ports = new Set<number>();
  const out = items.map((raw: unknown, i): HoldItem => {
    const item = parseItem(raw, `holder spec: items[${i}]`);
    if (ports.has(item.port))
      throw new TypeError(`holder spec: items[${i}]: port ${item.port} used twice (one port per item)`);
    ports.add(item.port);
    return item;
  });
  return { items: out };
}

function parseItem(raw: unknown, at: string): HoldItem {
  const it = raw as Partial<HoldItem> | null;
  if (!it || !HOLD_KINDS.includes(it.kind as HoldKind)) {
    throw new TypeError(`${at}: kind must be one of ${HOLD_KINDS.join(', ')}`);
  }
  const kind = it.kind!;
  if (it.family !== 4 && it.family !== 6) throw new TypeError(`${at}: family must be 4 or 6`);
  if (it.family === 6 && isSituation(kind)) throw new TypeError(`${at}: ${kind} is IPv4 only`);
  if (!Number.isInteger(it.port) || it.port! < 1 || it.port! > 65535) throw new TypeError(`${at}: bad port`);
  const item: HoldItem = { kind, family: it.family, port: it.port! };
  if (it.backlog !== undefined) {
    const max = MAX_BACKLOG[kind];
    if (max === undefined) throw new TypeError(`${at}: backlog is for accept-queue and syn-flood only`);
    if (!Number.isInteger(it.backlog) || it.backlog < 0 || it.backlog > max) {
      throw new TypeError(`${at}: backlog must be 0 to ${max}`);
    }
    item.backlog = it.backlog;
  }
  if (it.count !== undefined) {
    if (kind !== 'accept-queue' && !isSituation(kind)) throw new TypeError(`${at}: count is not for ${kind}`);
    if (!Number.isInteger(it.count) || it.count < 1 || it.count > MAX_COUNT) {
      throw new TypeError(`${at}: count must be 1 to ${MAX_COUNT}`);
    }
    item.count = it.count;
  }
  flag(it, item, 'reuseaddr', 'restart', at);
  flag(it, item, 'wildcard', 'listen', at);
  return item;
}

function flag(
  it: Partial<HoldItem>,
  item: HoldItem,
  key: 'reuseaddr' | 'wildcard',
  kind: HoldKind,
  at: string,
) {
  const v = it[key];
  if (v === undefined) return;
  if (it.kind !== kind) throw new TypeError(`${at}: ${key} is for ${kind} only`);
  if (typeof v !== 'boolean') throw new TypeError(`${at}: ${key} must be true or false`);
  item[key] = v;
}

// The four flags that tell handshake, data and teardown segments apart; `== ack` is a pure ACK.
const PURE_ACK = 'tcp flags & (fin | syn | rst | ack) == ack';

/**
 * Where a situation's peers live: each kind has a /16 of 127.0.0.0/8 (all of it is the namespace's
 * loopback, so a client can bind any of these addresses), and its rules match that prefix only.
 * `spread` is how many distinct addresses the connections share (0: one address each, for floods).
 */
const PEERS: Record<SituationKind, { net: number; spread: number }> = {
  'syn-flood': { net: 1, spread: 0 },
  scan: { net: 2, spread: 0 },
  'close-wait-leak': { net: 3, spread: 4 },
  'half-open': { net: 4, spread: 1 },
  'vanished-client': { net: 5, spread: 4 },
  'server-shutdown': { net: 6, spread: 4 },
  'killed-client': { net: 7, spread: 4 },
  restart: { net: 8, spread: 4 },
};

/** The peer address of a situation's connection i (for scan, the address scanned). */
export function peerAddress(kind: SituationKind, i: number): string {
  const { net, spread } = PEERS[kind];
  const n = spread === 0 ? i : i % spread;
  return `127.${net}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

/** The prefix a situation's peers are in (`127.5.0.0/16`). */
export function peerNet(kind: SituationKind): string {
  return `127.${PEERS[kind].net}.0.0/16`;
}

/**
 * The input-hook rules an item needs, each scoped to its port:
 * - syn-sent: every segment to P dropped, so the SYNs go unanswered (no RST either).
 * - syn-recv: pure ACKs to P dropped: the handshake's last ACK never reaches the listener, whose
 *   request socket stays SYN_RECV (the client, which got the SYN-ACK, is ESTABLISHED).
 * - fin-wait-1: pure ACKs from P dropped: the server's ACK of the client's FIN is lost.
 * - last-ack: segments from P carrying FIN dropped: the client never sees the server's FIN.
 * - closing: the client's FIN to P and the server's pure ACKs dropped; the server's own FIN, sent
 *   before it saw the client's, gets through and finds the client in FIN_WAIT1 (RFC 9293 3.6 case 2).
 * - syn-flood: from the flood's sources, everything but SYNs dropped: their handshakes never complete
 *   and their RSTs never arrive, as with spoofed sources that never answer the SYN-ACK.
 * - scan: SYNs to the scanned addresses dropped: nobody answers, not even with an RST.
 * - half-open: RSTs from the vanished peer dropped: its socket is gone without a word.
 * - vanished-client: the server's FIN to the vanished clients dropped (their machine is off the net).
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
    case 'syn-flood':
      return [`ip saddr ${peerNet(item.kind)} tcp dport ${p} tcp flags & syn != syn drop`];
    case 'scan':
      return [`ip daddr ${peerNet(item.kind)} tcp dport ${p} drop`];
    case 'half-open':
      return [`ip saddr ${peerNet(item.kind)} tcp dport ${p} tcp flags & rst == rst drop`];
    case 'vanished-client':
      return [`ip daddr ${peerNet(item.kind)} tcp sport ${p} tcp flags & fin == fin drop`];
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
