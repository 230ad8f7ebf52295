/**
 * Process entry of a compiled OpenFaaS function (the process of-watchdog starts as fprocess):
 * either one scenario function, or the orchestrator, served by the runtime the deployment asks
 * for (FOGBENCH_FUNCTION_RUNTIME): `template`, the node20 template's express server with its
 * calls through the gateway as function code makes them (fetch, JSON decoded and re-encoded),
 * or `bare`, plain node:http passing raw bytes on. The one place in a function that reads env
 * and handles signals.
 */
import { createHopPool } from '../dataflow/hop-client.ts';
import { serviceNameOf } from '../dataflow/load-scenario.ts';
import type { Scenario } from '../dataflow/scenario.ts';
import { spanOutput } from '../dataflow/span-output.ts';
import { bytesNextCall, jsonNextCall } from './chain-next.ts';
import type { FunctionServerBase, StartedFunctionServer } from './function-server-options.ts';
import { startFunctionServer } from './function-server.ts';
import { bytesStepCaller, jsonStepCaller } from './gateway-steps.ts';
import { BYTES_CODEC, JSON_CODEC, orchestratorHandler } from './orchestrator.ts';
import { FUNCTION_RUNTIME_ENV, parseFunctionRuntime } from './runtime.ts';
import type { TemplateHandler } from './template-contract.ts';
import { startTemplateServer, TEMPLATE_DEFAULT_JSON_LIMIT } from './template-server.ts';

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
  const runtime = parseFunctionRuntime(process.env[FUNCTION_RUNTIME_ENV]);
  const url = new URL(process.env.FOGBENCH_GATEWAY_URL ?? 'http://gateway.openfaas:8080');
  const gateway = { host: url.hostname, port: Number(url.port || 80) };
  const stepTimeoutMs = Number(process.env.FOGBENCH_STEP_TIMEOUT_MS ?? 10_000);
  const pool = () => createHopPool(Number(process.env.FOGBENCH_POOL_CONNECTIONS ?? 64));
  let handler: TemplateHandler;
  if (functionName === ORCHESTRATOR) {
    const steps = (process.env.FOGBENCH_STEPS ?? '').split(',').filter(Boolean);
    handler =
      runtime === 'template'
        ? orchestratorHandler(steps, jsonStepCaller(gateway, stepTimeoutMs), JSON_CODEC)
        : orchestratorHandler(steps, bytesStepCaller(gateway, pool(), stepTimeoutMs), BYTES_CODEC);
  } else {
    const fn = scenario.functions.find((f) => f.name === functionName);
    if (!fn) throw new Error(`scenario ${scenario.name} has no function ${functionName}`);
    const context = { service: functionName, config: configFromEnv(scenario) };
    handler = async (event, ctx) => ctx.status(200).succeed(await fn.run(event.body, context));
  }
  const base: FunctionServerBase = {
    // The name the chain and the gateway know it by (filter-temperature), as p2p's spans use.
    name: functionName === ORCHESTRATOR ? ORCHESTRATOR : serviceNameOf(functionName),
    handler,
    host: process.env.FOGBENCH_UPSTREAM_HOST ?? '127.0.0.1',
    port: Number(process.env.FOGBENCH_UPSTREAM_PORT ?? 3000),
    node: process.env.FOGBENCH_NODE ?? '',
    writeSpans: spanOutput(process.env),
  };
  // openfaas-chain: this function calls the next one through the gateway.
  const next = process.env.FOGBENCH_NEXT;
  let server: StartedFunctionServer;
  if (runtime === 'template') {
    server = await startTemplateServer({
      ...base,
      // The template's own setting; body-parser reads "100kb"-style text or a byte count.
      jsonLimit: process.env.MAX_JSON_SIZE || TEMPLATE_DEFAULT_JSON_LIMIT,
      ...(next ? { next: jsonNextCall(next, jsonStepCaller(gateway, stepTimeoutMs)) } : {}),
    });
  } else {
    server = await startFunctionServer({
      ...base,
      bodyLimitBytes: Number(process.env.FOGBENCH_BODY_LIMIT_BYTES ?? 4 * 1024 * 1024),
      ...(next ? { next: bytesNextCall(next, bytesStepCaller(gateway, pool(), stepTimeoutMs)) } : {}),
    });
  }
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
