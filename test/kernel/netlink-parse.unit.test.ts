import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { retryInterrupted } from '../../src/kernel/netlink/dump.js';
import {
  countDatagram,
  DiagParser,
  DiagRecord,
  newStatus,
  walkDatagram,
} from '../../src/kernel/netlink/parse.js';
import { forEachAttributeAt } from '../../src/kernel/netlink/record.js';
import { decodeTcpInfo, TcpInfoStore } from '../../src/kernel/netlink/tcp-info.js';
import { INET_DIAG } from '../../src/kernel/netlink/wire.js';
import { ByteReader } from '../../src/net/byte-reader.js';
import type { Socket } from '../../src/tcp/socket.js';
import { TCP_INFO_FIELDS, type TcpInfo } from '../../src/tcp/tcp-info.js';
import { datagrams, NETLINK_FIXTURES } from '../helpers/netlink-fixtures.js';
import { parseSs, socketKey } from '../helpers/ss.js';

// Recorded on x86-64 (little-endian) by test/fixtures/regenerate-netlink.sh.
const dir = NETLINK_FIXTURES;
const le = true;

function parse(name: string, opts = {}): DiagParser {
  const p = new DiagParser({ littleEndian: le, ...opts });
  for (const d of datagrams(name)) p.feed(d);
  return p;
}

