#!/usr/bin/env bash
# Sets up fogbench on a fresh Debian/Ubuntu machine: the Debian packages the harness and its
# tests use, then the npm dependencies. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# hey: cross-check of our load drivers. iproute2: network namespaces, veth, bridges, tc (fog
# target). shellcheck, cloud-init, vagrant: offline validation of the cluster scripts and
# files. openssh-client: per-cluster SSH keys. chromium: browser test of the HTML report.
PACKAGES=(hey iproute2 shellcheck cloud-init vagrant openssh-client chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
# Link latency on kernels without netem uses a relay built from harness/targets/local/link-delay.
if ! command -v go >/dev/null 2>&1 && [[ ! -x /usr/local/go/bin/go ]]; then
  echo "setup: note: Go >= 1.22 is not installed; fog links with added latency need it (everything else works)" >&2
fi
echo "setup: done"
