/**
 * The state file `cluster up` leaves for `cluster down`, `cluster status` and the kube target:
 * what was created, where, and where its key and kubeconfig are. Secrets stay in separate
 * 0600 files next to it so the state itself can be shown or attached to a bug report.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { usageError } from '../harness/errors.ts';
import { childPath } from '../harness/safe-name.ts';
import type { LocalClusterRecord } from './local-cluster/record.ts';
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
  provider: ProviderName | 'local';
  /** up: still being created; ready: every node Ready; failed: `up` stopped half-way. */
  phase: 'creating' | 'ready' | 'failed';
  createdAt: string;
  k3sVersion: string;
  sshUser: string;
  nodes: NodeState[];
  /** Provider-specific: Vagrant's working folder and provider, for example. */
  providerData: Record<string, string>;
  /** A cluster on this host (`--provider local`, clusters/local-cluster). */
  local?: LocalClusterRecord;
}

export function defaultStateRoot(): string {
  return join(homedir(), '.fogbench', 'clusters');
}

/** The cluster's state folder: a child of the state root, whatever the name says (`..` is refused). */
export function clusterDir(stateRoot: string, cluster: string): string {
  return childPath(stateRoot, cluster, 'cluster name');
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

/**
 * Writes a secret readable by the owner only, from its first byte: into a new file created 0600
 * (exclusively, so not through a link planted there), then renamed over the old one. Writing an
 * existing file and then chmodding it left the new secret readable in between.
 */
export async function writeSecret(file: string, content: string): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.chmod(0o600); // a umask cannot widen it, but be explicit
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Removes a cluster's state folder, and only one: a real folder (not a link) whose state.json
 * records this very cluster. Anything else is refused, never deleted.
 */
export async function removeClusterDir(dir: string, cluster: string): Promise<void> {
  const info = await lstat(dir).catch(() => null);
  if (info === null) return;
  if (!info.isDirectory()) throw usageError(`${dir} is not a cluster state folder (it is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}); nothing was removed`);
  const state = await readState(dir).catch(() => null);
  if (state?.cluster !== cluster) throw usageError(`${dir} does not hold the state of cluster ${cluster}; nothing was removed`);
  await rm(dir, { recursive: true, force: true });
}
