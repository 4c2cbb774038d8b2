#!/usr/bin/env bash
# Times tcpscope against ss, netstat and lsof on the same socket table, side by side in one run.
#   bench/socket-table/run.sh [SIZE...]     SIZE in sockets, e.g. 10000 100000 (default: both)
# Needs root, iproute2, net-tools, lsof; builds its table in a throw-away namespace (loopback only).
# Each round runs every command once, in turn; medians of wall time and of peak RSS (GNU time's %M)
# over the rounds; time ratios against ss -tan, then the targets (ratios, milliseconds, megabytes)
# each with its verdict. The output is Markdown, to paste as it is. Needs GNU time (/usr/bin/time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tcpscope="node $root/dist/tcpscope.cjs"
ns="tcps-bench-$$"
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

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
for size in "${sizes[@]}"; do
  pairs=$(( size * 45 / 100 ))
  halfclosed=$(( size * 2 / 100 ))
  rate=$(( size / 1000 ))
  procs=$(( pairs / 8000 + 1 ))
  echo "# building about $size sockets" >&2
  coproc FARM { exec ip netns exec "$ns" node "$here/farm.mjs" --pairs "$pairs" --halfclosed "$halfclosed" --listeners 200 --tw-rate "$rate" --procs "$procs"; }
  farm_pid=$FARM_PID
  read -r ready <&"${FARM[0]}"
  echo "# farm: $ready; letting TIME_WAIT build up for 20 s" >&2
  sleep 20
  rounds=$(( size >= 50000 ? 7 : 15 ))
  node "$here/time.mjs" --netns "$ns" --rounds "$rounds" --label "$size" --targets \
    "ss -tan" "ss -tan | wc -l" "ss -tanp" "netstat -nat" "netstat -natp" "lsof -nP -iTCP" "node -e 0" \
    "$tcpscope" "$tcpscope doctor --now" "$tcpscope count" "$tcpscope count --source procfs" "$tcpscope ls --json" \
    "$tcpscope ls --json --source procfs" "$tcpscope ls" "$tcpscope ls -p" "$tcpscope --version"
  kill "$farm_pid"; wait "$farm_pid" 2>/dev/null || true; farm_pid=
done
