/**
 * What the kube target does differently on a cluster made by `cluster up --provider local`
 * (clusters/local-cluster), so that a run there compares with the same topology on fog:
 *
 * - the load generator runs on the topology's client node (its namespace and CPU quota), as on
 *   fog, not on the host; its quota group is read for the client-limited check;
 * - every replica's requests and limits are clusters/sizes.yaml's `units` times the topology's
 *   scale, as the nodes are the reference machines times that scale (four replicas per scaled
 *   t2.small, each may use the whole node);
 * - images are packed on this host with umoci from the compiler's Dockerfiles (no registry
 *   outside, no container engine) and pushed to the cluster's registry;
 * - the manifest says which quotas, links and shaping the nodes have, and that the control
 *   plane runs on the host, outside every node's quota.
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UnitResources } from '../../../clusters/config.ts';
import type { LocalClusterRecord } from '../../../clusters/local-cluster/record.ts';
import { readState } from '../../../clusters/state.ts';
import { ensureOpenFaaSBinaries } from '../../openfaas/binaries/build.ts';
import { WATCHDOG_RELEASE } from '../../openfaas/settings.ts';
import { requireHostTools } from '../local/host-tools.ts';
import { PodProcess } from '../local/pod-process.ts';
import type { ClientCgroup, ClientSpec, RunningUnit } from '../target.ts';
import type { ImageJob } from './images.ts';
import type { PodRef } from './kube-faults.ts';
import { parseQuantity } from './nodes.ts';
import { makeBaseResolver, type BaseResolver } from './oci/base-images.ts';
import { packAndPush, unitImagePlan } from './oci/local-images.ts';

export interface LocalClusterAccess {
  record: LocalClusterRecord;
  stateDir: string;
  /** `units` of clusters/sizes.yaml scaled as the nodes are. */
  scaleUnits(units: UnitResources): UnitResources;
  startClient(spec: ClientSpec, searchPath: string): RunningUnit;
  clientCgroup(): ClientCgroup;
  /** SIGKILLs every process of a pod's containers on its node, as `kill -9` on a VM; returns what it killed. */
  killPodContainers(pod: PodRef): Promise<string[]>;
  /** Packs and pushes the images of these jobs; returns how, for the manifest. */
  packImages(jobs: readonly ImageJob[], progress: (message: string) => void): Promise<string>;
  details(): Record<string, unknown>;
}

