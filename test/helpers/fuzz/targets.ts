/**
 * What the fuzzer reads: each reader of input written by others, from its recorded fixtures. A
 * target throws only on a defect: an error other than the one-line error a reader may give, a
 * result that cannot come from its input, a buffer past its bound.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CaptureParser } from '../../../src/capture/index.js';
import { ParseError, TcpscopeError } from '../../../src/errors.js';
import { FlowTracker } from '../../../src/flow/index.js';
import { parseSnmp } from '../../../src/kernel/counters-parse-snmp.js';
import { parseSnmp6 } from '../../../src/kernel/counters-parse-snmp6.js';
import { parseSockstat } from '../../../src/kernel/counters-parse-sockstat.js';
import { LeanColumns, leanDatagram } from '../../../src/kernel/netlink/lean.js';
import { DiagParser } from '../../../src/kernel/netlink/parse.js';
import { newStatus } from '../../../src/kernel/netlink/walk.js';
import { WideColumns, wideDatagram } from '../../../src/kernel/netlink/wide.js';
import { parseProcNetTcp } from '../../../src/kernel/proc-net-tcp.js';
import {
  decodePage,
  type EventFormat,
  makeDecoder,
  parseCpuStats,
  parseEventFormat,
  parseHeaderPage,
  parseTraceText,
  type TraceEventName,
} from '../../../src/kernel/tracefs/index.js';
import { ByteReader, OutOfBounds } from '../../../src/net/byte-reader.js';
import { pcapToPcapng } from '../capture-writer.js';
import { datagrams } from '../netlink-fixtures.js';
import type { FuzzTarget } from './engine.js';

const FIX = fileURLToPath(new URL('../../../../test/fixtures/', import.meta.url));
const read = (p: string) => new Uint8Array(readFileSync(FIX + p));
const text = new TextDecoder();

/** One-line errors of the kind a reader may give; anything else is a defect. */
function expected(e: unknown, kind: new (...a: never[]) => Error): void {
  if (!(e instanceof kind)) throw e;
  assert.ok(!e.message.includes('\n'), `not one line: ${e.message}`);
}

const capture: FuzzTarget = {
  maxLen: 32 * 1024,
  cover: ['/build/src/capture/', '/build/src/flow/', '/build/src/tcp/', '/build/src/net/'],
  seeds() {
    const real = ['lo.pcap', 'any.pcap', 'any-sll.pcap', 'lo-nano.pcap', 'snap60.pcap'].map((f) =>
      read(`capture/${f}`),
    );
    return [...real, ...real.slice(0, 2).map((b) => pcapToPcapng(b)), pcapToPcapng(real[3]!, { le: false })];
  },
  run(b) {
    // Every packet through the flow tracker, its table small enough to evict.
    const tracker = new FlowTracker({ maxFlows: 8 });
    let packets = 0;
    const parser = new CaptureParser((p) => {
      packets++;
      tracker.push(p);
    });
    try {
      const half = b.length >> 1;
      parser.push(b.subarray(0, half));
      parser.push(b.subarray(half));
      const stats = parser.end();
      assert.ok(stats.packets <= stats.records, 'no more packets than records');
      assert.equal(stats.packets, packets);
    } catch (e) {
      expected(e, ParseError);
    }
    tracker.finish();
  },
};

const netlink: FuzzTarget = {
  maxLen: 16 * 1024,
  cover: ['/build/src/kernel/netlink/', '/build/src/net/'],
  seeds: () =>
    [
      'tcp4.dgrams',
      'tcp46.dgrams',
      'tcp6.dgrams',
      'tcp4.intr.dgrams',
      'tcp4.error.dgrams',
      'tcp4.bad-attr.dgrams',
    ].flatMap((f) => datagrams(f).slice(0, 2)),
  run(b) {
    const bound = b.length / 16;
    for (const info of [false, true]) {
      const p = new DiagParser({ littleEndian: true, info, memory: info });
      p.feed(b);
      assert.ok(p.sockets.length <= bound, 'no socket from nothing');
      for (const s of p.sockets) assert.ok(s.local.port >= 0 && s.local.port <= 65535);
    }
    const wide = new WideColumns();
    wideDatagram(new ByteReader(b), newStatus(), wide);
    assert.ok(wide.n <= bound, 'wide: no socket from nothing');
    const lean = new LeanColumns();
    leanDatagram(new ByteReader(b), newStatus(), lean);
    assert.ok(lean.n <= bound, 'lean: no socket from nothing');
  },
};

const procNetTcp: FuzzTarget = {
  maxLen: 16 * 1024,
  cover: ['/build/src/kernel/proc-net-tcp', '/build/src/net/'],
  tokens: [' ', '\n', ':', '00000000', 'FFFFFFFF', '0100007F', '0A', '01', ' 0 ', '00000000:0000'],
  seeds: () => ['tcp', 'tcp6', 'tcp.malformed', 'tcp.be', 'tcp6.be'].map((f) => read(`procfs/${f}`)),
  run(b) {
    const lines = b.reduce((n, c) => n + (c === 10 ? 1 : 0), 0) + 1;
    for (const family of [4, 6] as const)
      for (const littleEndian of [true, false]) {
        const r = parseProcNetTcp(b, family, { littleEndian });
        assert.ok(r.sockets.length + r.malformed <= lines, 'at most one result a line');
      }
  },
};