describe('DiagParser on recorded dumps', () => {
  const v4 = parse('tcp4.dgrams', { info: true, memory: true });
  const v6 = parse('tcp6.dgrams', { info: true, memory: true });
  const sockets: Socket[] = [...v4.sockets, ...v6.sockets];
  const ss = parseSs(readFileSync(`${dir}ss-tanoeH.txt`, 'utf8'));

  it('reads each dump to NLMSG_DONE without a bad message', () => {
    for (const p of [v4, v6]) {
      assert.equal(p.status.done, true);
      assert.equal(p.status.error, undefined);
      assert.equal(p.status.malformed, 0);
    }
  });

  it('finds the sockets ss found at the same moment, with their queues, inodes and timers', () => {
    assert.deepEqual(sockets.map(socketKey).sort(), ss.map(socketKey).sort());
    const byKey = new Map(sockets.map((s) => [socketKey(s), s]));
    for (const want of ss) {
      const got = byKey.get(socketKey(want))!;
      assert.equal(got.recvQ, want.recvQ, socketKey(want));
      assert.equal(got.sendQ, want.sendQ, socketKey(want)); // a listener's Send-Q is its backlog, as in ss
      assert.equal(got.inode, want.inode ?? 0, socketKey(want));
      const kind = got.timer?.kind === 'off' ? undefined : got.timer?.kind;
      assert.equal(kind === 'retransmit' ? 'on' : kind, want.timer?.kind, socketKey(want));
    }
  });

  it('reports the full accept queue as ss does: Recv-Q 3, Send-Q 2', () => {
    const l = sockets.find((s) => s.state === 'LISTEN' && s.local.port === 7100)!;
    assert.equal(l.recvQ, 3);
    assert.equal(l.sendQ, 2);
  });

  it('gives timewait sockets their substate, and IPv4-mapped sockets as dotted quads', () => {
    const orphan = sockets.find((s) => s.remote.port === 7003 && s.timer?.kind === 'timewait')!;
    assert.equal(orphan.state, 'FIN_WAIT2');
    assert.equal(orphan.inode, 0);
    const mapped = sockets.filter((s) => s.mapped);
    assert.ok(mapped.length >= 2);
    for (const s of mapped) assert.match(s.local.address, /^\d+\.\d+\.\d+\.\d+$/);
  });

  it('decodes tcp_info, the congestion control and socket memory like ss -tim', () => {
    const ssi = readFileSync(`${dir}ss-tanimH.txt`, 'utf8');
    const est = sockets.find((s) => s.state === 'ESTABLISHED' && s.local.port === 7001)!;
    assert.ok(est.info && est.memory);
    assert.equal(typeof est.info.cong, 'string');
    assert.ok(ssi.includes(` ${est.info.cong} `));
    assert.ok(est.info.snd_mss! > 0 && est.info.snd_cwnd! > 0 && est.info.rtt! > 0);
    assert.ok(ssi.includes(`mss:${est.info.snd_mss} `));
    assert.ok(ssi.includes(`rcvmss:${est.info.rcv_mss} `));
    assert.ok(ssi.includes(`wscale:${est.info.snd_wscale},${est.info.rcv_wscale} `));
    assert.ok(ssi.includes(`tb${est.memory.sndbuf},`));
    assert.equal(Object.keys(est.memory).length, 9);
  });

  it('reads both families from one TCPDIAG_GETSOCK dump as from one dump per family', () => {
    const both = parse('tcp46.dgrams', { info: true, memory: true });
    assert.equal(both.status.done, true);
    assert.equal(both.status.malformed, 0);
    assert.deepEqual(both.sockets.map(socketKey).sort(), sockets.map(socketKey).sort());
    assert.deepEqual(new Set(both.sockets.map((s) => s.family)), new Set([4, 6]));
  });

  it('keeps tcp_info as its bytes: each field and the JSON are those of the decoded struct', () => {
    // Every INFO attribute of the dump, decoded eagerly, in message order.
    const eager: TcpInfo[] = [];
    const rec = new DiagRecord();
    const status = newStatus();
    for (const d of datagrams('tcp4.dgrams')) {
      walkDatagram(new ByteReader(d), le, status, (r, off, len) => {
        rec.read(r, off, len, le);
        let info: TcpInfo | undefined;
        let cong: string | undefined;
        forEachAttributeAt(r, rec.attrOff, rec.attrLen, le, (type, body, at, n) => {
          if (type === INET_DIAG.INFO) info = decodeTcpInfo(body.window(at, n), le);
          if (type === INET_DIAG.CONG) cong = body.cstringAt(at, n);
        });
        if (info && cong !== undefined) info.cong = cong;
        if (info) eager.push(info);
      });
    }
    const lazy = v4.sockets.filter((s) => s.info !== undefined && 'rtt' in s.info).map((s) => s.info!);
    assert.ok(eager.length > 5 && lazy.length === eager.length);
    lazy.forEach((info, i) => {
      const want = eager[i]!;
      assert.equal(JSON.stringify(info), JSON.stringify(want));
      for (const f of TCP_INFO_FIELDS) assert.equal(info[f], want[f], f);
      assert.equal(info.cong, want.cong);
    });
  });

  it('keeps tcp_info of any length, zero words or not, as the decoder reads it', () => {
    let seed = 11;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const store = new TcpInfoStore(le);
    const kept: [TcpInfo, TcpInfo][] = [];
    // Older kernels' shorter structs, a length cut mid-word, and words zero or not at random.
    for (const len of [0, 1, 3, 104, 105, 107, 160, 192, 232, 248, 280, 283, 300]) {
      const bytes = new Uint8Array(len + 8);
      for (let i = 0; i < len; i++) bytes[i + 4] = rand(3) === 0 ? 0 : rand(256);
      for (let w = 0; w < len; w += 4) if (rand(2) === 0) bytes.fill(0, w + 4, w + 8);
      const r = new ByteReader(bytes, 4, 4 + len);
      kept.push([store.keep(r.view, r.start, r.length), decodeTcpInfo(r, le)]);
    }
    for (const [lazy, eager] of kept) {
      assert.equal(JSON.stringify(lazy), JSON.stringify(eager));
      for (const f of TCP_INFO_FIELDS) assert.equal(lazy[f], eager[f], f);
    }
  });

  it('leaves tcp_info and memory out unless asked for', () => {
    const plain = parse('tcp4.dgrams');
    assert.equal(plain.sockets.length, v4.sockets.length);
    assert.ok(plain.sockets.every((s) => s.info === undefined && s.memory === undefined));
  });

  it('counts states from the same bytes without building sockets', () => {
    const status = newStatus();
    const counts = new Array<number>(12).fill(0);
    for (const d of datagrams('tcp4.dgrams')) countDatagram(new ByteReader(d), le, status, counts);
    assert.equal(status.done, true);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      v4.sockets.length,
    );
    assert.equal(counts[10], v4.sockets.filter((s) => s.state === 'LISTEN').length);
  });
});

