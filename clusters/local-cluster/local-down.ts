/**
 * `cluster down` and `cluster status` of a local cluster. Down asks the daemon to stop (it
 * removes every process, namespace, mount, cgroup and interface it made), then removes what
 * the owner record of a dead daemon still lists (one killed with SIGKILL), then the state
 * folder: nothing of the cluster is left on the host.
 */
import { cleanupLeftovers, describeCleaned } from '../../harness/targets/local/cleanup.ts';
import { loadKubeconfig } from '../../harness/targets/kube/connection.ts';
import { listClusterNodes, type ClusterNode } from '../../harness/targets/kube/nodes.ts';
import { clusterDir, readState, removeClusterDir, stateFiles, type ClusterState } from '../state.ts';
import type { DaemonStatus } from './daemon.ts';
import { daemonAlive, readDaemonStatus, stopDaemon } from './daemon-control.ts';
import { clusterLayout } from './layout.ts';

export async function localClusterDown(state: ClusterState, stateRoot: string, progress: (message: string) => void): Promise<void> {
  const dir = clusterDir(stateRoot, state.cluster);
  const layout = clusterLayout(dir);
  const stopped = await stopDaemon(layout, { onLine: progress });
  if (stopped === 'killed') progress('the cluster daemon did not stop within 2 minutes and was killed');
  const report = await cleanupLeftovers(state.local?.ownerDir ? { ownerDir: state.local.ownerDir } : {});
  for (const line of describeCleaned(report)) progress(line);
  await removeClusterDir(dir, state.cluster);
}

export interface LocalClusterStatus {
  state: ClusterState;
  kubeconfig: string;
  daemon: DaemonStatus | null;
  daemonAlive: boolean;
  nodes: ClusterNode[] | null;
  apiError: string | null;
}

export async function localClusterStatus(options: { cluster: string; stateRoot: string }): Promise<LocalClusterStatus> {
  const dir = clusterDir(options.stateRoot, options.cluster);
  const state = await readState(dir);
  const layout = clusterLayout(dir);
  const daemon = readDaemonStatus(layout);
  const alive = daemonAlive(layout, daemon);
  const kubeconfig = stateFiles(dir).kubeconfig;
  let nodes: ClusterNode[] | null = null;
  let apiError: string | null = null;
  if (alive && state.phase === 'ready') {
    try {
      nodes = await listClusterNodes(loadKubeconfig({ kubeconfig }));
    } catch (error) {
      apiError = (error as Error).message.split('\n')[0] ?? 'unknown';
    }
  } else {
    apiError = alive ? `cluster is ${state.phase}` : 'the cluster daemon is not running: `npm run cluster -- down` removes what is left';
  }
  return { state, kubeconfig, daemon, daemonAlive: alive, nodes, apiError };
}

/** `cluster status` as text. */
export function renderLocalStatus(status: LocalClusterStatus): string {
  const { state, daemon, nodes } = status;
  const local = state.local;
  const lines = [
    `cluster ${state.cluster} (local, ${state.phase}, created ${state.createdAt})`,
    `Kubernetes ${local?.kubernetesVersion ?? '?'} on this host; kubeconfig: ${status.kubeconfig}`,
    `daemon: ${status.daemonAlive ? `pid ${daemon?.pid}, ${daemon?.phase}` : 'not running'}; API server ${local?.apiServer ?? '?'}; registry ${local?.registry ?? '?'}`,
    `topology: ${local?.topology.source ?? '?'} (scale ${local?.topology.scale ?? '?'}); ${local?.shaping ?? ''}`,
    ...(local?.readySeconds != null ? [`all nodes were Ready ${local.readySeconds} s after the daemon started`] : []),
    '',
  ];
  const rows = [['NODE', 'ROLE', 'ADDRESS', 'PODS', 'QUOTA', 'K8S', 'KUBELET']];
  for (const node of local?.nodes ?? []) {
    const k8s = nodes?.find((n) => n.name === node.name);
    rows.push([
      node.name,
      node.role,
      node.address,
      node.podCidr,
      `${node.cpus ?? '-'} CPU ${node.memoryBytes === null ? '-' : Math.round(node.memoryBytes / 2 ** 20)} MiB`,
      k8s ? (k8s.ready ? 'Ready' : 'NotReady') : nodes ? 'absent' : '?',
      k8s?.kubeletVersion ?? '-',
    ]);
  }
  if (local) rows.push([local.client.name, 'client', local.client.address, '-', `${local.client.cpus ?? '-'} CPU`, 'no kubelet (load generator)', '-']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) lines.push(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  const restarted = Object.entries(daemon?.processes ?? {}).filter(([, p]) => p.starts > 1);
  if (restarted.length) lines.push('', `restarted by the daemon: ${restarted.map(([name, p]) => `${name} (${p.starts - 1}x)`).join(', ')}`);
  if (status.apiError) lines.push('', `API server: ${status.apiError}`);
  return `${lines.join('\n')}\n`;
}
