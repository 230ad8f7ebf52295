/**
 * The cluster daemon: the one long-lived process that owns a local cluster, as a VM's init
 * owns its node. `cluster up` starts it detached; it makes the fabric (fabric.ts), runs the
 * control plane on the host and each node's containerd, kubelet and kube-proxy in the node's
 * namespaces and quota group, restarts any of them that ends, and removes everything when it
 * gets SIGTERM (`cluster down`), or when `up` ends (Ctrl-C, kill) before handing the cluster
 * over. Its pid is the owner in the fog owner record, so fog runs and `bench --cleanup` leave a
 * live cluster alone and remove a dead one's objects.
 *
 * Its status is daemon.json (phase, pid, processes) and daemon.log (one line per step).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { replaceFileSync } from '../../harness/safe-fs.ts';
import { cleanupLeftovers, describeCleaned } from '../../harness/targets/local/cleanup.ts';
import { detectCgroups, type CgroupDriver } from '../../harness/targets/local/cgroups.ts';
import { HostCommands, requireHostTools } from '../../harness/targets/local/host-tools.ts';
import { FogNames } from '../../harness/targets/local/names.ts';
import { processStart, removeOwner, writeOwner } from '../../harness/targets/local/owner.ts';
import type { DelayMethod } from '../../harness/targets/local/shaping.ts';
import { apiServerArgs, controllerManagerArgs, etcdArgs, kubeletArgs, kubeProxyArgs, schedulerArgs } from './components.ts';
import { DaemonProcess, type DaemonProcessSpec } from './daemon-process.ts';
import { buildFabric, disposeFabric, fabricGroups, type Fabric } from './fabric.ts';
import { clusterLayout, pkiFiles } from './layout.ts';
import type { LocalClusterPlan } from './plan.ts';
import { freePort, waitFor, httpsStatus } from './wait.ts';

/** What `up` hands the daemon (local/daemon-input.json). */
export interface DaemonInput {
  stateDir: string;
  plan: LocalClusterPlan;
  /** The fog tag: objects are named fbf<tag>...; the owner record is fbf<tag>.json. */
  tag: string;
  ownerDir?: string;
  binaries: LocalBinaries;
  linkDelayBinary: string | null;
  searchPath: string;
}

export interface LocalBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubelet: string;
  kubeProxy: string;
  containerd: string;
  registry: string;
  nodeNamespaceScript: string;
}

export type DaemonPhase = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface DaemonStatus {
  pid: number;
  startTicks: string | null;
  phase: DaemonPhase;
  error?: string;
  /** The owner record's root (fbf<tag>). */
  root: string;
  processes: Record<string, { pid: number | null; starts: number }>;
  /** Node name → its network namespace (the client's too), once made. */
  namespaces: Record<string, string>;
  /** How link latency is applied (netem, the relay, or none asked for), once the fabric is made. */
  delay: DelayMethod | null;
  updatedAt: string;
}

export const DAEMON_INPUT = 'daemon-input.json';
/** `up` writes this line on the daemon's stdin once the cluster is handed over. */
export const DETACH = 'detach';

