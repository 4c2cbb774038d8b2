#!/usr/bin/env bash
# tcpscope watch on a terminal (tmux, 80x24) at about SIZE sockets, refreshing every second for
# DURATION seconds: CPU as a share of one core (utime+stime of the watch process over the run), RSS
# after the first 10 s and at the end (memory growth), and, for scale, what one `ss -tan` dump of
# the same table costs. Markdown. Root, tmux, a built tree; loopback of a namespace of its own.
#   bench/watch/run.sh [DURATION] [SIZE...]       defaults 120, 10000 100000
#   EVERY=60 bench/watch/run.sh 3600 100000        an hour at 100k, RSS every minute on stderr
#   SETTLE=20 bench/watch/run.sh                    as it was measured before (a young farm)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${1:-120}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
# TIME_WAIT fills for its 60 s, and a young farm costs watch more for a few minutes (2.9-3.0% of a
# core at 10,000 in its first ones, 2.4-2.6% after): SETTLE seconds pass before watch starts.
settle=${SETTLE:-120}
ns="tcps-bwatch-$$"
session="tcps-bwatch-$$"
# A tmux server of its own: no one else's `tmux kill-server` ends the run, nor does the run touch theirs.
tmux() { command tmux -L "$session" "$@"; }
. "$root/bench/lib/farm.sh"
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  farm_stop
  ip netns delete "$ns" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
farm_netns "$ns"

echo "## tcpscope watch, refreshing every second for $duration s on a terminal (tmux 80x24)"
echo
echo '| sockets | CPU (1 core) | RSS at 10 s (MB) | RSS at the end (MB) | one ss -tan dump (s) |'
echo '|---:|---:|---:|---:|---:|'
for size in "${sizes[@]}"; do
  farm_start "$ns" "$size"
  echo "# letting the table settle for $settle s" >&2
  sleep "$settle"
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
  # RSS every EVERY seconds (60 by default) over the run, for memory growth over long runs.
  every=${EVERY:-60}
  series=()
  left=$duration
  while [ "$left" -gt 0 ]; do
    step=$(( left < every ? left : every ))
    sleep "$step"
    left=$(( left - step ))
    series+=("$(rss "$pid")")
  done
  c1=$(cpu "$pid"); t1=$(date +%s.%N); rend=$(rss "$pid")
  echo "# $size sockets: RSS (MB) every ${every} s: ${series[*]}" >&2
  printf '| %d | %.1f%% | %d | %d | %s |\n' "$sockets" "$(echo "($c1 - $c0) / $ticks / ($t1 - $t0) * 100" | bc -l)" "$r10" "$rend" "$ss_time"
  tmux kill-session -t "$session"
  farm_stop
done
