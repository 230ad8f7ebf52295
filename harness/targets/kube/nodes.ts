/**
 * The cluster's nodes as fogbench sees them: role from the fogbench.io/role label (set by
 * `cluster up`), falling back to control-plane = core for clusters made some other way.
 */
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { deployError } from '../../errors.ts';
import { sleep } from '../../timers.ts';

export const ROLE_LABEL = 'fogbench.io/role';

export interface ClusterNode {
  name: string;
  role: 'core' | 'worker';
  ready: boolean;
  address: string | null;
  cpus: number | null;
  memoryBytes: number | null;
  /** What the scheduler may hand out (capacity minus reservations); null when unknown. */
  allocatableCpus: number | null;
  allocatableMemoryBytes: number | null;
  /**
   * Pods without tolerations may be scheduled here: no NoSchedule/NoExecute taint and not
   * cordoned. A dedicated K3s server (CriticalAddonsOnly) is not, so OpenFaaS functions,
   * which CE places without any selector, never land on it.
   */
  openToAnyPod: boolean;
  kubeletVersion: string;
  osImage: string;
}

export function describeNode(node: V1Node): ClusterNode {
  const labels = node.metadata?.labels ?? {};
  const labelled = labels[ROLE_LABEL];
  const controlPlane = 'node-role.kubernetes.io/control-plane' in labels || 'node-role.kubernetes.io/master' in labels;
  const role = labelled === 'core' || labelled === 'worker' ? labelled : controlPlane ? 'core' : 'worker';
  const addresses = node.status?.addresses ?? [];
  const address = addresses.find((a) => a.type === 'ExternalIP')?.address ?? addresses.find((a) => a.type === 'InternalIP')?.address ?? null;
  const capacity = node.status?.capacity ?? {};
  const allocatable = node.status?.allocatable ?? {};
  const repelling = (node.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  return {
    name: node.metadata?.name ?? '?',
    role,
    ready: (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    address,
    cpus: capacity.cpu ? parseCpu(capacity.cpu) : null,
    memoryBytes: capacity.memory ? parseQuantity(capacity.memory) : null,
    allocatableCpus: allocatable.cpu ? parseCpu(allocatable.cpu) : capacity.cpu ? parseCpu(capacity.cpu) : null,
    allocatableMemoryBytes: allocatable.memory ? parseQuantity(allocatable.memory) : capacity.memory ? parseQuantity(capacity.memory) : null,
    openToAnyPod: !repelling && !node.spec?.unschedulable,
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? '?',
    osImage: node.status?.nodeInfo?.osImage ?? '?',
  };
}

export async function listClusterNodes(kc: KubeConfig): Promise<ClusterNode[]> {
  const list = await kc.makeApiClient(CoreV1Api).listNode();
  return list.items.map(describeNode).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/** Polls until `expected` nodes exist and all are Ready. */
export async function waitNodesReady(kc: KubeConfig, expected: number, timeoutMs: number, pollMs = 5_000): Promise<ClusterNode[]> {
  const deadline = Date.now() + timeoutMs;
  let last: ClusterNode[] = [];
  for (;;) {
    try {
      last = await listClusterNodes(kc);
      if (last.length >= expected && last.every((n) => n.ready)) return last;
    } catch {
      // The API server restarts once while agents join; keep polling until the deadline.
    }
    if (Date.now() >= deadline) break;
    await sleep(pollMs);
  }
  const notReady = last.filter((n) => !n.ready).map((n) => n.name);
  throw deployError(
    `only ${last.length - notReady.length} of ${expected} nodes became Ready in ${Math.round(timeoutMs / 1000)} s` +
      (notReady.length ? ` (not ready: ${notReady.join(', ')})` : '') +
      '; check `journalctl -u k3s-agent` on those VMs',
  );
}

const BINARY_SUFFIX: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL_SUFFIX: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Kubernetes quantity ("2029876Ki", "2Gi", "512M", "1e9") to a number. */
export function parseQuantity(quantity: string): number {
  const m = /^([0-9.e+-]+)([A-Za-z]*)$/.exec(quantity.trim());
  if (!m) throw new Error(`not a Kubernetes quantity: ${quantity}`);
  const value = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix === '') return value;
  // Small units: the metrics API reports CPU in nanocores ("1500000n").
  const small: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3 };
  if (small[suffix] !== undefined) return value * small[suffix];
  const factor = BINARY_SUFFIX[suffix] ?? DECIMAL_SUFFIX[suffix];
  if (factor === undefined) throw new Error(`unknown quantity suffix in ${quantity}`);
  return value * factor;
}

export function parseCpu(quantity: string): number {
  return parseQuantity(quantity);
}
