#!/usr/bin/env bash
# tcpscope on a table of about 1,000,000 sockets, beside ss, netstat and lsof on the same table:
# 495,000 ESTABLISHED pairs, 2,500 half-closed pairs and listeners, held by 56 processes in a
# throw-away namespace (loopback only), built first and then left still, so nothing runs beside the
# measurement. Median wall time and median peak RSS over ROUNDS rounds (3), as run.sh reports them;
# the slow readers (ss -p, netstat, lsof, procfs) once each, cut at LIMIT seconds (600).
#   bench/socket-table/million.sh [SIZE]     SIZE defaults to 1000000; root, a built tree, GNU time
# The kernel needs about 4 GB for the table and the holders about 3 GB; the namespace goes on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tcpscope="node $root/dist/tcpscope.cjs"
size=${1:-1000000}
rounds=${ROUNDS:-3}
ns="tcps-million-$$"
farm_pid=
cleanup() {
  [ -n "$farm_pid" ] && kill "$farm_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns delete "$ns" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="32768 65535"
ip netns exec "$ns" sysctl -qw net.core.somaxconn=4096
ulimit -n "$(ulimit -Hn)"

pairs=$(( size * 495 / 1000 ))
halfclosed=$(( size / 400 ))
procs=$(( pairs / 9000 + 1 ))
echo "# building about $size sockets over $procs processes" >&2
start=$(date +%s)
coproc FARM { exec ip netns exec "$ns" node "$here/farm.mjs" --pairs "$pairs" --halfclosed "$halfclosed" --listeners 40 --procs "$procs"; }
farm_pid=$FARM_PID
read -r ready <&"${FARM[0]}"
echo "# farm: $ready in $(( $(date +%s) - start )) s; nothing runs beside the measurement" >&2
node "$here/time.mjs" --netns "$ns" --rounds "$rounds" --label "$size" \
  "ss -tan" "ss -tan | wc -l" "$tcpscope" "$tcpscope count" "$tcpscope count --by port" \
  "$tcpscope ls --json" "$tcpscope doctor --now" "$tcpscope who 20000"
# What reads every process's fds, or /proc/net/tcp (which the kernel walks again from the start for
# each read), once each and cut at LIMIT s: ss -p's inode table has 256 buckets, netstat and lsof are slower.
limit=${LIMIT:-600}
node "$here/time.mjs" --netns "$ns" --rounds 1 --label "$size" \
  "timeout $limit ss -tanp" "timeout $limit $tcpscope ls -p" "timeout $limit $tcpscope count --source procfs" \
  "timeout $limit netstat -nat" "timeout $limit lsof -nP -iTCP"
