/**
 * The state file `cluster up` leaves for `cluster down`, `cluster status` and the kube target:
 * what was created, where, and where its key and kubeconfig are. Secrets stay in separate
 * 0600 files next to it so the state itself can be shown or attached to a bug report.
 */
import { lstat, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { usageError } from '../harness/errors.ts';
import { exactly, firstProblem, list, nullable, number, object, oneOf, opt, problemsOf, record, req, string } from '../harness/results/checks.ts';
import { makeDirInside, readInside, replaceFile, writeInside } from '../harness/safe-fs.ts';
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

/**
 * The cluster's folder: made when missing (0700), refused when it is a link or a file, so that
 * a link planted at the cluster's name cannot make `up` write its state, keys and kubeconfig
 * into the link's target.
 */
export async function makeClusterDir(dir: string): Promise<void> {
  await makeDirInside(dirname(dir), basename(dir), { mode: 0o700 });
}

export async function writeState(dir: string, state: ClusterState): Promise<void> {
  await makeClusterDir(dir);
  await writeInside(dirname(dir), join(basename(dir), 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

/** What `down`, `status` and the kube target read of a state file; a damaged or planted one is refused here, not half-way through `down`. */
const NODE_STATE = object({ name: req(string), role: req(oneOf('server', 'agent')), ip: req(nullable(string)), cpus: req(number(0)), memoryMiB: req(number(0)) });
const LOCAL_NODE = object({ name: req(string), address: req(string), podCidr: opt(string), cpus: req(nullable(number(0))), memoryBytes: req(nullable(number(0))), netns: req(string) });
const STATE_SHAPE = object({
  stateVersion: req(exactly(STATE_VERSION)),
  cluster: req(string),
  provider: req(oneOf('multipass', 'vagrant', 'local')),
  phase: req(oneOf('creating', 'ready', 'failed')),
  createdAt: req(string),
  k3sVersion: req(string),
  sshUser: req(string),
  nodes: req(list(NODE_STATE)),
  providerData: req(record(string)),
  local: opt(
    object({
      root: req(string),
      ownerDir: req(nullable(string)),
      kubernetesVersion: req(string),
      topology: req(object({ source: req(string), scale: req(number(0)) })),
      apiServer: req(string),
      registry: req(string),
      shaping: req(string),
      nodes: req(list(LOCAL_NODE)),
      client: req(LOCAL_NODE),
      readySeconds: req(nullable(number(0))),
    }),
  ),
});

/**
 * The cluster's state, or null when it has none. The folder and state.json are read without
 * following a link and only as a regular file (a FIFO there would block for good), and the
 * state must have its shape and name this very folder's cluster: a state.json copied into
 * another cluster's folder would make `down` stop that other cluster.
 */
export async function readStateIfAny(dir: string): Promise<ClusterState | null> {
  const bytes = await readInside(dirname(dir), join(basename(dir), 'state.json'), 2 ** 20);
  if (bytes === null) return null;
  const file = stateFiles(dir).state;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw usageError(`${file} is not a cluster state (${(error as Error).message}); fix or remove it, or run \`npm run cluster -- down --forget --name ${basename(dir)}\``);
  }
  const version = (value as { stateVersion?: unknown } | null)?.stateVersion;
  if (version !== undefined && version !== STATE_VERSION) throw usageError(`${file} has state version ${String(version)}, this fogbench reads ${STATE_VERSION}`);
  const problem = firstProblem(problemsOf(STATE_SHAPE, value));
  if (problem !== null) throw usageError(`${file} is not a cluster state: ${problem}; fix or remove it`);
  const state = value as ClusterState;
  if (state.cluster !== basename(dir)) throw usageError(`${file} records cluster "${state.cluster}", not "${basename(dir)}" whose folder it is in; fogbench acts on no state but a cluster's own`);
  return state;
}

export async function readState(dir: string): Promise<ClusterState> {
  const state = await readStateIfAny(dir);
  if (state === null) throw usageError(`no cluster state in ${dir}: create the cluster with \`npm run cluster -- up\` or pass --state-dir`);
  return state;
}

/**
 * Writes a secret readable by the owner only, from its first byte: replaceFile creates the new
 * file 0600 and exclusively, then renames it over the old one. (Writing the existing file and
 * then chmodding it left the new secret readable in between.)
 */
export const writeSecret = (file: string, content: string): Promise<void> => replaceFile(file, content, 0o600);

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
