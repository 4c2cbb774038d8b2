#!/usr/bin/env bash
# tcpscope on a table of about 1,000,000 sockets, beside ss, netstat and lsof on the same table:
# about 477,000 ESTABLISHED pairs, 21,000 half-closed pairs and listeners, held by 60 processes in a
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
. "$root/bench/lib/farm.sh"
cleanup() {
  farm_stop
  ip netns delete "$ns" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

farm_netns "$ns"
start=$(date +%s)
# farm.sh makes 45% of SIZE pairs and 2% half-closed ones: 47% of 1,060,000 pairs are 1,000,000 sockets.
farm_start "$ns" $(( size * 106 / 100 )) 40 no
echo "# built in $(( $(date +%s) - start )) s; nothing runs beside the measurement" >&2
node "$here/time.mjs" --netns "$ns" --rounds "$rounds" --label "$size" \
  "ss -tan" "ss -tan | wc -l" "$tcpscope" "$tcpscope count" "$tcpscope count --by port" \
  "$tcpscope ls --json" "$tcpscope doctor --now" "$tcpscope who 20000"
# What reads every process's fds (ss -p, ls -p, lsof) or /proc/net/tcp, once each and cut at LIMIT s:
# ss -p keeps the inodes it found in a table of 256 buckets, and at this size does not finish.
limit=${LIMIT:-600}
node "$here/time.mjs" --netns "$ns" --rounds 1 --label "$size" \
  "timeout $limit ss -tanp" "timeout $limit $tcpscope ls -p" "timeout $limit $tcpscope count --source procfs" \
  "timeout $limit netstat -nat" "timeout $limit lsof -nP -iTCP"
