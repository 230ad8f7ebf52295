/**
 * The openfaas system: one OpenFaaS function per scenario function plus the orchestrator,
 * which the client calls through the gateway and which calls each step through the gateway.
 * Autoscaling is off (com.openfaas.scale.min = max), as in the paper.
 */
import path from 'node:path';
import { compileFunctions } from '../openfaas/compile-functions.ts';
import { ORCHESTRATOR } from '../openfaas/function-main.ts';
import type { CompiledScenario } from '../dataflow/compile.ts';
import type { FunctionsPlan, System, SystemOptions } from './system.ts';

/** Inside the cluster the orchestrator reaches the gateway by its Service name. */
const IN_CLUSTER_GATEWAY = 'http://gateway.openfaas:8080';

export const openfaasSystem: System = {
  name: 'openfaas',
  async plan(compiled: CompiledScenario, options: SystemOptions): Promise<FunctionsPlan> {
    const functions = await compileFunctions(options.scenarioFile, path.join(options.buildDir, 'openfaas-build'), {
      replicas: options.replicas,
      stepTimeoutMs: options.hopTimeoutMs,
      // The chart keeps upstream timeouts under the gateway's; so do we with the watchdog.
      watchdogTimeoutMs: options.chainBudgetMs,
      limits: { memory: '512Mi', cpu: '1' },
      imagePrefix: 'fogbench/',
      gatewayUrl: IN_CLUSTER_GATEWAY,
    });
    for (const fn of functions) {
      fn.spec.envVars = { ...fn.spec.envVars, ...Object.fromEntries(Object.entries(options.config).map(([k, v]) => [`FOGBENCH_CFG_${k}`, v])) };
    }
    return {
      kind: 'functions',
      system: 'openfaas',
      functions,
      path: `/function/${ORCHESTRATOR}`,
      headers: { 'content-type': 'application/json' },
      chain: compiled.scenario.route,
    };
  },
};
