#!/bin/sh
# The mount namespace of one local-cluster node, run by the cluster daemon as
#   nsenter --net=NODE_NETNS unshare --mount --propagation private -- sh node-namespace.sh NODE_DIR
# It gives the node's daemons (containerd, the kubelet, kube-proxy) folders of their own at the
# paths they cannot be told to move, then holds the namespace open: they join it with nsenter.
# Everything it mounts lives in this namespace only (propagation private), so the host's
# /var/lib, /var/log, /run and /tmp and its kernel settings are never touched, and the mounts
# go away with the namespace's last process.
#
# NODE_DIR holds var-lib, var-log, run and tmp (bound over /var/lib, /var/log, /run, /tmp) and
# sysctl/, one file per kernel setting the kubelet checks (vm/overcommit_memory, ...), bound
# over the /proc/sys file of the same name: with protectKernelDefaults the kubelet only reads
# them, and never writes the host's real, global ones.
set -eu
node_dir=$1

# -n: mount writes no record of its own (libmount's /run/mount/utab), which would land on the
# host's /run before the node's own is bound there. NODE_DIR is never under these four
# (cluster up refuses such a state folder): it stays visible.
for pair in run:/run var-lib:/var/lib var-log:/var/log tmp:/tmp; do
  mount -n --bind "$node_dir/${pair%%:*}" "${pair#*:}"
done
# The paths the kubelet, containerd and the CNI plugins expect to exist.
mkdir -p /var/lib/kubelet /var/lib/containerd /var/lib/cni /var/log/pods /var/log/containers /run/containerd /run/netns
chmod 1777 /tmp

cd "$node_dir/sysctl"
find . -type f | while read -r setting; do
  setting=${setting#./}
  mount -n --bind "$node_dir/sysctl/$setting" "/proc/sys/$setting"
done
cd /

echo ready
# Hold the namespace: the node's daemons enter it by this process's pid.
exec sleep infinity
