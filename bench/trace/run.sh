#!/usr/bin/env bash
# tcpscope trace against bpftrace on the same load: connections opened and closed as fast as one
# Python loop can (or at set rates) on loopback in a private namespace, for SECONDS each run.
# Reports transitions per second handled, events lost (the kernel's counters) and CPU per tool.
#
#   sudo bench/trace/run.sh [SECONDS] [RATES]       defaults: 30 "2000 5000 10000 0" (0 = flat out)
#
# Rates are connections a second (about 10 transitions each). Root; installs bpftrace if missing.
# Both tools keep only the load's port (tcpscope in the kernel's event filter, bpftrace in its
# predicate), so other traffic on the machine does not count; the printf is the one bcc users know.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-30}
RATES=${2:-"2000 5000 10000 0"}
[ "$(id -u)" = 0 ] || { echo "bench/trace: run as root" >&2; exit 2; }
command -v bpftrace >/dev/null || { apt-get update -qq && apt-get install -y -qq bpftrace >/dev/null; }
command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 >/dev/null; }
[ -f dist/tcpscope.mjs ] || node scripts/build.mjs
grep -q ' /sys/kernel/tracing tracefs' /proc/mounts || mount -t tracefs nodev /sys/kernel/tracing

ns=tcpscope-bench-trace-$$
port=7100
server=
tool=
cleanup() {
  [ -n "$tool" ] && kill -INT "$tool" 2>/dev/null && wait "$tool" 2>/dev/null || true
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.ipv4.tcp_max_tw_buckets=0 net.ipv4.ip_local_port_range="1024 65000"
ip netns exec "$ns" python3 bench/trace/load.py server $port > /tmp/tcpscope-bench-server.$$ &
server=$!
for _ in $(seq 200); do grep -q ready /tmp/tcpscope-bench-server.$$ 2>/dev/null && break; sleep 0.05; done
rm -f /tmp/tcpscope-bench-server.$$

# Waits up to 20 s for a condition while process $1 lives.
wait_for() {
  local pid=$1; shift
  for _ in $(seq 400); do
    "$@" && return 0
    kill -0 "$pid" 2>/dev/null || { echo "bench/trace: the tool exited: $(cat "$err")" >&2; exit 1; }
    sleep 0.05
  done
  echo "bench/trace: not ready after 20 s: $*" >&2; exit 1
}
has_instance() { ls /sys/kernel/tracing/instances 2>/dev/null | grep -q "tcpscope-$1-trace"; }
# bpftrace attaches its tracepoint with perf_event_open: a perf_event fd once attached.
has_perf_fd() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'perf_event'; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
err=$(mktemp)

# One run: TOOL (tcpscope|bpftrace) at RATE; prints one row.
run() {
  local name=$1 rate=$2
  : > "$err"
  if [ "$name" = tcpscope ]; then
    node dist/tcpscope.mjs trace --json --port $port --stats > /dev/null 2> "$err" &
    tool=$!
    wait_for "$tool" has_instance "$tool"
    sleep 0.5
  else
    bpftrace -e "tracepoint:sock:inet_sock_set_state /args->sport == $port || args->dport == $port/ { printf(\"%d %d %d %d\\n\", args->sport, args->dport, args->oldstate, args->newstate); }" > /dev/null 2> "$err" &
    tool=$!
    wait_for "$tool" has_perf_fd "$tool"
    sleep 0.5
  fi
  local t0 c0 out conns secs t1 c1
  c0=$(ticks "$tool"); t0=$(date +%s.%N)
  out=$(ip netns exec "$ns" python3 bench/trace/load.py client $port "$SECONDS_EACH" "$rate")
  sleep 0.5
  c1=$(ticks "$tool"); t1=$(date +%s.%N)
  kill -INT "$tool"; wait "$tool" 2>/dev/null || true
  tool=
  conns=${out% *}; secs=${out#* }
  local lost handled
  if [ "$name" = tcpscope ]; then
    local stats; stats=$(grep '^{' "$err" | tail -1)
    lost=$(node -e 'const s=JSON.parse(process.argv[1]);console.log(s.lost)' "$stats")
    handled=$(node -e 'const s=JSON.parse(process.argv[1]);console.log(s.transitions)' "$stats")
  else
    lost=$( { grep -o 'Lost [0-9]* events' "$err" || true; } | awk '{n += $2} END {print n + 0}')
    handled=$((conns * 10 - lost))
  fi
  awk -v n="$name" -v r="$rate" -v c="$conns" -v s="$secs" -v h="$handled" -v l="$lost" \
      -v cpu="$(echo "$c0 $c1 $t0 $t1 $HZ" | awk '{printf "%.0f", ($2-$1)/$5/($4-$3)*100}')" \
      'BEGIN { printf "%-9s %8s %10.0f %12.0f %12.0f %10d %6s%%\n", n, (r == 0 ? "max" : r), c/s, c*10/s, h/s, l, cpu }'
}

printf "%-9s %8s %10s %12s %12s %10s %7s\n" tool conn/s conn/s transit/s handled/s lost cpu
printf "%-9s %8s %10s %12s %12s %10s %7s\n" "" target made made "" events "1 core"
for rate in $RATES; do
  run tcpscope "$rate"
  run bpftrace "$rate"
done
rm -f "$err"
