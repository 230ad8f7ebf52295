/**
 * Installs K3s on provisioned VMs over SSH: wait for cloud-init, write each node's files (K3s
 * config, registries.yaml, and on the server the manifest of the cluster's own registry), run
 * the pinned installer (server first, then the agents in parallel), and bring back the
 * server's kubeconfig with its real address.
 */
import { fileURLToPath } from 'node:url';
import { environmentError } from '../harness/errors.ts';
import { K3S_CONFIG_PATH, renderK3sConfig } from './k3s-config.ts';
import { rewriteKubeconfig } from './kubeconfig.ts';
import type { ClusterPlan, PlannedNode } from './plan.ts';
import { clusterRegistryAddress, K3S_REGISTRIES_PATH, REGISTRY_MANIFEST_PATH, renderRegistriesYaml, renderRegistryManifest } from './registry.ts';
import { mustExec, shellQuote, type NodeShell } from './ssh.ts';

export const INSTALL_SCRIPT = fileURLToPath(new URL('./scripts/install-k3s.sh', import.meta.url));

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

/** The files K3s reads at start on one node: path → content (and mode). */
export interface NodeFile {
  path: string;
  content: string;
  mode: string;
}

/** Everything `up` writes onto a node before K3s starts; `cluster render` writes the same. */
export function nodeFiles(node: PlannedNode, input: { configYaml: string; registry: string }): NodeFile[] {
  const files: NodeFile[] = [
    { path: K3S_CONFIG_PATH, content: input.configYaml, mode: '0600' },
    { path: K3S_REGISTRIES_PATH, content: renderRegistriesYaml(input.registry), mode: '0644' },
  ];
  if (node.role === 'server') files.push({ path: REGISTRY_MANIFEST_PATH, content: renderRegistryManifest(input.registry), mode: '0644' });
  return files;
}

export async function installNode(shell: NodeShell, node: PlannedNode, files: readonly NodeFile[], k3sVersion: string): Promise<void> {
  for (const file of files) await mustExec(shell, writeRootFileCommand(file.path, file.mode), `writing ${file.path}`, { stdin: file.content });
  // A private folder made here by mktemp -d: the script is run as root, so it must not sit at a
  // fixed /tmp path that anyone on the VM could have planted or could swap.
  const scratch = (await mustExec(shell, 'mktemp -d /tmp/fogbench.XXXXXXXXXX', 'making a scratch folder')).trim();
  if (!/^\/tmp\/fogbench\.[A-Za-z0-9]+$/.test(scratch)) throw environmentError(`mktemp on ${shell.host} answered "${scratch}", not a scratch folder`);
  const script = `${scratch}/install-k3s.sh`;
  try {
    await shell.putFile(INSTALL_SCRIPT, script);
    await mustExec(shell, `sudo sh ${shellQuote(script)} ${node.role} ${shellQuote(k3sVersion)}`, `installing K3s ${k3sVersion} (${node.role})`);
  } finally {
    await shell.exec(`rm -rf ${shellQuote(scratch)}`).catch(() => undefined);
  }
}

/**
 * Writes stdin to `path` as root with `mode` from the start: into a file mktemp creates (0600)
 * beside it, then chmod and an atomic rename. `tee` then `chmod` left a secret (the K3s token in
 * config.yaml) world-readable between the two.
 */
export function writeRootFileCommand(path: string, mode: string): string {
  if (!/^0[0-7]{3}$/.test(mode)) throw new Error(`not a file mode: ${mode}`);
  const dir = path.slice(0, path.lastIndexOf('/'));
  const script = 'tmp=$(mktemp "$1/.fogbench.XXXXXXXX") && cat > "$tmp" && chmod "$2" "$tmp" && mv -f "$tmp" "$3" || { rm -f "$tmp"; exit 1; }';
  return `sudo install -d -m 0755 ${shellQuote(dir)} && sudo sh -c ${shellQuote(script)} sh ${shellQuote(dir)} ${mode} ${shellQuote(path)}`;
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
  const registry = clusterRegistryAddress(serverIp);
  const dedicatedServer = plan.nodes.some((n) => n.role === 'agent');
  const filesFor = (node: PlannedNode) =>
    nodeFiles(node, { configYaml: renderK3sConfig({ node, nodeIp: address(addresses, node.name), serverIp, token, dedicatedServer }), registry });

  progress('waiting for cloud-init on every node');
  await Promise.all(plan.nodes.map((n) => waitForCloudInit(shellOf(n.name))));
  progress(`installing K3s ${k3sVersion} on ${server.name}`);
  await installNode(shellOf(server.name), server, filesFor(server), k3sVersion);
  const agents = plan.nodes.filter((n) => n.role === 'agent');
  progress(`installing K3s ${k3sVersion} on ${agents.length} agents`);
  await Promise.all(agents.map((n) => installNode(shellOf(n.name), n, filesFor(n), k3sVersion)));
  const raw = await mustExec(shellOf(server.name), 'sudo cat /etc/rancher/k3s/k3s.yaml', 'reading the kubeconfig');
  return rewriteKubeconfig(raw, { serverIp, name: `fogbench-${plan.cluster}` });
}

function address(addresses: ReadonlyMap<string, string>, name: string): string {
  const ip = addresses.get(name);
  if (!ip) throw environmentError(`the provider gave no address for ${name}`);
  return ip;
}