/** The tracefs fixtures' formats, their decoders and the page header. */
function tracefsFormats() {
  const formats: [TraceEventName, EventFormat][] = [];
  for (const f of readdirSync(`${FIX}tracefs`).filter((n) => n.endsWith('.format'))) {
    const [sys, name] = f.replace('.format', '').split('-') as [string, TraceEventName];
    formats.push([name, parseEventFormat(sys, readFileSync(`${FIX}tracefs/${f}`, 'utf8'))]);
  }
  return formats;
}

/** The decoders of the fixtures' formats and their page header, made once. */
let ringContext:
  | { decoders: Map<number, ReturnType<typeof makeDecoder>>; header: ReturnType<typeof parseHeaderPage> }
  | undefined;
function ringOf() {
  ringContext ??= {
    decoders: new Map(tracefsFormats().map(([name, fmt]) => [fmt.id, makeDecoder(name, fmt)])),
    header: parseHeaderPage(readFileSync(`${FIX}tracefs/header_page`, 'utf8')),
  };
  return ringContext;
}

const ring: FuzzTarget = {
  maxLen: 4096,
  cover: ['/build/src/kernel/tracefs/', '/build/src/net/'],
  seeds() {
    const pages: Uint8Array[] = [];
    for (const f of ['raw-cpu0.bin', 'raw-cpu1.bin']) {
      const b = read(`tracefs/${f}`);
      for (let off = 0; off + 4096 <= b.length && pages.length < 16; off += 4096)
        pages.push(b.subarray(off, off + 4096));
    }
    return pages;
  },
  run(b) {
    const { decoders, header } = ringOf();
    const page = decodePage(new ByteReader(b), header);
    assert.ok(page.records.length <= b.length / 4);
    for (const r of page.records) {
      if (r.data.length < 2) continue;
      // A record shorter than its format is read past its end: the reader counts it as bad.
      try {
        decoders.get(r.data.u16At(0, true))?.(r.data, { ns: r.ts, timeMs: r.ts / 1e6, cpu: 0 });
      } catch (e) {
        if (!(e instanceof OutOfBounds)) throw e;
      }
    }
  },
};

const traceText: FuzzTarget = {
  maxLen: 8 * 1024,
  cover: ['/build/src/kernel/tracefs/text', '/build/src/kernel/tracefs/events', '/build/src/net/'],
  tokens: [
    'inet_sock_set_state:',
    'family=AF_INET6',
    'oldstate=TCP_',
    'newstate=',
    'sport=',
    '::ffff:',
    ' [000] ',
    'LOST',
  ],
  seeds: () =>
    [read('tracefs/trace.txt'), read('tracefs/older-kernels.txt')].map((b) => b.subarray(0, 8 * 1024)),
  run(b) {
    const r = parseTraceText(text.decode(b));
    assert.ok(r.events.length <= b.length);
  },
};

const eventFormat: FuzzTarget = {
  maxLen: 4096,
  cover: ['/build/src/kernel/tracefs/format', '/build/src/kernel/tracefs/decode'],
  tokens: [
    'commit',
    'field:',
    'offset:',
    'size:',
    'signed:',
    '__data_loc',
    'unsigned char',
    '[16]',
    ';\t',
    'ID: ',
  ],
  seeds: () =>
    readdirSync(`${FIX}tracefs`)
      .filter((n) => n.endsWith('.format') || n === 'header_page')
      .map((f) => read(`tracefs/${f}`)),
  run(b) {
    const t = text.decode(b);
    try {
      parseHeaderPage(t);
    } catch (e) {
      expected(e, TcpscopeError);
    }
    let fmt: EventFormat;
    try {
      fmt = parseEventFormat('sock', t);
    } catch (e) {
      return expected(e, TcpscopeError);
    }
    for (const name of ['inet_sock_set_state', 'tcp_receive_reset', 'tcp_send_reset'] as const)
      try {
        makeDecoder(name, fmt);
      } catch (e) {
        expected(e, TcpscopeError);
      }
  },
};

const counters: FuzzTarget = {
  maxLen: 8 * 1024,
  cover: ['/build/src/kernel/counters-parse', '/build/src/kernel/tracefs/stats'],
  tokens: ['Tcp: ', 'TcpExt: ', '\n', ' ', '-1', '18446744073709551615', 'TCP: inuse ', 'Ip6InReceives'],
  seeds: () =>
    ['snmp', 'netstat', 'snmp6', 'sockstat', 'sockstat6'].map((f) => read(`counters/current/net/${f}`)),
  run(b) {
    const t = text.decode(b);
    for (const parse of [parseSnmp, parseSnmp6, parseSockstat]) {
      const r = parse(t);
      assert.ok(r.malformed >= 0 && Number.isInteger(r.malformed));
    }
    parseCpuStats(t);
  },
};

/** Every target, by name. */
export const TARGETS: Record<string, FuzzTarget> = {
  capture,
  netlink,
  'proc-net-tcp': procNetTcp,
  'tracefs-ring': ring,
  'trace-text': traceText,
  'event-format': eventFormat,
  counters,
};
