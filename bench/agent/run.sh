#!/usr/bin/env bash
# tcpscope agent at about SIZE sockets, beside node_exporter's tcpstat collector, one after the other
# on the same table: scraped every INTERVAL seconds for DURATION seconds each, from a namespace of
# their own (loopback only). Reports the scrape time (median and max, curl's time_total), the time
# of the agent's own reading (tcpscope_scrape_duration_seconds), CPU as a share of one core
# (utime+stime from /proc/PID/stat over the run), peak RSS (VmHWM) and RSS at the first and the last
# scrape (flat or growing), as Markdown.
#   bench/agent/run.sh [SIZE] [DURATION] [INTERVAL]     defaults 100000 180 15; root, a built tree
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
size=${1:-100000}
duration=${2:-180}
interval=${3:-15}
ns="tcps-bagent-$$"
mon="tcps-bagentm-$$"
. "$root/bench/lib/farm.sh"
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  farm_stop
  wait 2>/dev/null || true
  ip netns delete "$ns" 2>/dev/null || true
  ip netns delete "$mon" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
command -v curl >/dev/null || { echo "bench/agent: needs curl" >&2; exit 2; }

farm_netns "$ns"
ip netns add "$mon"; ip -n "$mon" link set lo up
farm_start "$ns" "$size"
echo "# letting TIME_WAIT build up for 20 s" >&2
sleep 20
sockets=$(ip netns exec "$ns" ss -tanH | wc -l)

# measure NAME URL: scrapes every $interval s for $duration s the process $pid serving URL.
measure() {
  local name=$1 url=$2 times=() first_rss last_rss c0 c1 t0 t1 n=$(( duration / interval ))
  c0=$(cpu "$pid"); t0=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    times+=("$(ip netns exec "$mon" curl -s -o /tmp/tcps-bagent-$$.out -w '%{time_total}' "$url")")
    [ "$i" = 1 ] && first_rss=$(rss "$pid")
    sleep "$interval"
  done
  last_rss=$(rss "$pid")
  c1=$(cpu "$pid"); t1=$(date +%s.%N)
  local sorted median max
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  max=$(echo "$sorted" | tail -1)
  local reading=-
  reading=$(grep '^tcpscope_scrape_duration_seconds ' /tmp/tcps-bagent-$$.out | awk '{printf "%.3f", $2}' || true)
  local states
  states=$(grep -E '^node_tcp_connection_states' /tmp/tcps-bagent-$$.out | grep -v queued_bytes | awk '{s+=$2} END {print s}')
  printf '| %s | %s | %.3f | %.3f | %s | %.2f%% | %d | %d | %d |\n' "$name" "$states" "$median" "$max" "${reading:--}" \
    "$(echo "($c1 - $c0) / $ticks / ($t1 - $t0) * 100" | bc -l)" $(hwm "$pid") "$first_rss" "$last_rss"
}

echo "## tcpscope agent and node_exporter at $sockets sockets, a scrape every $interval s for $duration s each"
echo
echo '| exporter | sockets counted | scrape median (s) | scrape max (s) | reading (s) | CPU (1 core) | peak RSS (MB) | RSS first scrape (MB) | RSS last scrape (MB) |'
echo '|---|---:|---:|---:|---:|---:|---:|---:|---:|'
ip netns exec "$mon" node "$root/dist/tcpscope.cjs" agent --netns "$ns" --listen 127.0.0.1:9466 --interval "$interval" 2>/dev/null &
pid=$!
# ip netns exec execs the program: $! is the agent itself.
until ip netns exec "$mon" curl -sf -o /dev/null http://127.0.0.1:9466/metrics; do sleep 0.2; done
measure "tcpscope agent" http://127.0.0.1:9466/metrics
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
if command -v prometheus-node-exporter >/dev/null; then
  # node_exporter reads /proc/net/tcp of its own namespace: it runs in the table's, scraped from there.
  ip netns exec "$ns" prometheus-node-exporter --collector.disable-defaults --collector.tcpstat \
    --web.listen-address=127.0.0.1:9100 2>/dev/null &
  pid=$!
  until ip netns exec "$ns" curl -sf -o /dev/null http://127.0.0.1:9100/metrics; do sleep 0.2; done
  mon=$ns measure "node_exporter tcpstat" http://127.0.0.1:9100/metrics
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
else
  echo '| node_exporter | (prometheus-node-exporter not installed) | | | | | | | |'
fi
rm -f /tmp/tcps-bagent-$$.out
