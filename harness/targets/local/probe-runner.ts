/**
 * One container's HTTP probe, run the way the kubelet runs it: first after
 * initialDelaySeconds, then every periodSeconds, an attempt failing when no 200–399 answer
 * comes within timeoutSeconds. The result flips only after successThreshold successes or
 * failureThreshold failures in a row. As in the kubelet's prober, a readiness probe starts
 * failing (the pod is not ready until it has passed) and a liveness probe starts passing (the
 * container is alive until it has failed failureThreshold times). Probes come from the host,
 * as the kubelet's do.
 */
import { probe } from '../process/health.ts';
import type { HttpProbe } from '../target.ts';
import { after, type Timer } from '../../timers.ts';

const FAST_MS = 100;

/** The probe's result flipped: true = passing. `detail` says why, for the timeline. */
export type ProbeListener = (passing: boolean, detail: string) => void;

export class ProbeRunner {
  private timer: Timer | null = null;
  private passing: boolean;
  private successes = 0;
  private failures = 0;
  private generation = 0;
  /** Poll every FAST_MS until the first pass (see start()). */
  private fast = false;

  constructor(
    private readonly spec: HttpProbe,
    private readonly url: string,
    private readonly initiallyPassing: boolean,
    private readonly onChange: ProbeListener,
  ) {
    this.passing = initiallyPassing;
  }

  /**
   * Starts (or starts over, for a new container) from the initial delay and initial result.
   * `fastUntilPass` polls every 100 ms until the first pass: used only while a deployment is
   * being brought up, so a deploy does not idle up to a period for nothing; once running, the
   * probe keeps the kubelet's period.
   */
  start(fastUntilPass = false): void {
    this.stop();
    this.fast = fastUntilPass;
    this.passing = this.initiallyPassing;
    this.successes = 0;
    this.failures = 0;
    this.schedule(this.spec.initialDelaySeconds * 1000, this.generation);
  }

  /** Stops probing; an attempt in flight is ignored when it comes back. */
  stop(): void {
    this.generation++;
    this.timer?.clear();
    this.timer = null;
  }

  get isPassing(): boolean {
    return this.passing;
  }

  private schedule(delayMs: number, generation: number): void {
    this.timer = after(delayMs, () => void this.attempt(generation)).unref();
  }

  private async attempt(generation: number): Promise<void> {
    this.timer = null;
    const startedAt = Date.now();
    const status = await probe(this.url, this.spec.timeoutSeconds * 1000);
    if (generation !== this.generation) return;
    if (status >= 200 && status < 400) {
      this.failures = 0;
      this.successes++;
      if (!this.passing && this.successes >= this.spec.successThreshold) {
        this.passing = true;
        this.fast = false;
        this.onChange(true, `GET :${this.spec.port}${this.spec.path} passed`);
      }
    } else {
      this.successes = 0;
      this.failures++;
      if (this.passing && this.failures >= this.spec.failureThreshold) {
        this.passing = false;
        const last = status === 0 ? `no answer within ${this.spec.timeoutSeconds} s` : `answered ${status}`;
        this.onChange(false, `GET :${this.spec.port}${this.spec.path} failed ${this.failures} times in a row (last: ${last})`);
      }
    }
    if (generation !== this.generation) return;
    const periodMs = this.fast ? Math.min(FAST_MS, this.spec.periodSeconds * 1000) : this.spec.periodSeconds * 1000;
    this.schedule(Math.max(0, periodMs - (Date.now() - startedAt)), generation);
  }
}
