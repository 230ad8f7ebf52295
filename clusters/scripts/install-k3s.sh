#!/bin/sh
# Installs K3s on one node, run over SSH by `fogbench cluster up` after it has written
# /etc/rancher/k3s/config.yaml. Every setting (token, labels, server address, disabled
# components) lives in that file; the installer only gets the pinned version and the role.
# Usage: install-k3s.sh server|agent VERSION
set -eu

role="${1:?usage: install-k3s.sh server|agent VERSION}"
version="${2:?usage: install-k3s.sh server|agent VERSION}"

case "$role" in
  server | agent) ;;
  *)
    echo "install-k3s.sh: role must be server or agent, not '$role'" >&2
    exit 2
    ;;
esac

if [ ! -s /etc/rancher/k3s/config.yaml ]; then
  echo "install-k3s.sh: /etc/rancher/k3s/config.yaml is missing; fogbench writes it before running this" >&2
  exit 2
fi

if command -v k3s >/dev/null 2>&1 && k3s --version | grep -q -- "$version"; then
  echo "K3s $version already installed; restarting to pick up the config"
  if [ "$role" = server ]; then systemctl restart k3s; else systemctl restart k3s-agent; fi
  exit 0
fi

installer="$(mktemp)"
trap 'rm -f "$installer"' EXIT
curl -sfL --retry 5 --retry-delay 3 -o "$installer" https://get.k3s.io
INSTALL_K3S_VERSION="$version" sh "$installer" "$role"
