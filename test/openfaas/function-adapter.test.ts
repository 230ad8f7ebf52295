/**
 * The OpenFaaS function adapter, run as real processes without a gateway: the compiled specs
 * and Dockerfiles, and a function process called directly (as of-watchdog calls its upstream).
 * Through the real gateway, provider and of-watchdog: test/openfaas/fog-openfaas.test.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioSource } from '../../harness/dataflow/compile.ts';
import { compileFunctions, type CompiledFunction } from '../../harness/openfaas/compile-functions.ts';
import type { FunctionRuntime } from '../../harness/openfaas/runtime.ts';
import { isSpan, type Span } from '../../harness/dataflow/spans.ts';
import { createLoopbackTarget } from '../../harness/targets/loopback/loopback-target.ts';
import type { Deployment, Target } from '../../harness/targets/target.ts';
import { largeLoad, type Load } from '../dataflow/fixtures/parse-marks.ts';

interface Functions {
  target: Target;
  deployment: Deployment;
  dir: string;
  compiled: CompiledFunction[];
  url: (name: string) => string;
  /** Span lines the functions printed. */
  spans: Span[];
}

async function deployFunctions(scenario: string, runtime: FunctionRuntime = 'template', env: Record<string, string> = {}): Promise<Functions> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-of-'));
  const compiled = await compileFunctions(await loadScenarioSource(scenario), dir, {
    replicas: 1, runtime, stepTimeoutMs: 5_000, watchdogTimeoutMs: 10_000, limits: { memory: '128Mi', cpu: '250m' }, imagePrefix: 'fogbench/', gatewayUrl: 'http://127.0.0.1:1',
  });
  const target = createLoopbackTarget();
  const spans: Span[] = [];
  const functions = compiled.filter((f) => f.name !== 'orchestrator');
  const deployment = await target.deploy(
    functions.map((f, index) => ({
      name: f.name,
      placement: { role: 'worker' as const, index },
      artifactDir: f.artifactDir,
      command: process.execPath,
      args: [f.bundle],
      port: 3000,
      healthPath: '/_/health',
      env: (eps) => ({ ...f.spec.envVars, ...env, FOGBENCH_UPSTREAM_PORT: String(eps.get(f.name)!.port) }),
    })),
    {
      readyTimeoutMs: 20_000,
      onLine: (_unit, line) => {
        try {
          const value: unknown = JSON.parse(line);
          if (isSpan(value)) spans.push(value);
        } catch {
          // not a span
        }
      },
    },
  );
  const url = (name: string) => {
    const e = deployment.endpoints.get(name)!;
    return `http://${e.host}:${e.port}/`;
  };
  return { target, deployment, dir, compiled, url, spans };
}

const closeFunctions = async (f: Functions) => {
  await f.deployment.stop();
  await f.target.dispose();
  await rm(f.dir, { recursive: true, force: true });
};

