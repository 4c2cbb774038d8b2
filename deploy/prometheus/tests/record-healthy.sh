#!/usr/bin/env bash
# Records the series of a busy healthy host for the rules' unit tests (healthy-series.yml): a
# namespace of its own with healthy-load.mjs running, `tcpscope agent` reading it every 15 s, and
# /metrics scraped every 15 s for MINUTES minutes, turned into promtool's input_series. Root.
#   deploy/prometheus/tests/record-healthy.sh [MINUTES]     (default 14; needs a built tree)
set -euo pipefail
cd "$(dirname "$0")/../../.."
minutes=${1:-14}
ns=tcps-rec-$$
mon=tcps-recm-$$
cleanup() {
  [ -n "${agent:-}" ] && kill "$agent" 2>/dev/null || true
  [ -n "${load:-}" ] && kill "$load" 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns delete "$ns" 2>/dev/null || true
  ip netns delete "$mon" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
ip netns add "$ns"; ip netns add "$mon"
ip -n "$ns" link set lo up; ip -n "$mon" link set lo up
ip netns exec "$ns" node deploy/prometheus/tests/healthy-load.mjs 8080 150 50 $((minutes * 60 + 30)) &
load=$!
ip netns exec "$mon" node dist/tcpscope.cjs agent --netns "$ns" --listen 127.0.0.1:9466 --interval 15 2>/dev/null &
agent=$!
out=$(mktemp -d)
sleep 20
n=$((minutes * 4))
for i in $(seq 1 $n); do
  ip netns exec "$mon" node -e 'fetch("http://127.0.0.1:9466/metrics").then(r=>r.text()).then(t=>process.stdout.write(t))' > "$out/$i.prom"
  sleep 15
done
node deploy/prometheus/tests/to-series.mjs "$out" > deploy/prometheus/tests/healthy-series.yml
rm -rf "$out"
echo "record-healthy: $n scrapes written to deploy/prometheus/tests/healthy-series.yml" >&2
