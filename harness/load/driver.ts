/**
 * A LoadDriver sends a closed-loop load: `workers` concurrent clients, each sending its next
 * request when the previous one ends, for `durationMs`. Every outcome goes to the recorder.
 */
import type { ProfileRecorder } from '../metrics/recorder.ts';
import type { BodySource } from './body-source.ts';

export interface LoadSpec {
  url: string;
  /** Closed loop: concurrent workers. Open loop: the most requests in flight at once. */
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

export interface LoadDriver {
  readonly name: string;
  /** Why this driver cannot measure the spec correctly, or undefined when it can. */
  unsupported(spec: LoadSpec): string | undefined;
  /** Runs the load; resolves with the number of requests cut off by the end of the window. */
  run(spec: LoadSpec, bodies: BodySource, recorder: ProfileRecorder, signal: AbortSignal): Promise<{ cutOff: number }>;
}
