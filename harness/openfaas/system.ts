/**
 * The openfaas system: one OpenFaaS function per scenario function plus the orchestrator,
 * which the client calls through the gateway and which calls each step through the gateway.
 * Autoscaling is off (com.openfaas.scale.min = max), as in the paper. Where it runs is the
 * target's business: a target with a function platform (kube: the official chart) deploys
 * the functions itself; a target with pod networks (fog) runs the real gateway, provider and
 * of-watchdog binaries as pods; loopback cannot host them.
 */
import path from 'node:path';
import { usageError } from '../errors.ts';
import { unitSubjects } from '../systems/fault-subjects.ts';
import type { FunctionsPlan, System, SystemOptions, SystemTimeouts, UnitsPlan } from '../systems/system.ts';
import type { ScenarioSource } from '../dataflow/compile.ts';
import type { TargetCapabilities } from '../targets/target.ts';
import { ensureOpenFaaSBinaries, type BinaryInfo } from './binaries/build.ts';
import { compileFunctions, functionNames, type Composition } from './compile-functions.ts';
import { writeBasicAuthSecret } from './credentials.ts';
import { fogUnitNames, GATEWAY_UNIT, planOpenFaaSOnFog } from './fog/fog-plan.ts';
import { ORCHESTRATOR } from './function-main.ts';
import { DEFAULT_FUNCTION_RUNTIME } from './runtime.ts';
import { CHART_GATEWAY_IMAGE, CHART_VERSION, DEFAULT_TIMEOUTS, GATEWAY, NODE_TEMPLATE, WATCHDOG_RELEASE, type OpenFaaSTimeouts } from './settings.ts';

/** Inside the cluster the orchestrator reaches the gateway by its Service name. */
const IN_CLUSTER_GATEWAY = 'http://gateway.openfaas:8080';

export const LOOPBACK_REFUSAL =
  'openfaas cannot run on the loopback target: of-watchdog binds port 8081 for metrics in every replica, so each replica needs a network namespace of its own; use --target fog (the default) or --target kube';

/**
 * `openfaas` (the paper's: an orchestrator function calls each step through the gateway) or
 * `openfaas-chain` (each function calls the next through the gateway, no orchestrator): the
 * two differ only in composition, so the report can tell the gateway hop's cost from the
 * orchestrating function's.
 */
