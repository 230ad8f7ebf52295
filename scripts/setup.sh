#!/usr/bin/env bash
# Sets up fogbench on a fresh Debian/Ubuntu machine: the Debian packages the harness and its
# tests use, then the npm dependencies. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# etcd-server: the real Kubernetes control plane the kube target's tests run against.
# hey: cross-check of our load drivers and `--driver hey`. wrk: `npm run perf`'s peak-rate
# reference for the load agent. iproute2: network namespaces, veth, bridges, tc (fog
# target). shellcheck, cloud-init, vagrant: offline validation of the cluster scripts and
# files. openssh-client: per-cluster SSH keys. chromium: browser test of the HTML report.
# containerd, runc, containernetworking-plugins, iptables (kube-proxy), umoci, openssl, procps
# (sysctl), gcc and libc6-dev (the pause program): `cluster up --provider local`, a real
# cluster on this host. Its nodes run their own containerd; the package's own service is not used.
PACKAGES=(hey wrk iproute2 shellcheck cloud-init vagrant openssh-client chromium etcd-server
  containerd runc containernetworking-plugins iptables umoci openssl procps gcc libc6-dev)

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
# The command line npm runs is a bundle of harness/cli (scripts/fogbench.mjs rebuilds it when
# a source changes; built here so the first `npm run bench` starts at once).
echo "setup: building the command line"
node scripts/fogbench.mjs --build >/dev/null
# Go builds what fog runs from source: the real OpenFaaS gateway and of-watchdog at pinned
# versions, fogbench's provider, the chart's Prometheus and alertmanager
# (harness/openfaas/binaries/pins.json), and the link-delay relay.
if ! command -v go >/dev/null 2>&1 && [[ ! -x /usr/local/go/bin/go ]]; then
  echo "setup: Go >= 1.23 is needed to build the OpenFaaS gateway, of-watchdog and provider for the fog target (https://go.dev/dl/; Debian bookworm's golang-go is too old); --systems p2p works without it" >&2
  exit 1
fi
echo "setup: OpenFaaS binaries with Prometheus and alertmanager (built once, about 12 minutes cold on 2 cores)"
npm run -s build:openfaas >/dev/null
echo "setup: done"
