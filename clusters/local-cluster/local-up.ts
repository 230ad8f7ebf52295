/**
 * `cluster up --provider local`: the fog topology's nodes as real Kubernetes nodes on this
 * host. Checks the host and builds what is missing, plans addresses, makes certificates and
 * every configuration file in the state folder, starts the cluster daemon (which makes the
 * fabric and runs every process), packs and pushes the add-on images, applies the add-ons, and
 * waits until every node is Ready and metrics are served. Any failure or interruption stops the
 * daemon, which removes everything it made; the state folder stays (phase failed) for its logs.
 */
import type { ChildProcess } from 'node:child_process';
import { realpath, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { deployError, environmentError, FogbenchError, usageError } from '../../harness/errors.ts';
import { makeDirInside } from '../../harness/safe-fs.ts';
import { serverSideApply } from '../../harness/targets/kube/apply.ts';
import { loadKubeconfig, kubeRequest } from '../../harness/targets/kube/connection.ts';
import { waitNodesReady } from '../../harness/targets/kube/nodes.ts';
import { packAndPush } from '../../harness/targets/kube/oci/local-images.ts';
import { BLOCK_COUNT, hostAddress, pickFreeBlock } from '../../harness/targets/local/addresses.ts';
import { detectCgroups } from '../../harness/targets/local/cgroups.ts';
import { HostCommands, requireHostTools } from '../../harness/targets/local/host-tools.ts';
import { FogNames, newTag } from '../../harness/targets/local/names.ts';
import { describeShaping, type DelayMethod } from '../../harness/targets/local/shaping.ts';
import { DEFAULT_TOPOLOGY_FILE, loadTopology } from '../../harness/targets/local/topology.ts';
import type { CommandRunner } from '../run-command.ts';
import { clusterDir, makeClusterDir, readStateIfAny, stateFiles, writeSecret, writeState, type ClusterState } from '../state.ts';
import { addonObjects } from './addons.ts';
import { addonImageJobs, addonImageRefs } from './addon-images.ts';
import { ADDON_VERSIONS, checkHostPrograms, ensureBuiltPrograms, KUBERNETES_VERSION } from './binaries.ts';
import { DAEMON_INPUT, type DaemonInput } from './daemon.ts';
import { daemonAlive, detachDaemon, logFollower, readDaemonStatus, startDaemon } from './daemon-control.ts';
import { fabricGroups } from './fabric.ts';
import { clusterLayout, type ClusterLayout } from './layout.ts';
import { writeClusterFiles } from './local-files.ts';
import { makePki } from './pki.ts';
import { planLocalCluster, type LocalClusterPlan } from './plan.ts';
import type { LocalClusterRecord } from './record.ts';

export interface LocalUpOptions {
  cluster: string;
  stateRoot: string;
  topologyFile?: string;
  readyTimeoutMs: number;
  ownerDir?: string;
  searchPath: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

export interface LocalUpTools {
  run: CommandRunner;
  progress: (message: string) => void;
}

/** The kubelet's own folders are bound over these in each node: the state folder must not be under one. */
const SHADOWED = ['/tmp', '/run', '/var/run', '/var/lib', '/var/log'];

export async function localClusterUp(options: LocalUpOptions, tools: LocalUpTools): Promise<ClusterState> {
  const { progress } = tools;
  // Absolute: the daemon and every node's processes run from /, and read their files by these paths.
  const dir = clusterDir(resolve(options.stateRoot), options.cluster);
  await checkStateLocation(options.stateRoot);
  const layout = clusterLayout(dir);
  const existing = await readStateIfAny(dir);
  if (existing) {
    const running = existing.provider === 'local' && daemonAlive(layout, readDaemonStatus(layout));
    throw usageError(`cluster ${options.cluster} already exists (${stateFiles(dir).state}${running ? ', running' : `, ${existing.phase}`}); run \`npm run cluster -- down --name ${options.cluster}\` first`);
  }
  const host = new HostCommands(requireHostTools(options.searchPath));
  const programs = checkHostPrograms(options.searchPath);
  const built = await ensureBuiltPrograms(progress);
  const cgroups = detectCgroups();
  const hostFacts = { cpus: cpus().length, memoryBytes: totalmem() };
  const topology = await loadTopology(options.topologyFile ?? DEFAULT_TOPOLOGY_FILE, hostFacts.cpus);
  const tag = newTag();
  const names = new FogNames(tag);
  const blocks = await chooseBlocks(host, tag);
  const plan = planLocalCluster({ cluster: options.cluster, topology, ...blocks });
  const groups = fabricGroups(names.root);
  const record = recordOf(plan, names, tag, options.ownerDir ?? null, cgroups);

  await makeClusterDir(dir);
  await makeDirInside(dir, basename(layout.dir), { mode: 0o700 });
  const state: ClusterState = {
    stateVersion: 1,
    cluster: options.cluster,
    provider: 'local',
    phase: 'creating',
    createdAt: new Date().toISOString(),
    k3sVersion: `none (kubelet ${KUBERNETES_VERSION})`,
    sshUser: '',
    nodes: plan.nodes.map((n) => ({ name: n.name, role: n.role === 'core' ? 'server' : 'agent', label: n.role, ip: n.address, cpus: n.cpus ?? hostFacts.cpus, memoryMiB: Math.round((n.memoryBytes ?? hostFacts.memoryBytes) / 2 ** 20) })),
    providerData: {},
    local: record,
  };
  await writeState(dir, state);
  progress(`plan: ${plan.nodes.length} nodes on ${plan.fogSubnet}, pods ${plan.clusterCidr}, Services ${plan.serviceCidr}, API server ${plan.apiServer}, registry ${plan.registry}`);
  await makePki(layout.pki, plan, tools.run);
  const adminKubeconfig = await writeClusterFiles(plan, layout, { cgroupRoot: groups.node, host: hostFacts, pauseTag: ADDON_VERSIONS.pause });
  await writeSecret(stateFiles(dir).kubeconfig, adminKubeconfig);

  const input: DaemonInput = {
    stateDir: dir,
    plan,
    tag,
    ...(options.ownerDir ? { ownerDir: options.ownerDir } : {}),
    binaries: { ...built.binaries, etcd: programs.etcd, containerd: programs.containerd },
    linkDelayBinary: null,
    searchPath: options.searchPath,
  };
  if (topology.nodes.some((n) => n.link.latencyMs > 0)) {
    const { ensureLinkDelayBinary } = await import('../../harness/targets/local/link-delay.ts');
    input.linkDelayBinary = await ensureLinkDelayBinary(options.searchPath);
  }
  const inputFile = join(layout.dir, DAEMON_INPUT);
  await writeFile(inputFile, JSON.stringify(input, null, 2), { mode: 0o600 });
  const startedAt = Date.now();
  const daemon = startDaemon(layout, inputFile, { ...options.env, PATH: options.searchPath });
  const follow = logFollower(layout);
  const print = () => {
    for (const line of follow()) progress(line);
  };
  try {
    await waitDaemonRunning(layout, daemon, options.signal, print);
    const daemonStatus = readDaemonStatus(layout);
    const namespaces = daemonStatus?.namespaces ?? {};
    for (const node of [...record.nodes, record.client]) node.netns = namespaces[node.name] ?? '';
    record.shaping = shapingOf(plan, daemonStatus?.delay ?? 'none');
    await writeState(dir, state);
    const kc = loadKubeconfig({ kubeconfig: stateFiles(dir).kubeconfig });
    progress(`packing and pushing the add-on images (pause, CoreDNS ${ADDON_VERSIONS.coredns}, metrics-server ${ADDON_VERSIONS.metricsServer})`);
    await waitRegistry(plan, options.signal);
    const notes = await packAndPush(await addonImageJobs(plan, built.addons), { cacheDir: join(layout.dir, 'images-cache'), workDir: layout.dir, progress });
    const refs = addonImageRefs(plan);
    checkAborted(options.signal);
    for (const object of addonObjects(plan, refs, `distribution v3.0.0, built from source, on node ${plan.nodes.find((n) => n.role === 'core')!.name} (${notes.length} images made here)`)) {
      await serverSideApply(kc, object);
    }
    progress(`waiting for ${plan.nodes.length} nodes to be Ready`);
    await abortable(waitNodesReady(kc, plan.nodes.length, options.readyTimeoutMs, 1_000), options.signal);
    record.readySeconds = Math.round((Date.now() - startedAt) / 100) / 10;
    progress(`all ${plan.nodes.length} nodes Ready ${record.readySeconds} s after the daemon started`);
    await abortable(waitAddons(kc, options.readyTimeoutMs), options.signal);
    print();
    state.phase = 'ready';
    await writeState(dir, state);
    detachDaemon(daemon);
    return state;
  } catch (error) {
    print();
    progress('stopping the cluster daemon: it removes everything it made');
    await stopChild(daemon, progress, follow);
    state.phase = 'failed';
    await writeState(dir, state);
    if (options.signal.aborted) throw new FogbenchError('interrupted', `cluster up interrupted; everything it made is removed (state and logs kept in ${dir}; \`cluster down\` removes them)`, { cause: error });
    throw error;
  }
}

async function checkStateLocation(stateRoot: string): Promise<void> {
  let real = resolve(stateRoot);
  // The root may not exist yet: judge by the nearest folder that does.
  for (let probe = real; ; probe = dirname(probe)) {
    if (existsSync(probe)) {
      real = join(await realpath(probe), real.slice(probe.length));
      break;
    }
  }
  const under = SHADOWED.find((d) => real === d || real.startsWith(`${d}${sep}`));
  if (under) throw usageError(`--state-dir ${stateRoot} is under ${under}, which each node of a local cluster sees as its own folder: choose another (default ~/.fogbench/clusters)`);
}

/** Two free /20 blocks of 198.18.0.0/15: the fog's (switch, nodes) and the pods' (and Services'). */
async function chooseBlocks(host: HostCommands, tag: string): Promise<{ fogBlock: number; podBlock: number }> {
  const used = (JSON.parse(await host.ip(['-j', '-4', 'addr', 'show'])) as { addr_info?: { local?: string }[] }[]).flatMap((i) => (i.addr_info ?? []).map((a) => a.local ?? ''));
  const preferred = parseInt(tag, 36) % BLOCK_COUNT;
  const fogBlock = pickFreeBlock(used, preferred);
  const podBlock = fogBlock === null ? null : pickFreeBlock([...used, hostAddress(fogBlock)], (fogBlock + 1) % BLOCK_COUNT);
  if (fogBlock === null || podBlock === null) throw environmentError('fewer than two address blocks of 198.18.0.0/15 are free on this host; run `npm run bench -- --cleanup`');
  return { fogBlock, podBlock };
}

function recordOf(plan: LocalClusterPlan, names: FogNames, tag: string, ownerDir: string | null, cgroups: ReturnType<typeof detectCgroups>): LocalClusterRecord {
  const groups = fabricGroups(names.root);
  return {
    root: names.root,
    tag,
    ownerDir,
    kubernetesVersion: KUBERNETES_VERSION,
    topology: { source: plan.topology.source, scale: plan.topology.scale },
    hostAddress: plan.hostAddress,
    apiServer: plan.apiServer,
    registry: plan.registry,
    fogSubnet: plan.fogSubnet,
    clusterCidr: plan.clusterCidr,
    serviceCidr: plan.serviceCidr,
    // Known once the daemon has made the links (netem where the kernel has it, else the relay).
    shaping: shapingOf(plan, 'none'),
    nodes: plan.nodes.map((n) => ({ name: n.name, role: n.role, address: n.address, podCidr: n.podCidr, cpus: n.cpus, memoryBytes: n.memoryBytes, reference: n.reference, link: n.link, cgroup: groups.node(n.name), netns: '' })),
    client: { name: plan.client.name, role: 'client', address: plan.client.address, cpus: plan.client.cpus, memoryBytes: plan.client.memoryBytes, link: plan.client.link, cgroup: groups.node(plan.client.name), netns: '' },
    cgroupVersion: cgroups.version,
    cgroupMounts: cgroups.mounts,
    readySeconds: null,
  };
}

function shapingOf(plan: LocalClusterPlan, delay: DelayMethod): string {
  return describeShaping(
    plan.topology.nodes.map((n) => ({ node: n.name, link: n.link })),
    delay,
  );
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new FogbenchError('interrupted', 'cluster up interrupted');
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      if (signal.aborted) reject(new FogbenchError('interrupted', 'cluster up interrupted'));
      signal.addEventListener('abort', () => reject(new FogbenchError('interrupted', 'cluster up interrupted')), { once: true });
    }),
  ]);
}

