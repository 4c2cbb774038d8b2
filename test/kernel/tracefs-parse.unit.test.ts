import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { TraceEvent, TraceEventName } from '../../src/kernel/tracefs/index.js';
import {
  decodePage,
  type EventFormat,
  makeDecoder,
  parseEventFormat,
  parseHeaderPage,
  parseTraceText,
} from '../../src/kernel/tracefs/index.js';
import { ByteReader } from '../../src/net/byte-reader.js';

// Recorded on x86-64 (little-endian) by test/fixtures/regenerate-tracefs.sh: the binary pages of one
// instance and the kernel's own text of the same events from a second instance read beside it.
const dir = fileURLToPath(new URL('../../../test/fixtures/tracefs/', import.meta.url));
const read = (f: string) => readFileSync(dir + f, 'utf8');

function formats(): Map<TraceEventName, EventFormat> {
  const out = new Map<TraceEventName, EventFormat>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.format'))) {
    const [sys, name] = f.replace('.format', '').split('-') as [string, TraceEventName];
    out.set(name, parseEventFormat(sys, read(f)));
  }
  return out;
}

function decodeRecorded(): { events: TraceEvent[]; bad: number } {
  const fmts = formats();
  const header = parseHeaderPage(read('header_page'));
  const decoders = new Map([...fmts].map(([name, fmt]) => [fmt.id, makeDecoder(name, fmt)]));
  const events: TraceEvent[] = [];
  let bad = 0;
  for (const f of readdirSync(dir).filter((n) => /^raw-cpu\d+\.bin$/.test(n))) {
    const cpu = Number(/\d+/.exec(f)![0]);
    const bytes = new Uint8Array(readFileSync(dir + f));
    for (let off = 0; off < bytes.length; off += 4096) {
      const page = decodePage(new ByteReader(bytes, off, Math.min(bytes.length, off + 4096)), header);
      bad += page.errors;
      for (const r of page.records) {
        const dec = decoders.get(r.data.u16At(0, true));
        if (dec) events.push(dec(r.data, { ns: r.ts, timeMs: r.ts / 1e6, cpu })!);
        else bad++;
      }
    }
  }
  return { events: events.sort((a, b) => a.ns - b.ns), bad };
}

/** The fields both the text and the binary carry (each instance stamps its own copy: times differ by µs). */
function comparable(e: TraceEvent): Record<string, unknown> {
  const { timeMs: _t, ns, comm: _c, ...rest } = e as TraceEvent & { comm?: string };
  void ns;
  const copy: Record<string, unknown> = { ...rest };
  // The text shows pointers hashed or not at all (the state event prints no skaddr).
  delete copy['skaddr'];
  // tcp_send_reset's text gives the reason by name only; its state prints UNKNOWN for 0.
  if (e.event === 'tcp_send_reset') {
    delete copy['reason'];
    if (copy['state'] === 0) delete copy['state'];
  }
  return copy;
}

describe('tracefs: recorded binary pages against the kernel text of the same events', () => {
  it('decodes every record, and each equals its text line field by field', () => {
    const raw = decodeRecorded();
    const text = parseTraceText(read('trace.txt'));
    assert.equal(raw.bad, 0);
    assert.equal(text.unparsed, 0);
    assert.ok(raw.events.length >= 30, `${raw.events.length} events`);
    assert.deepEqual(raw.events.map(comparable), text.events.map(comparable));
    // Same clock (mono) in both instances: each record within a few µs of its text twin.
    raw.events.forEach((e, i) => {
      const us = Math.abs(e.ns - text.events[i]!.ns) / 1000;
      assert.ok(us < 50, `event ${i}: ${us} µs apart`);
    });
  });

  it('carries the socket address that pairs the events of one socket', () => {
    const { events } = decodeRecorded();
    const states = events.filter((e) => e.event === 'inet_sock_set_state');
    const client = states.filter((e) => e.dport === 7000 && e.sport !== 7000);
    assert.equal(client[0]?.sport, 0, 'CLOSE -> SYN_SENT before the port is chosen');
    assert.ok(client.every((e) => e.skaddr === client[0]!.skaddr && /^ffff[0-9a-f]{12}$/.test(e.skaddr)));
    const v6 = states.find((e) => e.family === 6);
    assert.equal(v6?.saddr, '::1');
  });

  it('reads a refused connect: the reset, the error report and connect() returning EINPROGRESS', () => {
    const { events } = decodeRecorded();
    const err = events.find((e) => e.event === 'inet_sk_error_report');
    assert.equal(err?.event === 'inet_sk_error_report' && err.error, 111);
    const rst = events.find((e) => e.event === 'tcp_send_reset');
    assert.equal(rst?.event === 'tcp_send_reset' && rst.sport, 7002);
    const ret = events
      .filter((e) => e.event === 'sys_exit_connect')
      .map((e) => e.event === 'sys_exit_connect' && e.ret);
    assert.deepEqual(ret, [-115, -115, -115]);
  });
});

describe('tracefs: text lines of older kernels', () => {
  const { events, unparsed, lost } = parseTraceText(read('older-kernels.txt'));
  it('reads IPv6 fields, sport=0, DCCP, SCTP and numeric protocols; counts lost and damaged lines', () => {
    assert.equal(events.length, 6);
    assert.equal(unparsed, 1);
    assert.equal(lost, 17);
    const [v6, synSent, dccp, sctp, rst, mptcp] = events as [TraceEvent, ...TraceEvent[]];
    assert.deepEqual(
      v6.event === 'inet_sock_set_state' && [v6.family, v6.saddr, v6.daddr, v6.oldstate, v6.newstate, v6.pid],
      [6, '2001:db8::1', '2001:db8::2', 3, 1, 0],
    );
    assert.deepEqual(synSent?.event === 'inet_sock_set_state' && [synSent.sport, synSent.daddr], [
      0,
      '192.0.2.7',
    ]);
    assert.equal(dccp?.event === 'inet_sock_set_state' && dccp.protocol, 33);
    assert.equal(dccp?.comm, 'DNS Res~ver #1');
    assert.equal(sctp?.event === 'inet_sock_set_state' && sctp.protocol, 132);
    assert.deepEqual(rst?.event === 'tcp_send_reset' && [rst.sport, rst.dport, rst.state], [80, 40000, 1]);
    assert.equal(mptcp?.event === 'inet_sock_set_state' && mptcp.protocol, 262);
    assert.equal(v6.ns, 123_456_789_000);
  });
});
