/**
 * The canonical flow key: a family and two endpoints, the same whichever way a segment travels, so
 * both directions of a connection find one entry. Pure.
 */

/** One end of a flow: an address in the contract's text form and a port. */
export interface FlowEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface FlowKey {
  readonly family: 4 | 6;
  /** The smaller endpoint (by address text, then port) first. */
  readonly a: FlowEndpoint;
  readonly b: FlowEndpoint;
}

/** Whether (addr1, port1) sorts before (addr2, port2): the key's first endpoint is the smaller. */
export function endpointBefore(addr1: string, port1: number, addr2: string, port2: number): boolean {
  return addr1 < addr2 || (addr1 === addr2 && port1 < port2);
}

/** The key's text, the same for both directions: `4 10.0.0.1:80 10.0.0.2:40000`. */
export function flowKeyText(family: 4 | 6, src: string, sport: number, dst: string, dport: number): string {
  return endpointBefore(src, sport, dst, dport)
    ? `${family} ${src} ${sport} ${dst} ${dport}`
    : `${family} ${dst} ${dport} ${src} ${sport}`;
}

/** The canonical key of a segment's two endpoints. */
export function flowKey(family: 4 | 6, src: string, sport: number, dst: string, dport: number): FlowKey {
  const s = { address: src, port: sport };
  const d = { address: dst, port: dport };
  return endpointBefore(src, sport, dst, dport) ? { family, a: s, b: d } : { family, a: d, b: s };
}
