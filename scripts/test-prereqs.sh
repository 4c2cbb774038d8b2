#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages the test suite uses and the machine lacks.
# Run as root. Idempotent: on a machine that has them all it installs nothing and needs no network.
set -euo pipefail

# command → package
declare -A NEED=(
  [ip]=iproute2
  [nft]=nftables
  [ss]=iproute2
  [tcpdump]=tcpdump
  [lsof]=lsof
  [netstat]=net-tools
  [nstat]=iproute2
  [runuser]=util-linux
  [sysctl]=procps
  [chromium]=chromium
  [prometheus]=prometheus
  [promtool]=prometheus
  [setpriv]=util-linux
  [tmux]=tmux
)
missing=()
for cmd in "${!NEED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}")
done
# A Chinese font for the diagram the tests render with `--lang zh` (fc-list comes with chromium).
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then missing+=(fonts-wqy-microhei); fi
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "test-prereqs: installing ${pkgs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
echo "test-prereqs: ok" >&2
