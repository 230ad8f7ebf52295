/**
 * `cluster render`: writes every file `cluster up` would put on the VMs and on this host, into
 * one folder, without creating anything, so they can be read and validated (`vagrant validate
 * --ignore-provider`, `cloud-init schema`, shellcheck) by users and by CI. The `host` provider
 * renders a lone K3s server on the machine itself, as the nightly job installs it.
 *
 * Layout of the folder:
 *   README.txt                      what each file is and which values are placeholders
 *   k3s-version                     the pinned K3s release
 *   scripts/install-k3s.sh          the installer wrapper `up` runs on each node
 *   nodes/<node>/<absolute path>    each node's files where K3s reads them
 *                                   (etc/rancher/k3s/config.yaml, etc/rancher/k3s/registries.yaml,
 *                                   on the server var/lib/rancher/k3s/server/manifests/fogbench-registry.yaml)
 *   multipass:  cloud-init/<node>.yaml   the user-data `multipass launch --cloud-init -` reads
 *   vagrant:    Vagrantfile, vagrant-bootstrap.sh
 */
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { usageError } from '../harness/errors.ts';
import { renderCloudInit } from './cloud-init.ts';
import type { ClusterConfig } from './config.ts';
import { renderK3sConfig } from './k3s-config.ts';
import { INSTALL_SCRIPT, nodeFiles } from './k3s-install.ts';
import { generateToken, planCluster, type ClusterPlan, type ProviderName } from './plan.ts';
import { clusterRegistryAddress } from './registry.ts';
import { BOOTSTRAP_SOURCE } from './vagrant.ts';
import { renderVagrantfile, VAGRANT_BOOTSTRAP_SCRIPT } from './vagrantfile.ts';

export type RenderProvider = ProviderName | 'host';
export const RENDER_PROVIDERS: readonly RenderProvider[] = ['multipass', 'vagrant', 'host'];

/** A public key of the right shape for files rendered before `up` has made the cluster's key. */
export const PLACEHOLDER_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl fogbench-render-placeholder';
/** multipass addresses come from DHCP at launch; rendered files use these in their place. */
export const MULTIPASS_PLACEHOLDER_SUBNET = '10.77.0';

export interface RenderOptions {
  provider: RenderProvider;
  cluster: string;
  agents: number;
  config: ClusterConfig;
  out: string;
  /** The server's address (host: required, the machine's private address; multipass: instead of the placeholder). */
  serverIp?: string;
  publicKey?: string;
}

export interface RenderResult {
  plan: ClusterPlan;
  /** Paths written, relative to `out`. */
  files: string[];
  /** Node name → address used in the files. */
  addresses: Map<string, string>;
  placeholders: string[];
}