export async function runClusterDaemon(inputFile: string): Promise<number> {
  const input = JSON.parse(readFileSync(inputFile, 'utf8')) as DaemonInput;
  const layout = clusterLayout(input.stateDir);
  const names = new FogNames(input.tag);
  const log = (message: string) => appendFileSync(layout.daemonLog, `${new Date().toISOString()} ${message}\n`);
  const processes: DaemonProcess[] = [];
  const status: DaemonStatus = { pid: process.pid, startTicks: processStart(process.pid), phase: 'starting', root: names.root, processes: {}, namespaces: {}, delay: null, updatedAt: '' };
  const save = () => {
    status.processes = Object.fromEntries(processes.map((p) => [p.spec.name, { pid: p.pid ?? null, starts: p.starts }]));
    status.updatedAt = new Date().toISOString();
    // Renamed into place: a reader never sees half a file.
    replaceFileSync(layout.daemonStatus, JSON.stringify(status, null, 2));
  };
  let stopRequested: () => void = () => {};
  const stopped = new Promise<string>((resolve) => (stopRequested = () => resolve('asked')));
  let why = '';
  const stop = (reason: string) => {
    if (why === '') why = reason;
    stopRequested();
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => stop(`${sig} received`));
  // `up` holds our stdin until it hands the cluster over: its end before that is `up` gone.
  let detached = false;
  const stdin = createInterface({ input: process.stdin });
  stdin.on('line', (line) => {
    if (line.trim() === DETACH) {
      detached = true;
      log('handed over by cluster up; running until cluster down');
    }
  });
  stdin.on('close', () => {
    if (!detached) stop('cluster up ended before the cluster was ready');
  });

  const made: Partial<Fabric> = {};
  let cgroups: CgroupDriver | null = null;
  let ownerWritten = false;
  try {
    save();
    const host = new HostCommands(requireHostTools(input.searchPath));
    cgroups = detectCgroups();
    const leftovers = await cleanupLeftovers({ searchPath: input.searchPath, ...(input.ownerDir ? { ownerDir: input.ownerDir } : {}), cgroups });
    for (const line of describeCleaned(leftovers)) log(line);
    writeOwner(names.root, `cluster ${input.plan.cluster}`, input.ownerDir);
    ownerWritten = true;
    log(`making the fabric: switch ${names.switchBridge} ${input.plan.hostAddress}, ${input.plan.topology.nodes.length} node links`);
    const fabric = await buildFabric(input.plan, { host, cgroups, names, linkDelayBinary: input.linkDelayBinary, progress: log }, made);
    if (why) throw new Error(why);
    status.namespaces = Object.fromEntries([...fabric.namespaces].map(([node, pod]) => [node, pod.netns]));
    status.delay = fabric.delay;
    save();
    const netns = (node: string) => `/run/netns/${fabric.namespaces.get(node)!.netns}`;
    await startProcesses({ input, layout, names, cgroups, processes, netns, log, save, stopping: () => why !== '' });
    status.phase = 'running';
    save();
    log('running');
    await stopped;
  } catch (error) {
    if (why === '') {
      status.phase = 'failed';
      status.error = (error as Error).message;
      log(`failed: ${status.error}`);
    }
  }
  if (status.phase !== 'failed') status.phase = 'stopping';
  save();
  log(`stopping (${why || status.error || 'failed'})`);
  // Nodes first (their pods and shims go with the cgroups), then the control plane.
  await Promise.all(processes.filter((p) => !isControlPlane(p)).map((p) => p.stop('SIGTERM', 3_000)));
  await Promise.all(processes.filter(isControlPlane).map((p) => p.stop('SIGTERM', 5_000)));
  const errors = await disposeFabric(made, cgroups, names.root);
  for (const error of errors) log(`cleanup: ${(error as Error).message}`);
  if (ownerWritten && errors.length === 0) removeOwner(names.root, input.ownerDir);
  const failed = status.phase === 'failed';
  status.phase = failed ? 'failed' : 'stopped';
  save();
  log(errors.length ? `stopped with ${errors.length} cleanup errors; \`npm run bench -- --cleanup\` removes the rest` : 'stopped; everything removed');
  return failed || errors.length ? 1 : 0;
}

function isControlPlane(p: DaemonProcess): boolean {
  return ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].includes(p.spec.name);
}

interface StartContext {
  input: DaemonInput;
  layout: ReturnType<typeof clusterLayout>;
  names: FogNames;
  cgroups: CgroupDriver;
  processes: DaemonProcess[];
  /** The namespace file of a node. */
  netns: (node: string) => string;
  log: (message: string) => void;
  save: () => void;
  stopping: () => boolean;
}

