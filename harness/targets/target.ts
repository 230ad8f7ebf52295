/**
 * A Target is a place where systems run: loopback processes, the fog-in-a-box (network
 * namespaces as nodes), or a Kubernetes cluster. Systems describe what to run as units;
 * the target decides where, starts them, watches them and removes everything it created.
 */
import type { ClusterEvent, ResourceSample, TargetDescription } from '../results/schema.ts';

/** Where a unit should run. `index` spreads successive services over worker nodes. */
export type Placement = { role: 'client' } | { role: 'core' } | { role: 'worker'; index: number };

export interface Endpoint {
  host: string;
  port: number;
}

export interface UnitSpec {
  /** Unique within a deployment; also the route name for p2p services. */
  name: string;
  placement: Placement;
  /** Folder produced by the compiler: the bundle, its Dockerfile and anything it needs. */
  artifactDir: string;
  /** Command to run, relative paths resolved against artifactDir. Default: node <entry>. */
  command: string;
  args: string[];
  /** Port the unit listens on (inside its own network namespace where the target has them). */
  port: number;
  healthPath: string;
  /** Built once every unit of the deployment has an endpoint: the service table lives here. */
  env: (endpoints: ReadonlyMap<string, Endpoint>) => Record<string, string>;
  /** Upper bound on memory for the unit, where the target can enforce it. */
  memoryLimitBytes?: number;
}

export interface RunningUnit {
  readonly name: string;
  readonly pid: number | undefined;
  /** Resolves when the process ends, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Each line written to stdout (spans, progress). */
  onLine(listener: (line: string) => void): void;
  /** Everything written to stderr so far (last 64 KiB), for error messages. */
  stderrTail(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ClientSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface Observer {
  events(): ClusterEvent[];
  resources(): ResourceSample[];
  stop(): Promise<void>;
}

export interface Target {
  readonly kind: string;
  /** Create the nodes (namespaces, cgroups, links); fails with an environmentError if the host cannot. */
  prepare(): Promise<void>;
  describe(): TargetDescription;
  /** Start every unit, wait for health, and return the endpoints the client should use. */
  deploy(units: UnitSpec[], options: DeployOptions): Promise<Deployment>;
  /** Run a process on the client node (the load generator). */
  startClient(spec: ClientSpec): Promise<RunningUnit>;
  /** Begin watching nodes and units: per-second resource samples and lifecycle events. */
  observe(deployment: Deployment, t0: number): Observer;
  /** Remove everything this target created. Safe to call twice and after a partial prepare. */
  dispose(): Promise<void>;
}

export interface DeployOptions {
  /** Give up waiting for health after this long. */
  readyTimeoutMs: number;
  /** Called with each stdout line of each unit (spans are NDJSON lines). */
  onLine: (unit: string, line: string) => void;
  signal?: AbortSignal;
}

export interface Deployment {
  readonly endpoints: ReadonlyMap<string, Endpoint>;
  readonly units: readonly RunningUnit[];
  /** Node each unit was placed on. */
  readonly placement: ReadonlyMap<string, string>;
  /** Stop every unit of this deployment (the target's nodes stay for the next system). */
  stop(): Promise<void>;
}
