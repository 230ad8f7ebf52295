/**
 * The environment contract between a deployment and a compiled service. Targets build it
 * (serviceEnv), services read it (readServiceEnv): one definition, so the two cannot drift.
 */
import type { ServiceAddress } from './service-table.ts';
import { parseServiceTable, serializeServiceTable, type ServiceTable } from './service-table.ts';

export interface ServiceSettings {
  name: string;
  node: string;
  host: string;
  port: number;
  table: ServiceTable;
  defaultRoute: string[];
  config: Record<string, string>;
  hopTimeoutMs: number;
  chainBudgetMs: number;
  bodyLimitBytes: number;
  poolConnections: number;
}

export const SERVICE_DEFAULTS = {
  hopTimeoutMs: 10_000,
  chainBudgetMs: 19_000,
  bodyLimitBytes: 4 * 1024 * 1024,
  poolConnections: 64,
} as const;

const CONFIG_PREFIX = 'FOGBENCH_CFG_';

export function serviceEnv(settings: Omit<ServiceSettings, 'table'> & { table: Iterable<[string, ServiceAddress]> }): Record<string, string> {
  const env: Record<string, string> = {
    FOGBENCH_SERVICE: settings.name,
    FOGBENCH_NODE: settings.node,
    FOGBENCH_HOST: settings.host,
    PORT: String(settings.port),
    FOGBENCH_SERVICE_TABLE: serializeServiceTable(settings.table),
    FOGBENCH_DEFAULT_ROUTE: settings.defaultRoute.join(','),
    FOGBENCH_HOP_TIMEOUT_MS: String(settings.hopTimeoutMs),
    FOGBENCH_CHAIN_BUDGET_MS: String(settings.chainBudgetMs),
    FOGBENCH_BODY_LIMIT_BYTES: String(settings.bodyLimitBytes),
    FOGBENCH_POOL_CONNECTIONS: String(settings.poolConnections),
  };
  for (const [key, value] of Object.entries(settings.config)) env[CONFIG_PREFIX + key] = value;
  return env;
}

export function readServiceEnv(env: NodeJS.ProcessEnv, fallbackName: string): ServiceSettings {
  const num = (key: string, fallback: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${key} must be a non-negative number, got "${raw}"`);
    return n;
  };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(CONFIG_PREFIX) && value !== undefined) config[key.slice(CONFIG_PREFIX.length)] = value;
  }
  return {
    name: env.FOGBENCH_SERVICE ?? fallbackName,
    node: env.FOGBENCH_NODE ?? 'local',
    host: env.FOGBENCH_HOST ?? '0.0.0.0',
    port: num('PORT', 8080),
    table: parseServiceTable(env.FOGBENCH_SERVICE_TABLE ?? '{}'),
    defaultRoute: (env.FOGBENCH_DEFAULT_ROUTE ?? '').split(',').filter(Boolean),
    config,
    hopTimeoutMs: num('FOGBENCH_HOP_TIMEOUT_MS', SERVICE_DEFAULTS.hopTimeoutMs),
    chainBudgetMs: num('FOGBENCH_CHAIN_BUDGET_MS', SERVICE_DEFAULTS.chainBudgetMs),
    bodyLimitBytes: num('FOGBENCH_BODY_LIMIT_BYTES', SERVICE_DEFAULTS.bodyLimitBytes),
    poolConnections: num('FOGBENCH_POOL_CONNECTIONS', SERVICE_DEFAULTS.poolConnections),
  };
}
