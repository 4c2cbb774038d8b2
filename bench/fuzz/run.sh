#!/usr/bin/env bash
# The readers' fuzzing, longer than in the test suite: the capture readers (pcap, pcapng), the
# netlink, /proc/net/tcp and tracefs parsers, fed their recorded fixtures damaged at random and
# plain random bytes (fast-check, from a seed). The suite runs a few hundred cases of each; this
# runs RUNS (100,000 by default) from SEED, or from a random seed with SEED=random, and prints the
# seed of any failure to replay it with TCPSCOPE_SEED=N. Every failure found becomes a test.
#   bench/fuzz/run.sh                 RUNS=1000000 SEED=random bench/fuzz/run.sh
# Not jazzer.js: its prebuilt fuzzer (4.0.0) needs glibc 2.38, newer than Debian 12's 2.36, and
# the older 2.1.0 downloads its binary from GitHub when installed, which CI cannot reach.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$root/build/test" ] || (cd "$root" && node scripts/build.mjs)
export FUZZ_RUNS=${RUNS:-100000}
export TCPSCOPE_SEED=${SEED:-20260101}
echo "# $FUZZ_RUNS runs per property, seed $TCPSCOPE_SEED"
start=$(date +%s)
node --test --test-timeout=0 \
  "$root/build/test/capture/property.unit.test.js" \
  "$root/build/test/kernel/damaged-input.unit.test.js" \
  "$root/build/test/net/ip-property.unit.test.js" 2>&1 | grep -E '^# (pass|fail)|not ok|Counterexample|seed' || true
echo "# $(( $(date +%s) - start )) s"
