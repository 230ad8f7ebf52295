/** The resolved options of a bench run (the CLI parses and validates; this is the result). */
import type { DriverName } from '../load/agent-protocol.ts';
import type { FaultSpec } from '../faults/spec.ts';
import type { FunctionRuntime } from '../openfaas/runtime.ts';

export interface BenchOptions {
  scenarioFile: string;
  systems: string[];
  workers: number[];
  durationMs: number;
  keepAlive: boolean;
  /**
   * The load driver, chosen once from --driver by whoever builds these options (chooseDriver,
   * harness/load/drivers.ts: `auto` resolved, a driver that cannot measure this load refused).
   */
  driver: DriverName;
  /** --driver hey: the hey program to run, as the pre-run check found it (hey-driver.ts heyForAgent). */
  hey?: string;
  /** Client-side timeout per request. */
  timeoutMs: number;
  /** Longest wait for the next step: a p2p service for the next service, the orchestrator for a step. */
  hopTimeoutMs: number;
  /**
   * One end-to-end deadline for both systems (--deadline): p2p's chain budget, shared down the
   * hops from the entry service, and every OpenFaaS watchdog's exec_timeout (the entry
   * function's caps the whole chain). Equal by construction, so a request that takes longer is
   * an error in both systems or in neither.
   */
  deadlineMs: number;
  dataset: string;
  /** Readings per request: the client's batch, or what `get` reads from the feed (dataPath in-system). */
  batchSize: number;
  /**
   * Where the data comes from: `client`, each request carries a batch of the dataset; or
   * `in-system`, as in the paper, requests carry nothing and `get` reads the next batch from a
   * sensor feed on the core node (harness/load/sensor-feed.ts).
   */
  dataPath: 'client' | 'in-system';
  /**
   * The calibration the readings per request came from (--preset paper), recorded in the
   * manifest; null when the batch was given by hand; absent for other runs.
   */
  calibration?: {
    readingsPerRequest: number;
    meanLatencyS: number;
    target: { meanLatencyS: number; source: string };
    host: { hostname: string; cpus: number; cpuModel: string };
    topology: { file: string; sha256: string };
    createdAt: string;
    fogbench: { version: string; gitSha: string | null };
  } | null;
  runsDir: string;
  buildDir: string;
  runId: string;
  target: string;
  config: Record<string, string>;
  readyTimeoutMs: number;
  /** Pause between profiles so one profile's backlog does not leak into the next. */
  cooldownMs: number;
  preset: string | null;
  /** Load before each profile's measured window, not counted. */
  warmupMs: number;
  /** Open loop: requests per second (workers then caps the connections); null = closed loop. */
  rate: number | null;
  arrivals: 'constant' | 'poisson';
  seed: number;
  /** Runs of every profile, interleaved across systems. */
  repeat: number;
  /** openfaas: replicas per function. */
  replicas: number;
  /** openfaas: override of the chart's gateway upstream timeout (ms). */
  openfaasTimeouts: Partial<Record<'gateway', number>>;
  /** openfaas: the server functions run in (harness/openfaas/runtime.ts). */
  functionRuntime: FunctionRuntime;
  /** --fault: faults applied in every profile, timed from its window's start (harness/faults). */
  faults?: FaultSpec[];
}

export type BenchEvent =
  | { type: 'phase'; message: string }
  | { type: 'profile-start'; system: string; workers: number; durationMs: number; repetition: number; repeat: number }
  | { type: 'profile-progress'; system: string; workers: number; elapsedMs: number; requests: number; ok: number; errors: number }
  | { type: 'profile-end'; system: string; workers: number; file: string; interrupted: boolean };
