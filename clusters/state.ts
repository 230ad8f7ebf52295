/**
 * The state file `cluster up` leaves for `cluster down`, `cluster status` and the kube target:
 * what was created, where, and where its key and kubeconfig are. Secrets stay in separate
 * 0600 files next to it so the state itself can be shown or attached to a bug report.
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../harness/errors.ts';
import type { NodeRole, ProviderName } from './plan.ts';

export const STATE_VERSION = 1 as const;

export interface NodeState {
  name: string;
  role: NodeRole;
  label: 'core' | 'worker';
  ip: string | null;
  cpus: number;
  memoryMiB: number;
}

export interface ClusterState {
  stateVersion: typeof STATE_VERSION;
  cluster: string;
  provider: ProviderName;
  /** up: still being created; ready: every node Ready; failed: `up` stopped half-way. */
  phase: 'creating' | 'ready' | 'failed';
  createdAt: string;
  k3sVersion: string;
  sshUser: string;
  nodes: NodeState[];
  /** Provider-specific: Vagrant's working folder and provider, for example. */
  providerData: Record<string, string>;
}

export function defaultStateRoot(): string {
  return join(homedir(), '.fogbench', 'clusters');
}

export function clusterDir(stateRoot: string, cluster: string): string {
  return join(stateRoot, cluster);
}

export const stateFiles = (dir: string) => ({
  state: join(dir, 'state.json'),
  privateKey: join(dir, 'id_ed25519'),
  publicKey: join(dir, 'id_ed25519.pub'),
  kubeconfig: join(dir, 'kubeconfig.yaml'),
  token: join(dir, 'k3s-token'),
});

export async function writeState(dir: string, state: ClusterState): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(stateFiles(dir).state, `${JSON.stringify(state, null, 2)}\n`);
}

export async function readState(dir: string): Promise<ClusterState> {
  let text: string;
  try {
    text = await readFile(stateFiles(dir).state, 'utf8');
  } catch {
    throw usageError(`no cluster state in ${dir}: create the cluster with \`npm run cluster -- up\` or pass --state-dir`);
  }
  const state = JSON.parse(text) as ClusterState;
  if (state.stateVersion !== STATE_VERSION) {
    throw usageError(`${stateFiles(dir).state} has state version ${state.stateVersion}, this fogbench reads ${STATE_VERSION}`);
  }
  return state;
}

/** Writes a secret readable by the owner only; chmod again in case the file already existed. */
export async function writeSecret(file: string, content: string): Promise<void> {
  await writeFile(file, content, { mode: 0o600 });
  await chmod(file, 0o600);
}

export async function removeClusterDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
