/**
 * A LoadDriver sends a closed-loop load: `workers` concurrent clients, each sending its next
 * request when the previous one ends, for `durationMs`. Every outcome goes to the recorder.
 */
import type { ProfileRecorder } from '../metrics/recorder.ts';
import type { BodySource } from './body-source.ts';

export interface LoadSpec {
  url: string;
  /**
   * Closed loop: concurrent workers. Open loop: the most requests allowed in flight at once; a
   * send that finds them all busy waits in the client, and is counted as queued.
   */
  workers: number;
  /** Open loop: requests per second on a schedule independent of responses. Absent: closed loop. */
  rate?: number;
  arrivals?: 'constant' | 'poisson';
  /** Seed of the Poisson schedule, so a schedule can be replayed. */
  seed?: number;
  durationMs: number;
  keepAlive: boolean;
  /** A request without a full response after this long counts as a timeout. */
  timeoutMs: number;
  headers: Record<string, string>;
}

export interface RunOptions {
  /**
   * How the load ends. `cut` (the measured window): requests still in flight are cut off at
   * once, each recorded as cut off at its age. `drain` (a warm-up): no new request is sent, and
   * the run waits (up to the timeout) for those in flight to end, so none of them is still
   * running downstream when the next window opens.
   */
  end: 'cut' | 'drain';
  /**
   * A folder of the run for files a driver needs (hey's body file): inside the run's build
   * folder, so that it goes with it however the run ends, SIGKILL included. Default: the
   * system's temporary folder.
   */
  scratchDir?: string;
  /** The hey program to run (hey driver): the one the bench checked before it started; default heyCommand(). */
  hey?: string;
}

export interface LoadDriver {
  readonly name: string;
  /** False when the driver cannot end by draining (RunOptions.end 'drain'): the agent then ends a warm-up with the fogbench-http driver. */
  readonly canDrain?: boolean;
  /** Why this driver cannot measure the spec correctly, or undefined when it can. */
  unsupported(spec: LoadSpec): string | undefined;
  /**
   * Runs the load; resolves with the number of requests cut off by the end of the window that
   * were not already reported to the recorder with recorder.cutOff() (0 for drivers that know
   * each one's age).
   */
  run(spec: LoadSpec, bodies: BodySource, recorder: ProfileRecorder, signal: AbortSignal, options?: RunOptions): Promise<{ cutOff: number }>;
}
