/**
 * A fog pod as the kubelet keeps one: its containers (each a supervised process in the pod's
 * network namespace, in a cgroup of its own under the pod's), their probes, and the pod's
 * readiness. A liveness failure kills the container, which then restarts with the back-off;
 * a container that ends takes its leftover processes with it (as a runtime kills a
 * container's cgroup) and the pod out of rotation until its readiness probes pass again.
 */
import type { ExitStatus } from '../process/child-unit.ts';
import type { HttpProbe, Probes } from '../target.ts';
import type { PodProcess } from './pod-process.ts';
import { ProbeRunner } from './probe-runner.ts';
import { SupervisedUnit, type RestartPolicy } from './supervised-unit.ts';

export interface FogContainerSpec {
  name: string;
  /** Name of its RunningUnit: the pod's name for the main container, pod/container for sidecars. */
  unitName: string;
  /** The container's cgroup and its accounting groups; all are killed when it ends. */
  groups: string[];
  start: () => PodProcess;
  probes: Probes;
}

export interface FogPodHooks {
  record(kind: 'exit' | 'restart' | 'ready' | 'not-ready' | 'unhealthy', subject: string, detail: string): void;
  /** SIGKILL whatever is left in these cgroups. */
  killGroups(groups: string[]): Promise<void>;
  /** Called after the exit of a container was handled (OOM check). */
  onExit(container: string, status: ExitStatus): Promise<void>;
  /** The pod's readiness changed. */
  onReadiness(ready: boolean): void;
  track(promise: Promise<unknown>): void;
}

export interface FogPodOptions {
  restartPolicy: RestartPolicy;
  restartBackoffMs: number;
  /** SIGTERM → SIGKILL grace of a liveness kill (terminationGracePeriodSeconds, 30 s by default). */
  livenessKillGraceMs: number;
  /** Address probes are sent to (the pod's own). */
  address: string;
}

interface Container {
  spec: FogContainerSpec;
  unit: SupervisedUnit;
  running: boolean;
  readiness: ProbeRunner | null;
  liveness: ProbeRunner | null;
}

export class FogPod {
  private readonly containers: Container[];
  private ready = false;
  private everReady = false;
  private readonly readyWaiters: (() => void)[] = [];
  private stopping = false;

  constructor(
    readonly name: string,
    specs: FogContainerSpec[],
    private readonly options: FogPodOptions,
    private readonly hooks: FogPodHooks,
  ) {
    this.containers = specs.map((spec) => this.createContainer(spec));
    // Brought up fast (see ProbeRunner.start); restarts later probe at the kubelet's pace.
    for (const container of this.containers) this.startProbes(container, true);
    this.updateReadiness();
  }

  /** Every container's RunningUnit, the main one first. */
  get units(): SupervisedUnit[] {
    return this.containers.map((c) => c.unit);
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Resolves the first time the pod is ready. */
  firstReady(): Promise<void> {
    if (this.everReady) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Resolves with the first container exit (a crash before ready fails the deploy). */
  firstExit(): Promise<{ container: string; status: ExitStatus }> {
    return Promise.race(this.containers.map((c) => c.unit.process.exited.then((status) => ({ container: c.spec.name, status }))));
  }

  /** Restarts begin once the pod has been ready: a pod that never starts fails the deploy. */
  enableRestarts(): void {
    for (const c of this.containers) c.unit.enableRestarts();
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const c of this.containers) {
      c.readiness?.stop();
      c.liveness?.stop();
    }
    await Promise.all(this.containers.map((c) => c.unit.stop('SIGTERM', graceMs)));
  }

  stderrTail(): string {
    return this.containers.map((c) => c.unit.stderrTail()).filter(Boolean).join('\n');
  }

  private createContainer(spec: FogContainerSpec): Container {
    const container = { spec, running: true, readiness: null, liveness: null } as unknown as Container;
    const url = (probe: HttpProbe) => `http://${this.options.address}:${probe.port}${probe.path}`;
    if (spec.probes.readiness) {
      const probe = spec.probes.readiness;
      container.readiness = new ProbeRunner(probe, url(probe), false, (passing, detail) => {
        this.hooks.record(passing ? 'ready' : 'not-ready', spec.unitName, `readiness ${detail}`);
        this.updateReadiness();
      });
    }
    if (spec.probes.liveness) {
      const probe = spec.probes.liveness;
      container.liveness = new ProbeRunner(probe, url(probe), true, (passing, detail) => {
        if (passing || this.stopping) return;
        this.hooks.record('unhealthy', spec.unitName, `liveness ${detail}; killing the container`);
        container.liveness?.stop();
        this.hooks.track(container.unit.kill(this.options.livenessKillGraceMs));
      });
    }
    container.unit = new SupervisedUnit(spec.unitName, this.options.restartPolicy, this.options.restartBackoffMs, {
      start: spec.start,
      onExit: async (status) => {
        container.running = false;
        container.readiness?.stop();
        container.liveness?.stop();
        this.updateReadiness();
        await this.hooks.killGroups(spec.groups);
        await this.hooks.onExit(spec.name, status);
        if (!this.stopping) this.hooks.record('exit', spec.unitName, status.signal === null ? `exited with code ${status.code}` : `killed by ${status.signal}`);
      },
      onRestart: (restarts, backoffMs) => {
        if (this.stopping) return;
        container.running = true;
        this.hooks.record('restart', spec.unitName, `restart #${restarts} after a ${(backoffMs / 1000).toFixed(1)} s back-off`);
        this.startProbes(container);
        this.updateReadiness();
      },
    });
    return container;
  }

  private startProbes(container: Container, fast = false): void {
    container.readiness?.start(fast);
    container.liveness?.start();
  }

  /** Ready = every container running and every readiness probe passing. */
  private updateReadiness(): void {
    const ready = !this.stopping && this.containers.every((c) => c.running && (c.readiness === null || c.readiness.isPassing));
    if (ready === this.ready) return;
    this.ready = ready;
    if (ready && !this.everReady) {
      this.everReady = true;
      for (const resolve of this.readyWaiters.splice(0)) resolve();
    }
    this.hooks.onReadiness(ready);
  }
}
