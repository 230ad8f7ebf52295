/**
 * Process entry of a compiled OpenFaaS function (the process of-watchdog starts as fprocess):
 * either one scenario function, or the orchestrator. The one place in a function that reads
 * env and handles signals.
 */
import { createHopPool } from '../dataflow/hop-client.ts';
import { serviceNameOf } from '../dataflow/load-scenario.ts';
import type { Scenario } from '../dataflow/scenario.ts';
import { nextThroughGateway } from './chain-next.ts';
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
  const url = new URL(process.env.FOGBENCH_GATEWAY_URL ?? 'http://gateway.openfaas:8080');
  const gateway = { host: url.hostname, port: Number(url.port || 80) };
  const stepTimeoutMs = Number(process.env.FOGBENCH_STEP_TIMEOUT_MS ?? 10_000);
  const pool = () => createHopPool(Number(process.env.FOGBENCH_POOL_CONNECTIONS ?? 64));
  if (functionName === ORCHESTRATOR) {
    handler = orchestratorHandler({
      gateway,
      steps: (process.env.FOGBENCH_STEPS ?? '').split(',').filter(Boolean),
      stepTimeoutMs,
      pool: pool(),
    });
  } else {
    const fn = scenario.functions.find((f) => f.name === functionName);
    if (!fn) throw new Error(`scenario ${scenario.name} has no function ${functionName}`);
    const context = { service: functionName, config: configFromEnv(scenario) };
    handler = async (event, ctx) => ctx.status(200).succeed(await fn.run(event.body, context));
  }
  // openfaas-chain: this function calls the next one through the gateway.
  const next = process.env.FOGBENCH_NEXT;
  const server = await startFunctionServer({
    // The name the chain and the gateway know it by (filter-temperature), as p2p's spans use.
    name: functionName === ORCHESTRATOR ? ORCHESTRATOR : serviceNameOf(functionName),
    handler,
    host: process.env.FOGBENCH_UPSTREAM_HOST ?? '127.0.0.1',
    port: Number(process.env.FOGBENCH_UPSTREAM_PORT ?? 3000),
    bodyLimitBytes: Number(process.env.FOGBENCH_BODY_LIMIT_BYTES ?? 4 * 1024 * 1024),
    node: process.env.FOGBENCH_NODE ?? '',
    writeSpans: (chunk) => process.stdout.write(chunk),
    ...(next
      ? {
          next: nextThroughGateway({ gateway, next, stepTimeoutMs, pool: pool() }),
        }
      : {}),
  });
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
