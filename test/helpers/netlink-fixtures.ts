/** The recorded sock_diag dumps of test/fixtures/netlink (x86-64, little-endian; regenerate-netlink.sh). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const NETLINK_FIXTURES = fileURLToPath(new URL('../../../test/fixtures/netlink/', import.meta.url));

/** The datagrams of a .dgrams file (u32le length, bytes, ...). */
export function datagrams(name: string): Uint8Array[] {
  const all = readFileSync(NETLINK_FIXTURES + name);
  const out: Uint8Array[] = [];
  for (let o = 0; o < all.length; ) {
    const n = all.readUInt32LE(o);
    out.push(all.subarray(o + 4, o + 4 + n));
    o += 4 + n;
  }
  return out;
}
