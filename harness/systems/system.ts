/**
 * A System is one way of running the scenario (p2p, openfaas). It turns the compiled scenario
 * into units for a target, and says where the load generator must aim.
 */
import type { CompiledScenario } from '../dataflow/compile.ts';
import type { UnitSpec } from '../targets/target.ts';

export interface SystemOptions {
  hopTimeoutMs: number;
  chainBudgetMs: number;
  /** Overrides of the scenario's function config (e.g. window=10). */
  config: Record<string, string>;
}

export interface SystemPlan {
  system: string;
  units: UnitSpec[];
  /** Unit the client calls, and the path and headers it sends. */
  entry: string;
  path: string;
  headers: Record<string, string>;
  /** Ordered service names whose spans make the hop-gap analysis. */
  chain: string[];
}

export interface System {
  readonly name: string;
  plan(compiled: CompiledScenario, options: SystemOptions): SystemPlan;
}
