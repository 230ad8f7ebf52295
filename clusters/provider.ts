/**
 * One interface per way of making VMs. `cluster up` plans the nodes, the provider creates
 * them and tells their addresses; everything after (K3s, kubeconfig) is shared.
 */
import type { ClusterConfig } from './config.ts';
import type { ClusterPlan } from './plan.ts';
import type { ClusterState } from './state.ts';

export interface VmStatus {
  name: string;
  state: string;
  ip: string | null;
}

export interface ProviderContext {
  /** The cluster's state folder: generated files (cloud-init, Vagrantfile) go here. */
  dir: string;
  publicKey: string;
  config: ClusterConfig;
  progress: (message: string) => void;
}

export interface VmProvider {
  readonly name: string;
  /** The user the per-cluster key was authorised for. */
  readonly sshUser: string;
  /** Fails with an environment error naming what to install. Returns the tool's version. */
  checkInstalled(): Promise<string>;
  /** Creates every VM of the plan and returns node name → address. */
  create(plan: ClusterPlan, context: ProviderContext): Promise<Map<string, string>>;
  status(state: ClusterState): Promise<VmStatus[]>;
  /** Destroys every VM of the cluster; VMs already gone are not an error. */
  destroy(state: ClusterState): Promise<void>;
  /** Provider-specific data to keep in the state file. */
  stateData(): Record<string, string>;
}