describe('OpenFaaS functions compiled from the temperature scenario', () => {
  let f: Functions;
  beforeAll(async () => {
    f = await deployFunctions('scenarios/temperature.ts');
  });
  afterAll(async () => f && closeFunctions(f));

  it('emits a fixed-scale function spec and an of-watchdog Dockerfile per function, plus the orchestrator', async () => {
    expect(f.compiled.map((c) => c.name)).toEqual(['get', 'filter-temperature', 'compute-average', 'display', 'orchestrator']);
    for (const c of f.compiled) {
      expect(c.spec.labels).toMatchObject({ 'com.openfaas.scale.min': '1', 'com.openfaas.scale.max': '1' });
      expect(c.spec.image).toMatch(/^fogbench\/temperature-[a-z-]+:[0-9a-f]{12}$/);
      // The template runtime by default, with bodies as large as p2p's (the template's MAX_JSON_SIZE).
      expect(c.spec.envVars).toMatchObject({ FOGBENCH_FUNCTION_RUNTIME: 'template', MAX_JSON_SIZE: String(4 * 1024 * 1024) });
      const dockerfile = await readFile(c.dockerfile, 'utf8');
      expect(dockerfile).toMatch(/FROM ghcr\.io\/openfaas\/of-watchdog:0\.11\.6 AS watchdog/);
      // The official Node template's timeouts: exec 10 s, read and write 15 s.
      expect(dockerfile).toContain('exec_timeout="10s" read_timeout="15s" write_timeout="15s"');
      expect(dockerfile).toContain('mode="http"');
    }
    expect(f.compiled.at(-1)!.spec.envVars).toMatchObject({ FOGBENCH_STEPS: 'get,filter-temperature,compute-average,display' });
  });

  it('answers as express does in the node20 template: ETag, text/html for a JSON-encoded object, no X-Powered-By', async () => {
    const batch = JSON.stringify([{ sensor: 's1', variable: 'Temperature', units: 'Celsius', timestamp: '2024-01-01T00:00:00Z', value: 4.5 }]);
    const res = await fetch(f.url('get'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^W\/"[0-9a-f]+-/);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(JSON.parse(await res.text())).toEqual(JSON.parse(batch));
  });
});

describe.each(['template', 'bare'] as const)('the %s runtime', (runtime) => {
  let f: Functions;
  beforeAll(async () => {
    f = await deployFunctions('scenarios/temperature.ts', runtime);
  });
  afterAll(async () => f && closeFunctions(f));

  it("answers a thrown function error with 500, not the template's 200", async () => {
    const res = await fetch(f.url('get'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"not":"an array"}' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ function: 'get', error: 'request body must be a JSON array of sensor readings' });
  });
});

describe("the template runtime's limits", () => {
  let f: Functions;
  // Without MAX_JSON_SIZE the template keeps body-parser's 100 kB.
  beforeAll(async () => {
    f = await deployFunctions('scenarios/temperature.ts', 'template', { MAX_JSON_SIZE: '' });
  });
  afterAll(async () => f && closeFunctions(f));

  it('refuses a JSON body over 100 kB with 413, as body-parser does, and takes one just under it', async () => {
    const reading = { sensor: 's1', variable: 'Temperature', units: 'Celsius', timestamp: '2024-01-01T00:00:00Z', value: 4.5 };
    const batch = (bytes: number) => {
      const one = JSON.stringify(reading).length + 1;
      return JSON.stringify(Array.from({ length: Math.floor(bytes / one) }, () => reading));
    };
    const small = batch(99_000);
    const large = batch(110_000);
    expect(small.length).toBeLessThan(102_400);
    expect(large.length).toBeGreaterThan(102_400);
    const post = (body: string) => fetch(f.url('get'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post(small)).status).toBe(200);
    const refused = await post(large);
    expect(refused.status).toBe(413);
    expect(await refused.text()).toMatch(/request entity too large/i);
  });
});

// Issue 14 (audit item 9): the function server and p2p stamp function start and end at the same
// points, around the handler only: decoding the body and encoding the result are the
// framework's, in the hop gap's parts (p2p's side: test/dataflow/p2p-chain.test.ts).
describe('OpenFaaS function stamps', () => {
  let f: Functions;
  beforeAll(async () => {
    f = await deployFunctions('test/dataflow/fixtures/parse-marks.ts');
  });
  afterAll(async () => f && closeFunctions(f));

  it('exclude decoding the body and encoding the result from function time', async () => {
    const res = await fetch(f.url('first'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'marks' },
      body: JSON.stringify(largeLoad(2_000_000)),
    });
    expect(res.status).toBe(200);
    const m = ((await res.json()) as Load).marks.first!;
    const deadline = Date.now() + 3_000;
    while (!f.spans.some((x) => x.requestId === 'marks') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const s = f.spans.find((x) => x.requestId === 'marks')!;
    console.log(`openfaas first: decode ended ${(m.parsedAt - s.start).toFixed(2)} ms after the request arrived, fnStart ${(s.fnStart - m.parsedAt).toFixed(3)} ms after it; fnEnd ${(m.encodingAt - s.fnEnd).toFixed(3)} ms before encoding began; function ${(s.fnEnd - s.fnStart).toFixed(3)} ms`);
    expect(s).toMatchObject({ service: 'first', outcome: 'ok' });
    expect(m.parsedLength).toBeGreaterThan(1_000_000);
    expect(s.fnStart).toBeGreaterThanOrEqual(m.parsedAt);
    expect(s.fnStart).toBeLessThanOrEqual(m.enteredAt);
    expect(s.fnEnd).toBeGreaterThanOrEqual(m.leftAt);
    expect(s.fnEnd).toBeLessThanOrEqual(m.encodingAt);
  });
});
