/**
 * Per-second CPU and memory of every fog node and of every unit's pod, read from their
 * cgroups (a pod's cgroup is a child of its node's), and the lifecycle events
 * the target logged (exits, OOM kills) since observation began. CPU is the cgroup's CPU-time
 * delta over the wall-time delta, i.e. a fraction of one core, comparable to the node's quota.
 */
import type { ClusterEvent, ResourceSample } from '../../results/schema.ts';
import type { Observer } from '../target.ts';
import type { CgroupDriver } from './cgroups.ts';
import { every } from '../../timers.ts';

export interface ObservedNode {
  name: string;
  group: string;
  cpuLimit: number | null;
  /** A unit's pod on node `name` (sampled from the pod's child cgroup), not the whole node. */
  unit?: string;
  /** One container (or accounting group) of that pod. */
  container?: string;
}

/** An event with an absolute time, as the target logs it. */
export interface LoggedEvent {
  atMs: number;
  kind: ClusterEvent['kind'];
  subject: string;
  node?: string;
  detail: string;
}

export class FogObserver implements Observer {
  private readonly samples: ResourceSample[] = [];
  private readonly last = new Map<string, { usageNs: number; atNs: bigint }>();
  private readonly timer: NodeJS.Timeout;
  /** Events logged before observation began belong to an earlier profile. */
  private readonly firstEvent: number;
  private ticking: Promise<void> = Promise.resolve();

  constructor(
    private readonly cgroups: CgroupDriver,
    private readonly nodes: ObservedNode[],
    private readonly log: readonly LoggedEvent[],
    /** Epoch milliseconds of the profile's start: sample and event times are relative to it. */
    private readonly t0: number,
    intervalMs = 1000,
  ) {
    this.firstEvent = log.length;
    this.ticking = this.tick(false);
    this.timer = every(intervalMs, () => {
      this.ticking = this.ticking.then(() => this.tick(true));
    });
  }

  private async tick(record: boolean): Promise<void> {
    const now = process.hrtime.bigint();
    const wall = Date.now();
    for (const node of this.nodes) {
      try {
        const usageNs = await this.cgroups.cpuUsageNs(node.group);
        const memory = await this.cgroups.memory(node.group);
        const key = [node.name, node.unit, node.container].filter((k) => k !== undefined).join('/');
        const previous = this.last.get(key);
        this.last.set(key, { usageNs, atNs: now });
        if (!record || previous === undefined) continue;
        const elapsedNs = Number(now - previous.atNs);
        this.samples.push({
          t: round3((wall - this.t0) / 1000),
          node: node.name,
          ...(node.unit === undefined ? {} : { unit: node.unit }),
          ...(node.container === undefined ? {} : { container: node.container }),
          cpu: round3(Math.max(0, usageNs - previous.usageNs) / elapsedNs),
          cpuLimit: node.cpuLimit,
          memoryBytes: memory.bytes,
          memoryLimitBytes: memory.limitBytes,
        });
      } catch {
        // The node went away (dispose during observation): nothing more to sample.
      }
    }
  }

  events(): ClusterEvent[] {
    return this.log
      .slice(this.firstEvent)
      .map((e) => ({
        t: round3((e.atMs - this.t0) / 1000),
        at: new Date(e.atMs).toISOString(),
        kind: e.kind,
        subject: e.subject,
        ...(e.node === undefined ? {} : { node: e.node }),
        detail: e.detail,
      }));
  }

  resources(): ResourceSample[] {
    return [...this.samples];
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
