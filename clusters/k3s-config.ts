/**
 * /etc/rancher/k3s/config.yaml for each node. K3s reads this file at start, so every setting
 * lives in one reviewable file instead of installer flags (`INSTALL_K3S_EXEC`), and re-running
 * the installer never silently drops one.
 */
import { stringify } from 'yaml';
import type { PlannedNode } from './plan.ts';

export const K3S_CONFIG_PATH = '/etc/rancher/k3s/config.yaml';

export interface K3sConfigInput {
  node: PlannedNode;
  /** Address other nodes and the host use for this node. */
  nodeIp: string;
  /** Address of the server (agents join it on :6443). */
  serverIp: string;
  token: string;
}

export function renderK3sConfig({ node, nodeIp, serverIp, token }: K3sConfigInput): string {
  const common = {
    token,
    'node-name': node.name,
    // Vagrant VMs have a NAT interface first; pinning the node IP keeps flannel on the private network.
    'node-ip': nodeIp,
    'node-label': [`fogbench.io/role=${node.label}`],
  };
  const config =
    node.role === 'server'
      ? {
          ...common,
          // The benchmark never uses ingress; traefik would only take memory from a 2 GiB node.
          disable: ['traefik'],
          'tls-san': [serverIp],
          'write-kubeconfig-mode': '0600',
        }
      : { ...common, server: `https://${serverIp}:6443` };
  return `# Written by fogbench cluster up; K3s reads it at every start.\n${stringify(config)}`;
}
