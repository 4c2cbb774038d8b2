#!/usr/bin/env bash
# The capture benchmark: builds a capture with real tcpdump in a private namespace (make-capture.sh;
# TARGET bytes, 1.1 GB by default; kept in OUT and reused when present), then times side by side:
# cat, tcpdump -r -w /dev/null, tshark's conv,tcp (once), the reader alone (walk.mjs) on pcap and
# pcapng, `tcpscope pcap --json` (one thread per core, then one), the counts by state and the
# doctor on the capture, the JSON writer alone (json.mjs); then compares the number of
# connections with tshark's. Root. Installs tshark and ethtool
# (Debian) when missing: they are the benchmark's, not the tests'.
#   TARGET=50000000 ./run.sh          a quick run while others work
#   ./run.sh                          the full one, alone on the machine
#   SHORT=120000 OUT=/tmp/tcpscope-bench-mix FLOOD=0 ./run.sh
#                                     a capture of 120,000 short connections, the rest bulk data
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
TS="node $ROOT/dist/tcpscope.cjs"
cmds+=(
  "$TS pcap $PCAP --json" "$TS pcap $NG --json"
  "$TS pcap $PCAP --json --threads 1" "$TS pcap $NG --json --threads 1"
  "$TS pcap $PCAP --by state" "$TS doctor --pcap $PCAP --json --fail-on never"
)
# tshark's conversations are kept for the count below.
node "$HERE/time.mjs" --packets "$PACKETS" "${cmds[@]}" --once "tshark -r $PCAP -q -z conv,tcp | tee $OUT/conv.txt"
echo
# The same connections as tshark's conv,tcp (one per 4-tuple and reuse of it).
THEIRS=$(grep -c '<->' "$OUT/conv.txt")
# (Counted in the stream, a member a line: the document of a big capture is one line longer than a
# string can be, and grep holds a line whole.)
OURS=$($TS pcap "$PCAP" --json | tr ',' '\n' | LC_ALL=C grep -c '{"id":')
echo "connections: tcpscope $OURS, tshark conv,tcp $THEIRS"
echo
echo "reader alone, in detail:"
node "$HERE/walk.mjs" "$PCAP"
node "$HERE/walk.mjs" "$NG"
echo "the JSON writer alone (a million connections of the capture's first ones):"
node "$HERE/json.mjs" "$PCAP"

# A SYN flood: FLOOD SYNs (2,000,000 by default; FLOOD=0 skips it) from as many sources, none
# answered, at the default --max-flows and at a tenth of it: time and peak memory.
FLOOD=${FLOOD:-2000000}
if [ "$FLOOD" -gt 0 ]; then
  [ -s "$OUT/flood.pcap" ] || node "$HERE/synflood.mjs" "$OUT/flood.pcap" "$FLOOD"
  echo "SYN flood ($FLOOD sources):"
  for mf in 1000000 100000; do
    /usr/bin/time -f "  --max-flows $mf: %e s, peak %M KB" $TS pcap "$OUT/flood.pcap" --by state --json --threads 1 --max-flows $mf >/dev/null 2>"$OUT/flood.err" || true
    grep -v '^tcpscope:' "$OUT/flood.err" || true
  done
  /usr/bin/time -f "  doctor --pcap: %e s, peak %M KB" $TS doctor --pcap "$OUT/flood.pcap" --json --fail-on never >/dev/null
fi
