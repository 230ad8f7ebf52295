/**
 * What `cluster up` will create, decided before anything starts: node names, roles, sizes and
 * (for Vagrant) static addresses. Pure, so the Vagrantfile and cloud-init renderers and the
 * tests all see the same plan.
 */
import { randomBytes } from 'node:crypto';
import { usageError } from '../harness/errors.ts';
import type { ClusterConfig, NodeSize } from './config.ts';

export type ProviderName = 'multipass' | 'vagrant';
export const PROVIDERS: readonly ProviderName[] = ['multipass', 'vagrant'];

export type NodeRole = 'server' | 'agent';

export interface PlannedNode {
  /** VM name; also the Kubernetes node name (K3s uses the hostname). */
  name: string;
  role: NodeRole;
  /** The fogbench.io/role label: the server hosts the OpenFaaS core, agents the workers. */
  label: 'core' | 'worker';
  size: NodeSize;
  /** Static address (Vagrant); multipass assigns one by DHCP, learnt after launch. */
  ip?: string;
}

export interface ClusterPlan {
  cluster: string;
  provider: ProviderName;
  nodes: PlannedNode[];
}

const CLUSTER_NAME = /^[a-z][a-z0-9-]{0,20}$/;

export function planCluster(options: { cluster: string; provider: ProviderName; agents: number; config: ClusterConfig }): ClusterPlan {
  const { cluster, provider, agents, config } = options;
  if (!CLUSTER_NAME.test(cluster)) {
    throw usageError(`cluster name "${cluster}" must start with a letter and hold at most 21 lower-case letters, digits or dashes`);
  }
  if (!PROVIDERS.includes(provider)) throw usageError(`--provider must be one of ${PROVIDERS.join(', ')}, not "${provider}"`);
  if (!Number.isInteger(agents) || agents < 0 || agents > 20) throw usageError(`--agents must be an integer from 0 (a lone server) to 20, not ${agents}`);
  const subnetPrefix = config.vagrant.subnet.split('.').slice(0, 3).join('.');
  const address = (i: number) => (provider === 'vagrant' ? `${subnetPrefix}.${config.vagrant.firstHost + i}` : undefined);
  if (provider === 'vagrant' && config.vagrant.firstHost + agents > 254) {
    throw usageError(`${agents} agents do not fit in ${config.vagrant.subnet} from .${config.vagrant.firstHost}: lower vagrant.firstHost in sizes.yaml`);
  }
  const nodes: PlannedNode[] = [
    withIp({ name: `${cluster}-server`, role: 'server', label: 'core', size: config.nodes.server }, address(0)),
  ];
  for (let i = 1; i <= agents; i++) {
    nodes.push(withIp({ name: `${cluster}-agent-${i}`, role: 'agent', label: 'worker', size: config.nodes.agent }, address(i)));
  }
  return { cluster, provider, nodes };
}

function withIp(node: PlannedNode, ip: string | undefined): PlannedNode {
  return ip === undefined ? node : { ...node, ip };
}

/** The K3s join token: generated on the host so that no node has to hand it to another. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}
