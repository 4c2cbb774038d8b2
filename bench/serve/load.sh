#!/usr/bin/env bash
# tcpscope serve and tcpscope agent under concurrent load, at about SIZE sockets (the farm of
# bench/socket-table, in a namespace of its own, loopback only): wrk holds CONNECTIONS connections
# on each route for DURATION seconds, one route after the other, from a second namespace. Per
# route: requests a second, latency (median, 99th percentile, max), errors (socket errors and
# answers other than 2xx), and the server's RSS after the route, so growth shows. Markdown.
#   bench/serve/load.sh [SIZE] [DURATION] [CONNECTIONS]     defaults 10000 30 50; root, a built tree
# Installs wrk (Debian) when missing: it is the benchmark's, not the tests'.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
size=${1:-10000}
duration=${2:-30}
conns=${3:-50}
ns="tcps-bload-$$"
mon="tcps-bloadm-$$"
. "$root/bench/lib/farm.sh"
pid=
dir=$(mktemp -d)
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  farm_stop
  wait 2>/dev/null || true
  ip netns delete "$ns" 2>/dev/null || true
  ip netns delete "$mon" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
for c in curl wrk; do command -v "$c" >/dev/null || { echo "bench/serve: needs $c" >&2; exit 2; }; done

farm_netns "$ns"
ip netns add "$mon"; ip -n "$mon" link set lo up
farm_start "$ns" "$size"
sockets=$(ip netns exec "$ns" ss -tanH | wc -l)

# One route under load: "req/s p50 p99 max errors" (latencies in ms).
load() {
  ip netns exec "$mon" wrk -t 2 -c "$conns" -d "${duration}s" --latency "$1" >"$dir/wrk" 2>&1
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /^ +Latency +[0-9]/ { max = ms($4) }
    /Requests\/sec/ { rps = $2 }
    /Socket errors/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx/ { err += $NF }
    END { printf "%.0f %.2f %.2f %.1f %d\n", rps, p50, p99, max, err }' "$dir/wrk"
  grep -E 'Socket errors|Non-2xx' "$dir/wrk" | sed "s|^|# $1: |" >&2 || true
}

bench() { # NAME PORT ROUTE...
  local name=$1 port=$2
  shift 2
  until ip netns exec "$mon" curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.2; done
  sleep 5
  echo "## tcpscope $name at $sockets sockets: $conns connections for $duration s on each route"
  echo
  echo "| route | requests/s | latency ms: median | 99% | max | errors | RSS MB after |"
  echo '|---|---:|---:|---:|---:|---:|---:|'
  echo "| (idle, before) | | | | | | $(rss "$pid") |"
  for route in "$@"; do
    read -r rps p50 p99 max err < <(load "http://127.0.0.1:$port$route")
    echo "| \`$route\` | $rps | $p50 | $p99 | $max | $err | $(rss "$pid") |"
  done
  echo "| peak RSS (VmHWM) | | | | | | $(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status") |"
  echo
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

ip netns exec "$mon" node "$root/dist/tcpscope.cjs" serve --netns "$ns" --listen 127.0.0.1:9465 -n 1 2>"$dir/serve.err" &
pid=$!
bench serve 9465 /metrics '/api/snapshot?limit=300' /api/counts /api/findings /healthz / /metrics

ip netns exec "$mon" node "$root/dist/tcpscope.cjs" agent --netns "$ns" --listen 127.0.0.1:9466 --interval 1 2>"$dir/agent.err" &
pid=$!
bench agent 9466 /metrics /healthz /metrics
