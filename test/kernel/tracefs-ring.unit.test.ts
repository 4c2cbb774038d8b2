import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, ParseError } from '../../src/errors.js';
import { DEFAULT_PAGE_HEADER, parseHeaderPage } from '../../src/kernel/tracefs/format.js';
import {
  decodePage,
  kernelFilters,
  makeDecoder,
  parseCpuStats,
  parseEventFormat,
  staleInstances,
  tracefsMounts,
} from '../../src/kernel/tracefs/index.js';
import { ByteReader, ByteWriter } from '../../src/net/byte-reader.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/tracefs', import.meta.url));

/** A page: header (timestamp, commit word with flags) then the given event words and bytes. */
function page(ts: number, body: number[], flags = 0, missed?: number): ByteReader {
  const w = new ByteWriter(4096);
  w.u32le(0, ts % 2 ** 32).u32le(4, Math.floor(ts / 2 ** 32));
  const size = body.length * 4;
  w.u32le(8, (size | flags) >>> 0);
  for (const [i, v] of body.entries()) w.u32le(16 + i * 4, v >>> 0);
  if (missed !== undefined) w.u32le(16 + size, missed);
  return new ByteReader(w.bytes);
}
const head = (typeLen: number, delta: number) => (delta << 5) | typeLen;

describe('ring buffer pages', () => {
  it('walks short records, long records, time extends and discarded records', () => {
    const p = page(1000, [
      head(2, 5),
      0xaaaa,
      0xbbbb, // 8-byte record at 1005
      head(30, 1),
      2, // time extend: +(2 << 27) + 1
      head(0, 3),
      12 + 4,
      1,
      2,
      3, // long record of 12 bytes, delta 3
      head(29, 7),
      8,
      0, // a discarded record of 8 bytes after its header words
      head(1, 2),
      0xcccc,
      head(29, 0), // padding to the end
      head(1, 0),
      0xdead,
    ]);
    const r = decodePage(p, DEFAULT_PAGE_HEADER);
    assert.equal(r.errors, 0);
    assert.equal(r.missed, 0);
    const ext = 2 * 2 ** 27 + 1;
    assert.deepEqual(
      r.records.map((x) => [x.ts, x.data.length, x.data.u32At(0, true)]),
      [
        [1005, 8, 0xaaaa],
        [1005 + ext + 3, 12, 1],
        [1005 + ext + 3 + 2, 4, 0xcccc],
      ],
    );
  });

  it('reports events lost before the page, with and without a stored count', () => {
    const stored = decodePage(page(0, [head(1, 0), 7], 2 ** 31 + 2 ** 30, 42), DEFAULT_PAGE_HEADER);
    assert.equal(stored.missed, 42);
    assert.equal(decodePage(page(0, [head(1, 0), 7], 2 ** 31), DEFAULT_PAGE_HEADER).missed, true);
  });

  it('counts a record running past the data, and a page shorter than its header', () => {
    const r = decodePage(page(0, [head(1, 0), 7, head(0, 0), 400]), DEFAULT_PAGE_HEADER);
    assert.equal(r.records.length, 1);
    assert.equal(r.errors, 1);
    assert.equal(decodePage(new ByteReader(new Uint8Array(8)), DEFAULT_PAGE_HEADER).errors, 1);
  });
});

// tcp_send_reset before 6.10 (include/trace/events/tcp.h, tcp_event_sk_skb): plain ports and arrays.
const OLD_SEND_RESET = `name: tcp_send_reset
ID: 1234
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:const void * skbaddr;	offset:8;	size:8;	signed:0;
	field:const void * skaddr;	offset:16;	size:8;	signed:0;
	field:int state;	offset:24;	size:4;	signed:1;
	field:__u16 sport;	offset:28;	size:2;	signed:0;
	field:__u16 dport;	offset:30;	size:2;	signed:0;
	field:__u16 family;	offset:32;	size:2;	signed:0;
	field:__u8 saddr[4];	offset:34;	size:4;	signed:0;
	field:__u8 daddr[4];	offset:38;	size:4;	signed:0;
	field:__u8 saddr_v6[16];	offset:42;	size:16;	signed:0;
	field:__u8 daddr_v6[16];	offset:58;	size:16;	signed:0;

print fmt: "..."
`;

