import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SocketJsonWriter } from '../../src/kernel/netlink/json-writer.js';
import { DiagParser } from '../../src/kernel/netlink/parse.js';
import { ByteReader } from '../../src/net/byte-reader.js';
import { attribute, attributor } from '../../src/snapshot/attribute.js';
import { dedupe } from '../../src/snapshot/take.js';
import { datagrams } from '../helpers/netlink-fixtures.js';

/** The object path: records, de-duplicated, attributed, stringified. */
function viaRecords(files: string[], repeat = 1): string {
  const all = [];
  for (let i = 0; i < repeat; i++) {
    for (const f of files) {
      const p = new DiagParser({ littleEndian: true }); // one parser a dump, as dumpTcp does
      for (const d of datagrams(f)) p.feed(d);
      all.push(...p.sockets);
    }
  }
  const sockets = dedupe(all);
  attribute(sockets);
  return JSON.stringify(sockets);
}

/** The direct path, with the listeners of the same dump for attribution. */
function direct(
  files: string[],
  repeat = 1,
  chunkSize = 4096,
): { json: string; writer: SocketJsonWriter; malformed: number } {
  const listening = files.flatMap((f) => {
    const p = new DiagParser({ littleEndian: true });
    for (const d of datagrams(f)) p.feed(d);
    return p.sockets.filter((s) => s.state === 'LISTEN');
  });
  const chunks: Uint8Array[] = [];
  let malformed = 0;
  const writer = new SocketJsonWriter({
    littleEndian: true,
    attribution: attributor(listening),
    out: (c) => chunks.push(c),
    chunkSize,
  });
  for (let i = 0; i < repeat; i++) {
    for (const f of files) {
      writer.startDump();
      for (const d of datagrams(f)) writer.feed(new ByteReader(d));
      malformed += writer.status.malformed;
    }
  }
  writer.flush();
  return { json: `[${Buffer.concat(chunks).toString('latin1')}]`, writer, malformed };
}

describe('SocketJsonWriter', () => {
  it('writes byte for byte what JSON.stringify gives for the parsed, attributed records', () => {
    const files = ['tcp4.dgrams', 'tcp6.dgrams'];
    const want = viaRecords(files);
    assert.ok(want.includes('"attribution":{"kind":"queued","port":7100}'), 'the fixture has queued sockets');
    assert.ok(want.includes('"mapped":true'), 'and mapped ones');
    assert.equal(direct(files).json, want);
  });

  it('drops duplicates as dedupe() does (a changing table can list a socket twice)', () => {
    const files = ['tcp4.dgrams', 'tcp6.dgrams'];
    const { json, writer } = direct(files, 2);
    assert.equal(json, viaRecords(files, 2));
    assert.equal(writer.count, JSON.parse(json).length);
  });

  it('counts and skips damaged messages as the parser does', () => {
    for (const f of ['tcp4.bad-len.dgrams', 'tcp4.bad-attr.dgrams', 'tcp4.cut.dgrams']) {
      const p = new DiagParser({ littleEndian: true });
      for (const d of datagrams(f)) p.feed(d);
      const { json, malformed } = direct([f]);
      assert.equal(malformed, p.status.malformed, f);
      assert.equal(JSON.parse(json).length, dedupe(p.sockets).length, f);
    }
  });
});
