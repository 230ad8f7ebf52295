/**
 * The kernel objects of a local cluster, made with the fog target's own pieces (network.ts,
 * cgroups.ts, shaping.ts, link-delay.ts, owner.ts): the fog switch and one bridge and shaped
 * link per topology node, as on fog; per Kubernetes node a network namespace on its bridge
 * (the node's "VM"), with routes to the other nodes' pod subnets; the client node's namespace
 * for the load generator; one cgroup per node with the node's CPU and memory quota, holding
 * the node's daemons (system/) and, under the kubelet's cgroupRoot, its pods.
 *
 * Every namespace, interface and cgroup is in the owner record before it exists; routes and
 * addresses are bound to the switch and go with it. dispose() removes all, in any state.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { errorCollector } from '../../harness/errors.ts';
import type { CgroupDriver } from '../../harness/targets/local/cgroups.ts';
import type { HostCommands } from '../../harness/targets/local/host-tools.ts';
import { linkNodes, probeDelayMethod } from '../../harness/targets/local/fog-links.ts';
import type { FogNames } from '../../harness/targets/local/names.ts';
import { FogNetwork, type PodNetwork } from '../../harness/targets/local/network.ts';
import { ledgerFor } from '../../harness/targets/local/owner.ts';
import type { PodProcess } from '../../harness/targets/local/pod-process.ts';
import type { DelayMethod } from '../../harness/targets/local/shaping.ts';
import type { LocalClusterPlan } from './plan.ts';

export interface FabricGroups {
  controlPlane: string;
  links: string;
  /** The node's quota group; the kubelet's cgroupRoot is "/" + this. */
  node(name: string): string;
  /** The node's daemons (containerd, kubelet, kube-proxy and the containers' shims). */
  system(name: string): string;
}

export function fabricGroups(root: string): FabricGroups {
  return {
    controlPlane: `${root}/control-plane`,
    links: `${root}/links`,
    node: (name) => `${root}/${name}`,
    system: (name) => `${root}/${name}/system`,
  };
}

export interface Fabric {
  network: FogNetwork;
  /** Node name → its namespace (Kubernetes nodes and the client). */
  namespaces: Map<string, PodNetwork>;
  relays: PodProcess[];
  delay: DelayMethod;
}

export interface FabricTools {
  host: HostCommands;
  cgroups: CgroupDriver;
  names: FogNames;
  /** Needed only when a link asks for latency and the kernel has no netem. */
  linkDelayBinary: string | null;
  progress: (message: string) => void;
}

/** Builds network and cgroups; on failure the caller disposes what was made (disposeFabric). */
export async function buildFabric(plan: LocalClusterPlan, tools: FabricTools, made: Partial<Fabric>): Promise<Fabric> {
  const { host, cgroups, names } = tools;
  const groups = fabricGroups(names.root);
  const network = new FogNetwork(host, names, plan.fogBlock);
  made.network = network;
  made.namespaces = new Map();
  made.relays = [];
  await network.createSwitch();
  // The pod block is used through routes only: an address of it on the switch shows other fog
  // runs (which pick a block no host address uses) that it is taken.
  await host.ip(['addr', 'add', `${plan.podBlockMarker}/32`, 'dev', names.switchBridge]);
  const delay: DelayMethod = plan.topology.nodes.some((n) => n.link.latencyMs > 0) ? await probeDelayMethod(host, names.switchBridge) : 'none';
  made.delay = delay;
  if (delay === 'relay') await cgroups.create(groups.links, { cpus: null, memoryBytes: null });
  await cgroups.create(groups.controlPlane, { cpus: null, memoryBytes: null });
  const linkTools = { host, network, names, cgroups, linkDelayBinary: tools.linkDelayBinary, relayProcsFiles: cgroups.procsFiles(groups.links) };
  await linkNodes(linkTools, plan.topology.nodes, delay, { nodeGroup: (node) => groups.node(node.name), onRelay: (relay) => made.relays!.push(relay) });
  made.namespaces.set(plan.client.name, await network.createPod(plan.client.name, plan.client.index, plan.client.address));
  for (const node of plan.nodes) {
    tools.progress(`node ${node.name}: namespace ${node.address}, pods ${node.podCidr}, quota ${node.cpus ?? 'no limit'} CPU / ${node.memoryBytes === null ? 'no limit' : `${Math.round(node.memoryBytes / 2 ** 20)} MiB`}`);
    const pod = await network.createPod(node.name, node.index, node.address);
    made.namespaces.set(node.name, pod);
    await nodeRouting(host, plan, node.name, pod.netns);
    await host.ip(['route', 'add', node.podCidr, 'via', node.address, 'dev', names.switchBridge]);
    await createEverywhere(cgroups, groups.node(node.name));
    await cgroups.create(groups.system(node.name), { cpus: null, memoryBytes: null });
  }
  return made as Fabric;
}

/** Inside a node's namespace: forward for its pods, reach the other nodes' pods through them. */
async function nodeRouting(host: HostCommands, plan: LocalClusterPlan, name: string, netns: string): Promise<void> {
  await execInNetns(host, netns, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=1']);
  const lines: string[][] = [];
  for (const other of plan.nodes) if (other.name !== name) lines.push(['route', 'add', other.podCidr, 'via', other.address, 'dev', 'eth0']);
  // Service addresses are translated by kube-proxy before routing; a packet that is not stays on the fog.
  lines.push(['route', 'add', plan.serviceCidr, 'dev', 'eth0']);
  await host.ipBatch(lines, netns);
}

async function execInNetns(host: HostCommands, netns: string, command: string, args: string[]): Promise<void> {
  const result = await execa(host.tools.ip, ['netns', 'exec', netns, command, ...args], { reject: false });
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} in ${netns} failed: ${(result.stderr || result.stdout).trim()}`);
}

/**
 * A kubelet's cgroupRoot must exist in every hierarchy it manages (cpuset, pids, ... besides the
 * fog's cpu, cpuacct and memory). In cgroup v1 a new cpuset group has no CPUs until given its
 * parent's; in v2 the controllers must be enabled down the path.
 */
export async function createEverywhere(cgroups: CgroupDriver, group: string): Promise<void> {
  ledgerFor(group.split('/')[0]!)?.add('cgroups', group.split('/')[0]!);
  for (const hierarchy of cgroups.hierarchies) {
    let dir = hierarchy;
    for (const part of group.split('/')) {
      if (cgroups.version === 2) {
        for (const controller of ['cpu', 'memory', 'pids', 'cpuset', 'io', 'hugetlb']) {
          try {
            writeFileSync(join(dir, 'cgroup.subtree_control'), `+${controller}`);
          } catch {
            // not available on this host
          }
        }
      }
      const parent = dir;
      dir = join(dir, part);
      if (!existsSync(dir)) mkdirSync(dir);
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        const own = join(dir, file);
        if (cgroups.version === 1 && existsSync(own) && readFileSync(own, 'utf8').trim() === '') writeFileSync(own, readFileSync(join(parent, file), 'utf8').trim());
      }
    }
  }
}

/** Removes everything the fabric made (whatever it got to), processes in its cgroups first. */
export async function disposeFabric(made: Partial<Fabric>, cgroups: CgroupDriver | null, root: string): Promise<unknown[]> {
  const { errors, attempt } = errorCollector();
  for (const relay of made.relays ?? []) await attempt(() => relay.stop('SIGTERM', 1000));
  if (cgroups) await attempt(() => cgroups.remove(root));
  if (made.network) await attempt(() => made.network!.dispose());
  return errors;
}
