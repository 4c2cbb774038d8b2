/**
 * Every command, described once, in the order `--help` lists them: name, description, arguments,
 * options, examples, and a loader for the module that runs it (`run(cli, flags, ...args)`).
 * The program builds its commander tree from this table (command-spec.ts); a command's module is
 * loaded only when it runs, so start-up of `ls` and `count` evaluates none of the doctor, the
 * knowledge base, the lab or the simulator. Adding a command is adding one entry here.
 */
import { COUNT_KEYS } from '../../snapshot/aggregate.js';
import { SORT_KEYS } from '../../snapshot/sort.js';
import { SAR_VIEWS } from '../../stats/sar.js';
import type { CommandSpec, OptionSpec } from '../command-spec.js';
import { LANG_OPTION } from '../lang-option.js';
import { FILTER_OPTIONS, SOURCE_OPTIONS } from '../socket-options.js';
import { TRACE_OPTIONS } from '../trace-run.js';

const JSON_OPTION: OptionSpec = { flags: '--json', description: 'JSON output' };
const NO_HEADER: OptionSpec = {
  flags: '-H, --no-header',
  description: 'no header line',
  conflicts: ['--json'],
};

const WATCH_EXAMPLES = `
Examples:
  tcpscope watch                       every state, refreshed every second (q quits, ? for the keys)
  tcpscope watch --select close-wait --port 8080
  tcpscope watch -n 5 --netns blue
  tcpscope watch --count 3 | cat       not a terminal: the counts every refresh, three times
Keys: j/k or arrows choose a state, / filters with the ls flags, s sorts, p pauses, ? helps, q quits.
`;

/** `--owners-every`, for the commands that read again and again (owners carried by inode between). */
function ownersEveryOption(dflt: string, unit = 'readings', also = ''): OptionSpec {
  return {
    flags: '--owners-every <n>',
    description: `look owners up every N ${unit}${also}, carried by inode between (the /proc scan costs most)`,
    default: dflt,
  };
}

/** The token flags of the servers (serve, agent). */
const TOKEN_OPTIONS: readonly OptionSpec[] = [
  { flags: '--token <token>', description: 'require Authorization: Bearer TOKEN (needed off loopback)' },
  { flags: '--token-file <file>', description: 'read the token from a file' },
];

const SERVE_EXAMPLES = `
Examples:
  tcpscope serve                       open http://127.0.0.1:9465/ : a reading every second
  tcpscope serve --netns blue -n 2     a namespace, every 2 s
  tcpscope serve --db /var/lib/tcpscope/history.db
                                       the charts start with what tcpscope record kept
  tcpscope serve --listen 0.0.0.0:9465 --token-file /etc/tcpscope/token
                                       off loopback a token is required: open /?token=TOKEN once
  curl -s 127.0.0.1:9465/api/counts    the count --json shape; also /api/snapshot?filter=--state+close-wait,
                                       /api/findings, /api/history, /api/transitions, /api/events, /metrics
`;

const AGENT_EXAMPLES = `
Examples:
  tcpscope agent                       http://127.0.0.1:9466/metrics, a reading every 15 s
  tcpscope agent --listen 0.0.0.0:9466 --token-file /etc/tcpscope/token
  tcpscope agent --netns blue --interval 5
  curl -s 127.0.0.1:9466/metrics | grep node_tcp_connection_states
Alert rules, dashboard and set-up: deploy/prometheus, deploy/grafana, docs/fleet.md
`;

const OVERVIEW_EXAMPLES = `
Examples:
  tcpscope                             this machine at a glance
  tcpscope --netns blue                a named network namespace
  tcpscope --json                      the same as one JSON object
Then: tcpscope ls -p, tcpscope count --by port, tcpscope who PORT, tcpscope <command> --help
`;

const LS_EXAMPLES = `
Examples:
  tcpscope ls                          every TCP socket, all states (like ss -tan)
  tcpscope ls -p                       with the processes that hold them (like ss -tanp)
  tcpscope ls -s close-wait -p         who is not closing connections
  tcpscope ls -s '!time-wait' --port 443
  tcpscope ls --dst 10.0.0.0/8 -s established,syn-sent
  tcpscope ls -l -p                    listening sockets and their programs
  tcpscope ls --sort recvq --reverse | head
  tcpscope ls -i -s established        tcp_info: rtt, cwnd, retransmits, rates (like ss -ti)
  tcpscope ls -m --port 443            socket memory (like ss -tm)
  tcpscope ls --summary                totals of every protocol and TCP per state (like ss -s)
  tcpscope ls --netns blue --json      another namespace, as JSON
  tcpscope ls --source procfs          read /proc/net/tcp instead of netlink
  tcpscope ls --all-netns -s listen    listeners of every namespace (containers included)
  tcpscope ls --bound -p               bound but neither listening nor connecting (EADDRINUSE?)
`;

const COUNT_EXAMPLES = `
Examples:
  tcpscope count                       sockets per state (netstat -nat | awk '{print $6}' | sort | uniq -c)
  tcpscope count --port 80             per state, for port 80 at either end
  tcpscope count --by port             state by local port, top 10 and the rest
  tcpscope count --by peer -s syn-recv who is sending the SYNs
  tcpscope count --by process -s close-wait --top 5
  tcpscope count --json
`;

