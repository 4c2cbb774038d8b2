/**
 * The live view's wide columns from recorded dumps (test/fixtures/netlink, regenerate-netlink.sh):
 * the same sockets as the full parser reads (state, family, both ports and addresses, queues, inode,
 * identity), and damaged or unusual datagrams (short messages, unknown states, an interrupted
 * dump, the kernel's error) said the same way as the generic walk says them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeanColumns, leanDatagram } from '../../src/kernel/netlink/lean.js';
import { DiagParser, newStatus } from '../../src/kernel/netlink/parse.js';
import type { DumpStatus } from '../../src/kernel/netlink/walk.js';
import { WideColumns, wideDatagram } from '../../src/kernel/netlink/wide.js';
import { DIAG_MSG, NLM_F_DUMP_INTR, NLMSG } from '../../src/kernel/netlink/wire.js';
import { ByteReader } from '../../src/net/byte-reader.js';
import { tableOf, type WatchTable } from '../../src/watch/table.js';
import { datagrams } from '../helpers/netlink-fixtures.js';

const hex = (b: Uint8Array, i: number) => Buffer.from(b.subarray(i * 16, i * 16 + 16)).toString('hex');
function rows(t: WatchTable): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.n; i++)
    out.push(
      `${t.key[i]} ${t.state[i]} ${t.family[i]} ${t.lport[i]} ${t.rport[i]} ${hex(t.laddr, i)} ${hex(t.raddr, i)} ${t.recvQ[i]} ${t.sendQ[i]} ${t.inode[i]}`,
    );
  return out;
}

function wide(grams: readonly Uint8Array[]): { c: WideColumns; status: DumpStatus } {
  const c = new WideColumns();
  const status = newStatus();
  for (const d of grams) {
    // Copies of one dump: each starts again.
    if (status.done && status.error === undefined) status.done = false;
    wideDatagram(new ByteReader(d), status, c);
  }
  return { c, status };
}

/** What the generic walk (the lean reader's) says of the same datagrams. */
function walked(grams: readonly Uint8Array[]): { ports: number[]; status: DumpStatus } {
  const c = new LeanColumns();
  const status = newStatus();
  for (const d of grams) {
    if (status.done && status.error === undefined) status.done = false;
    leanDatagram(new ByteReader(d), status, c);
  }
  return { ports: Array.from(c.port.subarray(0, c.n)), status };
}

/** The datagrams of a fixture, copied, with `change` applied to the message at `index` of the first. */
function altered(name: string, index: number, change: (d: Uint8Array, v: DataView, at: number) => void) {
  const grams = datagrams(name).map((d) => Uint8Array.from(d));
  const d = grams[0]!;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let at = 0;
  for (let k = 0; k < index; k++) at += (v.getUint32(at, true) + 3) & ~3;
  change(d, v, at);
  return grams;
}

describe('the table as wide columns', () => {
  for (const name of ['tcp4.dgrams', 'tcp6.dgrams', 'tcp46.dgrams']) {
    it(`reads ${name} as the full parser does`, () => {
      const p = new DiagParser({ littleEndian: true });
      for (const d of datagrams(name)) p.feed(d);
      const { c, status } = wide(datagrams(name));
      assert.equal(status.done, true);
      assert.ok(c.n > 5, String(c.n));
      assert.deepEqual(rows(c).sort(), rows(tableOf(p.sockets)).sort());
      assert.equal(status.malformed, 0);
      assert.equal(status.interrupted, false);
    });
  }

  it('grows past its first columns', () => {
    const grams = datagrams('tcp46.dgrams');
    const once = wide(grams).c;
    const many = wide(Array.from({ length: Math.ceil(3000 / once.n) }, () => grams).flat()).c;
    assert.ok(many.n > 2048, String(many.n));
    assert.deepEqual(rows(many).slice(-once.n), rows(once));
  });

  it('counts damaged messages as the generic walk does, and reads on', () => {
    const cases: [string, Uint8Array[]][] = [
      ['bad-len', datagrams('tcp4.bad-len.dgrams')],
      ['cut', datagrams('tcp4.cut.dgrams')],
      ['error', datagrams('tcp4.error.dgrams')],
      [
        'unknown state',
        altered('tcp4.dgrams', 2, (d, _v, at) => {
          d[at + NLMSG.SIZE + DIAG_MSG.state] = 40;
        }),
      ],
      ['short message', altered('tcp4.dgrams', 1, (_d, v, at) => v.setUint32(at, NLMSG.SIZE + 8, true))],
    ];
    for (const [what, grams] of cases) {
      const w = wide(grams);
      const g = walked(grams);
      assert.deepEqual(Array.from(w.c.lport.subarray(0, w.c.n)), g.ports, what);
      assert.equal(w.status.malformed, g.status.malformed, what);
      assert.equal(w.status.firstError, g.status.firstError, what);
      assert.equal(w.status.error, g.status.error, what);
      assert.equal(w.status.done, g.status.done, what);
    }
    assert.ok(wide(datagrams('tcp4.bad-len.dgrams')).status.malformed >= 1);
  });

  it('says the kernel interrupted the dump, on a socket message or at its end', () => {
    assert.equal(wide(datagrams('tcp4.intr.dgrams')).status.interrupted, true);
    const flagged = altered('tcp4.dgrams', 3, (_d, v, at) =>
      v.setUint16(at + NLMSG.flags, v.getUint16(at + NLMSG.flags, true) | NLM_F_DUMP_INTR, true),
    );
    const w = wide(flagged);
    assert.equal(w.status.interrupted, true);
    assert.equal(w.c.n, wide(datagrams('tcp4.dgrams')).c.n);
  });
});
