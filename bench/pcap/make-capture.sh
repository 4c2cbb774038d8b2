#!/usr/bin/env bash
# Builds the benchmark capture: tcpdump on the loopback of a private namespace (MTU 1500, offloads
# off, so bulk data shows as MSS-sized segments as on a NIC) while traffic.mjs runs, until the file
# reaches TARGET bytes; then the same packets as pcapng (editcap). Root; tcpdump, ethtool, editcap.
#   TARGET=1100000000 OUT=/tmp/tcpscope-bench ./make-capture.sh
#   SHORT=120000 ...                    only 120,000 short connections, the rest bulk data
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TARGET=${TARGET:-1100000000}
OUT=${OUT:-/tmp/tcpscope-bench}
NS=tcps-bench-pcap-$$
PCAP=$OUT/bench.pcap
mkdir -p "$OUT"; rm -f "$PCAP" "$OUT/stop"
ip netns add "$NS"
cleanup() {
  touch "$OUT/stop"
  [ -n "${TPID:-}" ] && kill -TERM "$TPID" 2>/dev/null || true
  [ -n "${GPID:-}" ] && wait "$GPID" 2>/dev/null || true
  [ -n "${TPID:-}" ] && wait "$TPID" 2>/dev/null || true
  ip netns delete "$NS" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up mtu 1500
nsx ethtool -K lo tso off gso off gro off >/dev/null
# Headers only (-s 128), as a capture for connection states would be taken.
ip netns exec "$NS" tcpdump -n -i lo -s 128 -B 262144 -w "$PCAP" tcp 2> "$OUT/tcpdump.log" & TPID=$!
sleep 1
ip netns exec "$NS" node "$HERE/traffic.mjs" "$OUT/stop" 8 ${SHORT:-} > "$OUT/traffic.log" & GPID=$!
while [ "$(stat -c %s "$PCAP")" -lt "$TARGET" ]; do sleep 0.5; done
touch "$OUT/stop"; wait "$GPID"; GPID=
sleep 1; kill -TERM "$TPID"; wait "$TPID" || true; TPID=
cat "$OUT/traffic.log" "$OUT/tcpdump.log" >&2
editcap -F pcapng "$PCAP" "$OUT/bench.pcapng"
ls -l "$PCAP" "$OUT/bench.pcapng" >&2
