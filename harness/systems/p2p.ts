/**
 * The point-to-point system: one service per scenario function, each calling the next one
 * directly. Successive services go on successive worker nodes so every hop crosses a link.
 */
import { serviceEnv } from '../dataflow/service-env.ts';
import { SERVICE_DEFAULTS } from '../dataflow/service-env.ts';
import type { CompiledScenario } from '../dataflow/compile.ts';
import type { System, SystemOptions, UnitsPlan } from './system.ts';

export const p2pSystem = {
  name: 'p2p',
  async plan(compiled: CompiledScenario, options: SystemOptions): Promise<UnitsPlan> {
    const route = compiled.scenario.route;
    const units = compiled.services.map((svc, index) => ({
      name: svc.service,
      placement: { role: 'worker' as const, index },
      artifactDir: svc.artifactDir,
      command: process.execPath,
      args: [svc.bundle],
      port: svc.port,
      healthPath: svc.healthPath,
      env: (endpoints: ReadonlyMap<string, { host: string; port: number }>) => {
        const self = endpoints.get(svc.service)!;
        return serviceEnv({
          name: svc.service,
          node: '', // filled in by the target (FOGBENCH_NODE) where it knows the node
          host: self.host,
          port: self.port,
          table: [...endpoints].filter(([name]) => route.includes(name)),
          defaultRoute: route.slice(index + 1),
          config: { ...compiled.scenario.config, ...options.config },
          hopTimeoutMs: options.hopTimeoutMs,
          chainBudgetMs: options.chainBudgetMs,
          bodyLimitBytes: SERVICE_DEFAULTS.bodyLimitBytes,
          poolConnections: SERVICE_DEFAULTS.poolConnections,
        });
      },
    }));
    return { kind: 'units', system: 'p2p', units, entry: route[0]!, path: '/', headers: { 'content-type': 'application/json' }, chain: [...route] };
  },
} satisfies System;
