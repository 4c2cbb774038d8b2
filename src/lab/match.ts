/**
 * Holding what the holder says it made against what the kernel shows (`ss` rows): every held socket
 * must be there, in its state, held by exactly its owner or by nobody; and some states must not be
 * there at all (a killed client leaves no LAST_ACK behind). Pure.
 */
import { formatFlow } from '../net/endpoint.js';
import type { Endpoint } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';
import type { HeldItem, HeldSocket, HolderReport, HoldItem, HoldKind } from './scenario.js';

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

/**
 * States an item's port must not show once it has settled. A killed client's kernel still answers the
 * server's FIN (its sockets live on as orphans), so the server never waits in LAST_ACK.
 */
export const ABSENT: Partial<Record<HoldKind, readonly TcpState[]>> = { 'killed-client': ['LAST_ACK'] };

/** Rows of an item's port in a state the item must not leave, each with its item. */
export function strayRows<T extends ObservedSocket>(
  report: HolderReport,
  rows: readonly T[],
): [HeldItem, T][] {
  const out: [HeldItem, T][] = [];
  for (const item of report.items) {
    const absent = ABSENT[item.kind];
    if (!absent) continue;
    for (const r of rowsOfItem(rows, item)) if (absent.includes(r.state)) out.push([item, r]);
  }
  return out;
}

/** A held socket in one line: `FIN_WAIT1 127.0.0.1:44918 > 127.0.0.1:30008 orphan`. */
export function describeHeld(h: HeldSocket): string {
  return `${h.state} ${formatFlow(h.local, h.remote)} ${h.owned ? `fd ${h.fd}` : 'no owner'}`;
}

function sameEnd(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && a.address === b.address;
}