const WHO_EXAMPLES = `
Examples:
  tcpscope who 8080                    who holds port 8080, at either end (lsof -i:8080)
  tcpscope who :443 -s established
  tcpscope who 127.0.0.1:5432
  tcpscope who '[::1]:6379' --json
  tcpscope who 80 --all                every socket listed, even thousands in TIME_WAIT
Up to 10 sockets a process are listed; more are summed up per state with their top peers (--all
lists them). Sockets bound to the port but neither listening nor connecting show as UNCONN (Linux
6.7+, netlink).
Exit status: 0 when some socket has the port, 1 when none has (as lsof), 2 on a usage error.
`;

const KILL_EXAMPLES = `
Examples:
  tcpscope kill -s close-wait --port 8080      CLOSE_WAIT sockets a program forgot to close
  tcpscope kill --dst 203.0.113.7 --yes        every connection to one peer, without asking
  tcpscope kill -s established --pid 4242      the connections of one process
The program holding a closed socket gets ECONNABORTED on its next call; the peer gets a RST.
Needs root (CAP_NET_ADMIN) and a kernel with CONFIG_INET_DIAG_DESTROY. Without a terminal to
ask on, --yes is required. An empty filter is refused.
Exit status: 0 all closed, 1 nothing matched, 2 usage error or some could not be closed.
`;

const STAT_EXAMPLES = `
Views (-n, comma-separated, or ALL; all by default):
  SOCK    totsck tcpsck udpsck rawsck ip-frag tcp-tw    sockets in use (/proc/net/sockstat); tcpsck is IPv4 only
  SOCK6   tcp6sck udp6sck raw6sck ip6-frag               the same for IPv6 (/proc/net/sockstat6)
  TCP     active/s passive/s iseg/s oseg/s               connect()s and accepted handshakes, segments in and out
  ETCP    atmptf/s estres/s retrans/s isegerr/s orsts/s  failed connects, resets, retransmissions, bad segments, RSTs sent
  LISTEN  ListenOverflows/s ListenDrops/s Syncookies{Sent,Recv,Failed}/s TCPReqQFullDrop/s   full queues, SYN floods
  STATE   sockets per TCP state at the end of each interval (/proc/net/tcp and tcp6)

Rates are increases over the real elapsed time; the "Average:" blocks close the run (also on Ctrl-C).
Without INTERVAL: one 1-second interval. With INTERVAL alone: until Ctrl-C.

Examples:
  tcpscope stat 1 5                  like sar -n SOCK,TCP,ETCP 1 5, with the LISTEN and STATE views
  tcpscope stat -n TCP,ETCP 1        connection and error rates every second until Ctrl-C
  tcpscope stat -n LISTEN 5 12       accept-queue overflows and SYN cookies over a minute
  tcpscope stat --netns web 1 3      a named network namespace (root)
  tcpscope stat --json 1 3           NDJSON: one object per interval, then the average
`;

const COUNTERS_EXAMPLES = `
Counters come from /proc/net/snmp, snmp6 and netstat under nstat's names (TcpActiveOpens,
Ip6InReceives, TcpExtListenOverflows). Gauges (TcpCurrEstab, TcpMaxConn, ...) always show their
current value. Each call remembers the values (one file per namespace and boot under
$XDG_CACHE_HOME/tcpscope, or ~/.cache/tcpscope) so that --delta can show what changed since.

Examples:
  tcpscope counters                      every non-zero counter, absolute (nstat -a)
  tcpscope counters --delta              what changed since the last call, with rates (nstat)
  tcpscope counters 'TcpExtListen*' 'TcpExtSyncookies*' -z
  tcpscope counters --delta '*Retrans*'  retransmissions since the last look
  tcpscope counters --sysctl             the TCP sysctls that explain the counters
  tcpscope counters --json
`;

const TRACE_EXAMPLES = `
Each line: when, the process (when known), local and remote endpoint, the transition, and the
milliseconds spent in the old state when two events of the socket measured it.
TIME_WAIT is never announced by the kernel: it is shown (marked *, "inferred" in JSON) only where the
events prove it (CLOSING -> CLOSE without a reset). The owner is known for connect() and listen(),
for children of a known listener, and for sockets that existed at the start; otherwise "-".

Examples:
  sudo tcpscope trace --port 80                 every transition on port 80 as it happens
  sudo tcpscope trace --events all -s syn-sent  with retransmissions, resets and connect() errors
  sudo tcpscope trace --json --duration 10      NDJSON for 10 seconds
  tcpscope trace --sampled --interval 50        without root or tracefs: table snapshots compared
Needs root (tracefs); the private instance it makes is removed on every way out.
`;

const LIFE_EXAMPLES = `
A line when a connection ends: its process (when known), endpoints, how long it lived (from
connect() or the accepted handshake; "-" when it began before the trace) and the states it went
through. --summary prints, at the end, how long each state lasted on this machine as a histogram;
states no event can time (a request's SYN_RECV, an orphan's FIN_WAIT2, TIME_WAIT) are listed as
unmeasured, never guessed.

Examples:
  sudo tcpscope life --port 443
  sudo tcpscope life --summary --duration 60     how long each state lasts here, over a minute
  sudo tcpscope life --json --count 100
`;

