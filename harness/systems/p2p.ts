/**
 * The point-to-point system: one service per scenario function, each calling the next one
 * directly. Successive services go on successive worker nodes so every hop crosses a link.
 */
import { compileServices, type ScenarioSource } from '../dataflow/compile.ts';
import { serviceEnv, SERVICE_DEFAULTS } from '../dataflow/service-env.ts';
import type { Probes } from '../targets/target.ts';
import { unitSubjects } from './fault-subjects.ts';
import type { System, SystemOptions, UnitsPlan } from './system.ts';

/**
 * The probes a p2p service's pod declares (on Kubernetes and, run as a kubelet would, on fog):
 * a readiness probe timed like faas-netes' function probes (httpGet every 2 s, 1 s timeout,
 * 3 failures), so a slow service leaves rotation as a slow function does. No liveness probe:
 * fogbench's services are not restarted for being slow, while OpenFaaS CE gives every function
 * one it cannot turn off (faas-netes hard-codes it) — a real difference between the two
 * deployments, visible as `unhealthy` events on the openfaas timelines.
 */
export function p2pProbes(path: string, port: number): Probes {
  return { readiness: { path, port, initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } };
}

export const p2pSystem = {
  name: 'p2p',
  // One unit per step, named after it (compileServices: serviceNameOf, as the route is).
  subjects: (route) => unitSubjects(route.map((name) => ({ name }))),
  async plan(source: ScenarioSource, options: SystemOptions): Promise<UnitsPlan> {
    const route = source.description.route;
    const services = await compileServices(source, options.buildDir);
    const units = services.map((svc, index) => ({
      name: svc.service,
      placement: { role: 'worker' as const, index },
      artifactDir: svc.artifactDir,
      command: process.execPath,
      args: [svc.bundle],
      port: svc.port,
      healthPath: svc.healthPath,
      probes: p2pProbes(svc.healthPath, svc.port),
      env: (endpoints: ReadonlyMap<string, { host: string; port: number }>) => {
        const self = endpoints.get(svc.service)!;
        return serviceEnv({
          name: svc.service,
          node: '', // filled in by the target (FOGBENCH_NODE) where it knows the node
          host: self.host,
          port: self.port,
          table: [...endpoints].filter(([name]) => route.includes(name)),
          defaultRoute: route.slice(index + 1),
          config: { ...source.scenario.config, ...options.config },
          hopTimeoutMs: options.hopTimeoutMs,
          chainBudgetMs: options.deadlineMs,
          bodyLimitBytes: SERVICE_DEFAULTS.bodyLimitBytes,
          poolConnections: SERVICE_DEFAULTS.poolConnections,
        });
      },
    }));
    return {
      kind: 'units',
      system: 'p2p',
      units,
      entry: route[0]!,
      path: '/',
      headers: { 'content-type': 'application/json' },
      chain: [...route],
      answers: 'relayed',
      provenance: {},
      timeouts: {
        deadlineMs: options.deadlineMs,
        deadlineBy: 'the entry service\'s chain budget, passed down the hops (x-fogbench-budget-ms): each waits at most what is left of it',
        callMs: options.hopTimeoutMs,
        callBy: 'each service\'s wait for the next one',
        others: {},
      },
      dispose: async () => undefined,
    };
  },
} satisfies System;
