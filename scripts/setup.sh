#!/usr/bin/env bash
# Sets up fogbench on a fresh Debian/Ubuntu machine, one part at a time: a line when a part
# starts (with how long it takes cold), a line a minute while it runs, and one with the time it
# took. Safe to run again: it installs and builds only what is missing.
#
#   bash scripts/setup.sh           what `npm run bench` needs: the Debian packages, the npm
#                                   dependencies, the command line, the OpenFaaS binaries
#   bash scripts/setup.sh --tests   and what `npm test` needs besides: the Kubernetes control
#                                   plane and the local cluster's programs (about 25 minutes
#                                   more, cold, on 2 cores)
#
# Why the Kubernetes builds wait for --tests: someone who came to run the comparison should not
# sit through 25 minutes of builds the comparison never uses. The README's test line and .ci/run
# pass --tests, so a test run starts with everything built; `npm test` run without it builds what
# its tests still lack, saying what it is waiting for (test/helpers/prerequisites.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

tests=false
for arg in "$@"; do
  case "$arg" in
    --tests) tests=true ;;
    -h | --help)
      sed -n '2,10s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *)
      echo "setup: unknown option $arg (--tests also builds what npm test needs)" >&2
      exit 2
      ;;
  esac
done

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

debian_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    echo "setup:   all ${#PACKAGES[@]} installed"
    return
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "setup:   installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

npm_dependencies() {
  if [[ -d node_modules ]] && [[ ! package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "setup:   up to date"
    return
  fi
  npm ci --no-audit --no-fund --loglevel=error
}

# The command line npm runs is a bundle of harness/cli (scripts/fogbench.mjs rebuilds it when a
# source changes; built here so the first `npm run bench` starts at once).
command_line() {
  node scripts/fogbench.mjs --build >/dev/null
}

# Go builds what fog runs from source: the real OpenFaaS gateway and of-watchdog at pinned
# versions, fogbench's provider, the chart's Prometheus and alertmanager
# (harness/openfaas/binaries/pins.json).
openfaas_binaries() {
  if ! command -v go >/dev/null 2>&1 && [[ ! -x /usr/local/go/bin/go ]]; then
    echo "setup: Go >= 1.26 is needed to build the OpenFaaS gateway, of-watchdog and provider for the fog target (https://go.dev/dl/; Debian bookworm's golang-go is too old); --systems p2p works without it" >&2
    return 1
  fi
  npm run -s build:openfaas >/dev/null
}

parts=("Debian packages" "npm dependencies" "the command line (build/cli)"
  "OpenFaaS gateway, of-watchdog, provider, Prometheus and alertmanager (build/openfaas; once, about 12 minutes cold on 2 cores)")
steps=(debian_packages npm_dependencies command_line openfaas_binaries)
if $tests; then
  # The scripts print what they build and skip what is built (stamp files); .ci/run and
  # `npm test` run the same ones.
  parts+=("Kubernetes control plane for the kube tests: kube-apiserver, -scheduler, -controller-manager, kwok, registry, crane (build/kube-control-plane; once, about 15 minutes cold)"
    "local cluster programs: kubelet, kube-proxy, CoreDNS, metrics-server, pause (build/kube-local-cluster; once, about 10 minutes cold)")
  steps+=("bash scripts/build-kube-control-plane.sh" "bash scripts/build-kube-local-cluster.sh")
fi

ticker=""
trap '[[ -z "$ticker" ]] || kill "$ticker" 2>/dev/null' EXIT

# One part: its line, a line a minute while it runs (the Go builds are silent for many minutes),
# and the time it took. The ticker's sleep holds no output open, so a caller reading setup's
# output through a pipe sees it end when setup does.
run_part() {
  local n=$1 title=$2 step=$3 start=$SECONDS status=0
  local label="[$n/${#parts[@]}]"
  echo "setup: $label $title"
  (
    while sleep 60 >/dev/null 2>&1; do
      echo "setup: $label still building: $(((SECONDS - start) / 60)) min so far"
    done
  ) &
  ticker=$!
  # In a subshell not tested by `||`, so that `set -e` still stops a step at its first failure.
  set +e
  # shellcheck disable=SC2086 # a step is a function name or a command with its arguments
  (
    set -e
    $step
  )
  status=$?
  set -e
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  ticker=""
  if ((status != 0)); then
    echo "setup: $label failed after $((SECONDS - start))s" >&2
    exit "$status"
  fi
  echo "setup: $label done in $((SECONDS - start))s"
}

for i in "${!parts[@]}"; do
  run_part "$((i + 1))" "${parts[$i]}" "${steps[$i]}"
done
if $tests; then
  echo "setup: done in ${SECONDS}s: ready for npm run bench and npm test"
else
  echo "setup: done in ${SECONDS}s: ready for npm run bench (bash scripts/setup.sh --tests also builds what npm test needs)"
fi