async function startProcesses(context: StartContext): Promise<void> {
  const { input, layout, names, cgroups, processes, netns, log, save, stopping } = context;
  const { plan, binaries } = input;
  const groups = fabricGroups(names.root);
  mkdirSync(layout.logs, { recursive: true, mode: 0o700 });
  const env = { PATH: input.searchPath, HOME: layout.dir, LANG: 'C.UTF-8' };
  const add = (spec: Omit<DaemonProcessSpec, 'logFile' | 'env'> & { env?: Record<string, string> }): DaemonProcess => {
    const p = new DaemonProcess({ ...spec, env: { ...env, ...spec.env }, logFile: join(layout.logs, `${spec.name}.log`) }, (message) => {
      log(message);
      save();
    });
    processes.push(p);
    p.start();
    save();
    return p;
  };
  const check = () => {
    if (stopping()) throw new Error('stopped while starting');
  };
  const cp = cgroups.procsFiles(groups.controlPlane);
  const etcdPorts = { client: await freePort(), peer: await freePort() };
  const etcd = add({ name: 'etcd', command: binaries.etcd, args: etcdArgs(layout, etcdPorts), cgroupProcsFiles: cp, restart: true });
  log(`etcd on 127.0.0.1:${etcdPorts.client}`);
  await waitFor('etcd', async () => (await fetch(`http://127.0.0.1:${etcdPorts.client}/health`)).ok, 60_000, () => etcd.running || stopping(), check);
  const api = add({ name: 'kube-apiserver', command: binaries.kubeApiserver, args: apiServerArgs(plan, layout, etcdPorts.client), cgroupProcsFiles: cp, restart: true });
  const admin = pkiFiles(layout.pki, 'admin');
  const client = { ca: readFileSync(pkiFiles(layout.pki, 'ca').cert), cert: readFileSync(admin.cert), key: readFileSync(admin.key) };
  await waitFor('kube-apiserver /readyz', async () => (await httpsStatus(`${plan.apiServer}/readyz`, client)) === 200, 120_000, () => api.running || stopping(), check);
  log(`kube-apiserver ready at ${plan.apiServer}`);
  add({ name: 'kube-controller-manager', command: binaries.kubeControllerManager, args: controllerManagerArgs(plan, layout), cgroupProcsFiles: cp, restart: true });
  add({ name: 'kube-scheduler', command: binaries.kubeScheduler, args: schedulerArgs(layout), cgroupProcsFiles: cp, restart: true });

  const core = plan.nodes.find((n) => n.role === 'core')!;
  add({
    name: 'registry',
    command: binaries.registry,
    args: ['serve', layout.registryConfig],
    cgroupProcsFiles: cgroups.procsFiles(groups.system(core.name)),
    enter: { netns: netns(core.name) },
    restart: true,
  });
  log(`registry on ${plan.registry} (node ${core.name})`);

  for (const node of plan.nodes) {
    check();
    const files = layout.node(node.name);
    const system = cgroups.procsFiles(groups.system(node.name));
    const holderLog = join(layout.logs, `${node.name}-namespace.log`);
    writeFileSync(holderLog, '');
    const holder = add({
      name: `${node.name}-namespace`,
      command: 'unshare',
      args: ['--mount', '--propagation', 'private', '--', '/bin/sh', binaries.nodeNamespaceScript, files.dir],
      cgroupProcsFiles: system,
      enter: { netns: netns(node.name) },
      restart: false,
    });
    await waitFor(`node ${node.name}'s mount namespace`, async () => readFileSync(holderLog, 'utf8').includes('ready'), 30_000, () => holder.running || stopping(), check);
    const inNode = { mountOf: () => holder.pid };
    const nodeEnv = { TMPDIR: '/tmp' };
    const containerd = add({ name: `${node.name}-containerd`, command: binaries.containerd, args: ['--config', files.containerdConfig], cgroupProcsFiles: system, enter: inNode, env: nodeEnv, restart: true });
    await waitFor(`node ${node.name}'s containerd`, async () => existsSync(join(files.run, 'containerd', 'containerd.sock')), 60_000, () => containerd.running || stopping(), check);
    add({ name: `${node.name}-kubelet`, command: binaries.kubelet, args: kubeletArgs(node, files), cgroupProcsFiles: system, enter: inNode, env: nodeEnv, restart: true });
    add({ name: `${node.name}-kube-proxy`, command: binaries.kubeProxy, args: kubeProxyArgs(files), cgroupProcsFiles: system, enter: inNode, env: nodeEnv, restart: true });
    log(`node ${node.name}: containerd, kubelet and kube-proxy started`);
  }
}