/** The local cluster whose state folder is `stateDir`, or null for any other cluster. */
export async function openLocalCluster(stateDir: string): Promise<LocalClusterAccess | null> {
  const state = await readState(stateDir).catch(() => null);
  if (state?.provider !== 'local' || !state.local) return null;
  const record = state.local;
  const scale = record.topology.scale;
  let bases: BaseResolver | undefined;
  const resolver = async () => {
    if (bases) return bases;
    const binaries = await ensureOpenFaaSBinaries({ searchPath: process.env.PATH ?? '' });
    return (bases = await makeBaseResolver({
      node: { path: realpathSync(process.execPath), version: process.version },
      watchdog: { path: binaries.watchdog.path, release: WATCHDOG_RELEASE },
    }));
  };
  return {
    record,
    stateDir,
    scaleUnits: (units) => scaleUnitResources(units, scale),
    startClient(spec, searchPath) {
      const tools = requireHostTools(searchPath);
      return new PodProcess({
        name: spec.name,
        ipPath: tools.ip,
        netns: record.client.netns,
        cgroupProcsFiles: clientGroupDirs(record).map((dir) => join(dir, 'cgroup.procs')),
        command: spec.command,
        args: spec.args,
        env: { PATH: searchPath, ...spec.env },
        cwd: process.cwd(),
      });
    },
    clientCgroup() {
      const m = record.cgroupMounts;
      const group = record.client.cgroup;
      if (record.cgroupVersion === 2) return { version: 2, cpuDir: join(m.unified!, group), cpuacctDir: join(m.unified!, group) };
      return { version: 1, cpuDir: join(m.cpu!, group), cpuacctDir: join(m.cpuacct!, group) };
    },
    async killPodContainers(pod) {
      const node = record.nodes.find((n) => n.name === pod.node);
      if (!node) throw new Error(`pod ${pod.namespace}/${pod.name} is on no node of this cluster (${pod.node ?? 'unscheduled'})`);
      const root = join(record.cgroupVersion === 2 ? record.cgroupMounts.unified! : record.cgroupMounts.cpu!, node.cgroup, 'kubepods');
      // The kubelet puts a pod under kubepods/, kubepods/burstable/ or kubepods/besteffort/ by its QoS class.
      const podDir = [join(root, `pod${pod.uid}`), join(root, 'burstable', `pod${pod.uid}`), join(root, 'besteffort', `pod${pod.uid}`)].find((d) => existsSync(d));
      if (!podDir) throw new Error(`the cgroup of pod ${pod.namespace}/${pod.name} is not on node ${node.name}`);
      const killed: string[] = [];
      for (const id of pod.containers) {
        const procs = await readFile(join(podDir, id, 'cgroup.procs'), 'utf8').catch(() => '');
        for (const pid of procs.split('\n').filter((l) => l.trim() !== '').map(Number)) {
          try {
            process.kill(pid, 'SIGKILL');
            killed.push(`pid ${pid} (container ${id.slice(0, 12)})`);
          } catch {
            // already gone
          }
        }
      }
      if (killed.length === 0) throw new Error(`no process of pod ${pod.namespace}/${pod.name}'s containers was running on node ${node.name}`);
      return killed;
    },
    async packImages(jobs, progress) {
      const resolve = await resolver();
      const work = join(stateDir, 'local');
      const notes = await packAndPush(
        await Promise.all(jobs.map(async (job) => ({ ref: job.ref, plan: await unitImagePlan(job.artifactDir, resolve) }))),
        { cacheDir: join(work, 'images-cache'), workDir: work, progress },
      );
      return `packed on this host with umoci from each unit's Dockerfile, pushed to the cluster registry ${record.registry}; ${notes.join('; ')}`;
    },
    details: () => ({
      provider: 'local: the fog topology as real Kubernetes nodes on this host (cluster up --provider local)',
      topology: record.topology,
      apiServer: record.apiServer,
      controlPlane: 'etcd, kube-apiserver, -controller-manager and -scheduler on the host, outside every node quota',
      nodes: Object.fromEntries([...record.nodes, record.client].map((n) => [n.name, { address: n.address, cpus: n.cpus, memoryBytes: n.memoryBytes, link: n.link }])),
      unitScale: scale,
      loadGenerator: `on node ${record.client.name} (${record.client.address}), in its namespace and quota, as on fog`,
      nodeMetrics: "the kubelet's node-level metrics are the whole host's (its root cgroup); pod metrics are each pod's own",
      readySeconds: record.readySeconds,
    }),
  };
}

function clientGroupDirs(record: LocalClusterRecord): string[] {
  const m = record.cgroupMounts;
  const roots = record.cgroupVersion === 2 ? [m.unified!] : [...new Set([m.cpu!, m.cpuacct!, m.memory!])];
  return roots.map((root) => join(root, record.client.cgroup));
}

/** Requests and limits times the scale, in the units Kubernetes writes them (millicores, MiB). */
export function scaleUnitResources(units: UnitResources, scale: number): UnitResources {
  const cpu = (quantity: string) => `${Math.max(1, Math.round(parseQuantity(quantity) * scale * 1000))}m`;
  const mib = (value: number) => Math.max(16, Math.round(value * scale));
  return { cpuRequest: cpu(units.cpuRequest), cpuLimit: cpu(units.cpuLimit), memoryRequestMiB: mib(units.memoryRequestMiB), memoryLimitMiB: mib(units.memoryLimitMiB) };
}