export async function renderCluster(options: RenderOptions): Promise<RenderResult> {
  const { provider, config, out } = options;
  if (provider === 'host' && !options.serverIp) throw usageError('cluster render --provider host needs --server-ip: this machine\'s private address, where K3s and the registry listen');
  const agents = provider === 'host' ? 0 : options.agents;
  if (provider === 'host' && options.agents > 0) throw usageError('--provider host renders a lone server on this machine: use --agents 0');
  const plan = planCluster({ cluster: options.cluster, provider: provider === 'host' ? 'multipass' : provider, agents, config });
  const placeholders: string[] = [];
  const addresses = new Map<string, string>();
  plan.nodes.forEach((node, i) => {
    const ip = node.role === 'server' && options.serverIp ? options.serverIp : (node.ip ?? `${MULTIPASS_PLACEHOLDER_SUBNET}.${10 + i}`);
    addresses.set(node.name, ip);
    if (!node.ip && !(node.role === 'server' && options.serverIp)) placeholders.push(`${node.name} address ${ip} (multipass assigns the real one at launch)`);
  });
  const serverIp = addresses.get(plan.nodes[0]!.name)!;
  const registry = clusterRegistryAddress(serverIp);
  const publicKey = options.publicKey ?? PLACEHOLDER_PUBLIC_KEY;
  if (!options.publicKey && provider !== 'host') placeholders.push('the SSH public key (`up` makes one per cluster)');
  // A lone server needs no join token; a cluster gets a fresh one, as `up` makes.
  const token = plan.nodes.length > 1 ? generateToken() : undefined;
  const dedicatedServer = plan.nodes.some((n) => n.role === 'agent');

  const files: string[] = [];
  const write = async (relative: string, content: string, mode = 0o644) => {
    const path = join(out, relative);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, { mode });
    await chmod(path, mode);
    files.push(relative);
  };

  await write('k3s-version', `${config.k3s.version}\n`);
  await mkdir(join(out, 'scripts'), { recursive: true });
  await copyFile(INSTALL_SCRIPT, join(out, 'scripts', 'install-k3s.sh'));
  await chmod(join(out, 'scripts', 'install-k3s.sh'), 0o755);
  files.push('scripts/install-k3s.sh');

  for (const node of plan.nodes) {
    const configYaml = renderK3sConfig({ node, nodeIp: addresses.get(node.name)!, serverIp, ...(token ? { token } : {}), dedicatedServer });
    for (const file of nodeFiles(node, { configYaml, registry })) {
      await write(join('nodes', node.name, file.path.replace(/^\/+/, '')), file.content, Number.parseInt(file.mode, 8));
    }
    if (provider === 'multipass') await write(join('cloud-init', `${node.name}.yaml`), renderCloudInit(node, publicKey), 0o600);
  }
  if (provider === 'vagrant') {
    await write('Vagrantfile', renderVagrantfile(plan, config, publicKey));
    await copyFile(BOOTSTRAP_SOURCE, join(out, VAGRANT_BOOTSTRAP_SCRIPT));
    await chmod(join(out, VAGRANT_BOOTSTRAP_SCRIPT), 0o755);
    files.push(VAGRANT_BOOTSTRAP_SCRIPT);
  }
  await write('README.txt', readme(options, plan, registry, placeholders, Boolean(token)));
  return { plan, files: files.sort(), addresses, placeholders };
}

function readme(options: RenderOptions, plan: ClusterPlan, registry: string, placeholders: string[], hasToken: boolean): string {
  const lines = [
    `Files \`npm run cluster -- up --provider ${options.provider}\` would use for cluster "${plan.cluster}"` +
      (options.provider === 'host' ? ' (host: a lone K3s server on this machine, as the nightly job installs it).' : '.'),
    'Rendered by `npm run cluster -- render`; nothing was created.',
    '',
    `K3s ${options.config.k3s.version}; the cluster's image registry: ${registry} (plain HTTP, private address, on the server).`,
    '',
    'nodes/<node>/etc/rancher/k3s/config.yaml       K3s settings of that node (install-k3s.sh adds flannel-iface on the node)',
    'nodes/<node>/etc/rancher/k3s/registries.yaml   containerd pulls from the cluster registry over HTTP',
    'nodes/<server>/var/lib/rancher/k3s/server/manifests/fogbench-registry.yaml',
    '                                               the registry Deployment and its address ConfigMap; K3s applies it at start',
    'scripts/install-k3s.sh                         run as root on each node: install-k3s.sh server|agent "$(cat k3s-version)"',
  ];
  if (options.provider === 'multipass') lines.push('cloud-init/<node>.yaml                          user-data, given to `multipass launch --cloud-init -` on stdin');
  if (options.provider === 'vagrant') {
    lines.push('Vagrantfile, vagrant-bootstrap.sh              `vagrant validate --ignore-provider` checks them; VMs keep the box\'s 128 GiB thin disk');
  }
  if (hasToken) lines.push('', 'config.yaml files hold a freshly generated join token (mode 0600); `up` generates another.');
  if (placeholders.length) lines.push('', 'Placeholders (`up` fills in the real values):', ...placeholders.map((p) => `  - ${p}`));
  return `${lines.join('\n')}\n`;
}
