#!/usr/bin/env bash
# The capture benchmark: builds a capture with real tcpdump in a private namespace (make-capture.sh;
# TARGET bytes, 1.1 GB by default; kept in OUT and reused when present), then times side by side:
# cat, tcpdump -r -w /dev/null, tshark's conv,tcp (once), the reader alone (walk.mjs) on pcap and
# pcapng, and `tcpscope pcap --json` when the command exists. Root. Installs tshark and ethtool
# (Debian) when missing: they are the benchmark's, not the tests'.
#   TARGET=50000000 ./run.sh          a quick run while others work
#   ./run.sh                          the full one, alone on the machine
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export TARGET=${TARGET:-1100000000}
export OUT=${OUT:-/tmp/tcpscope-bench-$TARGET}
missing=()
command -v tshark >/dev/null || missing+=(tshark)
command -v editcap >/dev/null || missing+=(wireshark-common)
command -v ethtool >/dev/null || missing+=(ethtool)
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -f "$ROOT/build/src/capture/index.js" ] || (cd "$ROOT" && node scripts/build.mjs)
[ -s "$OUT/bench.pcapng" ] || "$HERE/make-capture.sh"
PCAP=$OUT/bench.pcap; NG=$OUT/bench.pcapng
PACKETS=$(tcpdump -nr "$PCAP" 2>/dev/null | wc -l)
echo "## $(stat -c %s "$PCAP") bytes, $PACKETS packets ($(nproc) cores, $(uname -r), node $(node -v))"
cmds=(
  "cat $PCAP"
  "tcpdump -nr $PCAP -w /dev/null"
  "node $HERE/walk.mjs $PCAP"
  "node $HERE/walk.mjs $NG"
)
if node "$ROOT/dist/tcpscope.cjs" help pcap >/dev/null 2>&1; then
  cmds+=("node $ROOT/dist/tcpscope.cjs pcap $PCAP --json" "node $ROOT/dist/tcpscope.cjs pcap $NG --json")
fi
node "$HERE/time.mjs" --packets "$PACKETS" "${cmds[@]}" --once "tshark -r $PCAP -q -z conv,tcp"
echo
echo "reader alone, in detail:"
node "$HERE/walk.mjs" "$PCAP"
node "$HERE/walk.mjs" "$NG"
