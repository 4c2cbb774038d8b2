import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dumpRequest } from '../../src/kernel/netlink/request.js';
import { decodeSkMeminfo, decodeTcpInfo } from '../../src/kernel/netlink/tcp-info.js';
import { ByteReader, ByteWriter } from '../../src/net/byte-reader.js';
import { TCP_INFO_FIELDS } from '../../src/tcp/tcp-info.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('dumpRequest', () => {
  it('lays out nlmsghdr and inet_diag_req_v2 as ss sends them', () => {
    const req = dumpRequest({ family: 6, states: 0xfff, ext: 0b10, seq: 7, littleEndian: true });
    assert.equal(
      hex(req),
      [
        '48000000', // nlmsg_len 72
        '1400', // nlmsg_type SOCK_DIAG_BY_FAMILY (20)
        '0103', // NLM_F_REQUEST | NLM_F_DUMP
        '07000000', // nlmsg_seq
        '00000000', // nlmsg_pid
        '0a', // sdiag_family AF_INET6
        '06', // sdiag_protocol IPPROTO_TCP
        '02', // idiag_ext: INET_DIAG_INFO
        '00', // pad
        'ff0f0000', // idiag_states
        '00'.repeat(48), // inet_diag_sockid: any
      ].join(''),
    );
  });

  it('appends the filter as an INET_DIAG_REQ_BYTECODE attribute', () => {
    const bc = Uint8Array.of(11, 8, 12, 0, 0, 0, 80, 0);
    const req = dumpRequest({ family: 4, states: 2, ext: 0, seq: 1, littleEndian: true, bytecode: bc });
    assert.equal(req.length, 16 + 56 + 4 + 8);
    assert.equal(hex(req.subarray(72)), `0c000100${hex(bc)}`);
    assert.equal(new ByteReader(req).u32leAt(0), req.length);
  });
});

describe('decodeTcpInfo', () => {
  // A tcp_info of Linux 6.18 (280 bytes): every field set to a recognisable value.
  const w = new ByteWriter(280).u8(1, 4).u8(6, 0x97).u8(7, 0b101).u32le(68, 30).u32le(80, 10);
  w.u32le(120, 0x1234).u32le(124, 1); // bytes_acked, 64-bit
  w.u32le(104, 0xffffffff).u32le(108, 0xffffffff); // pacing_rate: ~0, no limit
  w.bytes[240] = 3; // total_rto, u16
  w.bytes[278] = 9; // accecn_opt_seen, the last field

  it('reads each field in the kernel units, bitfields from the low bit on little-endian', () => {
    const i = decodeTcpInfo(new ByteReader(w.bytes), true);
    assert.equal(i.ca_state, 4);
    assert.equal(i.snd_wscale, 7);
    assert.equal(i.rcv_wscale, 9);
    assert.equal(i.delivery_rate_app_limited, 1);
    assert.equal(i.fastopen_client_fail, 2);
    assert.equal(i.rtt, 30);
    assert.equal(i.snd_cwnd, 10);
    assert.equal(i.bytes_acked, 0x1_0000_1234);
    assert.equal(i.total_rto, 3);
    assert.equal(i.accecn_opt_seen, 9);
    assert.equal('pacing_rate' in i, false);
    assert.equal(Object.keys(i).length, TCP_INFO_FIELDS.length - 1); // all but pacing_rate (~0)
  });

  it('gives an older kernel shorter struct fewer fields', () => {
    const old = decodeTcpInfo(new ByteReader(w.bytes.subarray(0, 104)), true);
    assert.equal(old.total_retrans, 0);
    assert.equal('pacing_rate' in old, false);
    assert.equal('bytes_acked' in old, false);
  });

  it('reads SK_MEMINFO as ss -m names it', () => {
    const m = new ByteWriter(36).u32le(4, 131072).u32le(32, 5);
    assert.deepEqual(decodeSkMeminfo(new ByteReader(m.bytes), true), {
      rmem_alloc: 0,
      rcvbuf: 131072,
      wmem_alloc: 0,
      sndbuf: 0,
      fwd_alloc: 0,
      wmem_queued: 0,
      optmem: 0,
      backlog: 0,
      drops: 5,
    });
  });
});
