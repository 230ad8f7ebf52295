/**
 * The cloud-init user-data each multipass VM boots with: a `fogbench` user holding the
 * cluster's public key, clock sync (spans from different nodes are compared) and the tools
 * the later steps run over SSH. K3s itself is installed afterwards over SSH, once the host
 * knows the server's address.
 */
import { stringify } from 'yaml';
import type { PlannedNode } from './plan.ts';

export const SSH_USER = 'fogbench';

/** Packages every node needs; the server also builds images when the host has no Docker. */
export function nodePackages(node: PlannedNode): string[] {
  const base = ['curl', 'ca-certificates', 'chrony'];
  return node.role === 'server' ? [...base, 'buildah'] : base;
}

export function renderCloudInit(node: PlannedNode, publicKey: string): string {
  const userData = {
    hostname: node.name,
    manage_etc_hosts: true,
    users: [
      'default',
      {
        name: SSH_USER,
        gecos: 'fogbench harness',
        groups: ['sudo'],
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        shell: '/bin/bash',
        lock_passwd: true,
        ssh_authorized_keys: [publicKey.trim()],
      },
    ],
    package_update: true,
    packages: nodePackages(node),
    write_files: [
      {
        path: '/etc/fogbench/node.json',
        permissions: '0644',
        content: `${JSON.stringify({ name: node.name, role: node.role, label: node.label })}\n`,
      },
    ],
    // chrony steps the clock at boot so the skew the harness later measures starts small.
    runcmd: [['systemctl', 'enable', '--now', 'chrony'], ['chronyc', 'makestep']],
  };
  return `#cloud-config\n${stringify(userData)}`;
}
