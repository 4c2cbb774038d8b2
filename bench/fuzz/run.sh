#!/usr/bin/env bash
# The readers' fuzzing, longer than in the test suite.
#  - Coverage-guided (test/fuzz/readers.test.ts, guided by V8's block coverage): captures and the
#    flow tracker, sock_diag dumps, /proc/net/tcp, tracefs pages, trace text, event formats and the
#    counters' files, EACH seconds per reader (300 by default; the suite runs 15). A crash, hang or
#    runaway heap names the input it kept (under $TMPDIR/tcpscope-fuzz/); copy it into
#    test/fixtures/fuzz/TARGET/ and it is replayed on every run.
#  - Seeded random damage (fast-check): RUNS cases per property (100,000 by default) from SEED, or
#    from a random seed with SEED=random; replay a failure with TCPSCOPE_SEED=N.
#   bench/fuzz/run.sh                 EACH=3600 SEED=random RUNS=1000000 bench/fuzz/run.sh
# Not jazzer.js: its prebuilt fuzzer (4.0.0) needs glibc 2.38, newer than Debian 12's 2.36; the
# older 2.1.0 downloads its binary from GitHub when installed, which CI cannot reach; and it is no
# longer maintained in the open.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$root/build/test" ] || (cd "$root" && node scripts/build.mjs)
export FUZZ_RUNS=${RUNS:-100000}
export FUZZ_SECONDS=${EACH:-300}
export TCPSCOPE_SEED=${SEED:-20260101}
echo "# coverage-guided: $FUZZ_SECONDS s per reader; random damage: $FUZZ_RUNS runs per property; seed $TCPSCOPE_SEED"
start=$(date +%s)
node --test --test-timeout=0 --test-concurrency=1 \
  "$root/build/test/fuzz/readers.test.js" \
  "$root/build/test/capture/property.unit.test.js" \
  "$root/build/test/kernel/damaged-input.unit.test.js" \
  "$root/build/test/net/ip-property.unit.test.js" 2>&1 | grep -E '^# (pass|fail)|not ok|inputs,|Counterexample|seed|crash-' || true
echo "# $(( $(date +%s) - start )) s"
