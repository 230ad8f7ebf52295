/**
 * A System is one way of running the scenario (p2p, openfaas). It compiles what it deploys
 * from the scenario, says what the target must run (or which function platform must deploy
 * it), and where the load generator must aim.
 */
import type { ScenarioSource } from '../dataflow/compile.ts';
import type { CompiledFunction } from '../openfaas/compile-functions.ts';
import type { FunctionRuntime } from '../openfaas/runtime.ts';
import type { AnswerPath } from '../metrics/point-transfers.ts';
import type { SystemTimeouts } from '../results/schema.ts';
import type { TargetCapabilities, UnitEndpoint, UnitSpec } from '../targets/target.ts';

export type { SystemTimeouts };

export interface SystemOptions {
  /** Longest wait for the next step (p2p: the next service; openfaas: the orchestrator's for a step). */
  hopTimeoutMs: number;
  /** The end-to-end deadline both systems enforce (harness/bench/options.ts). */
  deadlineMs: number;
  /** Overrides of the scenario's function config (e.g. window=10). */
  config: Record<string, string>;
  /** openfaas: replicas of every function (autoscaling off: min = max). */
  replicas: number;
  /** openfaas: the gateway upstream timeout that overrides the chart's (see harness/openfaas/settings.ts). */
  openfaasTimeouts?: Partial<Record<'gateway', number>>;
  /** openfaas: the server functions run in; default the node20 template's. */
  functionRuntime?: FunctionRuntime;
  /** A folder for the system's own build output (bundles, Dockerfiles, secrets). */
  buildDir: string;
}

/** A Prometheus endpoint of the system, scraped around each profile as a second count of calls. */
export interface MetricsEndpoint {
  /** Unit whose address serves it. */
  unit: string;
  port: number;
  path: string;
  /** The counter to read, e.g. gateway_function_invocation_total. */
  counter: string;
  /** The function the client calls, whose count is compared with the harness's. */
  entryFunction: string;
}

interface PlanBase {
  system: string;
  /** Path and headers the client sends to the entry. */
  path: string;
  headers: Record<string, string>;
  /** Ordered service names whose spans make the hop-gap analysis. */
  chain: string[];
  /**
   * What each step answers and to whom: the rest of the chain's answer to its caller (relayed), or
   * its own output to an orchestrator (orchestrated). The cost model counts a hop's bytes by it.
   */
  answers: AnswerPath;
  /** What the manifest records of this system beyond the scenario (versions, binaries, settings). */
  provenance: Record<string, unknown>;
  /** Its timeouts, side by side with the other systems' in the manifest and the report. */
  timeouts: SystemTimeouts;
  /** Removes what plan() wrote that must not outlive the run (secrets). Safe to call twice. */
  dispose(): Promise<void>;
  metrics?: MetricsEndpoint;
}

/** Units (pods) that the target runs. */
export interface UnitsPlan extends PlanBase {
  kind: 'units';
  units: UnitSpec[];
  /** Unit the client calls. */
  entry: string;
  /** Told whenever the target's view of ready units changes (the system's service discovery). */
  onEndpoints?: (endpoints: readonly UnitEndpoint[]) => void;
}

/** OpenFaaS functions, deployed through the function platform the target provides. */
export interface FunctionsPlan extends PlanBase {
  kind: 'functions';
  functions: CompiledFunction[];
}

export type SystemPlan = UnitsPlan | FunctionsPlan;

/** What a --fault may name in a system, each with the pods (units) it reaches. */
export type FaultSubjects = ReadonlyMap<string, readonly string[]>;

export interface System {
  readonly name: string;
  /** Why a target with these capabilities cannot host the system, or null; asked before anything runs. */
  refuses?(target: TargetCapabilities & { kind: string }): string | null;
  /**
   * The subjects a --fault may name in this system on such a target, from the scenario's route
   * alone (nothing compiled), so that a fault naming nothing, or two overlapping on one pod, stop
   * the run before anything is prepared. The same unit names plan() gives its units.
   */
  subjects(route: readonly string[], options: Pick<SystemOptions, 'replicas'>, target: TargetCapabilities & { kind: string }): FaultSubjects;
  /**
   * Compiles the system from the scenario and plans it for a target with these capabilities;
   * fails with a usageError saying why when the target cannot host it.
   */
  plan(source: ScenarioSource, options: SystemOptions, target: TargetCapabilities & { kind: string }): Promise<SystemPlan>;
}
