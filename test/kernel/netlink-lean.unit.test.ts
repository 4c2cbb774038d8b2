/**
 * The table as columns from recorded dumps (test/fixtures/netlink, regenerate-netlink.sh): the same
 * sockets as the full parser reads (state, family, local port, inode), each once; damaged dumps
 * counted and skipped as the full parser does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeanColumns, leanDatagram, leanTable } from '../../src/kernel/netlink/lean.js';
import { DiagParser, newStatus } from '../../src/kernel/netlink/parse.js';
import { ByteReader } from '../../src/net/byte-reader.js';
import { stateCode } from '../../src/tcp/states.js';
import { datagrams } from '../helpers/netlink-fixtures.js';

function lean(name: string, twice = false) {
  const c = new LeanColumns();
  const status = newStatus();
  for (let k = 0; k < (twice ? 2 : 1); k++)
    for (const d of datagrams(name)) {
      status.done = false;
      leanDatagram(new ByteReader(d), status, c);
    }
  return { table: leanTable(c, [status]), status };
}

function rows(t: ReturnType<typeof lean>['table']): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.n; i++) out.push(`${t.state[i]} ${t.family[i]} ${t.port[i]} ${t.inode[i]}`);
  return out.sort();
}

describe('the table as columns', () => {
  for (const name of ['tcp4.dgrams', 'tcp6.dgrams', 'tcp46.dgrams']) {
    it(`reads ${name} as the full parser does`, () => {
      const p = new DiagParser({ littleEndian: true });
      for (const d of datagrams(name)) p.feed(d);
      const want = p.sockets
        .map((s) => `${stateCode(s.state)} ${s.family} ${s.local.port} ${s.inode}`)
        .sort();
      const { table, status } = lean(name);
      assert.equal(status.done, true);
      assert.ok(table.n > 0);
      assert.deepEqual(rows(table), want);
      assert.equal(table.malformed, 0);
    });
  }

  it('keeps each socket once when a dump lists the table twice', () => {
    assert.deepEqual(rows(lean('tcp46.dgrams', true).table), rows(lean('tcp46.dgrams').table));
  });

  it('counts damaged messages and goes on', () => {
    for (const name of ['tcp4.bad-len.dgrams', 'tcp4.cut.dgrams']) {
      const { table } = lean(name);
      assert.ok(table.malformed >= 1, name);
      assert.ok(table.n > 0, name);
    }
  });
});