describe('DiagParser on damaged dumps: counted and skipped, never a crash', () => {
  const good = parse('tcp4.dgrams');
  const inFirst = new DiagParser({ littleEndian: le });
  inFirst.feed(datagrams('tcp4.dgrams')[0]!);
  const perFirstDatagram = inFirst.sockets.length;

  it('bad nlmsg_len: the rest of that datagram is lost, one malformed, the dump goes on', () => {
    const p = parse('tcp4.bad-len.dgrams');
    assert.equal(p.status.malformed, 1);
    assert.match(p.status.firstError!, /bad nlmsg_len 32767/);
    assert.equal(p.status.done, true);
    assert.equal(p.sockets.length, good.sockets.length - perFirstDatagram + 1);
  });

  it('an attribute running past its message: that message is skipped', () => {
    const p = parse('tcp4.bad-attr.dgrams');
    assert.equal(p.status.malformed, 1);
    assert.match(p.status.firstError!, /attribute of length \d+ overruns/);
    assert.equal(p.sockets.length, good.sockets.length - 1);
  });

  it('NLMSG_ERROR ends the dump with its errno', () => {
    const p = parse('tcp4.error.dgrams');
    assert.equal(p.status.done, true);
    assert.equal(p.status.error, 22);
    assert.equal(p.sockets.length, 0);
  });

  it('a dump cut mid-message: the partial message is malformed and the dump is not done', () => {
    const p = parse('tcp4.cut.dgrams');
    assert.equal(p.status.done, false);
    assert.equal(p.status.malformed, 1);
    assert.ok(p.sockets.length > 0 && p.sockets.length < good.sockets.length);
  });

  it('random damage never throws', () => {
    const base = datagrams('tcp4.dgrams')[0]!;
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 300; i++) {
      const d = Uint8Array.from(base);
      for (let k = 0; k < 4; k++) d[rand(d.length)] = rand(256);
      const p = new DiagParser({ littleEndian: le, info: true, memory: true });
      assert.doesNotThrow(() => p.feed(d.subarray(0, rand(d.length + 1))));
    }
  });
});

describe('a dump the kernel flags as interrupted (NLM_F_DUMP_INTR)', () => {
  /** One recorded dump as dumpTcp's result, counting the dumps taken. */
  const replay = (names: string[]) => {
    let n = 0;
    const dump = async () => {
      const p = parse(names[n++]!);
      return { sockets: p.sockets, interrupted: p.status.interrupted } as {
        sockets: Socket[];
        interrupted: boolean;
        retried?: true;
      };
    };
    return { dump, calls: () => n };
  };

  it('is noticed on NLMSG_DONE, where netlink_dump() sets the flag; the sockets are read as usual', () => {
    const flagged = parse('tcp4.intr.dgrams');
    const clean = parse('tcp4.dgrams');
    assert.equal(flagged.status.interrupted, true);
    assert.equal(clean.status.interrupted, false);
    assert.equal(flagged.status.done, true);
    assert.deepEqual(flagged.sockets.map(socketKey), clean.sockets.map(socketKey));
  });

  it('is dumped again once, and a consistent second dump is kept', async () => {
    const r = replay(['tcp4.intr.dgrams', 'tcp4.dgrams']);
    const got = await retryInterrupted(r.dump);
    assert.equal(r.calls(), 2);
    assert.equal(got.interrupted, false);
    assert.equal(got.retried, true);
  });

  it('says so when the second dump is flagged too, and dumps no third time', async () => {
    const r = replay(['tcp4.intr.dgrams', 'tcp4.intr.dgrams', 'tcp4.dgrams']);
    const got = await retryInterrupted(r.dump);
    assert.equal(r.calls(), 2);
    assert.equal(got.interrupted, true);
  });

  it('a consistent dump is taken once', async () => {
    const r = replay(['tcp4.dgrams', 'tcp4.intr.dgrams']);
    const got = await retryInterrupted(r.dump);
    assert.equal(r.calls(), 1);
    assert.equal(got.retried, undefined);
  });
});
