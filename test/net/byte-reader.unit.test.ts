import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader, ByteWriter, OutOfBounds } from '../../src/net/byte-reader.js';

// 00 01 02 ... 0f, read through a window that starts at offset 2 of a larger array.
const bytes = Uint8Array.from({ length: 20 }, (_, i) => i);
const r = new ByteReader(bytes, 2, 18);

describe('ByteReader', () => {
  it('reads with the byte order it is told, relative to its window', () => {
    const cases: [string, () => number, number][] = [
      ['u8At(0)', () => r.u8At(0), 0x02],
      ['u16leAt(0)', () => r.u16leAt(0), 0x0302],
      ['u16beAt(0)', () => r.u16beAt(0), 0x0203],
      ['u32leAt(1)', () => r.u32leAt(1), 0x06050403],
      ['u32beAt(1)', () => r.u32beAt(1), 0x03040506],
      ['u32At(1, le)', () => r.u32At(1, true), 0x06050403],
      [
        'u64At(0, le)',
        () => new ByteReader(Uint8Array.of(1, 2, 3, 4, 5, 6, 0x1f, 0)).u64At(0, true),
        0x1f060504030201,
      ],
      [
        'u64At(0, be)',
        () => new ByteReader(Uint8Array.of(0, 0x1f, 6, 5, 4, 3, 2, 1)).u64At(0, false),
        0x1f060504030201,
      ],
      ['i32At(0, le)', () => new ByteReader(Uint8Array.of(0xfe, 0xff, 0xff, 0xff)).i32At(0, true), -2],
    ];
    for (const [what, read, want] of cases) assert.equal(read(), want, what);
  });

  it('throws OutOfBounds past its window, naming offset, need and have', () => {
    assert.equal(r.length, 16);
    assert.throws(
      () => r.u32leAt(13),
      (e: unknown) => e instanceof OutOfBounds && e.need === 4 && e.have === 3,
    );
    assert.throws(() => r.u8At(16), OutOfBounds);
    assert.throws(() => r.u8At(-1), OutOfBounds);
    assert.throws(() => r.window(10, 7), /truncated at offset 0xa \(need 7 bytes, have 6\)/);
  });

  it('narrows to sub-windows without copying, and reads sequentially', () => {
    const w = r.window(4, 4);
    assert.equal(w.view, r.view);
    assert.equal(w.u8At(0), 6);
    assert.equal(w.bytesAt(0, 4).buffer, bytes.buffer);
    const c = r.window(0, 6);
    assert.equal(c.u16le(), 0x0302);
    assert.equal(c.u8(), 4);
    assert.equal(c.take(2).u8At(1), 6);
    assert.equal(c.remaining, 1);
    assert.throws(() => c.u16be(), OutOfBounds);
  });

  it('reads NUL-terminated strings', () => {
    const s = new ByteReader(Uint8Array.of(0x63, 0x75, 0x62, 0x69, 0x63, 0, 0, 0));
    assert.equal(s.cstringAt(0, 8), 'cubic');
    assert.equal(s.cstringAt(1, 2), 'ub');
  });
});

describe('ByteWriter', () => {
  it('writes what the reader reads, and refuses to write past its end', () => {
    const w = new ByteWriter(8).u32(0, 0xdeadbeef, true).u16be(4, 0x1f90).u8(6, 7);
    const rr = new ByteReader(w.bytes);
    assert.equal(rr.u32leAt(0), 0xdeadbeef);
    assert.equal(rr.u16beAt(4), 8080);
    assert.throws(() => w.u32le(6, 1), OutOfBounds);
  });
});
