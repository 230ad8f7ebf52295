/**
 * OpenFaaS on the fog target as the chart lays it out on Kubernetes, with the real binaries:
 * one gateway pod on the core node holding the gateway and the provider (the chart runs
 * faas-netes beside the gateway, reached on 127.0.0.1:8081), Prometheus and alertmanager pods
 * beside it (companions.ts), and one pod per function replica
 * holding of-watchdog in http mode, which starts the Node function as its upstream. Functions
 * and the orchestrator go over the workers in chain order, as p2p's services do. The provider
 * learns which replicas are ready from the target (onEndpoints → its state file), as faas-netes
 * learns it from Endpoints.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../../errors.ts';
import type { NamedUnit } from '../../systems/fault-subjects.ts';
import type { UnitsPlan } from '../../systems/system.ts';
import type { Endpoint, UnitEndpoint, UnitSpec } from '../../targets/target.ts';
import type { OpenFaaSBinaries } from '../binaries/build.ts';
import type { CompiledFunction } from '../compile-functions.ts';
import { writeProviderState, type ProviderState } from '../provider-state.ts';
import { ALERTMANAGER_UNIT, companionUnits, gatewayPrometheusEnv, PROMETHEUS_UNIT } from './companions.ts';
import {
  FUNCTION_NAMESPACE,
  FUNCTION_PROBES,
  GATEWAY,
  GATEWAY_PROBES,
  goSeconds,
  NODE_TEMPLATE,
  PROVIDER,
  PROVIDER_PROBES,
  WATCHDOG_PORT,
  type OpenFaaSTimeouts,
} from '../settings.ts';

export const GATEWAY_UNIT = 'gateway';
const PROVIDER_CONTAINER = 'provider';

/** The pods' names: the gateway pod (gateway + provider), and replica r of function f as `f-r`. */
export function fogUnitNames(functions: readonly string[], replicas: number): NamedUnit[] {
  return [
    { name: GATEWAY_UNIT, sidecars: [{ name: PROVIDER_CONTAINER }] },
    { name: PROMETHEUS_UNIT },
    { name: ALERTMANAGER_UNIT },
    ...functions.flatMap((fn) => Array.from({ length: replicas }, (_, r) => ({ name: replicaName(fn, r), service: fn }))),
  ];
}

const replicaName = (fn: string, r: number) => `${fn}-${r}`;

export interface FogPlanInput {
  functions: CompiledFunction[];
  binaries: OpenFaaSBinaries;
  replicas: number;
  timeouts: OpenFaaSTimeouts;
  /** Scenario config overrides, passed to every function as FOGBENCH_CFG_<key>. */
  config: Record<string, string>;
  /** Folder holding basic-auth-user and basic-auth-password. */
  secretDir: string;
  /** The provider's state file (written here, read by the provider). */
  stateFile: string;
  /** Work folder of the gateway pod. */
  workDir: string;
  /** The function the client calls through the gateway. */
  entryFunction: string;
}

export type FogOpenFaaSPlan = Omit<UnitsPlan, 'system' | 'chain' | 'answers' | 'provenance' | 'timeouts' | 'dispose'> & { settings: Record<string, unknown> };

/** The env the chart gives the gateway container, with fogbench's secret folder and timeouts. */
export function gatewayEnv(input: Pick<FogPlanInput, 'secretDir' | 'timeouts'>): Record<string, string> {
  const upstream = input.timeouts.gatewaySeconds;
  // The chart keeps read/write 5 s above upstream (1m05s vs 1m).
  const readWrite = upstream + (GATEWAY.readTimeoutSeconds - GATEWAY.upstreamTimeoutSeconds);
  return {
    read_timeout: goSeconds(readWrite),
    write_timeout: goSeconds(readWrite),
    upstream_timeout: goSeconds(upstream),
    functions_provider_url: GATEWAY.providerUrl,
    function_namespace: FUNCTION_NAMESPACE,
    basic_auth: 'true',
    secret_mount_path: `${input.secretDir}/`,
    scale_from_zero: String(GATEWAY.scaleFromZero),
    max_idle_conns: String(GATEWAY.maxIdleConns),
    max_idle_conns_per_host: String(GATEWAY.maxIdleConnsPerHost),
    // No faas_nats_address: async is off, as fogbench sets the chart's async=false on small nodes.
  };
}

/** The env the chart gives faas-netes, for our provider (same faas-provider config names). */
export function providerEnv(input: Pick<FogPlanInput, 'secretDir' | 'timeouts' | 'stateFile'>): Record<string, string> {
  const readWrite = input.timeouts.gatewaySeconds + (PROVIDER.readTimeoutSeconds - GATEWAY.upstreamTimeoutSeconds);
  return {
    port: String(PROVIDER.port),
    read_timeout: goSeconds(readWrite),
    write_timeout: goSeconds(readWrite),
    function_namespace: FUNCTION_NAMESPACE,
    basic_auth: 'true',
    secret_mount_path: `${input.secretDir}/`,
    FOGBENCH_PROVIDER_STATE: input.stateFile,
  };
}