describe('event formats', () => {
  it('decodes an older layout by its format file, IPv6 included', () => {
    const fmt = parseEventFormat('tcp', OLD_SEND_RESET);
    assert.equal(fmt.fields.get('saddr_v6')?.arrayLength, 16);
    const w = new ByteWriter(76);
    w.u16le(0, 1234).i32le(4, 99);
    w.u32le(16, 0x1f28ae40).u32le(20, 0xffff8882);
    w.i32le(24, 1).u16le(28, 443).u16le(30, 50000).u16le(32, 10);
    w.set(42, new Uint8Array([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]));
    w.set(58, new Uint8Array([...new Array(15).fill(0), 1]));
    const e = makeDecoder('tcp_send_reset', fmt)(new ByteReader(w.bytes), { ns: 1, timeMs: 2, cpu: 0 });
    assert.deepEqual(e, {
      event: 'tcp_send_reset',
      ns: 1,
      timeMs: 2,
      cpu: 0,
      pid: 99,
      family: 6,
      saddr: '2001:db8::1',
      daddr: '::1',
      sport: 443,
      dport: 50000,
      skaddr: 'ffff88821f28ae40',
      state: 1,
    });
  });

  it('keeps sockets and addresses apart that share a word (the texts are cached by one word)', () => {
    const dec = makeDecoder('tcp_send_reset', parseEventFormat('tcp', OLD_SEND_RESET));
    const rec = (hi: number, v6: number[]) => {
      const w = new ByteWriter(76);
      w.u32le(16, 0x1f28ae40).u32le(20, hi);
      w.i32le(24, 1).u16le(28, 443).u16le(30, 50000).u16le(32, 10);
      w.set(42, new Uint8Array(v6));
      w.set(58, new Uint8Array([...new Array(15).fill(0), 1]));
      return dec(new ByteReader(w.bytes), { ns: 1, timeMs: 2, cpu: 0 }) as { skaddr: string; saddr: string };
    };
    const last = [0, 0, 0, 1];
    const a = rec(0xffff8882, [0x20, 0x01, 0x0d, 0xb8, ...new Array(8).fill(0), ...last]);
    const b = rec(0xffff8883, [0xfe, 0x80, ...new Array(10).fill(0), ...last]);
    const c = rec(0xffff8882, [0x20, 0x01, 0x0d, 0xb8, ...new Array(8).fill(0), ...last]);
    assert.deepEqual(
      [a, b, c].map((e) => [e.skaddr, e.saddr]),
      [
        ['ffff88821f28ae40', '2001:db8::1'],
        ['ffff88831f28ae40', 'fe80::1'],
        ['ffff88821f28ae40', '2001:db8::1'],
      ],
    );
  });

  it('refuses a decoder when the format lacks a field it needs, or is no format, in one line', () => {
    const fmt = parseEventFormat('tcp', OLD_SEND_RESET.replace(/.*skaddr.*\n/, ''));
    // A kernel's own files: what they lack is said (exit 2), never a bug's stack trace (exit 3).
    assert.throws(
      () => makeDecoder('tcp_send_reset', fmt),
      (e) => e instanceof EnvironmentError && /no field 'skaddr'/.test(e.message),
    );
    assert.throws(() => parseEventFormat('sock', 'name: x\n'), ParseError);
    assert.throws(() => parseHeaderPage('field: u64 timestamp;\n'), ParseError);
  });

  it('builds kernel filters only from fields the format has', () => {
    const fmt = parseEventFormat('tcp', OLD_SEND_RESET);
    const noPorts = parseEventFormat('tcp', OLD_SEND_RESET.replace(/.*sport.*\n/, ''));
    const f = kernelFilters(
      new Map([
        ['tcp_send_reset', fmt],
        ['tcp_receive_reset', noPorts],
      ]),
      { ports: [80, 443], family: 6 },
    );
    assert.deepEqual(f, {
      tcp_send_reset: 'family == 10 && (sport == 80 || dport == 80 || sport == 443 || dport == 443)',
      tcp_receive_reset: 'family == 10',
    });
  });

  it('lets connect()’s first state event through a port filter: its sport is still 0', () => {
    const fmt = parseEventFormat('sock', readFileSync(`${FIXTURES}/sock-inet_sock_set_state.format`, 'utf8'));
    assert.deepEqual(kernelFilters(new Map([['inet_sock_set_state', fmt]]), { ports: [80] }), {
      inet_sock_set_state: 'protocol == 6 && (sport == 80 || dport == 80 || sport == 0 && newstate == 2)',
    });
  });
});

describe('tracefs housekeeping', () => {
  it('finds instances of dead tcpscope processes only', () => {
    const alive = (pid: number) => pid === 10;
    assert.deepEqual(
      staleInstances(['tcpscope-10-trace', 'tcpscope-11-doctor', 'other', 'tcpscope-x'], alive),
      ['tcpscope-11-doctor'],
    );
  });

  it('reads per-CPU buffer counters and mount tables', () => {
    const s = parseCpuStats(
      'entries: 3\noverrun: 5\ncommit overrun: 0\nbytes: 9\ndropped events: 7\nread events: 2\n',
    );
    assert.deepEqual(s, { entries: 3, overrun: 5, commitOverrun: 0, dropped: 7, read: 2 });
    const mounts = 'debugfs /sys/kernel/debug debugfs rw 0 0\nnodev /sys/kernel/tracing tracefs rw 0 0\n';
    assert.deepEqual(tracefsMounts(mounts), ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']);
  });
});
