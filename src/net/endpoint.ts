/**
 * The one way tcpscope writes an address and port for people: as `ss` writes them. Pure.
 * Every table, finding, capture line and lab message goes through here, so IPv6 always has its
 * brackets and a wildcard always reads the same.
 * @see https://github.com/iproute2/iproute2/blob/main/misc/ss.c `inet_addr_print`, `resolve_service`
 */

/** An address and a port, as sockets, packets and findings carry them. */
export interface AddressPort {
  /** Bare address: dotted quad or RFC 5952 IPv6 (no brackets, no zone). */
  address: string;
  port: number;
}

/** How to write a wildcard IPv6 address. */
export interface EndpointOptions {
  /**
   * The socket is IPV6_V6ONLY: ss writes its `::` as `[::]`. Otherwise (dual stack, the default,
   * and whenever the source cannot say, as /proc/net/tcp6 cannot) ss writes `*`, since such a
   * socket accepts IPv4 too.
   */
  v6only?: boolean;
}

/**
 * `1.2.3.4:80`, `[::1]:80`; port 0 as `*` (a listener's peer, an unbound socket); the IPv6 wildcard
 * `::` as `*` unless the socket is v6-only (`*:80`, `*:*`), as ss prints them. `0.0.0.0` stays.
 */
export function formatEndpoint(address: string, port: number, opts: EndpointOptions = {}): string {
  return `${formatAddress(address, opts)}:${port === 0 ? '*' : port}`;
}

/** The address half of {@link formatEndpoint}: `1.2.3.4`, `[::1]`, `*` for the dual-stack wildcard. */
export function formatAddress(address: string, opts: EndpointOptions = {}): string {
  if (!address.includes(':')) return address;
  if (address === '::' && opts.v6only !== true) return '*';
  return `[${address}]`;
}

/** {@link formatEndpoint} of an `{ address, port }` (a socket's `local` or `remote`, a packet's end). */
export function endpointOf(e: AddressPort, opts: EndpointOptions = {}): string {
  return formatEndpoint(e.address, e.port, opts);
}

/**
 * A 4-tuple in one line, local first, in tcpdump's direction style: `10.0.0.1:44918 > 10.0.0.2:80`.
 * Usable as a map key too: two distinct tuples never write the same text.
 */
export function formatFlow(local: AddressPort, remote: AddressPort, opts: EndpointOptions = {}): string {
  return `${endpointOf(local, opts)} > ${endpointOf(remote, opts)}`;
}
