/**
 * The fog target's pods, as a kubelet keeps them: each one's sandbox (an address on its node, a
 * network namespace, a cgroup per container under the pod's, a private /tmp) and its containers
 * under supervision (fog-pod.ts), started, watched for OOM kills and removed. Which pods to run
 * and when they are ready is fog-deploy.ts's business.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { readlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Probes } from '../target.ts';
import { podAddress } from './addresses.ts';
import type { CgroupDriver } from './cgroups.ts';
import { resolveArg, resolveCommand } from './commands.ts';
import { FogPod, type FogContainerSpec } from './fog-pod.ts';
import type { HostCommands } from './host-tools.ts';
import { sanitize } from './names.ts';
import type { FogNetwork, PodNetwork } from './network.ts';
import type { LoggedEvent } from './observer.ts';
import { PodProcess } from './pod-process.ts';
import type { SpanSocket } from './span-socket.ts';
import type { RestartPolicy } from './supervised-unit.ts';
import type { FogNodeSpec } from './topology.ts';

export interface Pod {
  name: string;
  service: string;
  node: FogNodeSpec;
  network: PodNetwork;
  group: string;
  /** Each container's name and cgroup (accounting groups too), for per-container samples. */
  containers: { name: string; group: string }[];
  port: number;
  pod: FogPod;
  oomKills: number;
}

/** What it takes to start one pod. */
export interface PodStart {
  name: string;
  service: string;
  sandbox: Sandbox;
  port: number;
  restartPolicy: RestartPolicy;
  containers: {
    name: string;
    unitName: string;
    command: string;
    args: string[];
    env: Record<string, string>;
    probes: Probes;
    accountingGroups: { name: string; executable: string }[];
  }[];
  workDir: string;
}

export interface Sandbox {
  node: FogNodeSpec;
  network: PodNetwork;
  group: string;
  ordinal: number;
  tmpDir: string;
  /** Where the pod's processes write their spans (span-socket.ts); none for the client pod. */
  spans?: SpanSocket;
}

/** What the pods need of the target that made the nodes. */
export interface PodsContext {
  host: HostCommands;
  cgroups: CgroupDriver;
  network: FogNetwork;
  nodes: readonly FogNodeSpec[];
  /** A node's cgroup, parent of its pods' groups. */
  nodeGroup(node: FogNodeSpec): string;
  /** Folder of the pods' private /tmp folders. */
  tmpRoot: string;
  searchPath: string;
  restartBackoffMs: number;
  livenessKillGraceMs: number;
  /** Grace between SIGTERM and SIGKILL when a pod is removed. */
  stopGraceMs: number;
  /** The run's event log (the observer reads it). */
  log: LoggedEvent[];
  /** Keeps a background promise for dispose() to wait for. */
  track(promise: Promise<unknown>): void;
}

/** A container's cgroup folder under its pod's. */
function containerGroupName(container: string): string {
  return `c-${sanitize(container)}`;
}

export class FogPods {
  private readonly running = new Set<Pod>();
  /** Host numbers in use per node: an ended pod's address goes back to the pool. */
  private readonly ordinals = new Map<string, Set<number>>();

  constructor(private readonly ctx: PodsContext) {}

  /** How many pods hold an address on this node. */
  podsOn(node: FogNodeSpec): number {
    return this.ordinals.get(node.name)?.size ?? 0;
  }

  /** The pods started and not removed. */
  list(): Pod[] {
    return [...this.running];
  }

  async createSandbox(name: string, node: FogNodeSpec, memoryLimitBytes: number | null, containers: string[]): Promise<Sandbox> {
    const { cgroups, network } = this.ctx;
    const nodeIndex = this.ctx.nodes.indexOf(node);
    const used = this.ordinals.get(node.name) ?? new Set<number>();
    this.ordinals.set(node.name, used);
    let ordinal = 0;
    while (used.has(ordinal)) ordinal++;
    used.add(ordinal);
    try {
      const podNetwork = await network.createPod(name, nodeIndex, podAddress(network.block, nodeIndex, ordinal));
      const group = `${this.ctx.nodeGroup(node)}/${podNetwork.netns}`;
      await cgroups.create(group, { cpus: null, memoryBytes: memoryLimitBytes });
      // One leaf group per container: the pod's group holds no process (cgroup v2's rule).
      for (const container of containers) await cgroups.create(`${group}/${containerGroupName(container)}`, { cpus: null, memoryBytes: null });
      // A private /tmp, as a container has: of-watchdog's lock file must not be shared.
      const tmpDir = join(this.ctx.tmpRoot, podNetwork.netns);
      mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
      return { node, network: podNetwork, group, ordinal, tmpDir };
    } catch (error) {
      used.delete(ordinal);
      throw error;
    }
  }

  /** Removes a pod's cgroup (killing what is left in it), namespace and /tmp, and frees its address. */
  async destroySandbox(sandbox: Sandbox): Promise<void> {
    await this.ctx.cgroups.remove(sandbox.group);
    await sandbox.spans?.close();
    await this.ctx.network.removePod(sandbox.network);
    rmSync(sandbox.tmpDir, { recursive: true, force: true });
    this.ordinals.get(sandbox.node.name)?.delete(sandbox.ordinal);
  }

