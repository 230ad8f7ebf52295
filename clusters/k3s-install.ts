/**
 * Installs K3s on provisioned VMs over SSH: wait for cloud-init, write each node's config
 * file, run the pinned installer (server first, then the agents in parallel), and bring back
 * the server's kubeconfig with its real address.
 */
import { fileURLToPath } from 'node:url';
import { environmentError } from '../harness/errors.ts';
import { K3S_CONFIG_PATH, renderK3sConfig } from './k3s-config.ts';
import { rewriteKubeconfig } from './kubeconfig.ts';
import type { ClusterPlan, PlannedNode } from './plan.ts';
import { mustExec, shellQuote, type NodeShell } from './ssh.ts';

export const INSTALL_SCRIPT = fileURLToPath(new URL('./scripts/install-k3s.sh', import.meta.url));
const REMOTE_SCRIPT = '/tmp/fogbench-install-k3s.sh';

/** `cloud-init status --wait` exits 0 when done and 2 when done with recoverable errors. */
export async function waitForCloudInit(shell: NodeShell): Promise<void> {
  const r = await shell.exec('cloud-init status --wait >/dev/null 2>&1; echo $?');
  const code = Number(r.stdout.trim().split('\n').pop());
  if (code === 0 || code === 2) return;
  // Vagrant boxes may have no cloud-init at all: nothing to wait for.
  const present = await shell.exec('command -v cloud-init');
  if (present.code !== 0) return;
  throw environmentError(`cloud-init failed on ${shell.host} (status ${code}); see /var/log/cloud-init-output.log on that VM`);
}

export async function installNode(shell: NodeShell, node: PlannedNode, configYaml: string, k3sVersion: string): Promise<void> {
  await mustExec(shell, `sudo install -d -m 0755 /etc/rancher/k3s && sudo tee ${K3S_CONFIG_PATH} >/dev/null && sudo chmod 0600 ${K3S_CONFIG_PATH}`, 'writing the K3s config', { stdin: configYaml });
  await shell.putFile(INSTALL_SCRIPT, REMOTE_SCRIPT);
  await mustExec(shell, `sudo sh ${REMOTE_SCRIPT} ${node.role} ${shellQuote(k3sVersion)}`, `installing K3s ${k3sVersion} (${node.role})`);
}

export interface InstallInput {
  plan: ClusterPlan;
  addresses: ReadonlyMap<string, string>;
  shells: ReadonlyMap<string, NodeShell>;
  token: string;
  k3sVersion: string;
  progress: (message: string) => void;
}

/** Returns the kubeconfig for the host (server address rewritten, names set to the cluster's). */
export async function installK3s(input: InstallInput): Promise<string> {
  const { plan, addresses, shells, token, k3sVersion, progress } = input;
  const server = plan.nodes.find((n) => n.role === 'server');
  if (!server) throw new Error('a cluster plan always has a server');
  const serverIp = address(addresses, server.name);
  const shellOf = (name: string) => {
    const s = shells.get(name);
    if (!s) throw new Error(`no SSH connection to ${name}`);
    return s;
  };
  const configFor = (node: PlannedNode) => renderK3sConfig({ node, nodeIp: address(addresses, node.name), serverIp, token });

  progress('waiting for cloud-init on every node');
  await Promise.all(plan.nodes.map((n) => waitForCloudInit(shellOf(n.name))));
  progress(`installing K3s ${k3sVersion} on ${server.name}`);
  await installNode(shellOf(server.name), server, configFor(server), k3sVersion);
  const agents = plan.nodes.filter((n) => n.role === 'agent');
  progress(`installing K3s ${k3sVersion} on ${agents.length} agents`);
  await Promise.all(agents.map((n) => installNode(shellOf(n.name), n, configFor(n), k3sVersion)));
  const raw = await mustExec(shellOf(server.name), 'sudo cat /etc/rancher/k3s/k3s.yaml', 'reading the kubeconfig');
  return rewriteKubeconfig(raw, { serverIp, name: `fogbench-${plan.cluster}` });
}

function address(addresses: ReadonlyMap<string, string>, name: string): string {
  const ip = addresses.get(name);
  if (!ip) throw environmentError(`the provider gave no address for ${name}`);
  return ip;
}
