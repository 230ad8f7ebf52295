/**
 * Compiles a scenario into OpenFaaS functions: per scenario function, and for the
 * orchestrator, a bundled process (the fprocess behind of-watchdog in http mode), its
 * Dockerfile, and the function spec the gateway deploys (fixed scale: min = max).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../dataflow/bundle.ts';
import type { ScenarioSource } from '../dataflow/compile.ts';
import { serviceNameOf } from '../dataflow/load-scenario.ts';
import { withFixedScale, type FunctionDeployment } from './gateway-client.ts';
import { ORCHESTRATOR } from './function-main.ts';
import { DEFAULT_FUNCTION_RUNTIME, FUNCTION_RUNTIME_ENV, type FunctionRuntime } from './runtime.ts';
import { goSeconds, NODE_TEMPLATE, WATCHDOG_RELEASE } from './settings.ts';
import { SERVICE_DEFAULTS } from '../dataflow/service-env.ts';

/** of-watchdog image the Dockerfiles copy the watchdog binary from: the release fog builds from source. */
export const OF_WATCHDOG_IMAGE = `ghcr.io/openfaas/of-watchdog:${WATCHDOG_RELEASE}`;
const BUNDLE = 'index.mjs';
const FUNCTION_ENTRY = fileURLToPath(new URL('./function-main.ts', import.meta.url));

export interface CompiledFunction {
  /** Function name at the gateway (DNS-safe), e.g. filter-temperature, orchestrator. */
  name: string;
  /** Scenario function, or "orchestrator". */
  function: string;
  artifactDir: string;
  bundle: string;
  dockerfile: string;
  spec: FunctionDeployment;
}

export interface FunctionOptions {
  replicas: number;
  /** The server the functions run in (runtime.ts); default the node20 template's. */
  runtime?: FunctionRuntime;
  /** Timeout of each orchestrator call through the gateway. */
  stepTimeoutMs: number;
  /** of-watchdog exec_timeout; read/write stay 5 s above it, as the Node template keeps them. */
  watchdogTimeoutMs: number;
  limits: { memory: string; cpu: string };
  imagePrefix: string;
  gatewayUrl: string;
  /**
   * How the steps are composed: an orchestrator function calling each through the gateway
   * (the paper's openfaas system), or each function calling the next through the gateway.
   */
  composition?: Composition;
}

export type Composition = 'orchestrator' | 'chain';

/** The functions compileFunctions makes for a route: one per step, and the orchestrator unless chained. */
export function functionNames(route: readonly string[], composition: Composition = 'orchestrator'): string[] {
  return composition === 'chain' ? [...route] : [...route, ORCHESTRATOR];
}

export async function compileFunctions(source: ScenarioSource, outDir: string, options: FunctionOptions): Promise<CompiledFunction[]> {
  const { scenario, file } = source;
  const steps = scenario.functions.map((f) => serviceNameOf(f.name));
  const out: CompiledFunction[] = [];
  const chained = options.composition === 'chain';
  const names = scenario.functions.map((f) => f.name);
  for (const fn of chained ? names : [...names, ORCHESTRATOR]) {
    const name = fn === ORCHESTRATOR ? ORCHESTRATOR : serviceNameOf(fn);
    const dir = path.resolve(outDir, 'openfaas', name);
    await mkdir(dir, { recursive: true });
    await bundleForNode({
      contents: {
        source: `import s from ${JSON.stringify(file)}; import { runOpenFaaSFunctionFromEnv } from ${JSON.stringify(FUNCTION_ENTRY)};\nrunOpenFaaSFunctionFromEnv(s, ${JSON.stringify(fn)}).catch((e) => { console.error(e); process.exit(1); });`,
        resolveDir: path.dirname(file),
        name: `${name}-function.ts`,
      },
      outfile: path.join(dir, BUNDLE),
    });
    const digest = createHash('sha256').update(await readFile(path.join(dir, BUNDLE))).digest('hex').slice(0, 12);
    const runtime = options.runtime ?? DEFAULT_FUNCTION_RUNTIME;
    const envVars: Record<string, string> = {
      [FUNCTION_RUNTIME_ENV]: runtime,
      // Bodies as large as p2p services accept: the template's MAX_JSON_SIZE (body-parser's
      // 100 kB otherwise), the bare server's own limit, both set as a user raising it would.
      ...(runtime === 'template' ? { MAX_JSON_SIZE: String(SERVICE_DEFAULTS.bodyLimitBytes) } : { FOGBENCH_BODY_LIMIT_BYTES: String(SERVICE_DEFAULTS.bodyLimitBytes) }),
    };
    if (fn === ORCHESTRATOR) {
      envVars.FOGBENCH_GATEWAY_URL = options.gatewayUrl;
      envVars.FOGBENCH_STEPS = steps.join(',');
      envVars.FOGBENCH_STEP_TIMEOUT_MS = String(options.stepTimeoutMs);
    }
    const next = steps[steps.indexOf(name) + 1];
    if (chained && next !== undefined) {
      // Each function calls the next one through the gateway, as the orchestrator would.
      envVars.FOGBENCH_GATEWAY_URL = options.gatewayUrl;
      envVars.FOGBENCH_NEXT = next;
      envVars.FOGBENCH_STEP_TIMEOUT_MS = String(options.stepTimeoutMs);
    }
    const spec = withFixedScale(
      {
        service: name,
        image: `${options.imagePrefix}${scenario.name}-${name}:${digest}`,
        envProcess: `node ${BUNDLE}`,
        envVars,
        labels: { 'fogbench.io/scenario': scenario.name, 'fogbench.io/system': chained ? 'openfaas-chain' : 'openfaas' },
        limits: options.limits,
        requests: options.limits,
      },
      options.replicas,
    );
    const dockerfile = path.join(dir, 'Dockerfile');
    await writeFile(dockerfile, renderFunctionDockerfile(scenario.name, name, options.watchdogTimeoutMs));
    await writeFile(path.join(dir, 'function.json'), JSON.stringify(spec, null, 2) + '\n');
    out.push({ name, function: fn, artifactDir: dir, bundle: BUNDLE, dockerfile, spec });
  }
  return out;
}

function renderFunctionDockerfile(scenario: string, name: string, timeoutMs: number): string {
  const exec = timeoutMs / 1000;
  const t = goSeconds(exec);
  const rw = goSeconds(exec + (NODE_TEMPLATE.readTimeoutSeconds - NODE_TEMPLATE.execTimeoutSeconds));
  return `# fogbench OpenFaaS function: ${scenario}/${name}. Generated by the compiler; do not edit.
FROM ${OF_WATCHDOG_IMAGE} AS watchdog
FROM node:20-alpine
COPY --from=watchdog /fwatchdog /usr/bin/fwatchdog
WORKDIR /home/app
COPY ${BUNDLE} ./
USER node
ENV fprocess="node ${BUNDLE}" mode="http" upstream_url="http://127.0.0.1:3000" \\
    exec_timeout="${t}" read_timeout="${rw}" write_timeout="${rw}" prefix_logs="false"
HEALTHCHECK --interval=3s CMD [ -e /tmp/.lock ] || exit 1
CMD ["fwatchdog"]
`;
}
