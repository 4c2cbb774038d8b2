/**
 * The situations of `tcpscope lab` (see catalog.ts): each a plan for the holder, the doctor rules that
 * should name it, the commands that show it, and the article's folklore next to what really happens
 * on Linux (the article: /work/shared/seed, "TCP状态详解"). Timings are the lab's (LAB_SYSCTLS),
 * measured on Linux 6.18. Pure.
 */
import type { LabPlan, LabScenario } from './catalog-types.js';
import { FLOOD_BACKLOG, type HoldItem } from './scenario.js';

const NS = ['--netns', '{netns}'];

/** A plan with one holder process making `items`; the culprit is the holder on the first item's port. */
function holder(items: HoldItem[], sysctls: Record<string, string | number> = {}): LabPlan {
  return {
    processes: [{ role: 'holder', exe: 'node', items }],
    sysctls,
    culprit: { process: 0, port: items[0]!.port },
  };
}

const max = 500;

/** The situations, in the order `lab list` shows them. */
export const SITUATIONS: readonly LabScenario[] = [
  {
    id: 'syn-flood',
    group: 'situation',
    title: 'a SYN flood: half-open handshakes from many sources on one listener',
    shows: 'SYN_RECV up to the backlog, then SYN cookies (SyncookiesSent)',
    folklore:
      'Many SYN_RECV mean a SYN flood; the server keeps a huge list of half-open connections and retries them until it stops answering.',
    reality: [
      `With tcp_syncookies=1 (the default) a listener keeps at most backlog + 1 request sockets (${FLOOD_BACKLOG + 1} here); past that it answers with SYN cookies and keeps nothing (TcpExtSyncookiesSent), so legitimate clients still get in.`,
      'Each request resends its SYN-ACK for about 31 s here (tcp_synack_retries 4), 63 s by default; nobody owns it: tcpscope names the listener it waits on.',
      'Only with tcp_syncookies=0 do new SYNs get dropped once the queue is full (TcpExtTCPReqQFullDrop).',
    ],
    port: 80,
    count: { default: 200, max, what: 'SYNs, each from its own address' },
    rules: ['syn-flood'],
    sysctls: ['net.ipv4.tcp_syncookies', 'net.ipv4.tcp_max_syn_backlog', 'net.core.somaxconn'],
    steps: [
      {
        argv: [
          'counters',
          ...NS,
          '--no-update',
          '-z',
          'TcpExtSyncookies*',
          'TcpExtListen*',
          'TcpExtTCPReqQFullDrop',
        ],
      },
      { argv: ['count', ...NS, '--by', 'peer', '-s', 'syn-recv', '--top', '5'] },
    ],
    plan: (count, port) =>
      holder([{ kind: 'syn-flood', family: 4, port, count, backlog: FLOOD_BACKLOG }], {
        'net.ipv4.tcp_syncookies': 1,
      }),
  },
  {
    id: 'scan',
    group: 'situation',
    title: 'a scan: one process sending SYNs to many addresses nobody answers (the worm case)',
    shows: 'SYN_SENT to many destinations, all from one process',
    folklore:
      'Many SYN_SENT: the site does not exist or the line is bad, or a scanner, or a worm such as Blaster scanning other machines.',
    reality: [
      'True, and the destinations tell them apart: an unreachable site gives SYN_SENT to one address; a scan gives one process with SYN_SENT to many addresses (here port 135 on 200 of them) or many ports.',
      'Each lasts about 35 s here (tcp_syn_retries 4), 127 s by default; the process holding them is the one to look at.',
    ],
    port: 135,
    count: { default: 200, max, what: 'addresses scanned' },
    rules: ['syn-sent-storm'],
    sysctls: ['net.ipv4.tcp_syn_retries'],
    steps: [
      { argv: ['count', ...NS, '--by', 'process', '-s', 'syn-sent'] },
      { argv: ['count', ...NS, '--by', 'peer', '-s', 'syn-sent', '--top', '5'] },
    ],
    plan: (count, port) => holder([{ kind: 'scan', family: 4, port, count }]),
  },
  {
    id: 'close-wait-leak',
    group: 'situation',
    title: 'a CLOSE_WAIT leak: a server that never closes connections its clients have left',
    shows: 'CLOSE_WAIT held by the server process, for ever',
    folklore:
      'FIN_WAIT2 is a half-closed state: the client can stay in FIN_WAIT2 while the server stays in CLOSE_WAIT until the application decides to close.',
    reality: [
      'CLOSE_WAIT has no timer: these stay until the server calls close() or exits. It is the program’s bug (a missing close on end of stream), not the network’s.',
      'The clients’ side does not stay: a client that called close() is an orphan in FIN_WAIT2 for tcp_fin_timeout only (30 s here, 60 s by default). Only a client that called shutdown() and kept the socket waits with the server.',
    ],
    port: 8080,
    count: { default: 20, max, what: 'connections' },
    rules: ['close-wait-leak'],
    sysctls: ['net.ipv4.tcp_fin_timeout'],
    steps: [{ argv: ['count', ...NS, '--by', 'process', '-s', 'close-wait'] }],
    plan: (count, port) => holder([{ kind: 'close-wait-leak', family: 4, port, count }]),
  },
  {
    id: 'half-open',
    group: 'situation',
    title: 'half-open connections: a peer vanished without a FIN',
    shows: 'ESTABLISHED on the server only, with nothing to end it',
    folklore:
      'A client that drops without sending FIN leaves a fake ESTABLISHED on the server; repeated, the server fills with them and new clients can no longer connect.',
    reality: [
      'The server’s ESTABLISHED sockets have no peer any more and no timer: only keepalive (SO_KEEPALIVE; tcp_keepalive_time is 7200 s by default) or the next write (retransmissions until tcp_retries2, about 15 min) ends them.',
      'They block nobody: the same peer connected again at once (the extra ESTABLISHED pair). A program with a connection limit or a thread per connection is what turns clients away.',
    ],
    port: 9000,
    count: { default: 10, max, what: 'vanished connections' },
    rules: ['half-open'],
    sysctls: ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_retries2'],
    steps: [{ argv: ['count', ...NS, '--by', 'peer', '-s', 'established'] }],
    plan: (count, port) => holder([{ kind: 'half-open', family: 4, port, count }]),
  },
  {
    id: 'server-shutdown',
    group: 'situation',
    title: 'a server shuts down while its clients do not read (closed windows, data queued)',
    shows: 'FIN_WAIT1 orphans with unsent data and the zero-window probe timer',
    folklore:
      'After a server with many clients is shut down, FIN_WAIT1 piles up because the server cannot receive the clients’ ACKs.',
    reality: [
      'A peer’s kernel acknowledges a FIN at once, whatever its program does: the 2 clients that read went to TIME_WAIT on the server side at once.',
      'FIN_WAIT1 lasts when the FIN cannot be sent: it waits behind data the peer does not read (window 0; Send-Q full; the timer is the zero-window probe, `persist` in ss), or the peer is unreachable.',
      'A peer that answers the probes keeps the orphan for minutes: measured here, about 5.5 min (the probes back off to TCP_RTO_MAX, 2 min, before tcp_orphan_retries can end it; tcp_probe_timer()). tcp_max_orphans bounds how many there can be.',
    ],
    port: 8443,
    count: { default: 20, max, what: 'clients that do not read' },
    rules: ['fin-wait-pileup', 'send-queue'],
    unowned: ['fin-wait-pileup', 'send-queue'],
    sysctls: ['net.ipv4.tcp_orphan_retries'],
    steps: [{ argv: ['ls', ...NS, '-o', '-s', 'fin-wait-1', '--port', '{port}'] }],
    plan: (count, port) => holder([{ kind: 'server-shutdown', family: 4, port, count }]),
  },
  {
    id: 'vanished-load-client',
    group: 'situation',
    title: 'a load client that vanished after closing, next to one that was killed',
    shows: 'LAST_ACK when the peer’s machine is gone; none when only its process was killed',
    folklore: 'Suddenly stopping a load-test client leaves many LAST_ACK on the server.',
    reality: [
      'Only when the client’s machine or path is gone: on the first port the clients sent their FIN and dropped off the network; the server closed in turn and its FIN goes unanswered: LAST_ACK, resent for about 25 s here (tcp_orphan_retries 6).',
      'Killing the client process (SIGKILL, second port) is not that: its kernel closes the sockets, and answers the server’s FIN; the server is left with nothing and the clients sit in TIME_WAIT.',
    ],
    port: 8000,
    count: { default: 10, max, what: 'connections of each client' },
    rules: ['last-ack-pileup'],
    unowned: ['last-ack-pileup'],
    sysctls: ['net.ipv4.tcp_orphan_retries'],
    steps: [{ argv: ['count', ...NS, '--by', 'port'] }],
    plan: (count, port) =>
      holder([
        { kind: 'vanished-client', family: 4, port, count },
        { kind: 'killed-client', family: 4, port: port + 1, count },
      ]),
  },
  {
    id: 'restart-eaddrinuse',
    group: 'situation',
    title: 'a server restarted while its old connections sit in TIME_WAIT, without and with SO_REUSEADDR',
    shows: 'bind() failing with EADDRINUSE without SO_REUSEADDR, and succeeding with it',
    folklore:
      'Within 2MSL a server such as httpd cannot bind its port again, so it must wait out the 2MSL before it can serve.',
    reality: [
      'Only without SO_REUSEADDR (first port): bind() fails with EADDRINUSE while the server’s old connections are in TIME_WAIT (60 s on Linux, fixed).',
      'With SO_REUSEADDR on the listener (second port) the restarted server binds and listens at once beside its TIME_WAIT. The old connections must have had it too (they inherit it from the listener): setting it only on the new socket still fails.',
      'Most servers set it, and Node’s net sets it on every listener; the lab makes these sockets with raw system calls.',
    ],
    port: 9502,
    count: { default: 5, max: 100, what: 'connections before the restart' },
    rules: ['time-wait-pressure'],
    unowned: ['time-wait-pressure'],
    sysctls: [],
    steps: [{ argv: ['ls', ...NS, '-p', '-s', 'time-wait,listen'] }],
    plan: (count, port) =>
      holder([
        { kind: 'restart', family: 4, port, count, reuseaddr: false },
        { kind: 'restart', family: 4, port: port + 1, count, reuseaddr: true },
      ]),
  },
  {
    id: 'accept-queue-overflow',
    group: 'situation',
    title: 'a listener with a small backlog that never accepts',
    shows: 'a full accept queue (Recv-Q over Send-Q) and TcpExtListenOverflows rising',
    reality: [
      'Linux queues backlog + 1 finished handshakes (5 here) and then drops new SYNs: the clients wait in SYN_SENT and resend them (1 s apart at first), and each drop adds to TcpExtListenOverflows and TcpExtListenDrops.',
      'The program is not calling accept() fast enough; a bigger backlog (listen() and net.core.somaxconn) only buys time.',
    ],
    port: 6379,
    count: { default: 20, max: 200, what: 'clients' },
    rules: ['accept-queue'],
    sysctls: ['net.core.somaxconn', 'net.ipv4.tcp_abort_on_overflow'],
    steps: [
      { argv: ['counters', ...NS, '--no-update', '-z', 'TcpExtListen*'] },
      { argv: ['counters', ...NS, '--no-update', '-z', 'TcpExtListen*'], afterMs: 2000 },
      { argv: ['ls', ...NS, '-l', '-p'] },
    ],
    plan: (count, port) => holder([{ kind: 'accept-queue', family: 4, port, backlog: 4, count }]),
  },
  {
    id: 'unexpected-listener',
    group: 'situation',
    title: 'an unexpected listener: a program run from a temporary path that was then deleted',
    shows: 'a wildcard listener whose executable reads "(deleted)", beside an ordinary one',
    folklore:
      'Look at which ports are listening and which programs opened them: a trojan also opens a port in LISTEN.',
    reality: [
      'Right. Here a copy of node in a temporary directory listens on 0.0.0.0:31337 and its file is gone: /proc/PID/exe reads "… (deleted)". Compare with the ordinary listener on 127.0.0.1:8080.',
      'A baseline of expected listeners (doctor --save-baseline) turns any new one into a finding.',
    ],
    port: 31337,
    count: { default: 1, max: 1, what: 'listeners' },
    rules: ['listen-audit'],
    sysctls: [],
    steps: [{ argv: ['ls', ...NS, '-l', '-p'] }],
    plan: (_count, port) => ({
      processes: [
        {
          role: 'server',
          exe: 'node',
          items: [{ kind: 'listen', family: 4, port: port === 8080 ? 8081 : 8080 }],
        },
        {
          role: 'implant',
          exe: 'deleted-temp',
          items: [{ kind: 'listen', family: 4, port, wildcard: true }],
        },
      ],
      sysctls: {},
      culprit: { process: 1, port },
    }),
  },
];
