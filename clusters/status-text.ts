/** `cluster status` as text: pure, so the CLI only prints it. */
import type { ClusterStatus } from './provision.ts';

export function renderClusterStatus(status: ClusterStatus): string {
  const { state, vms, nodes } = status;
  const lines = [
    `cluster ${state.cluster} (${state.provider}, ${state.phase}, created ${state.createdAt})`,
    `K3s ${state.k3sVersion}; kubeconfig: ${status.kubeconfig}`,
    '',
  ];
  const rows = [['NODE', 'ROLE', 'VM', 'ADDRESS', 'SIZE', 'K8S', 'KUBELET', 'OS']];
  for (const node of state.nodes) {
    const vm = vms.find((v) => v.name === node.name);
    const k8s = nodes?.find((n) => n.name === node.name);
    rows.push([
      node.name,
      node.label,
      vm?.state ?? '?',
      vm?.ip ?? node.ip ?? '-',
      `${node.cpus} vCPU ${node.memoryMiB} MiB`,
      k8s ? (k8s.ready ? 'Ready' : 'NotReady') : nodes ? 'absent' : '?',
      k8s?.kubeletVersion ?? '-',
      k8s?.osImage ?? '-',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) lines.push(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  if (status.apiError) lines.push('', `API server: ${status.apiError}`);
  return `${lines.join('\n')}\n`;
}
