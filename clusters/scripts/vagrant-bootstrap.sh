#!/bin/sh
# First-boot setup of a Vagrant node, the counterpart of the cloud-init user-data multipass
# VMs get: authorise the cluster's key for the vagrant user, sync the clock, install the tools
# the later steps use. Run as root by Vagrant's shell provisioner.
# Usage: vagrant-bootstrap.sh ROLE PUBLIC_KEY
set -eu

role="${1:?usage: vagrant-bootstrap.sh server|agent PUBLIC_KEY}"
public_key="${2:?usage: vagrant-bootstrap.sh server|agent PUBLIC_KEY}"

install -d -m 0700 -o vagrant -g vagrant /home/vagrant/.ssh
keys=/home/vagrant/.ssh/authorized_keys
touch "$keys"
if ! grep -qxF "$public_key" "$keys"; then
  printf '%s\n' "$public_key" >>"$keys"
fi
chown vagrant:vagrant "$keys"
chmod 0600 "$keys"

export DEBIAN_FRONTEND=noninteractive
packages="curl ca-certificates chrony"
if [ "$role" = server ]; then packages="$packages buildah"; fi
apt-get update -q
# shellcheck disable=SC2086 # the package list is meant to split into words
apt-get install -y -q $packages
systemctl enable --now chrony
chronyc makestep || true