  /** Starts a pod's containers under supervision, each in its own cgroup in the pod's namespace. */
  start(start: PodStart, publish: () => void, client = false): Pod {
    const { sandbox } = start;
    const { cgroups } = this.ctx;
    const groupOf = (container: string) => `${sandbox.group}/${containerGroupName(container)}`;
    const record: Pod = {
      name: start.name,
      service: start.service,
      node: sandbox.node,
      network: sandbox.network,
      group: sandbox.group,
      port: start.port,
      containers: start.containers.flatMap((c) => [c.name, ...c.accountingGroups.map((g) => g.name)]).map((name) => ({ name, group: groupOf(name) })),
      oomKills: 0,
    } as Pod;
    const specs: FogContainerSpec[] = start.containers.map((c) => {
      const process = {
        name: c.unitName,
        ipPath: this.ctx.host.tools.ip,
        netns: sandbox.network.netns,
        cgroupProcsFiles: cgroups.procsFiles(groupOf(c.name)),
        command: resolveCommand(c.command, start.workDir, this.ctx.searchPath),
        args: c.args.map((arg) => resolveArg(arg, start.workDir)),
        env: { FOGBENCH_POD: start.name, FOGBENCH_POD_ADDRESS: sandbox.network.address, TMPDIR: sandbox.tmpDir, ...c.env },
        cwd: start.workDir,
      };
      const start_ = () => {
        const started = new PodProcess(process);
        // Inside the pod /sys is the namespace's own (ip netns exec), without cgroupfs, so the
        // processes to account apart are moved from out here once they appear.
        if (c.accountingGroups.length) this.ctx.track(this.sortIntoAccountingGroups(groupOf(c.name), c.accountingGroups.map((g) => ({ ...g, group: groupOf(g.name) })), started));
        return started;
      };
      return { name: c.name, unitName: c.unitName, groups: [c.name, ...c.accountingGroups.map((g) => g.name)].map(groupOf), probes: c.probes, start: start_ };
    });
    record.pod = new FogPod(
      start.name,
      specs,
      {
        restartPolicy: start.restartPolicy,
        restartBackoffMs: this.ctx.restartBackoffMs,
        livenessKillGraceMs: this.ctx.livenessKillGraceMs,
        address: sandbox.network.address,
      },
      {
        record: (kind, subject, detail) => {
          if (!client && this.running.has(record)) this.ctx.log.push({ atMs: Date.now(), kind, subject, node: record.node.name, detail });
        },
        killGroups: (groups) => this.killGroups(groups),
        onExit: () => this.checkOom(record),
        onReadiness: () => publish(),
        track: (promise) => this.ctx.track(promise),
      },
    );
    this.running.add(record);
    return record;
  }

  async remove(pod: Pod, graceMs = this.ctx.stopGraceMs): Promise<void> {
    if (!this.running.has(pod)) return;
    this.running.delete(pod); // a stop we asked for is not an event
    await pod.pod.stop(graceMs);
  }

  async pollOomKills(): Promise<void> {
    for (const pod of [...this.running]) await this.checkOom(pod);
  }

  /**
   * Moves processes of a container whose executable matches an accounting group into that
   * group, polling until each group has one or the container's process ends (10 s at most:
   * of-watchdog starts its function at once).
   */
  private async sortIntoAccountingGroups(containerGroup: string, groups: { executable: string; group: string }[], started: PodProcess): Promise<void> {
    const { cgroups } = this.ctx;
    const pending = new Set(groups);
    const deadline = Date.now() + 10_000;
    while (pending.size > 0 && !started.hasExited && Date.now() < deadline) {
      for (const pid of await cgroups.pids(containerGroup).catch(() => [] as number[])) {
        const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
        const match = [...pending].find((g) => basename(exe) === g.executable);
        if (!match) continue;
        for (const file of cgroups.procsFiles(match.group)) await writeFile(file, String(pid)).catch(() => undefined);
        pending.delete(match);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGKILLs what is left in a container's groups once its main process ended (as a runtime does). */
  private async killGroups(groups: string[]): Promise<void> {
    for (const group of groups) {
      const pids = await this.ctx.cgroups.pids(group).catch(() => [] as number[]);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  /** The kernel counts OOM kills per cgroup; a rise means one of the pod's processes was killed. */
  private async checkOom(pod: Pod): Promise<void> {
    // cgroup v1 counts a kill in the victim's own group (a container's), v2 in its ancestors too:
    // the pod's count is the largest of its group's and the sum of its containers'.
    const count = (group: string) => this.ctx.cgroups.oomKills(group).catch(() => 0);
    const own = await count(pod.group);
    const containers = (await Promise.all(pod.containers.map((c) => count(c.group)))).reduce((a, b) => a + b, 0);
    const kills = Math.max(own, containers);
    if (kills > pod.oomKills) {
      const detail = `${kills - pod.oomKills} process(es) killed by the kernel OOM killer (pod memory limit or node limit)`;
      this.ctx.log.push({ atMs: Date.now(), kind: 'oom-kill', subject: pod.name, node: pod.node.name, detail });
      pod.oomKills = kills;
    }
  }
}
