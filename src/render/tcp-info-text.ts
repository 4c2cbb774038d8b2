/**
 * tcp_info and socket memory as text, the way `ss -i` and `ss -m` print them. Pure.
 * @see iproute2 misc/ss.c tcp_show_info(), print_skmeminfo()
 */
import type { Socket } from '../tcp/socket.js';
import type { SocketMemory, TcpInfo } from '../tcp/tcp-info.js';

/** tcp_info's `options` bits. @see include/uapi/linux/tcp.h TCPI_OPT_* */
const OPTIONS: readonly [number, string][] = [
  [1, 'ts'],
  [2, 'sack'],
  [8, 'ecn'],
  [16, 'ecnseen'],
  [32, 'fastopen'],
];
const TCPI_OPT_WSCALE = 4;
/** TCP_INFINITE_SSTHRESH: no slow-start threshold yet. */
const INFINITE_SSTHRESH = 0x7fffffff;

/** A rate in bits per second as `874Gbps`, `2.5Tbps`, `12.3Mbps` (three significant digits). */
export function rateText(bitsPerSecond: number): string {
  for (const [div, unit] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (bitsPerSecond >= div) return `${Number((bitsPerSecond / div).toPrecision(3))}${unit}bps`;
  }
  return `${Math.round(bitsPerSecond)}bps`;
}

/** Microseconds as milliseconds, the way ss prints rtt and rto (`0.03`, `204`). */
const ms = (us: number): string => String(Number((us / 1000).toFixed(3)));

/** `skmem:(r0,rb131072,t0,tb2626560,f0,w0,o0,bl0,d0)`. */
export function memoryText(m: SocketMemory | undefined): string {
  if (!m) return '';
  const v = (k: keyof SocketMemory): number => m[k] ?? 0;
  return `skmem:(r${v('rmem_alloc')},rb${v('rcvbuf')},t${v('wmem_alloc')},tb${v('sndbuf')},f${v('fwd_alloc')},w${v('wmem_queued')},o${v('optmem')},bl${v('backlog')},d${v('drops')})`;
}

/** The `ss -i` line of a socket; empty when the source gave no tcp_info. */
export function tcpInfoText(s: Socket): string {
  const i = s.info;
  if (!i) return '';
  // A listener's tcp_info holds little: its unacked/sacked are the accept queue and backlog (Recv-Q, Send-Q).
  if (s.state === 'LISTEN') return [i.cong, i.snd_cwnd ? `cwnd:${i.snd_cwnd}` : ''].filter(Boolean).join(' ');
  const out: string[] = [];
  const add = (cond: boolean | number | undefined, text: () => string): void => {
    if (cond) out.push(text());
  };
  const opts = i.options ?? 0;
  add(i.cong !== undefined, () => i.cong!);
  for (const [bit, name] of OPTIONS) add(opts & bit, () => name);
  add(opts & TCPI_OPT_WSCALE, () => `wscale:${i.snd_wscale},${i.rcv_wscale}`);
  add(i.rto, () => `rto:${ms(i.rto!)}`);
  add(i.backoff, () => `backoff:${i.backoff}`);
  add(i.rtt, () => `rtt:${ms(i.rtt!)}/${ms(i.rttvar ?? 0)}`);
  add(i.ato, () => `ato:${ms(i.ato!)}`);
  add(i.snd_mss, () => `mss:${i.snd_mss}`);
  add(i.pmtu, () => `pmtu:${i.pmtu}`);
  add(i.rcv_mss, () => `rcvmss:${i.rcv_mss}`);
  add(i.advmss, () => `advmss:${i.advmss}`);
  add(i.snd_cwnd, () => `cwnd:${i.snd_cwnd}`);
  add(i.snd_ssthresh && i.snd_ssthresh < INFINITE_SSTHRESH, () => `ssthresh:${i.snd_ssthresh}`);
  for (const k of ['bytes_sent', 'bytes_retrans', 'bytes_acked', 'bytes_received'] as const) {
    add(i[k], () => `${k}:${i[k]}`);
  }
  for (const k of ['segs_out', 'segs_in', 'data_segs_out', 'data_segs_in'] as const)
    add(i[k], () => `${k}:${i[k]}`);
  if (i.rtt && i.snd_cwnd && i.snd_mss) out.push(`send ${rateText((i.snd_cwnd * i.snd_mss * 8e6) / i.rtt)}`);
  add(i.last_data_sent, () => `lastsnd:${i.last_data_sent}`);
  add(i.last_data_recv, () => `lastrcv:${i.last_data_recv}`);
  add(i.last_ack_recv, () => `lastack:${i.last_ack_recv}`);
  add(i.pacing_rate, () => `pacing_rate ${rateText(i.pacing_rate! * 8)}`);
  add(i.delivery_rate, () => `delivery_rate ${rateText(i.delivery_rate! * 8)}`);
  add(i.delivered, () => `delivered:${i.delivered}`);
  add(i.delivery_rate_app_limited, () => 'app_limited');
  out.push(...limitedText(i));
  add(i.unacked, () => `unacked:${i.unacked}`);
  add(i.retrans || i.total_retrans, () => `retrans:${i.retrans ?? 0}/${i.total_retrans ?? 0}`);
  for (const k of ['lost', 'sacked', 'dsack_dups', 'reord_seen'] as const) add(i[k], () => `${k}:${i[k]}`);
  add(i.reordering !== undefined && i.reordering !== 3, () => `reordering:${i.reordering}`);
  add(i.rcv_rtt, () => `rcv_rtt:${ms(i.rcv_rtt!)}`);
  add(i.rcv_space, () => `rcv_space:${i.rcv_space}`);
  add(i.rcv_ssthresh, () => `rcv_ssthresh:${i.rcv_ssthresh}`);
  add(i.notsent_bytes, () => `notsent:${i.notsent_bytes}`);
  add(i.min_rtt, () => `minrtt:${ms(i.min_rtt!)}`);
  for (const k of ['rcv_ooopack', 'snd_wnd', 'rcv_wnd', 'rehash'] as const) add(i[k], () => `${k}:${i[k]}`);
  add(s.shutdown !== undefined, () => `shutdown:${s.shutdown}`);
  return out.join(' ');
}

/** busy, and the time limited by the receive window and by the send buffer with its share of busy. */
function limitedText(i: TcpInfo): string[] {
  const busy = i.busy_time ?? 0;
  if (!busy) return [];
  const parts = [`busy:${Math.round(busy / 1000)}ms`];
  for (const k of ['rwnd_limited', 'sndbuf_limited'] as const) {
    const v = i[k] ?? 0;
    if (v) parts.push(`${k}:${Math.round(v / 1000)}ms(${((v * 100) / busy).toFixed(1)}%)`);
  }
  return parts;
}
