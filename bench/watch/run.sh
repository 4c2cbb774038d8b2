#!/usr/bin/env bash
# tcpscope watch on a terminal (tmux, 80x24) at about SIZE sockets, refreshing every second for
# DURATION seconds: CPU as a share of one core (utime+stime of the watch process over the run), RSS
# after the first 10 s and at the end (memory growth), and, for scale, what one `ss -tan` dump of
# the same table costs. Markdown. Root, tmux, a built tree; loopback of a namespace of its own.
#   bench/watch/run.sh [DURATION] [SIZE...]       defaults 120, 10000 100000
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${1:-120}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
ns="tcps-bwatch-$$"
session="tcps-bwatch-$$"
# A tmux server of its own: no one else's `tmux kill-server` ends the run, nor does the run touch theirs.
tmux() { command tmux -L "$session" "$@"; }
farm_pid=
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  [ -n "$farm_pid" ] && kill "$farm_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns delete "$ns" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="32768 65535"
ip netns exec "$ns" sysctl -qw net.core.somaxconn=4096
ulimit -n "$(ulimit -Hn)"
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$1/status"; }

echo "## tcpscope watch, refreshing every second for $duration s on a terminal (tmux 80x24)"
echo
echo '| sockets | CPU (1 core) | RSS at 10 s (MB) | RSS at the end (MB) | one ss -tan dump (s) |'
echo '|---:|---:|---:|---:|---:|'
for size in "${sizes[@]}"; do
  pairs=$(( size * 45 / 100 )); halfclosed=$(( size * 2 / 100 )); rate=$(( size / 1000 )); procs=$(( pairs / 8000 + 1 ))
  echo "# building about $size sockets" >&2
  coproc FARM { exec ip netns exec "$ns" node "$root/bench/socket-table/farm.mjs" --pairs "$pairs" --halfclosed "$halfclosed" --listeners 200 --tw-rate "$rate" --procs "$procs"; }
  farm_pid=$FARM_PID
  read -r ready <&"${FARM[0]}"
  echo "# farm: $ready; letting TIME_WAIT build up for 20 s" >&2
  sleep 20
  sockets=$(ip netns exec "$ns" ss -tanH | wc -l)
  ss_time=$( { /usr/bin/time -f %e ip netns exec "$ns" ss -tan >/dev/null; } 2>&1 )
  tmux new-session -d -s "$session" -x 80 -y 24 "node $root/dist/tcpscope.cjs watch --netns $ns -n 1"
  pid=
  for _ in $(seq 1 100); do
    pid=$(pgrep -f "^node $root/dist/tcpscope.cjs watch --netns $ns" || true)
    [ -n "$pid" ] && break
    sleep 0.1
  done
  sleep 10
  r10=$(rss "$pid"); c0=$(cpu "$pid"); t0=$(date +%s.%N)
  sleep "$duration"
  c1=$(cpu "$pid"); t1=$(date +%s.%N); rend=$(rss "$pid")
  printf '| %d | %.1f%% | %d | %d | %s |\n' "$sockets" "$(echo "($c1 - $c0) / $ticks / ($t1 - $t0) * 100" | bc -l)" "$r10" "$rend" "$ss_time"
  tmux kill-session -t "$session"
  kill "$farm_pid"; wait "$farm_pid" 2>/dev/null || true; farm_pid=
done
