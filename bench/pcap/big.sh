#!/usr/bin/env bash
# Memory on a capture far larger than memory: the benchmark capture (make-capture.sh, 1.1 GB by
# default, reused when present) repeated COUNT times into one file (repeat.mjs: 11 GB at 10), each
# copy two minutes after the last. `tcpscope pcap --json` reads the original and the big one; the
# peak RSS (GNU time) should not grow with the file, only with the connections of a minute. RSS is
# also sampled every 30 s on stderr. The big file is removed at the end. Root; GNU time.
#   bench/pcap/big.sh [COUNT]          COUNT defaults to 10; THREADS=1 for one thread
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export TARGET=${TARGET:-1100000000}
export OUT=${OUT:-/tmp/tcpscope-bench-$TARGET}
count=${1:-10}
threads=${THREADS:-auto}
[ -s "$OUT/bench.pcap" ] || "$HERE/make-capture.sh"
big=$OUT/big-$count.pcap
trap 'rm -f "$big"' EXIT INT TERM
node "$HERE/repeat.mjs" "$OUT/bench.pcap" "$count" "$big" 2>/dev/null
echo "| capture | bytes | s | peak RSS MB | packets |"
echo "|---|---:|---:|---:|---:|"
for f in "$OUT/bench.pcap" "$big"; do
  /usr/bin/time -f '%e %M' -o "$OUT/time.txt" node "$ROOT/dist/tcpscope.cjs" pcap "$f" --json --threads "$threads" \
    | tail -c 300 | sed -n 's/.*"packets":\([0-9]*\),"evicted".*/\1/p' > "$OUT/packets.txt" &
  run=$!
  while kill -0 "$run" 2>/dev/null; do
    sleep 30
    rss=$(ps -o rss= -p "$(pgrep -n -f "^node .*tcpscope.cjs pcap $f" || echo 0)" || true)
    if [ -n "$rss" ]; then echo "# $(basename "$f"): RSS $(( rss / 1024 )) MB" >&2; fi
  done
  wait "$run"
  read -r secs kb < "$OUT/time.txt"
  echo "| $(basename "$f") | $(stat -c %s "$f") | $secs | $(( kb / 1024 )) | $(cat "$OUT/packets.txt") |"
done
