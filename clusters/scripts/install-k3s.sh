#!/bin/sh
# Installs K3s on one node, run over SSH by `fogbench cluster up` after it has written
# /etc/rancher/k3s/config.yaml (and registries.yaml, and on the server the registry manifest).
# Every setting (token, labels, taint, server address, disabled components) lives in those
# files; the installer only gets the pinned version and the role. One setting is found here,
# on the node: the interface flannel must use, the one holding node-ip. Without it flannel
# takes the default-route interface, which on VirtualBox is the NAT one (10.0.2.15 on every
# VM), and pods on different nodes cannot reach each other.
# Usage: install-k3s.sh server|agent VERSION
#        install-k3s.sh flannel-iface NODE_IP     (prints the interface holding NODE_IP)
set -eu

config=/etc/rancher/k3s/config.yaml

# Name of the interface that has IPv4 address $1 (from `ip -o -4 addr show`).
iface_of() {
  ip -o -4 addr show | awk -v ip="$1" '{ split($4, a, "/"); if (a[1] == ip) { sub(/@.*/, "", $2); print $2; exit } }'
}

role="${1:?usage: install-k3s.sh server|agent VERSION}"
if [ "$role" = flannel-iface ]; then
  iface_of "${2:?usage: install-k3s.sh flannel-iface NODE_IP}"
  exit 0
fi
version="${2:?usage: install-k3s.sh server|agent VERSION}"

case "$role" in
  server | agent) ;;
  *)
    echo "install-k3s.sh: role must be server or agent, not '$role'" >&2
    exit 2
    ;;
esac

if [ ! -s "$config" ]; then
  echo "install-k3s.sh: $config is missing; fogbench writes it before running this" >&2
  exit 2
fi

if ! grep -q '^flannel-iface:' "$config"; then
  node_ip="$(sed -n 's/^node-ip: *//p' "$config" | tr -d "\"'")"
  iface="$(iface_of "$node_ip")"
  if [ -z "$iface" ]; then
    echo "install-k3s.sh: no interface of this node has node-ip $node_ip" >&2
    exit 2
  fi
  printf '# Added by install-k3s.sh: the interface holding node-ip.\nflannel-iface: %s\n' "$iface" >>"$config"
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