const EXPLAIN_EXAMPLES = `
Examples:
  tcpscope explain                     every state and topic, one line each
  tcpscope explain close-wait          a state, in any spelling (CLOSE_WAIT, close_wait, CLOSE-WAIT)
  tcpscope explain syn-recv --lang zh  in Chinese (default: zh when LC_ALL/LC_MESSAGES/LANG start with zh)
  tcpscope explain syn-flood           a topic: syn-flood, half-open, close-wait-leak, port-exhaustion...
  tcpscope explain --topic time-wait   the topic that shares its name with the TIME_WAIT state
  tcpscope explain TIME_WAIT --json    as JSON: what, why, fix, commands, settings, paths
Exit status: 0, or 2 for an unknown state, topic or language.
`;

const DOCTOR_EXAMPLES = `
Examples:
  tcpscope doctor                      3 s window: a snapshot every second and counter rates, worst first
  tcpscope doctor --now                one snapshot: what it proves; rules needing the window listed as skipped
  tcpscope doctor --fail-on warning    exit 1 when a warning or worse is found (cron, CI)
  tcpscope doctor --set close-wait-leak.warning=50 --json
  tcpscope doctor --save-baseline /etc/tcpscope/listeners.json
  tcpscope doctor --baseline /etc/tcpscope/listeners.json   flag listeners the baseline lacks
  tcpscope doctor --netns blue --lang zh
  tcpscope doctor --pcap trace.pcap    SYN floods, scans, refused connects, resets... seen in a capture
Exit status: 0 no finding at or above --fail-on, 1 some finding reaches it, 2 usage or environment error.
Thresholds (--set rule.key=value, or a config file { "thresholds": { ... } }): see --json's "config".
`;

const DIAGRAM_EXAMPLES = `
Examples:
  tcpscope diagram                          the diagram in the terminal
  tcpscope diagram -o tcp.svg               a picture worth printing (light and dark aware)
  tcpscope diagram --path client            only the client's path: SYN_SENT ... TIME_WAIT
  tcpscope diagram --counts live            how many sockets sit in each state right now
  tcpscope diagram --counts live --netns blue   the same in a network namespace
  tcpscope ls --json > now.json && tcpscope diagram --counts now.json -o now.svg
  tcpscope diagram --highlight CLOSE_WAIT   where CLOSE_WAIT comes from and goes to
  tcpscope diagram --format mermaid         paste into Markdown
  tcpscope diagram --format dot | dot -Tpng -o tcp.png
  tcpscope diagram --lang zh -o tcp-zh.svg  Chinese labels`;

const SIMULATE_EXAMPLES = `
Examples:
  tcpscope simulate --list                       the built-in scenarios
  tcpscope simulate simultaneous-close           what CLOSING is, step by step
  tcpscope simulate lost-final-ack -o ladder.svg the ladder as a picture
  tcpscope simulate syn-flood --json             every step, both ends' states, as JSON
  tcpscope simulate half-close --print > my.tcp  a scenario's script, to adapt
  tcpscope simulate --script my.tcp              run your own

A script has one statement a line: 'at 100ms client close', 'lose server FIN', 'delay client SYN 30ms',
'duplicate server ACK #2', 'reorder client DATA', 'at 0 inject server SYN seq=90',
'at 1s crash server', 'set client.read manual', 'set latency 20ms' (see --print of any scenario).`;

const PCAP_EXAMPLES = `
Examples:
  tcpscope pcap web.pcap                     every connection: both ends' states, Zeek's code, history
  tcpscope pcap web.pcap --at 12:00:03       what netstat would have shown at 12:00:03 (local time)
  tcpscope pcap web.pcap --at +12.5s         ... 12.5 s after the first packet
  tcpscope pcap web.pcap --timeline 7        the ladder of connection 7, both states after each segment
  tcpscope pcap web.pcap --timeline 7 -o c7.svg
  tcpscope pcap web.pcap --by port -s time-wait
  tcpdump -U -w - -i lo port 80 | tcpscope pcap -

A capture sees segments, not sockets: each end's state is rebuilt by feeding the state machine what
the end sent and received. The client is the end that sent the first SYN; a connection first seen
mid-stream starts ESTABLISHED and is marked so. TIME_WAIT ends 60 s after it began, in capture time.
--port matches either end, --sport/--src the client, --dport/--dst the server, --state either end.`;

const LAB_EXAMPLES = `
Each scenario runs in a private network namespace (tcpscope-lab-...) on its own loopback, with
real sockets, nftables rules that drop chosen packets, and timers shortened by per-namespace
sysctls; the host's network is never touched. Needs root, iproute2 and nftables.

Examples:
  tcpscope lab list                          the scenarios and what each shows
  sudo tcpscope lab run close-wait-leak      make the leak, show what tcpscope sees, remove it
  sudo tcpscope lab run syn-flood --count 500
  sudo tcpscope lab run vanished-load-client --json
  sudo tcpscope lab run time-wait --hold 20  keep it 20 s before removing it (Ctrl-C ends it)
  sudo tcpscope lab up half-open             make it and leave it: prints the namespace and how to look
  sudo tcpscope ls --netns tcpscope-lab-half-open-1234-0 -p
  sudo tcpscope lab down                     remove the one left up (or: down NAME, down --all)
`;

