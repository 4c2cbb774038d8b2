# Sourced by the benchmarks: a namespace of their own holding a farm of about SIZE sockets
# (bench/socket-table/farm.mjs: connected pairs, half-closed ones, listeners, TIME_WAIT made at a
# steady rate), and what they read of a process. Loopback of that namespace only.
#   root=...; . "$root/bench/lib/farm.sh"
#   farm_netns NS                          loopback up, the whole ephemeral range, somaxconn 4096
#   farm_start NS SIZE [LISTENERS] [TW]    waits until made; TW=no makes no TIME_WAIT churn
#   farm_stop                              the farm's processes end (their sockets with them)
# The caller removes the namespace in its EXIT trap (after farm_stop).
farm_pid=
farm_netns() {
  ip netns add "$1"
  ip -n "$1" link set lo up
  ip netns exec "$1" sysctl -qw net.ipv4.ip_local_port_range="32768 65535"
  ip netns exec "$1" sysctl -qw net.core.somaxconn=4096
  ulimit -n "$(ulimit -Hn)"
}
farm_start() {
  local ns=$1 size=$2 listeners=${3:-200} tw=${4:-yes}
  local pairs=$(( size * 45 / 100 ))
  local args=(--pairs "$pairs" --halfclosed $(( size * 2 / 100 )) --listeners "$listeners" --procs $(( pairs / 8000 + 1 )))
  [ "$tw" = yes ] && args+=(--tw-rate $(( size / 1000 )))
  echo "# building about $size sockets" >&2
  coproc FARM { exec ip netns exec "$ns" node "$root/bench/socket-table/farm.mjs" "${args[@]}"; }
  farm_pid=$FARM_PID
  local ready
  read -r ready <&"${FARM[0]}"
  echo "# farm: $ready" >&2
}
farm_stop() {
  if [ -n "$farm_pid" ]; then
    kill "$farm_pid" 2>/dev/null || true
    wait "$farm_pid" 2>/dev/null || true
  fi
  farm_pid=
}
ticks=$(getconf CLK_TCK)
# utime + stime of PID, in clock ticks
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# resident and peak resident memory of PID, in MB
rss() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$1/status"; }
