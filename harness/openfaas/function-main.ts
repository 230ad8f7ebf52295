/**
 * Process entry of a compiled OpenFaaS function (the process of-watchdog starts as fprocess):
 * either one scenario function, or the orchestrator. The one place in a function that reads
 * env and handles signals.
 */
import { createHopPool } from '../dataflow/hop-client.ts';
import type { Scenario } from '../dataflow/scenario.ts';
import { startFunctionServer } from './function-server.ts';
import { orchestratorHandler } from './orchestrator.ts';
import type { TemplateHandler } from './template-contract.ts';

export const ORCHESTRATOR = 'orchestrator';

/** The scenario config keys, as FOGBENCH_CFG_<key>, override the scenario's defaults. */
function configFromEnv(scenario: Scenario): Record<string, string> {
  const config = { ...scenario.config };
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('FOGBENCH_CFG_') && value !== undefined) config[key.slice('FOGBENCH_CFG_'.length)] = value;
  }
  return config;
}

export async function runOpenFaaSFunctionFromEnv(scenario: Scenario, functionName: string): Promise<void> {
  let handler: TemplateHandler;
  if (functionName === ORCHESTRATOR) {
    const gateway = new URL(process.env.FOGBENCH_GATEWAY_URL ?? 'http://gateway.openfaas:8080');
    handler = orchestratorHandler({
      gateway: { host: gateway.hostname, port: Number(gateway.port || 80) },
      steps: (process.env.FOGBENCH_STEPS ?? '').split(',').filter(Boolean),
      stepTimeoutMs: Number(process.env.FOGBENCH_STEP_TIMEOUT_MS ?? 10_000),
      pool: createHopPool(Number(process.env.FOGBENCH_POOL_CONNECTIONS ?? 64)),
    });
  } else {
    const fn = scenario.functions.find((f) => f.name === functionName);
    if (!fn) throw new Error(`scenario ${scenario.name} has no function ${functionName}`);
    const context = { service: functionName, config: configFromEnv(scenario) };
    handler = async (event, ctx) => ctx.status(200).succeed(await fn.run(event.body, context));
  }
  const server = await startFunctionServer({
    name: functionName,
    handler,
    host: process.env.FOGBENCH_UPSTREAM_HOST ?? '127.0.0.1',
    port: Number(process.env.FOGBENCH_UPSTREAM_PORT ?? 3000),
    bodyLimitBytes: Number(process.env.FOGBENCH_BODY_LIMIT_BYTES ?? 4 * 1024 * 1024),
  });
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