const CAPTURE_EXAMPLES = `
Runs tcpdump (root, or CAP_NET_RAW) with a filter built from the flags below, headers only, and
prints each TCP segment as it passes (tcpdump -U -w - underneath; no shell is involved).

Examples:
  sudo tcpscope capture                          every TCP segment on every interface (-i any)
  sudo tcpscope capture -i lo --port 9000        the article's tcpdump -iany tcp port 9000, decoded
  sudo tcpscope capture --host 203.0.113.0/24 --port 80,443,8000-8100 --duration 30s
  sudo tcpscope capture --bpf 'tcp[tcpflags] & (tcp-syn|tcp-rst) != 0'   SYNs and RSTs only
  sudo tcpscope capture --write web.pcap --port 443   keep the capture for 'tcpscope pcap web.pcap'
  sudo tcpscope capture --netns blue --json      inside a named namespace, NDJSON
  sudo tcpscope capture -i lo --port 9000 --states   both ends' states as the segments change them
Ends on Ctrl-C, SIGTERM, --duration, --count or a closed stdout, and leaves no tcpdump behind.
Exit status: 0, or 2 when tcpdump is missing, not permitted or refuses the interface or filter.
`;

/** `tcpscope` with no command: the overview, the program's own action. */
export const OVERVIEW: CommandSpec = {
  name: 'tcpscope',
  description: 'TCP connection states on Linux: see, count, explain and diagnose them',
  options: [
    JSON_OPTION,
    { flags: '--top <n>', description: 'ports, processes and peers per state (1 to 20)', default: '3' },
    LANG_OPTION,
    ...SOURCE_OPTIONS,
  ],
  examples: OVERVIEW_EXAMPLES,
  load: () => import('./overview.js'),
};

const LAB_SCENARIO_OPTIONS: readonly OptionSpec[] = [
  { flags: '--count <n>', description: 'how many (connections, SYNs, clients: see lab list)' },
  { flags: '--port <port>', description: 'the base port (each scenario has its own)' },
  JSON_OPTION,
];
const LAB_SCENARIO = [{ name: '<scenario>', description: 'a scenario id (tcpscope lab list)' }];

const RECORD_EXAMPLES = `
Examples:
  sudo tcpscope record                          a reading every 10 s into /var/lib/tcpscope/history.db
  tcpscope record --db /tmp/h.db --interval 1 --count 60
  tcpscope record --netns blue --retain 2d      another namespace; keep two days
  tcpscope record --duration 1h --top 50
  tcpscope record --count 3 --interval 1 --json   each reading as NDJSON too
Each reading holds the sockets per state, per local port (every listening port, then the top N)
and per process (the top N), the "sar -n TCP,ETCP" counter rates and the doctor's findings.
Kept: readings for min(retain, 1 day), 1-minute averages for min(retain, 7 days), 1-hour averages
for the retention. Ctrl-C or SIGTERM closes the file and exits 0. The systemd unit:
deploy/systemd/tcpscope-record.service. Read it with tcpscope report.
`;