/** of-watchdog's env as the official Node template sets it (fprocess = node <bundle>). */
export function watchdogEnv(timeouts: OpenFaaSTimeouts, bundle: string): Record<string, string> {
  const exec = timeouts.functionSeconds;
  const readWrite = exec + (NODE_TEMPLATE.readTimeoutSeconds - NODE_TEMPLATE.execTimeoutSeconds);
  return {
    mode: NODE_TEMPLATE.mode,
    // of-watchdog splits fprocess on spaces, without a shell: node's path is checked for
    // spaces, the bundle is relative to the function's folder (its working directory).
    fprocess: `${process.execPath} ${bundle}`,
    upstream_url: `http://127.0.0.1:${NODE_TEMPLATE.upstreamPort}`,
    exec_timeout: goSeconds(exec),
    read_timeout: goSeconds(readWrite),
    write_timeout: goSeconds(readWrite),
    prefix_logs: String(NODE_TEMPLATE.prefixLogs),
  };
}

export async function planOpenFaaSOnFog(input: FogPlanInput): Promise<FogOpenFaaSPlan> {
  if (/\s/.test(process.execPath)) throw usageError(`node's path "${process.execPath}" holds a space, which of-watchdog's fprocess cannot carry`);
  const state: ProviderState = {
    namespace: FUNCTION_NAMESPACE,
    functions: input.functions.map((fn) => ({
      name: fn.name,
      image: fn.spec.image,
      envProcess: fn.spec.envProcess ?? '',
      labels: fn.spec.labels ?? {},
      annotations: fn.spec.annotations ?? {},
      envVars: fn.spec.envVars ?? {},
      replicas: input.replicas,
      endpoints: [],
    })),
  };
  await writeProviderState(input.stateFile, state);
  const gateway: UnitSpec = {
    name: GATEWAY_UNIT,
    placement: { role: 'core' },
    artifactDir: input.workDir,
    command: input.binaries.gateway.path,
    args: [],
    port: GATEWAY.port,
    healthPath: '/healthz',
    probes: GATEWAY_PROBES,
    container: 'gateway',
    env: (endpoints) => ({ ...gatewayEnv(input), ...gatewayPrometheusEnv(endpoints) }),
    sidecars: [{ name: PROVIDER_CONTAINER, command: input.binaries.provider.path, args: [], env: () => providerEnv(input), probes: PROVIDER_PROBES }],
  };
  const replicas: UnitSpec[] = [];
  for (const [index, fn] of input.functions.entries()) {
    for (let r = 0; r < input.replicas; r++) {
      replicas.push({
        name: replicaName(fn.name, r),
        service: fn.name,
        // Chain order over the workers; a function's replicas spread as a scheduler would.
        placement: { role: 'worker', index: index + r },
        artifactDir: fn.artifactDir,
        command: input.binaries.watchdog.path,
        args: [],
        port: WATCHDOG_PORT,
        healthPath: '/_/health',
        probes: FUNCTION_PROBES,
        container: 'watchdog',
        // The Node function of-watchdog starts, sampled apart from the watchdog.
        accountingGroups: [{ name: 'function', executable: path.basename(realpathSync(process.execPath)) }],
        env: (endpoints) => functionEnv(fn, input, endpoints),
      });
    }
  }
  let written = Promise.resolve();
  const onEndpoints = (endpoints: readonly UnitEndpoint[]) => {
    const next: ProviderState = {
      ...state,
      functions: state.functions.map((f) => ({
        ...f,
        endpoints: endpoints.filter((e) => e.service === f.name).map((e) => ({ unit: e.unit, address: e.host, port: e.port, ready: e.ready })),
      })),
    };
    // Serialised, so an older state can never land after a newer one.
    written = written.then(() => writeProviderState(input.stateFile, next)).catch(() => undefined);
  };
  return {
    kind: 'units',
    units: [gateway, ...companionUnits({ binaries: input.binaries, workDir: input.workDir, secretDir: input.secretDir, gatewayUnit: GATEWAY_UNIT }), ...replicas],
    entry: GATEWAY_UNIT,
    path: `/function/${input.entryFunction}`,
    headers: { 'content-type': 'application/json' },
    onEndpoints,
    metrics: { unit: GATEWAY_UNIT, port: GATEWAY.metricsPort, path: '/metrics', counter: 'gateway_function_invocation_total', entryFunction: input.entryFunction },
    settings: {
      gateway: { ...gatewayEnv({ ...input, secretDir: '<secret folder>' }), probes: GATEWAY_PROBES },
      provider: { ...providerEnv({ ...input, secretDir: '<secret folder>', stateFile: '<state file>' }), probes: PROVIDER_PROBES },
      watchdog: { ...watchdogEnv(input.timeouts, 'index.mjs'), probes: FUNCTION_PROBES },
      replicas: input.replicas,
    },
  };
}

function functionEnv(fn: CompiledFunction, input: FogPlanInput, endpoints: ReadonlyMap<string, Endpoint>): Record<string, string> {
  const env: Record<string, string> = {
    ...watchdogEnv(input.timeouts, fn.bundle),
    ...(fn.spec.envVars ?? {}),
    ...Object.fromEntries(Object.entries(input.config).map(([k, v]) => [`FOGBENCH_CFG_${k}`, v])),
    FOGBENCH_UPSTREAM_PORT: String(NODE_TEMPLATE.upstreamPort),
  };
  if (env.FOGBENCH_GATEWAY_URL !== undefined) {
    // No cluster DNS on fog: the orchestrator (or a chained function) reaches the gateway pod by its address.
    const gateway = endpoints.get(GATEWAY_UNIT)!;
    env.FOGBENCH_GATEWAY_URL = `http://${gateway.host}:${gateway.port}`;
  }
  return env;
}