function openfaasSystemOf(name: string, composition: Composition): System {
  return {
    name,
    refuses: (target) => (target.functions || target.podNetwork ? null : LOOPBACK_REFUSAL),
    subjects(route, options, target) {
      const functions = functionNames(route, composition);
      // A function platform (kube) deploys the functions: their names and the gateway.
      if (target.functions) return new Map([...functions, GATEWAY_UNIT].map((name) => [name, [name]]));
      return unitSubjects(fogUnitNames(functions, options.replicas));
    },
    async plan(source: ScenarioSource, options: SystemOptions, target: TargetCapabilities & { kind: string }): Promise<FunctionsPlan | UnitsPlan> {
      if (!target.functions && !target.podNetwork) throw usageError(LOOPBACK_REFUSAL);
      const timeouts: OpenFaaSTimeouts = {
        gatewaySeconds: (options.openfaasTimeouts?.gateway ?? DEFAULT_TIMEOUTS.gatewaySeconds * 1000) / 1000,
        // The end-to-end deadline p2p gets as its chain budget: the entry function's exec_timeout.
        functionSeconds: options.deadlineMs / 1000,
      };
      const runtime = options.functionRuntime ?? DEFAULT_FUNCTION_RUNTIME;
      const functions = await compileFunctions(source, path.join(options.buildDir, 'openfaas-build'), {
        replicas: options.replicas,
        runtime,
        stepTimeoutMs: options.hopTimeoutMs,
        watchdogTimeoutMs: timeouts.functionSeconds * 1000,
        limits: { memory: '512Mi', cpu: '1' },
        imagePrefix: 'fogbench/',
        gatewayUrl: IN_CLUSTER_GATEWAY,
        composition,
      });
      const entryFunction = composition === 'chain' ? source.description.route[0]! : ORCHESTRATOR;
      const base = {
        system: name,
        path: `/function/${entryFunction}`,
        headers: { 'content-type': 'application/json' },
        chain: source.description.route,
        answers: composition === 'chain' ? ('relayed' as const) : ('orchestrated' as const),
        timeouts: openfaasTimeoutsOf(timeouts, options.hopTimeoutMs, composition),
      };
      if (target.functions) {
        // The platform's own limits (OpenFaaS CE: 15 functions, 5 replicas), before anything is built or sent.
        const refusal = target.functions.refuses?.({ functions: functions.map((f) => f.name), replicas: options.replicas });
        if (refusal) throw usageError(refusal);
        for (const fn of functions) {
          fn.spec.envVars = { ...fn.spec.envVars, ...Object.fromEntries(Object.entries(options.config).map(([k, v]) => [`FOGBENCH_CFG_${k}`, v])) };
        }
        // The cluster says what runs its functions: the chart, or fogbench's layout of it on a local cluster.
        const platform = (await target.functions.describe?.()) ?? { platform: `the official chart ${CHART_VERSION} on the cluster` };
        return {
          ...base,
          kind: 'functions',
          functions,
          provenance: { ...platform, timeouts, replicas: options.replicas, functionRuntime: runtime },
          metrics: { unit: GATEWAY_UNIT, port: GATEWAY.metricsPort, path: '/metrics', counter: 'gateway_function_invocation_total', entryFunction },
          dispose: async () => undefined,
        };
      }
      const binaries = await ensureOpenFaaSBinaries({ searchPath: process.env.PATH ?? '' });
      const root = path.resolve(options.buildDir, 'openfaas-fog');
      const secret = await writeBasicAuthSecret(path.join(root, 'secrets'));
      try {
        const plan = await planOpenFaaSOnFog({
          functions,
          binaries,
          replicas: options.replicas,
          timeouts,
          config: options.config,
          secretDir: secret.dir,
          stateFile: path.join(root, 'provider-state.json'),
          workDir: root,
          entryFunction,
        });
        const { settings, ...units } = plan;
        return {
          ...base,
          ...units,
          provenance: {
            platform: 'fog: the real OpenFaaS gateway and of-watchdog, built from source at pinned versions, with fogbench\'s provider on faas-provider',
            binaries: [binaries.gateway, binaries.watchdog, binaries.provider, binaries.prometheus, binaries.alertmanager].map(describeBinary),
            chartDifference:
              `the kube target installs chart ${CHART_VERSION}, whose gateway image is ${CHART_GATEWAY_IMAGE}; fog runs gateway ${binaries.gateway.version} ` +
              `(commit 1ab3f32, the last MIT-licensed gateway, same request path gateway → provider → function) and of-watchdog ${WATCHDOG_RELEASE}`,
            timeouts,
            functionRuntime: runtime,
            settings,
          },
          dispose: () => secret.remove(),
        };
      } catch (error) {
        await secret.remove();
        throw error;
      }
    },
  };
}

export const openfaasSystem = openfaasSystemOf('openfaas', 'orchestrator');
export const openfaasChainSystem = openfaasSystemOf('openfaas-chain', 'chain');

/** The timers on an OpenFaaS request's path, in the shape every system reports (systems/system.ts). */
function openfaasTimeoutsOf(timeouts: OpenFaaSTimeouts, stepMs: number, composition: Composition): SystemTimeouts {
  const readWrite = timeouts.functionSeconds + (NODE_TEMPLATE.readTimeoutSeconds - NODE_TEMPLATE.execTimeoutSeconds);
  return {
    deadlineMs: timeouts.functionSeconds * 1000,
    deadlineBy: `of-watchdog exec_timeout of the entry function (${composition === 'chain' ? 'the first function' : 'the orchestrator'}), as of every function`,
    callMs: stepMs,
    callBy: composition === 'chain' ? 'each function\'s wait for the next one through the gateway' : 'the orchestrator\'s wait for each step through the gateway',
    others: {
      'gateway upstream_timeout': timeouts.gatewaySeconds * 1000,
      'of-watchdog read_timeout and write_timeout': readWrite * 1000,
    },
  };
}

/** What the manifest keeps of a binary: no local path, everything needed to rebuild it. */
function describeBinary(binary: BinaryInfo): Record<string, string> {
  // `go version -m` starts with the binary's path on this machine: named instead.
  const buildInfo = binary.buildInfo.split(binary.path).join(binary.name);
  return { name: binary.name, module: binary.module, version: binary.version, goVersion: binary.goVersion, sha256: binary.sha256, buildInfo };
}
