/**
 * /etc/rancher/k3s/config.yaml for each node. K3s reads this file at start, so every setting
 * lives in one reviewable file instead of installer flags (`INSTALL_K3S_EXEC`), and re-running
 * the installer never silently drops one. The interface flannel uses is added on the node by
 * scripts/install-k3s.sh (the one holding node-ip), since only the node knows its names.
 */
import { stringify } from 'yaml';
import type { PlannedNode } from './plan.ts';
import { CORE_TAINT } from './registry.ts';

export const K3S_CONFIG_PATH = '/etc/rancher/k3s/config.yaml';

export interface K3sConfigInput {
  node: PlannedNode;
  /** Address other nodes and the host use for this node. */
  nodeIp: string;
  /** Address of the server (agents join it on :6443). */
  serverIp: string;
  /** Join token; omitted for a lone server (K3s then makes its own). */
  token?: string;
  /**
   * The cluster has agents: the server is tainted so that only critical add-ons and the
   * pods that tolerate it (OpenFaaS core, registry) run there, never a function.
   */
  dedicatedServer: boolean;
}

export function renderK3sConfig({ node, nodeIp, serverIp, token, dedicatedServer }: K3sConfigInput): string {
  const common = {
    ...(token ? { token } : {}),
    'node-name': node.name,
    // Vagrant VMs have a NAT interface first; pinning the node IP keeps the API and kubelet on the private network.
    'node-ip': nodeIp,
    'node-label': [`fogbench.io/role=${node.label}`],
  };
  const config =
    node.role === 'server'
      ? {
          ...common,
          ...(dedicatedServer ? { 'node-taint': [`${CORE_TAINT.key}=${CORE_TAINT.value}:${CORE_TAINT.effect}`] } : {}),
          // The benchmark never uses ingress; traefik would only take memory from a 2 GiB node.
          disable: ['traefik'],
          'tls-san': [serverIp],
          'write-kubeconfig-mode': '0600',
        }
      : { ...common, server: `https://${serverIp}:6443` };
  return `# Written by fogbench cluster up; K3s reads it at every start.\n${stringify(config)}`;
}
