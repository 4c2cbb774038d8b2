#!/usr/bin/env bash
# tcpscope serve and record at about SIZE sockets (the farm of bench/socket-table in a namespace of
# its own, loopback only), one measurement after the other, as Markdown:
#  - serve reading every second for DURATION s: one /metrics scrape (curl's time_total, median and
#    max) beside node_exporter's tcpstat scrape of the same table; one dashboard update, that is the
#    background reading (/healthz lastSeconds) and the table the page fetches after each event
#    (/api/snapshot?limit=300), beside one `ss -tanp` of the same table; the size of one event;
#    serve's CPU as a share of one core, peak RSS, RSS after the first 10 s and at the end.
#  - record: CPU of one reading (the difference of a FEW- and a MANY-reading run, utime+stime from
#    GNU time, start-up cancelled out) and its share of one core at the default 10 s interval.
#  - the history's growth a day at the default retention (bench/store/growth.mjs, made-up readings
#    as large as record makes; DAYS=0 skips it).
#   bench/serve/run.sh [SIZE] [DURATION]     defaults 100000 60; DAYS=8; root, a built tree
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
size=${1:-100000}
duration=${2:-60}
days=${DAYS:-8}
ns="tcps-bserve-$$"
mon="tcps-bservem-$$"
dir=$(mktemp -d)
. "$root/bench/lib/farm.sh"
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  farm_stop
  wait 2>/dev/null || true
  ip netns delete "$ns" 2>/dev/null || true
  ip netns delete "$mon" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
for c in curl /usr/bin/time; do command -v "$c" >/dev/null || { echo "bench/serve: needs $c" >&2; exit 2; }; done

farm_netns "$ns"
ip netns add "$mon"; ip -n "$mon" link set lo up
farm_start "$ns" "$size"
echo "# letting TIME_WAIT build up for 20 s" >&2
sleep 20
sockets=$(ip netns exec "$ns" ss -tanH | wc -l)

