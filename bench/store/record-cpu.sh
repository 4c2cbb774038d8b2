#!/usr/bin/env bash
# tcpscope record's CPU on a table of about SIZE sockets: the farm of bench/socket-table in a private
# namespace, then `record --netns NS --interval 1` for FEW and for MANY readings; the difference of
# their CPU time (utime+stime, GNU time) over MANY-FEW readings is one reading's cost without the
# start-up, and its share of one core at the default 10 s interval. Peak RSS of the longer run.
#   bench/store/record-cpu.sh [SIZE] [FEW] [MANY]       defaults 10000 3 33 (the difference holds one lookup of owners at the default --owners-every 30); root, a built tree
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
size=${1:-10000}
few=${2:-3}
many=${3:-33}
ns="tcps-bstore-$$"
dir=$(mktemp -d)
. "$root/bench/lib/farm.sh"
cleanup() {
  farm_stop
  ip netns delete "$ns" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
farm_netns "$ns"
farm_start "$ns" "$size" 50 no
run() { # readings -> "cpu_seconds max_rss_kb"
  /usr/bin/time -f '%U %S %M' -o "$dir/time" node "$root/dist/tcpscope.cjs" record --netns "$ns" --interval 1 --count "$1" --db "$dir/h$1.db" >/dev/null
  awk '{ printf "%.3f %d\n", $1 + $2, $3 }' "$dir/time"
}
read -r c1 _ < <(run "$few")
read -r c2 rss < <(run "$many")
awk -v c1="$c1" -v c2="$c2" -v n=$(( many - few )) -v rss="$rss" -v size="$size" -v db="$(stat -c %s "$dir/h$many.db")" -v readings="$many" 'BEGIN {
  per = (c2 - c1) / n
  printf "| sockets | CPU ms a reading | share of one core at 10 s | peak RSS MB | db bytes a reading |\n|---:|---:|---:|---:|---:|\n"
  printf "| ~%d | %.1f | %.2f%% | %.0f | %.0f |\n", size, per * 1000, per / 10 * 100, rss / 1024, db / readings
}'