const REPORT_EXAMPLES = `
Examples:
  tcpscope report                               the last 24 hours: per state min/avg/max/last, trends
  tcpscope report --from -1h                    the last hour
  tcpscope report --from 02:00 --to 04:00 --state close-wait
  tcpscope report --port 443                    the sockets of local port 443 over time
  tcpscope report --process nginx               the sockets of processes named nginx*
  tcpscope report --at 03:00                    what the machine looked like at 03:00 (like sar -f)
  tcpscope report --at 2026-03-01T03:00 --json
  tcpscope report --from -7d -o week.html       a self-contained page with a chart per state
Times: ISO 8601, HH:MM (today, or yesterday when still to come), -30m, -1h, -2d, now.
Trends: CLOSE_WAIT growing steadily, TIME_WAIT peaks, SYN_RECV bursts, listeners that appeared or
disappeared. Exit status: 0 done, 1 no reading in the range, 2 no history file or a bad flag.
`;

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'ls',
    description: 'list TCP sockets (IPv4 and IPv6), all states by default',
    options: [
      {
        flags: '-p, --processes',
        description: 'show the processes that hold each socket (needs root for other users)',
      },
      { flags: '-o, --timers', description: 'show timers (kind, time left, retransmits)' },
      { flags: '-e, --extended', description: 'show uid and inode' },
      {
        flags: '-i, --info',
        description: 'show tcp_info: rtt, cwnd, retransmits, rates, last send/receive (netlink)',
      },
      { flags: '-m, --memory', description: 'show socket memory, as ss -m (netlink)' },
      {
        flags: '--summary',
        description: 'totals per protocol and per TCP state, as ss -s',
        // The totals are the kernel's, of every socket: nothing selects or shows sockets.
        conflicts: [
          ...FILTER_OPTIONS.map((o) => o.flags.split(' ').find((w) => w.startsWith('--'))!),
          '--processes',
          '--timers',
          '--extended',
          '--info',
          '--memory',
          '--bound',
          '--all-netns',
          '--sort',
          '--reverse',
          '--csv',
          '--no-header',
        ],
      },
      {
        flags: '--bound',
        description:
          'sockets bound to a port but neither listening nor connecting, shown as UNCONN (ss -B; netlink, Linux 6.7+); with -s or -l, added to those',
      },
      {
        flags: '--all-netns',
        description: 'every network namespace, with a namespace column (container or unit)',
      },
      { flags: '--sort <keys>', description: `sort by keys, comma-separated: ${SORT_KEYS.join(', ')}` },
      { flags: '--reverse', description: 'reverse the sort order', needs: '--sort' },
      JSON_OPTION,
      { flags: '--csv', description: 'CSV output', conflicts: ['--json'] },
      NO_HEADER,
      ...FILTER_OPTIONS,
      ...SOURCE_OPTIONS,
    ],
    examples: LS_EXAMPLES,
    load: () => import('./ls.js'),
  },
  {
    name: 'count',
    description: 'count sockets per state, or state by port, process, peer or local address',
    options: [
      { flags: '--by <key>', description: `cross-tab state by ${COUNT_KEYS.join(', ')}` },
      {
        flags: '--top <n>',
        description: 'rows to show with --by before "(other)"',
        default: '10',
        needs: '--by',
      },
      JSON_OPTION,
      NO_HEADER,
      ...FILTER_OPTIONS,
      ...SOURCE_OPTIONS,
    ],
    examples: COUNT_EXAMPLES,
    load: () => import('./count.js'),
  },
  {
    name: 'who',
    description: 'which processes hold sockets on a port (like lsof -i:PORT)',
    arguments: [{ name: '<port>', description: 'PORT, :PORT, ADDR:PORT or [IPV6]:PORT (port 1 to 65535)' }],
    options: [
      { flags: '--all', description: 'list every socket (by default more than 10 a process are summed up)' },
      JSON_OPTION,
      ...FILTER_OPTIONS,
      ...SOURCE_OPTIONS,
    ],
    examples: WHO_EXAMPLES,
    load: () => import('./who.js'),
  },
  {
    name: 'kill',
    description: 'close the TCP sockets that match a filter (like ss -K), after confirmation',
    options: [
      { flags: '-y, --yes', description: 'close without asking' },
      JSON_OPTION,
      ...FILTER_OPTIONS,
      ...SOURCE_OPTIONS,
    ],
    examples: KILL_EXAMPLES,
    load: () => import('./kill.js'),
  },
  {
    name: 'stat',
    description: 'kernel TCP counters over time: sockets, opens, errors, listen queues, states (like sar -n)',
    arguments: [
      { name: '[interval]', description: 'seconds between reports (decimals allowed)' },
      { name: '[count]', description: 'number of reports' },
    ],
    options: [
      { flags: '-n, --views <list>', description: `views: ${SAR_VIEWS.join(',')} or ALL`, default: 'ALL' },
      { flags: '--json', description: 'NDJSON: one object per interval, then the average' },
      ...SOURCE_OPTIONS,
    ],
    examples: STAT_EXAMPLES,
    load: () => import('./stat.js'),
  },
  {
    name: 'counters',
    description: 'every kernel network counter under nstat names, absolute or since the last call',
    arguments: [
      { name: '[pattern...]', description: "counter names or shell globs, case-insensitive ('TcpExt*')" },
    ],
    options: [
      { flags: '-d, --delta', description: 'increase since the last call (nstat without -a)' },
      { flags: '-z, --zeros', description: 'show counters that are 0' },
      JSON_OPTION,
      { flags: '--no-update', description: 'do not remember this reading for the next --delta (nstat -s)' },
      {
        flags: '--reset',
        description: 'with -d: forget the remembered reading first (nstat -r)',
        needs: '--delta',
      },
      { flags: '--history <file>', description: 'the file that remembers the last reading' },
      {
        flags: '--sysctl',
        description: 'show the TCP sysctls instead (syncookies, backlogs, timeouts, port range...)',
        conflicts: ['--delta', '--zeros', '--no-update', '--reset', '--history', '--no-header'],
      },
      NO_HEADER,
      // Counters are read from /proc, whichever way the socket table would be.
      ...SOURCE_OPTIONS.filter((o) => !o.flags.startsWith('--source')),
    ],
    examples: COUNTERS_EXAMPLES,
    load: () => import('./counters.js'),
  },
  {
    name: 'watch',
    description: 'a live view like top: states with their change, the connections of one, rates, findings',
    options: [
      { flags: '-n, --interval <seconds>', description: 'seconds between refreshes', default: '1' },
      { flags: '--select <state>', description: 'the state whose connections are listed first' },
      ...FILTER_OPTIONS,
      { flags: '--count <n>', description: 'stop after N refreshes' },
      { flags: '--no-trace', description: 'do not follow transitions with tracefs' },
      ownersEveryOption('10', 'refreshes'),
      ...SOURCE_OPTIONS,
    ],
    examples: WATCH_EXAMPLES,
    load: () => import('./watch.js'),
  },
  {
    name: 'record',
    description:
      'keep a history of the TCP states in a SQLite file, a reading every --interval (Ctrl-C stops)',
    options: [
      { flags: '--interval <seconds>', description: 'seconds between readings', default: '10' },
      {
        flags: '--db <file>',
        description:
          'the history file (default: /var/lib/tcpscope/history.db as root, else $XDG_DATA_HOME/tcpscope/history.db)',
      },
      {
        flags: '--retain <duration>',
        description: 'how long to keep the history: 7d, 36h, 2w',
        default: '7d',
      },
      {
        flags: '--top <n>',
        description: 'ports (beyond the listening ones) and processes kept per reading before "(other)"',
        default: '20',
      },
      { flags: '-c, --count <n>', description: 'stop after N readings' },
      { flags: '--duration <time>', description: 'stop after this long (90, 30m, 12h)' },
      ownersEveryOption('30', 'readings', ' or when many sockets were born since'),
      { flags: '--no-trace', description: 'do not count transitions with tracefs (root)' },
      { flags: '--json', description: 'NDJSON on stdout: each reading written, { time, total, states }' },
      ...SOURCE_OPTIONS,
    ],
    examples: RECORD_EXAMPLES,
    load: () => import('./record.js'),
  },
  {
    name: 'report',
    description:
      'what the history holds: per state over a range, trends, changes; --at one moment (like sar -f)',
    options: [
      { flags: '--db <file>', description: 'the history file (default: as record)' },
      { flags: '--from <time>', description: 'start of the range (default: 24 hours before --to)' },
      { flags: '--to <time>', description: 'end of the range (default: now)' },
      { flags: '-s, --state <state>', description: 'one state only' },
      { flags: '--port <port>', description: 'the sockets of one local port' },
      { flags: '--process <name>', description: 'the sockets of processes whose command starts with NAME' },
      { flags: '--at <time>', description: 'the reading nearest this time: counts, top ports and processes' },
      {
        flags: '--top <n>',
        description: 'ports and processes shown with --at',
        default: '10',
        needs: '--at',
      },
      JSON_OPTION,
      {
        flags: '-o, --output <file>',
        description: 'write a self-contained HTML page with a chart per state',
      },
    ],
    examples: REPORT_EXAMPLES,
    load: () => import('./report.js'),
  },
  {
    name: 'agent',
    description:
      'Prometheus /metrics and /healthz for a fleet: states, listeners, findings (docs/metrics.md)',
    options: [
      {
        flags: '--listen <addr>',
        description: 'HOST:PORT, [IPV6]:PORT or PORT to listen on',
        default: '127.0.0.1:9466',
      },
      ...TOKEN_OPTIONS,
      {
        flags: '--interval <seconds>',
        description:
          'seconds between readings, taken in the background; a scrape returns the last one at once and never waits on /proc',
        default: '15',
      },
      { flags: '--max-ports <n>', description: 'listening ports with their own series', default: '50' },
      { flags: '--max-processes <n>', description: 'processes with their own series', default: '20' },
      { flags: '--max-destinations <n>', description: 'destinations with their own series', default: '20' },
      { flags: '--no-trace', description: 'do not trace failed connects with tracefs' },
      ownersEveryOption('4'),
      {
        flags: '--set <rule.key=value>',
        description: "override a doctor's threshold (repeatable)",
        repeatable: true,
      },
      ...SOURCE_OPTIONS,
    ],
    examples: AGENT_EXAMPLES,
    load: () => import('./agent.js'),
  },
  {
    name: 'serve',
    description:
      'a live web page: the diagram with live counts, charts, connections, findings; JSON API and /metrics',
    options: [
      {
        flags: '--listen <addr>',
        description: 'HOST:PORT, [IPV6]:PORT or PORT to listen on',
        default: '127.0.0.1:9465',
      },
      ...TOKEN_OPTIONS,
      {
        flags: '-n, --interval <seconds>',
        description: 'seconds between readings (taken in the background)',
        default: '1',
      },
      ownersEveryOption('5'),
      { flags: '--no-trace', description: 'do not follow transitions with tracefs' },
      {
        flags: '--db <file>',
        description: 'chart the history `tcpscope record` keeps in FILE too, read-only',
      },
      ...SOURCE_OPTIONS,
    ],
    examples: SERVE_EXAMPLES,
    load: () => import('./serve.js'),
  },
  {
    name: 'trace',
    description: 'every TCP state transition as it happens, from tracefs (like tcpstates)',
    options: [
      {
        flags: '--events <which>',
        description: 'states, or all (retransmissions, resets, connect() errors too)',
        default: 'states',
        conflicts: ['--sampled'],
      },
      ...TRACE_OPTIONS,
      {
        flags: '--stats',
        description: 'at the end, counts as JSON on stderr (for bench/trace)',
        hidden: true,
      },
    ],
    examples: TRACE_EXAMPLES,
    load: () => import('./trace.js'),
  },
  {
    name: 'life',
    description: 'one line per finished connection with its duration and states (like tcplife); --summary',
    options: [
      { flags: '--summary', description: 'at the end: a histogram of the time spent in each state' },
      {
        flags: '--tables <ms>',
        description:
          "read socket tables every MS: times SYN_RECV, orphaned FIN_WAIT2 and TIME_WAIT, which no event times, and reads each connection's bytes (0: never)",
        default: '1000',
        conflicts: ['--sampled'],
      },
      ...TRACE_OPTIONS,
    ],
    examples: LIFE_EXAMPLES,
    load: () => import('./life.js'),
  },
  {
    name: 'explain',
    description: 'what a TCP state or situation means, what many of one mean, and what to do',
    arguments: [{ name: '[name]', description: 'a state (any spelling) or a topic id; none for the list' }],
    options: [
      { flags: '--topic', description: 'read NAME as a topic when it also names a state (time-wait)' },
      JSON_OPTION,
      LANG_OPTION,
    ],
    examples: EXPLAIN_EXAMPLES,
    load: () => import('./explain.js'),
  },
  {
    name: 'doctor',
    description: 'diagnose TCP trouble: findings with evidence (process, port, peers), severity and the fix',
    options: [
      {
        flags: '--window <seconds>',
        description: 'seconds to watch: a snapshot about every second, counters at both ends',
        default: '3',
      },
      {
        flags: '--now',
        description: 'one snapshot: only what it proves (rules that need the window are skipped)',
        conflicts: ['--window'],
      },
      JSON_OPTION,
      {
        flags: '--fail-on <level>',
        description: 'exit 1 when a finding reaches: info, warning, critical or never',
        default: 'critical',
      },
      { flags: '--config <file>', description: 'a JSON file with thresholds' },
      { flags: '--set <rule.key=value>', description: 'override a threshold (repeatable)', repeatable: true },
      { flags: '--baseline <file>', description: 'flag listeners not in this baseline' },
      {
        flags: '--save-baseline <file>',
        description: 'write the current listeners as a baseline and exit',
        // It writes a file and judges nothing.
        conflicts: ['--json', '--fail-on', '--baseline', '--config', '--set'],
      },
      {
        flags: '--pcap <file>',
        description:
          'judge a capture (pcap, pcapng, - for stdin): the rules packets can prove, peers and ports, no owners',
        // What reads or judges the live host means nothing for a capture.
        conflicts: [
          '--window',
          '--now',
          '--config',
          '--set',
          '--baseline',
          '--save-baseline',
          '--source',
          '--netns',
          '--netns-pid',
        ],
      },
      {
        flags: '--threads <n>',
        description:
          'with --pcap: threads tracking flows in a file (default auto: one per core up to 4, from 64 MB; one for stdin)',
        needs: '--pcap',
      },
      LANG_OPTION,
      ...SOURCE_OPTIONS,
    ],
    examples: DOCTOR_EXAMPLES,
    load: () => import('./doctor.js'),
  },
  {
    name: 'diagram',
    description: 'the TCP state diagram: client path solid, server path dashed (svg, mermaid, dot, text)',
    options: [
      {
        flags: '-f, --format <format>',
        description: 'svg | mermaid | dot | text (default: text on a terminal, else svg)',
      },
      { flags: '--path <path>', description: 'client | server | both | all', default: 'all' },
      {
        flags: '--counts <source>',
        description: "socket counts per state: 'live' or a saved 'ls --json' / 'count --json' file",
      },
      { flags: '--highlight <state>', description: 'mark one state and its transitions' },
      {
        flags: '-o, --output <file>',
        description: 'write to FILE; the format follows its extension (.svg .mmd .dot .txt)',
      },
      {
        flags: '--theme <theme>',
        description: 'SVG colours: auto (follows the reader) | light | dark',
        default: 'auto',
      },
      {
        flags: '--json',
        description: 'the diagram as data: states, transitions and their paths, counts',
        conflicts: ['--format', '--output', '--theme'],
      },
      LANG_OPTION,
      ...SOURCE_OPTIONS,
    ],
    examples: DIAGRAM_EXAMPLES,
    load: () => import('./diagram.js'),
  },
  {
    name: 'capture',
    description: 'live TCP segments through tcpdump, decoded one a line (root)',
    options: [
      { flags: '-i, --interface <name>', description: 'the interface to capture on', default: 'any' },
      { flags: '--port <list>', description: 'port at either end, comma-separated, ranges as 8000-8100' },
      { flags: '--host <list>', description: 'address or CIDR prefix at either end, comma-separated' },
      { flags: '-4, --ipv4', description: 'IPv4 only' },
      { flags: '-6, --ipv6', description: 'IPv6 only' },
      { flags: '--bpf <expr>', description: 'a pcap-filter expression of your own, and-ed with the rest' },
      { flags: '-w, --write <file>', description: 'keep the capture in FILE (pcap) as well' },
      { flags: '--duration <time>', description: 'stop after this long (10, 2.5s, 500ms, 2m)' },
      { flags: '-c, --count <n>', description: 'stop after N TCP segments' },
      {
        flags: '-s, --snaplen <bytes>',
        description: 'bytes kept of each packet (headers fit in 256)',
        default: '256',
      },
      { flags: '--netns <name>', description: 'capture inside a named network namespace (ip netns exec)' },
      { flags: '--json', description: 'NDJSON: one object per segment (per transition with --states)' },
      {
        flags: '--states',
        description: "both ends' state transitions rebuilt from the segments, instead of the segments",
      },
      { flags: '--tcpdump <path>', description: 'the tcpdump to run', hidden: true },
    ],
    examples: CAPTURE_EXAMPLES,
    load: () => import('./capture.js'),
  },
  {
    name: 'simulate',
    description: 'run two TCP ends over a lossy network: a ladder diagram with both states after each step',
    arguments: [{ name: '[scenario]', description: 'a built-in scenario (--list)' }],
    options: [
      {
        flags: '--list',
        description: 'list the built-in scenarios',
        conflicts: ['--script', '--print', '--format', '--output', '--theme', '--no-why'],
      },
      { flags: '--script <file>', description: 'run your own scenario file' },
      {
        flags: '--print',
        description: "print the scenario's script instead of running it",
        conflicts: ['--format', '--json', '--output', '--theme', '--no-why'],
      },
      { flags: '-f, --format <format>', description: 'text | svg | json', default: 'text' },
      {
        flags: '--json',
        description: "every step with both ends' states (same as --format json)",
        conflicts: ['--format'],
      },
      {
        flags: '-o, --output <file>',
        description: 'write to FILE (an .svg name gives the SVG ladder, unless -f or --json says otherwise)',
      },
      { flags: '--theme <theme>', description: 'SVG colours: auto | light | dark', default: 'auto' },
      { flags: '--no-why', description: 'leave out the explanation of each step (the text ladder)' },
    ],
    examples: SIMULATE_EXAMPLES,
    load: () => import('./simulate.js'),
  },
  {
    name: 'pcap',
    description: "both ends' states of every connection in a capture file (pcap, pcapng; - for stdin)",
    arguments: [{ name: '<file>', description: 'a pcap or pcapng file, - for standard input' }],
    options: [
      {
        flags: '--at <time>',
        description:
          'states at a moment: ISO 8601, a time of day (local; past midnight, the next day), or +OFFSET from the first packet',
      },
      {
        flags: '--timeline <id>',
        description: 'the ladder diagram of one connection (its ID in the table)',
        // One connection by its number: the moment, the counts and the filters are the table's.
        conflicts: [
          '--at',
          '--by',
          '--state',
          '--port',
          '--sport',
          '--dport',
          '--src',
          '--dst',
          '--ipv4',
          '--ipv6',
          '--no-header',
        ],
      },
      { flags: '--by <key>', description: 'count ends by state, port, peer (at the end, or at --at)' },
      {
        flags: '--top <n>',
        description: 'rows to show with --by before "(other)"',
        default: '10',
        needs: '--by',
      },
      {
        flags: '-f, --format <format>',
        description: 'for --timeline: text | svg | json',
        default: 'text',
        needs: '--timeline',
        conflicts: ['--json'],
      },
      {
        flags: '-o, --output <file>',
        description: 'with --timeline: write to FILE (an .svg name gives the SVG ladder)',
        needs: '--timeline',
      },
      {
        flags: '--theme <theme>',
        description: 'SVG colours: auto | light | dark',
        default: 'auto',
        needs: '--timeline',
      },
      {
        flags: '--max-flows <n>',
        description: 'flows kept at once; the idlest are closed off beyond',
        default: '1000000',
      },
      {
        flags: '--threads <n>',
        description:
          'threads tracking flows in a file (auto: one per core up to 4, from 64 MB; one for stdin or --timeline)',
        default: 'auto',
      },
      {
        flags: '--no-why',
        description: 'leave out the explanation of each step of a ladder',
        needs: '--timeline',
      },
      JSON_OPTION,
      NO_HEADER,
      {
        flags: '-s, --state <list>',
        description: 'either end in these states or groups, comma-separated, ! to exclude',
      },
      { flags: '--port <list>', description: 'client or server port, comma-separated, ranges as 8000-8100' },
      { flags: '--sport <list>', description: "the client's port or range" },
      { flags: '--dport <list>', description: "the server's port or range" },
      { flags: '--src <addr>', description: "the client's address or CIDR prefix" },
      { flags: '--dst <addr>', description: "the server's address or CIDR prefix" },
      { flags: '-4, --ipv4', description: 'IPv4 connections only' },
      { flags: '-6, --ipv6', description: 'IPv6 connections only' },
    ],
    examples: PCAP_EXAMPLES,
    load: () => import('./pcap.js'),
  },
  {
    name: 'lab',
    description: 'make TCP states and situations happen in a private namespace, and show them (root)',
    examples: LAB_EXAMPLES,
    subcommands: [
      {
        name: 'list',
        description: 'the scenarios: id, what each shows, the default --count',
        options: [JSON_OPTION, NO_HEADER],
        examples: '\nExamples:\n  tcpscope lab list\n  tcpscope lab list --json\n',
        load: () => import('./lab.js').then((m) => ({ run: m.list })),
      },
      {
        name: 'run',
        description: 'make a scenario, show what tcpscope sees, then remove everything',
        arguments: LAB_SCENARIO,
        options: [
          ...LAB_SCENARIO_OPTIONS,
          {
            flags: '--hold <seconds>',
            description: 'keep it this long after showing it, before removing it',
            default: '0',
          },
        ],
        examples: LAB_EXAMPLES,
        load: () => import('./lab.js').then((m) => ({ run: m.runScenario })),
      },
      {
        name: 'up',
        description: 'make a scenario and leave it running (until tcpscope lab down)',
        arguments: LAB_SCENARIO,
        options: LAB_SCENARIO_OPTIONS,
        examples: LAB_EXAMPLES,
        load: () => import('./lab.js').then((m) => ({ run: m.up })),
      },
      {
        name: 'down',
        description: 'remove lab namespaces left up, and their processes',
        arguments: [
          { name: '[name...]', description: 'namespaces to remove (tcpscope lab list shows those up)' },
        ],
        options: [
          { flags: '--all', description: 'every lab namespace left up, and stale ones' },
          JSON_OPTION,
        ],
        examples: '\nExamples:\n  sudo tcpscope lab down\n  sudo tcpscope lab down --all --json\n',
        load: () => import('./lab.js').then((m) => ({ run: m.down })),
      },
    ],
  },
];