# median and max of the numbers on stdin, "median max"
stats() { sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f\n", a[int((NR+1)/2)], a[NR]}'; }
timeit() { # NS URL -> seconds (curl's time_total); the body in $dir/body
  ip netns exec "$1" curl -s -o "$dir/body" -w '%{time_total}\n' "$2"
}

echo "## tcpscope serve at $sockets sockets, a reading every second for $duration s"
echo
ip netns exec "$mon" node "$root/dist/tcpscope.cjs" serve --netns "$ns" --listen 127.0.0.1:9465 -n 1 2>"$dir/serve.err" &
pid=$!
until ip netns exec "$mon" curl -sf -o /dev/null http://127.0.0.1:9465/metrics; do sleep 0.2; done
sleep 10
rss10=$(rss "$pid")
c0=$(cpu "$pid"); t0=$(date +%s.%N)
: >"$dir/metrics"; : >"$dir/table"; : >"$dir/reading"
end=$(( $(date +%s) + duration ))
while [ "$(date +%s)" -lt "$end" ]; do
  timeit "$mon" http://127.0.0.1:9465/metrics >>"$dir/metrics"
  timeit "$mon" 'http://127.0.0.1:9465/api/snapshot?limit=300' >>"$dir/table"
  table_bytes=$(stat -c %s "$dir/body")
  ip netns exec "$mon" curl -s http://127.0.0.1:9465/healthz | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).lastSeconds))' >>"$dir/reading"
  sleep 2
done
c1=$(cpu "$pid"); t1=$(date +%s.%N)
rss_end=$(rss "$pid"); peak=$(hwm "$pid")
metrics_bytes=$(ip netns exec "$mon" curl -s http://127.0.0.1:9465/metrics | wc -c)
event_bytes=$(ip netns exec "$mon" curl -sN --max-time 3 http://127.0.0.1:9465/api/events 2>/dev/null | grep -m1 '^data: ' | wc -c || true)
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
read -r m_med m_max < <(stats <"$dir/metrics")
read -r t_med t_max < <(stats <"$dir/table")
read -r r_med r_max < <(stats <"$dir/reading")

ne_med=-
if command -v prometheus-node-exporter >/dev/null; then
  # node_exporter reads /proc/net/tcp of its own namespace: it runs in the table's, scraped from there.
  ip netns exec "$ns" prometheus-node-exporter --collector.disable-defaults --collector.tcpstat \
    --web.listen-address=127.0.0.1:9100 2>/dev/null &
  pid=$!
  until ip netns exec "$ns" curl -sf -o /dev/null http://127.0.0.1:9100/metrics; do sleep 0.2; done
  for _ in $(seq 1 9); do timeit "$ns" http://127.0.0.1:9100/metrics; done >"$dir/ne"
  read -r ne_med _ < <(stats <"$dir/ne")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
fi
for _ in $(seq 1 5); do
  /usr/bin/time -f '%e' -o "$dir/t" ip netns exec "$ns" ss -tanp >/dev/null; cat "$dir/t"
done >"$dir/ss"
read -r ss_med _ < <(stats <"$dir/ss")

cpu_share=$(echo "($c1 - $c0) / $ticks / ($t1 - $t0) * 100" | bc -l)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo '| what | tcpscope serve | classic | ratio |'
echo '|---|---:|---:|---:|'
printf '| one /metrics scrape, median (max) s | %s (%s) | %s node_exporter tcpstat | %s |\n' "$m_med" "$m_max" "$ne_med" \
  "$( [ "$ne_med" = - ] && echo - || ratio "$m_med" "$ne_med")"
printf '| one reading in the background, median (max) s | %s (%s) | | |\n' "$r_med" "$r_max"
printf '| the table the page fetches (300 rows), median (max) s | %s (%s) | %s ss -tanp (whole table) | %s |\n' \
  "$t_med" "$t_max" "$ss_med" "$(ratio "$t_med" "$ss_med")"
printf '| one dashboard update (reading + table), median s | %s | | |\n' "$(awk -v a="$r_med" -v b="$t_med" 'BEGIN { printf "%.3f", a + b }')"
printf '| bytes: /metrics, one event, the table | %s, %s, %s | | |\n' "$metrics_bytes" "$event_bytes" "$table_bytes"
printf '| CPU (share of one core) at 1 reading/s | %.1f%% | | |\n' "$cpu_share"
printf '| RSS MB: peak, after 10 s, at the end | %s, %s, %s | | |\n' "$peak" "$rss10" "$rss_end"
echo

echo "## tcpscope record at $sockets sockets"
echo
record() { # readings -> "cpu_seconds max_rss_kb"
  /usr/bin/time -f '%U %S %M' -o "$dir/rt" node "$root/dist/tcpscope.cjs" record --netns "$ns" --interval 1 \
    --count "$1" --db "$dir/h$1.db" >/dev/null 2>&1
  awk '{ printf "%.3f %d\n", $1 + $2, $3 }' "$dir/rt"
}
few=3; many=33  # the difference holds 30 readings: one lookup of owners at the default --owners-every
read -r rc1 _ < <(record "$few")
read -r rc2 rrss < <(record "$many")
awk -v c1="$rc1" -v c2="$rc2" -v n=$(( many - few )) -v rss="$rrss" 'BEGIN {
  per = (c2 - c1) / n
  printf "| CPU ms a reading | share of one core at 10 s (target: 2%% at 100,000, 0.3%% at 10,000) | peak RSS MB |\n|---:|---:|---:|\n"
  printf "| %.1f | %.2f%% | %.0f |\n\n", per * 1000, per / 10 * 100, rss / 1024
}'

if [ "$days" -gt 0 ]; then
  echo "## the history's size at the default retention (a reading every 10 s, $days days)"
  echo
  node "$here/../store/growth.mjs" "$days" 10
fi
