#!/usr/bin/env bash
# Builds the Kubernetes control plane the kube target's tests run against, once per version,
# into build/: kube-apiserver, kube-scheduler and kube-controller-manager from
# k8s.io/kubernetes, kwok (fake nodes, pods that become Ready without containers) with its
# "fast" stage files, and for the image tests a registry (Docker's distribution) and crane.
# etcd comes from Debian (`apt-get install etcd-server`).
#
# k8s.io/kubernetes cannot be `go install`ed: the commands are built through a small wrapper
# module (scripts/kube-wrapper-module.sh), all three by ONE `go build`.
#
# Idempotent: a version already built (its stamp file present) is not rebuilt. Prints where
# the binaries are and how long each step took.
# Usage: scripts/build-kube-control-plane.sh [--print-dir | --check]
#   --check: exit 0 when everything is built, else 1 naming what is not (builds nothing)
set -euo pipefail
cd "$(dirname "$0")/.."

KUBERNETES_VERSION="v1.37.2"
KWOK_VERSION="v0.8.0"
# The registry the cluster serves itself runs the `registry` image (Docker's distribution);
# tests push to a real one built from source. crane is go-containerregistry's CLI at the
# version faas-netes 0.18.16 vendors: its anonymous HEAD is OpenFaaS CE's image check.
REGISTRY_VERSION="v3.0.0"
CRANE_VERSION="v0.20.6"
KUBE_COMMANDS=(kube-apiserver kube-scheduler kube-controller-manager)

root="$(pwd)/build/kube-control-plane"
kube_dir="$root/kubernetes-$KUBERNETES_VERSION"
kwok_dir="$root/kwok-$KWOK_VERSION"
registry_dir="$root/registry-$REGISTRY_VERSION-crane-$CRANE_VERSION"

if [[ "${1:-}" == "--print-dir" ]]; then
  printf '%s\n' "$root"
  exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  missing=()
  for dir in "$kube_dir" "$kwok_dir" "$registry_dir"; do
    [[ -f "$dir/.built" ]] || missing+=("${dir#"$(pwd)/"}")
  done
  ((${#missing[@]} == 0)) && exit 0
  echo "build-kube-control-plane: not built yet: ${missing[*]}"
  exit 1
fi

# go-env.sh is shellchecked on its own; not following it keeps this clean without -x.
# shellcheck source=/dev/null
source scripts/go-env.sh
# shellcheck source=/dev/null
source scripts/kube-wrapper-module.sh
if ! command -v go >/dev/null 2>&1; then
  echo "build-kube-control-plane: Go is not installed (Go >= 1.25 is needed; https://go.dev/dl/)" >&2
  exit 3
fi

elapsed() { echo "$((SECONDS - $1))s"; }

# One build at a time: tests may start this script while CI (or another test file) runs it.
mkdir -p "$root"
exec 9>"$root/.lock"
if ! flock -n 9; then
  echo "build-kube-control-plane: another build of the control plane is running; waiting for it to finish"
  flock 9
fi

build_kubernetes() {
  local stamp="$kube_dir/.built"
  if [[ -f "$stamp" ]]; then
    echo "build-kube-control-plane: kubernetes $KUBERNETES_VERSION already built in $kube_dir"
    return
  fi
  local start=$SECONDS
  rm -rf "$kube_dir"
  build_kubernetes_commands "$KUBERNETES_VERSION" "$kube_dir/src" "$kube_dir" "${KUBE_COMMANDS[@]}"
  echo "build-kube-control-plane: built ${KUBE_COMMANDS[*]} in $(elapsed "$start")"
  printf '%s\n' "$KUBERNETES_VERSION" >"$stamp"
}

build_kwok() {
  local stamp="$kwok_dir/.built"
  if [[ -f "$stamp" ]]; then
    echo "build-kube-control-plane: kwok $KWOK_VERSION already built in $kwok_dir"
    return
  fi
  local start=$SECONDS
  rm -rf "$kwok_dir"
  mkdir -p "$kwok_dir"
  GOBIN="$kwok_dir" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  # The stage files (how fake pods and nodes move through their lifecycle) ship in the module.
  local module
  module="$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  mkdir -p "$kwok_dir/stages"
  for kind in node pod; do
    for stage in "$module"/kustomize/stage/"$kind"/fast/*.yaml; do
      # kustomization.yaml lists the stages for kustomize; it is not a stage itself.
      [[ "$(basename "$stage")" == kustomization.yaml ]] || cp "$stage" "$kwok_dir/stages/"
    done
  done
  chmod -R u+w "$kwok_dir/stages"
  echo "build-kube-control-plane: built kwok $KWOK_VERSION in $(elapsed "$start")"
  printf '%s\n' "$KWOK_VERSION" >"$stamp"
}

build_registry_tools() {
  local stamp="$registry_dir/.built"
  if [[ -f "$stamp" ]]; then
    echo "build-kube-control-plane: registry $REGISTRY_VERSION and crane $CRANE_VERSION already built in $registry_dir"
    return
  fi
  local start=$SECONDS
  rm -rf "$registry_dir"
  mkdir -p "$registry_dir"
  GOBIN="$registry_dir" go install -trimpath -ldflags "-s -w" "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION"
  GOBIN="$registry_dir" go install -trimpath -ldflags "-s -w" "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION"
  echo "build-kube-control-plane: built registry and crane in $(elapsed "$start")"
  printf '%s %s\n' "$REGISTRY_VERSION" "$CRANE_VERSION" >"$stamp"
}

total=$SECONDS
build_kubernetes
build_kwok
build_registry_tools
if ! command -v etcd >/dev/null 2>&1; then
  echo "build-kube-control-plane: note: etcd is not installed (apt-get install -y etcd-server); the control-plane tests will skip" >&2
fi
echo "build-kube-control-plane: done in $(elapsed "$total"): $kube_dir, $kwok_dir, $registry_dir"
