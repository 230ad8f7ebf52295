/**
 * A Target is a place where systems run: loopback processes, the fog-in-a-box (network
 * namespaces as nodes), or a Kubernetes cluster. Systems describe what to run as units;
 * the target decides where, starts them, watches them and removes everything it created.
 */
import type { FunctionDeployment } from '../openfaas/gateway-client.ts';
import type { ClusterEvent, ResourceSample, TargetDescription } from '../results/schema.ts';
import type { FaultSpec } from '../faults/spec.ts';

/** Where a unit should run. `index` spreads successive services over worker nodes. */
export type Placement = { role: 'client' } | { role: 'core' } | { role: 'worker'; index: number };

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * A Kubernetes-style HTTP probe. Targets that emulate a kubelet (fog) run it as the kubelet
 * does; the kube target writes it into the pod spec. Times in seconds, as in a manifest.
 */
export interface HttpProbe {
  path: string;
  port: number;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface Probes {
  /** Failing it restarts the container. */
  liveness?: HttpProbe;
  /** Failing it takes the pod out of rotation until it passes again. */
  readiness?: HttpProbe;
}

/** A second process in a unit's pod, sharing its network (as a sidecar container does). */
export interface ContainerSpec {
  name: string;
  command: string;
  args: string[];
  env: (endpoints: ReadonlyMap<string, Endpoint>) => Record<string, string>;
  probes?: Probes;
}

export interface UnitSpec {
  /** Unique within a deployment; also the route name for p2p services. */
  name: string;
  /** The replicated thing this unit is one replica of (a Deployment/Service); default: name. */
  service?: string;
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
  /** Probes of the unit's main container; without a readiness probe, GET healthPath is the readiness check. */
  probes?: Probes;
  /** Name of the main container (per-container resource samples); default: the unit's name. */
  container?: string;
  /**
   * Processes of the main container to account apart, by executable name: the fog target moves
   * each process whose executable is `executable` into a cgroup of its own called `name`, so
   * e.g. of-watchdog's Node function is sampled apart from the watchdog. Still one container:
   * they live and die together.
   */
  accountingGroups?: { name: string; executable: string }[];
  /** Other containers of the pod (same network namespace, own processes). */
  sidecars?: ContainerSpec[];
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

export interface ClientCgroup {
  version: 1 | 2;
  /** v1: the cpu controller's folder (quota, cpu.stat); v2: the group's folder. */
  cpuDir: string;
  /** v1: the cpuacct controller's folder (cpuacct.usage); v2: the same as cpuDir. */
  cpuacctDir: string;
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

/** What a target can host, so a system can plan for it (or refuse with the reason). */
export interface TargetCapabilities {
  /**
   * Each unit has its own network namespace, so fixed ports (of-watchdog's 8080 and 8081) and
   * several containers per pod work; false on loopback, where every unit shares 127.0.0.1.
   */
  podNetwork: boolean;
  /** Runs probes as a kubelet does (restart on liveness failure, out of rotation on readiness). */
  probes: boolean;
  /** A platform that deploys OpenFaaS functions itself (the chart's gateway on a cluster). */
  functions?: FunctionPlatform;
  /** Faults it can inject into a running deployment (--fault); absent: none. */
  faults?: FaultInjector;
}

/**
 * Fault injection (--fault, harness/faults): the target applies a fault to one deployment and
 * says how to undo it. The bench schedules them (harness/bench/fault-schedule.ts); the target
 * undoes whatever is still in effect when it is disposed, so nothing outlives the run.
 */
export interface FaultInjector {
  /** Why this target cannot inject faults of this kind at all, as one line saying what to do instead; asked before anything runs. */
  refuses(fault: FaultSpec): string | null;
  /**
   * The nodes a node fault may name, read without creating anything (before prepare()), so that
   * a fault naming no node stops the run before anything runs.
   */
  nodes(): Promise<readonly { name: string; role: string }[]>;
  /**
   * Applies the fault to this deployment's units or to a node. `applied: false` when it does not
   * apply to this deployment (a system without a gateway), with the reason; throws when it should
   * have applied and could not.
   */
  apply(fault: FaultSpec, deployment: Deployment): Promise<FaultApplication>;
  /** Undoes every fault still in effect (dispose, Ctrl-C). Safe to call twice. */
  revertAll(): Promise<void>;
}

export type FaultApplication =
  | {
      applied: true;
      /** What it acted on (pods, pids, devices, cgroups). */
      targets: string[];
      detail: string;
      /** Undoes it and says how; null when there is nothing to undo (a kill). Safe to call twice. */
      revert: (() => Promise<string>) | null;
    }
  | { applied: false; reason: string };

/** A function platform a target provides (kube: the OpenFaaS chart's gateway and images). */
export interface FunctionPlatform {
  /**
   * Deploys the functions, waits for them, and returns the gateway as endpoint "gateway";
   * `onLine` gets each line the function pods write (their spans).
   */
  deployFunctions(functions: readonly FunctionArtifact[], options: { readyTimeoutMs: number; onLine?: (unit: string, line: string) => void }): Promise<Deployment>;
  /** What runs the functions on this cluster (the chart's provider, or fogbench's layout), for the manifest. */
  describe?(): Promise<Record<string, unknown>>;
  /**
   * Why the platform cannot run this many functions with this many replicas each (e.g. OpenFaaS
   * CE's caps), as one line, or null; for a system to ask at plan time, before anything is
   * built. deployFunctions() refuses the same plans itself.
   */
  refuses?(plan: { functions: readonly string[]; replicas: number }): string | null;
}

/** What a function platform needs of a compiled function (see harness/openfaas). */
export interface FunctionArtifact {
  name: string;
  artifactDir: string;
  spec: FunctionDeployment;
}

export interface Target {
  readonly kind: string;
  readonly capabilities: TargetCapabilities;
  /** Create the nodes (namespaces, cgroups, links); fails with an environmentError if the host cannot. */
  prepare(): Promise<void>;
  describe(): TargetDescription;
  /** Start every unit, wait for health, and return the endpoints the client should use. */
  deploy(units: UnitSpec[], options: DeployOptions): Promise<Deployment>;
  /** Run a process on the client node (the load generator). */
  startClient(spec: ClientSpec): Promise<RunningUnit>;
  /** Begin watching nodes and units: per-second resource samples and lifecycle events. */
  observe(deployment: Deployment, t0: number): Observer;
  /**
   * The cgroup folders of the client node as the host sees them, where the load generator's CPU
   * quota and throttling counters are (pods cannot read cgroupfs themselves: `ip netns exec`
   * mounts a /sys of their own). Targets without a client cgroup leave it out.
   */
  clientCgroup?(): ClientCgroup | null;
  /** Remove everything this target created. Safe to call twice and after a partial prepare. */
  dispose(): Promise<void>;
}

export interface DeployOptions {
  /** Give up waiting for health after this long. */
  readyTimeoutMs: number;
  /** Called with each stdout line of each unit (spans are NDJSON lines). */
  onLine: (unit: string, line: string) => void;
  /**
   * Called whenever the set of ready units changes (readiness probes, exits, restarts), with
   * every unit's state: the Endpoints a Kubernetes controller would publish.
   */
  onEndpoints?: (endpoints: readonly UnitEndpoint[]) => void;
  signal?: AbortSignal;
}

export interface UnitEndpoint extends Endpoint {
  unit: string;
  service: string;
  ready: boolean;
}

export interface Deployment {
  readonly endpoints: ReadonlyMap<string, Endpoint>;
  readonly units: readonly RunningUnit[];
  /** Node each unit was placed on. */
  readonly placement: ReadonlyMap<string, string>;
  /**
   * Reads an HTTP endpoint of one of the deployment's pods where the client cannot reach it
   * directly (kube: through the API server's pod proxy), e.g. the gateway's /metrics.
   */
  read?(unit: string, port: number, path: string): Promise<string>;
  /** Stop every unit of this deployment (the target's nodes stay for the next system). */
  stop(): Promise<void>;
}