async function waitDaemonRunning(layout: ClusterLayout, daemon: ChildProcess, signal: AbortSignal, print: () => void): Promise<void> {
  for (;;) {
    print();
    checkAborted(signal);
    const status = readDaemonStatus(layout);
    if (status?.phase === 'running') return;
    if (status?.phase === 'failed') throw environmentError(`the cluster daemon failed: ${status.error ?? 'see its log'} (${layout.daemonLog})`);
    if (daemon.exitCode !== null || daemon.signalCode !== null) throw environmentError(`the cluster daemon ended (${daemon.signalCode ?? `exit code ${daemon.exitCode}`}) before the cluster ran; see ${layout.daemonLog} and ${join(layout.dir, 'daemon.out')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function waitRegistry(plan: LocalClusterPlan, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    checkAborted(signal);
    const ok = await fetch(`http://${plan.registry}/v2/`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw deployError(`the cluster registry at ${plan.registry} does not answer; see its log (logs/registry.log)`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** CoreDNS and metrics-server available, and the metrics API answering. */
async function waitAddons(kc: KubeConfig, timeoutMs: number): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const missing: string[] = [];
    for (const name of ['coredns', 'metrics-server']) {
      const deployment = await apps.readNamespacedDeployment({ name, namespace: 'kube-system' }).catch(() => null);
      if ((deployment?.status?.availableReplicas ?? 0) < 1) missing.push(name);
    }
    if (missing.length === 0) {
      const metrics = await kubeRequest(kc, '/apis/metrics.k8s.io/v1beta1/nodes', { timeoutMs: 5_000 }).catch(() => null);
      if (metrics?.status === 200) return;
      missing.push('the metrics API');
    }
    last = missing.join(', ');
    if (Date.now() > deadline) {
      const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'kube-system' }).catch(() => null);
      const why = (pods?.items ?? []).flatMap((p) => (p.status?.containerStatuses ?? []).filter((c) => !c.ready).map((c) => `${p.metadata?.name}: ${c.state?.waiting?.reason ?? c.lastState?.terminated?.reason ?? 'not ready'}`));
      throw deployError(`not ready after ${Math.round(timeoutMs / 1000)} s: ${last}${why.length ? ` (${why.join(', ')})` : ''}; see \`kubectl -n kube-system logs\` with the cluster's kubeconfig`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** SIGTERM to the daemon `up` started, and wait until it has removed everything. */
async function stopChild(daemon: ChildProcess, progress: (message: string) => void, follow: () => string[]): Promise<void> {
  if (daemon.exitCode === null && daemon.signalCode === null) {
    const ended = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
    daemon.kill('SIGTERM');
    const timer = setTimeout(() => daemon.kill('SIGKILL'), 120_000);
    await ended;
    clearTimeout(timer);
  }
  for (const line of follow()) progress(line);
}
