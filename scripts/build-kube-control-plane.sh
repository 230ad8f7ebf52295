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
# shellcheck disable=SC2034 # read by build-once.sh, the prefix of what it prints
BUILD_SCRIPT=build-kube-control-plane
# shellcheck source=/dev/null
source scripts/build-once.sh
if [[ "${1:-}" == "--check" ]]; then
  check_built "$kube_dir" "$kwok_dir" "$registry_dir"
fi

# go-env.sh is shellchecked on its own; not following it keeps this clean without -x.
# shellcheck source=/dev/null
source scripts/go-env.sh
# shellcheck source=/dev/null
source scripts/kube-wrapper-module.sh
if ! command -v go >/dev/null 2>&1; then
  echo "build-kube-control-plane: Go is not installed (Go >= 1.26 is needed; https://go.dev/dl/)" >&2
  exit 3
fi

take_build_lock "$root"

build_kubernetes() {
  build_kubernetes_commands "$KUBERNETES_VERSION" "$kube_dir/src" "$kube_dir" "${KUBE_COMMANDS[@]}"
}

build_kwok() {
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
}

build_registry_tools() {
  GOBIN="$registry_dir" go install -trimpath -ldflags "-s -w" "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION"
  GOBIN="$registry_dir" go install -trimpath -ldflags "-s -w" "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION"
}

total=$SECONDS
build_once "${KUBE_COMMANDS[*]} $KUBERNETES_VERSION" "$kube_dir" "$KUBERNETES_VERSION" build_kubernetes
build_once "kwok $KWOK_VERSION" "$kwok_dir" "$KWOK_VERSION" build_kwok
build_once "registry $REGISTRY_VERSION and crane $CRANE_VERSION" "$registry_dir" "$REGISTRY_VERSION $CRANE_VERSION" build_registry_tools
if ! command -v etcd >/dev/null 2>&1; then
  echo "build-kube-control-plane: note: etcd is not installed (apt-get install -y etcd-server); the control-plane tests will skip" >&2
fi
echo "build-kube-control-plane: done in $(elapsed "$total"): $kube_dir, $kwok_dir, $registry_dir"
