/**
 * The bytes a scenario moves per request, measured by running its functions in this process on
 * the request bodies the bench would send, serialising each result as the p2p runtime does
 * (JSON.stringify). What the cost model needs to predict a scenario it was not fitted on: how
 * many steps, how many bytes the client exchanges, how many bytes go into the steps.
 */
import type { BodySource } from '../load/body-source.ts';
import type { Scenario } from './scenario.ts';

export interface ScenarioBytes {
  /** Request bodies the figures are the mean over. */
  batches: number;
  request: number;
  response: number;
  /**
   * Per step, in route order: mean bytes in (the first is the request), and mean CPU time of its
   * function alone (ms; parsing and serialising left out: the cost model counts them per byte).
   */
  steps: { function: string; input: number; cpuMs: number }[];
}

export async function measureScenarioBytes(scenario: Scenario, bodies: BodySource, config: Record<string, string>, batches = 20): Promise<ScenarioBytes> {
  const inputs = scenario.functions.map(() => 0);
  const cpu = scenario.functions.map(() => 0);
  let request = 0;
  let response = 0;
  for (let b = 0; b < batches; b++) {
    let body = bodies.next();
    request += body.length;
    for (const [i, fn] of scenario.functions.entries()) {
      inputs[i]! += body.length;
      const input: unknown = JSON.parse(body.toString('utf8'));
      const before = process.cpuUsage();
      const output: unknown = await fn.run(input, { service: fn.name, config: { ...scenario.config, ...config } });
      const used = process.cpuUsage(before);
      cpu[i]! += (used.user + used.system) / 1000;
      body = Buffer.from(JSON.stringify(output));
    }
    response += body.length;
  }
  return {
    batches,
    request: request / batches,
    response: response / batches,
    steps: scenario.functions.map((fn, i) => ({ function: fn.name, input: inputs[i]! / batches, cpuMs: cpu[i]! / batches })),
  };
}
