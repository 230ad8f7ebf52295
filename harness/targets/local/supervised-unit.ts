/**
 * A unit as Kubernetes runs a Deployment's pod: when its process ends without being asked
 * to (crash, OOM kill), it is started again in the same pod after a back-off that doubles
 * from `initialBackoffMs` up to 5 minutes (CrashLoopBackOff), and resets once the process
 * has run for 10 minutes. Each exit and restart is reported, so it lands in the run's events.
 */
import type { RunningUnit } from '../target.ts';
import type { ExitStatus, PodProcess } from './pod-process.ts';
import { after, type Timer } from '../../timers.ts';

const MAX_BACKOFF_MS = 300_000;
const STABLE_AFTER_MS = 600_000;

export type RestartPolicy = 'always' | 'never';

export interface SupervisorHooks {
  /** Starts one process of the unit. */
  start: () => PodProcess;
  /** The process ended on its own (not through stop()). */
  onExit: (status: ExitStatus) => Promise<void> | void;
  /** A new process was started after `backoffMs`; `restarts` counts them. */
  onRestart: (restarts: number, backoffMs: number, process: PodProcess) => void;
}

export class SupervisedUnit implements RunningUnit {
  readonly name: string;
  readonly exited: Promise<ExitStatus>;
  private current: PodProcess;
  private readonly listeners: ((line: string) => void)[] = [];
  private stderr = '';
  private stopping = false;
  private restartsEnabled = false;
  private restarts = 0;
  private backoffMs: number;
  private restartTimer: Timer | null = null;
  private finish!: (status: ExitStatus) => void;

  constructor(
    name: string,
    private readonly policy: RestartPolicy,
    private readonly initialBackoffMs: number,
    private readonly hooks: SupervisorHooks,
  ) {
    this.name = name;
    this.backoffMs = initialBackoffMs;
    this.exited = new Promise((resolve) => (this.finish = resolve));
    this.current = this.launch();
  }

  get pid(): number | undefined {
    return this.current.pid;
  }

  /** The process running now (a new one after each restart). */
  get process(): PodProcess {
    return this.current;
  }

  /** Restarts begin once the unit has been healthy: a unit that never starts fails the deploy. */
  enableRestarts(): void {
    this.restartsEnabled = true;
  }

  onLine(listener: (line: string) => void): void {
    this.listeners.push(listener);
  }

  stderrTail(): string {
    return (this.stderr + this.current.stderrTail()).slice(-64 * 1024);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    this.stopping = true;
    this.restartTimer?.clear();
    this.restartTimer = null;
    await this.current.stop(signal, graceMs);
    this.finish(await this.current.exited);
  }

  /**
   * Kills the running process (SIGTERM, SIGKILL after `graceMs`) without stopping the unit:
   * it restarts by its policy, as a container killed for a failed liveness probe does.
   */
  async kill(graceMs: number): Promise<void> {
    if (this.stopping) return;
    await this.current.stop('SIGTERM', graceMs);
  }

  private launch(): PodProcess {
    const process = this.hooks.start();
    const startedAt = Date.now();
    process.onLine((line) => {
      for (const listener of this.listeners) listener(line);
    });
    void process.exited.then(async (status) => {
      if (this.stopping) return;
      await this.hooks.onExit(status);
      if (this.policy === 'never' || !this.restartsEnabled || this.stopping) {
        this.finish(status);
        return;
      }
      if (Date.now() - startedAt >= STABLE_AFTER_MS) this.backoffMs = this.initialBackoffMs;
      const wait = this.backoffMs;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      this.restartTimer = after(wait, () => {
        this.restartTimer = null;
        if (this.stopping) return;
        this.stderr = (this.stderr + this.current.stderrTail()).slice(-64 * 1024);
        this.current = this.launch();
        this.hooks.onRestart(++this.restarts, wait, this.current);
      });
    });
    return process;
  }
}
