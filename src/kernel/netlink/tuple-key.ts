/** A socket's identity across readings, from the words of its sockid. Pure. */

/**
 * Family and 4-tuple (ports and both addresses: 9 words) hashed twice (FNV-1a and a murmur-style
 * mix) and folded into 53 bits, never 0. Collisions between live sockets are about 1 in 10^6 at
 * 100,000 sockets; one would show two connections as one.
 */
export function tupleKey(family: number, w: ArrayLike<number>): number {
  let a = 0x811c9dc5 ^ family;
  let b = 0x5bd1e995 ^ family;
  for (let i = 0; i < 9; i++) {
    const x = w[i]!;
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 13;
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) & 0x1fffff) + 1;
}
