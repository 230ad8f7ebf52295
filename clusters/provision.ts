/**
 * `cluster up | down | status`: provision VMs with a provider, install K3s over SSH, fetch the
 * kubeconfig, wait for every node to be Ready, and record it all in the state file. Takes its
 * tools as parameters; the CLI wires the real ones.
 */
import { environmentError, usageError } from '../harness/errors.ts';
import { loadKubeconfig } from '../harness/targets/kube/connection.ts';
import { listClusterNodes, waitNodesReady, type ClusterNode } from '../harness/targets/kube/nodes.ts';
import type { ClusterConfig } from './config.ts';
import { installK3s } from './k3s-install.ts';
import { ensureClusterKey } from './keys.ts';
import { generateToken, planCluster, type ProviderName } from './plan.ts';
import type { VmProvider, VmStatus } from './provider.ts';
import type { CommandRunner } from './run-command.ts';
import { connectNode, type NodeShell } from './ssh.ts';
import { clusterDir, makeClusterDir, readState, readStateIfAny, removeClusterDir, stateFiles, writeSecret, writeState, type ClusterState } from './state.ts';

export interface ClusterTools {
  run: CommandRunner;
  provider: (name: ProviderName) => VmProvider;
  progress: (message: string) => void;
}

export interface UpOptions {
  cluster: string;
  provider: ProviderName;
  agents: number;
  stateRoot: string;
  config: ClusterConfig;
  readyTimeoutMs: number;
}

export async function clusterUp(options: UpOptions, tools: ClusterTools): Promise<ClusterState> {
  const plan = planCluster({ cluster: options.cluster, provider: options.provider, agents: options.agents, config: options.config });
  const provider = tools.provider(options.provider);
  const version = await provider.checkInstalled();
  tools.progress(`${provider.name} ${version}`);
  const dir = clusterDir(options.stateRoot, options.cluster);
  const files = stateFiles(dir);
  const existing = await readStateIfAny(dir);
  if (existing && existing.phase === 'ready') {
    throw usageError(`cluster ${options.cluster} already exists (${files.state}); run \`npm run cluster -- down --name ${options.cluster}\` first`);
  }
  await makeClusterDir(dir);
  const publicKey = await ensureClusterKey(files.privateKey, files.publicKey, `fogbench-${options.cluster}`, tools.run);
  const token = generateToken();
  await writeSecret(files.token, `${token}\n`);

  const state: ClusterState = {
    stateVersion: 1,
    cluster: options.cluster,
    provider: options.provider,
    phase: 'creating',
    createdAt: new Date().toISOString(),
    k3sVersion: options.config.k3s.version,
    sshUser: provider.sshUser,
    nodes: plan.nodes.map((n) => ({ name: n.name, role: n.role, label: n.label, ip: n.ip ?? null, cpus: n.size.cpus, memoryMiB: n.size.memoryMiB })),
    providerData: {},
  };
  // Written before the first VM starts so that `cluster down` can clean up a failed `up`.
  await writeState(dir, { ...state, providerData: provider.stateData() });
  const shells: NodeShell[] = [];
  try {
    const addresses = await provider.create(plan, { dir, publicKey, config: options.config, progress: tools.progress });
    state.nodes = state.nodes.map((n) => ({ ...n, ip: addresses.get(n.name) ?? n.ip }));
    state.providerData = provider.stateData();
    await writeState(dir, state);

    const shellMap = new Map<string, NodeShell>();
    for (const node of state.nodes) {
      const shell = await connectNode({ host: node.ip as string, username: provider.sshUser, privateKeyPath: files.privateKey }, { timeoutMs: 300_000 });
      shells.push(shell);
      shellMap.set(node.name, shell);
    }
    const kubeconfig = await installK3s({ plan, addresses, shells: shellMap, token, k3sVersion: options.config.k3s.version, progress: tools.progress });
    await writeSecret(files.kubeconfig, kubeconfig);
    tools.progress(`waiting for ${plan.nodes.length} nodes to be Ready`);
    await waitNodesReady(loadKubeconfig({ kubeconfig: files.kubeconfig }), plan.nodes.length, options.readyTimeoutMs);
    state.phase = 'ready';
    await writeState(dir, state);
    return state;
  } catch (error) {
    state.phase = 'failed';
    state.providerData = provider.stateData();
    await writeState(dir, state);
    throw error;
  } finally {
    for (const s of shells) s.dispose();
  }
}

/** `forget` drops the state without touching VMs: for a provider that can no longer run (uninstalled, broken). */
export async function clusterDown(options: { cluster: string; stateRoot: string; forget?: boolean }, tools: ClusterTools): Promise<ClusterState> {
  const dir = clusterDir(options.stateRoot, options.cluster);
  const state = await readState(dir);
  if (options.forget) {
    await removeClusterDir(dir, state.cluster);
    return state;
  }
  if (state.provider === 'local') throw new Error('a local cluster is taken down by clusters/local-cluster/local-down.ts');
  const provider = tools.provider(state.provider);
  await provider.checkInstalled();
  tools.progress(`destroying ${state.nodes.length} ${state.provider} VMs of ${state.cluster}`);
  await provider.destroy(state);
  await removeClusterDir(dir, state.cluster);
  return state;
}

export interface ClusterStatus {
  state: ClusterState;
  kubeconfig: string;
  vms: VmStatus[];
  /** null when the API server could not be asked (VMs stopped, cluster half-made). */
  nodes: ClusterNode[] | null;
  apiError: string | null;
}

export async function clusterStatus(options: { cluster: string; stateRoot: string }, tools: ClusterTools): Promise<ClusterStatus> {
  const dir = clusterDir(options.stateRoot, options.cluster);
  const state = await readState(dir);
  if (state.provider === 'local') throw new Error('a local cluster is shown by clusters/local-cluster/local-status.ts');
  const provider = tools.provider(state.provider);
  await provider.checkInstalled();
  const vms = await provider.status(state);
  const kubeconfig = stateFiles(dir).kubeconfig;
  let nodes: ClusterNode[] | null = null;
  let apiError: string | null = null;
  if (state.phase === 'ready') {
    try {
      nodes = await listClusterNodes(loadKubeconfig({ kubeconfig }));
    } catch (error) {
      apiError = error instanceof Error ? error.message.split('\n')[0] ?? 'unknown' : String(error);
    }
  } else {
    apiError = `cluster is ${state.phase}; K3s may not be running`;
  }
  return { state, kubeconfig, vms, nodes, apiError };
}

/** For the kube target: SSH access to every node of a cluster fogbench made. */
export async function connectClusterNodes(dir: string, timeoutMs = 30_000): Promise<{ state: ClusterState; shells: Map<string, NodeShell> }> {
  const state = await readState(dir);
  const files = stateFiles(dir);
  const shells = new Map<string, NodeShell>();
  try {
    for (const node of state.nodes) {
      if (!node.ip) throw environmentError(`node ${node.name} has no address in ${files.state}`);
      shells.set(node.name, await connectNode({ host: node.ip, username: state.sshUser, privateKeyPath: files.privateKey }, { timeoutMs }));
    }
  } catch (error) {
    for (const s of shells.values()) s.dispose();
    throw error;
  }
  return { state, shells };
}
