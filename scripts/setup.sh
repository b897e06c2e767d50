#!/usr/bin/env bash
# Installs the Debian 12 packages medgate needs to build, test and run the
# demo. Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libpoco-dev libssl-dev libyaml-cpp-dev libboost-dev libboost-filesystem-dev
  libsimdjson-dev libsystemd-dev libphonenumber-dev libmimalloc-dev zlib1g-dev libgtest-dev libgmock-dev
  python3 python3-yaml openssl procps curl
  clang libclang-rt-14-dev
)

# Adapters and their tests add their own needs, one package per line
# (# comments allowed), in scripts/packages.d/NAME.txt.
here=$(cd "$(dirname "$0")" && pwd)
for f in "$here"/packages.d/*.txt; do
  [ -e "$f" ] || continue
  while read -r line; do
    line=${line%%#*}
    for p in $line; do PACKAGES+=("$p"); done
  done < "$f"
done

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js runs the independent schema validator (ajv). Any node >= 18 will do;
# take Debian's only when none is installed (a NodeSource node bundles npm).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"
