/**
 * A System is one way of running the scenario (p2p, openfaas). It turns the compiled scenario
 * into what a target deploys, and says where the load generator must aim.
 */
import type { CompiledScenario } from '../dataflow/compile.ts';
import type { CompiledFunction } from '../openfaas/compile-functions.ts';
import type { UnitSpec } from '../targets/target.ts';

export interface SystemOptions {
  hopTimeoutMs: number;
  chainBudgetMs: number;
  /** Overrides of the scenario's function config (e.g. window=10). */
  config: Record<string, string>;
  /** openfaas: replicas of every function (autoscaling off: min = max). */
  replicas: number;
  /** Scenario module and a folder for the system's own build output. */
  scenarioFile: string;
  buildDir: string;
}

interface PlanBase {
  system: string;
  /** Path and headers the client sends to the entry. */
  path: string;
  headers: Record<string, string>;
  /** Ordered service names whose spans make the hop-gap analysis. */
  chain: string[];
}

/** Processes (p2p services) that any target can run. */
export interface UnitsPlan extends PlanBase {
  kind: 'units';
  units: UnitSpec[];
  /** Unit the client calls. */
  entry: string;
}

/** OpenFaaS functions, deployed through a gateway the target provides. */
export interface FunctionsPlan extends PlanBase {
  kind: 'functions';
  functions: CompiledFunction[];
}

export type SystemPlan = UnitsPlan | FunctionsPlan;

export interface System {
  readonly name: string;
  plan(compiled: CompiledScenario, options: SystemOptions): Promise<SystemPlan>;
}
