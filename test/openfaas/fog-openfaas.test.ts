/**
 * The openfaas system on the fog target with the real OpenFaaS gateway, our faas-provider
 * provider and of-watchdog, each in its own pod as the chart lays them out: the same result as
 * the p2p chain, errors that reach the client, basic auth on the system API, a watchdog killed
 * under load, spans for the hop gaps, and nothing left after teardown.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedBody } from '../../harness/load/body-source.ts';
import { httpDriver } from '../../harness/load/http-driver.ts';
import { hopGaps } from '../../harness/metrics/hops.ts';
import { ProfileRecorder } from '../../harness/metrics/recorder.ts';
import { readBasicAuthSecret } from '../../harness/openfaas/credentials.ts';
import { deployOpenFaaSOnFog, type FogOpenFaaS } from '../helpers/openfaas-fog.ts';
import { leftovers, processAlive, skipReasonPrinted } from '../targets/local/fog-host.ts';

const skip = skipReasonPrinted();
const JSON_HEADERS = { 'content-type': 'application/json' };

/** One GET on a connection of its own (the gateway may close a kept-alive one after a 401). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(url: string, body: string, seconds: number, during?: () => void) {
  const start = performance.now();
  const recorder = new ProfileRecorder(start, seconds * 1000);
  const timer = during ? setTimeout(during, 1_000) : undefined;
  const spec = { url, workers: 2, durationMs: seconds * 1000, keepAlive: false, timeoutMs: 10_000, headers: JSON_HEADERS };
  const { cutOff } = await httpDriver.run(spec, fixedBody(body), recorder, new AbortController().signal);
  clearTimeout(timer);
  return recorder.finish(Math.min(performance.now(), start + spec.durationMs), cutOff);
}

describe.skipIf(skip)('openfaas on fog: real gateway, provider and of-watchdog', () => {
  let f: FogOpenFaaS;
  let batch: Buffer;
  beforeAll(async () => {
    batch = await readFile('datasets/sample-batch.json');
    f = await deployOpenFaaSOnFog('scenarios/temperature.ts', { withP2P: true });
  }, 240_000);
  afterAll(async () => f?.close());

  it('runs the gateway and provider in one pod on the core node with Prometheus and alertmanager beside it, one pod per function replica on the workers', () => {
    const placement = Object.fromEntries(f.openfaas.deployment.placement);
    expect(placement).toEqual({
      gateway: 'core',
      prometheus: 'core',
      alertmanager: 'core',
      'get-0': 'worker-1',
      'filter-temperature-0': 'worker-2',
      'compute-average-0': 'worker-1',
      'display-0': 'worker-2',
      'orchestrator-0': 'worker-1',
    });
    expect(f.openfaas.deployment.units.map((u) => u.name)).toContain('gateway/provider');
  });

  it('gives byte-for-byte the display output of the p2p chain for the same batch, through the gateway', async () => {
    const viaGateway = await fetch(f.url, { method: 'POST', headers: JSON_HEADERS, body: batch.toString("utf8") });
    expect(viaGateway.status).toBe(200);
    // The gateway's call-id middleware marks every invocation it proxied.
    expect(viaGateway.headers.get('x-call-id')).toMatch(/^[0-9a-f-]{36}$/);
    const viaP2P = await fetch(f.p2p!.url, { method: 'POST', headers: JSON_HEADERS, body: batch.toString("utf8") });
    expect(viaP2P.status).toBe(200);
    const a = Buffer.from(await viaGateway.arrayBuffer());
    const b = Buffer.from(await viaP2P.arrayBuffer());
    expect(a.length).toBeGreaterThan(100);
    expect(a.equals(b)).toBe(true);
  });

  it('answers a function error with a non-2xx at the client that names the step, counted as an HTTP 5xx', async () => {
    const res = await fetch(f.url, { method: 'POST', headers: JSON_HEADERS, body: '[{"sensor":1}]' });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ step: 'get' });
    const raw = await load(f.url, '[{"sensor":1}]', 2);
    expect(raw.ok).toBe(0);
    expect(raw.errors.http5xx).toBeGreaterThan(0);
  });

  it('refuses the system API without the run\'s basic-auth credentials, and reports each function with them', async () => {
    const secretDir = path.join(f.buildDir, 'openfaas', 'openfaas-fog', 'secrets');
    const { user, password } = await readBasicAuthSecret(secretDir);
    const auth = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    expect((await get(`${f.gateway}/system/functions`)).status).toBe(401);
    expect((await get(`${f.gateway}/system/functions`, auth(user, `${password}x`))).status).toBe(401);
    // With the right credentials the list works: the gateway asks Prometheus for the
    // invocation counts (it fails the request on a nil result when there is no Prometheus).
    const list = await get(`${f.gateway}/system/functions`, auth(user, password));
    expect(list.status).toBe(200);
    const listed = JSON.parse(list.body) as { name: string }[];
    expect(listed.map((fn) => fn.name).sort()).toEqual(['compute-average', 'display', 'filter-temperature', 'get', 'orchestrator']);
    // Each function's status, the call scale_from_zero makes, shows the provider's view.
    for (const name of ['get', 'filter-temperature', 'compute-average', 'display', 'orchestrator']) {
      const status = await get(`${f.gateway}/system/function/${name}`, auth(user, password));
      expect(status.status).toBe(200);
      expect(JSON.parse(status.body)).toMatchObject({ name, namespace: 'openfaas-fn', replicas: 1, availableReplicas: 1 });
    }
    expect((await get(`${f.gateway}/system/function/get`, auth(user, `${password}x`))).status).toBe(401);
  });

  it('has Prometheus scrape the gateway as the chart configures it: the gateway an up target', async () => {
    const prometheus = f.openfaas.deployment.endpoints.get('prometheus')!;
    let target: { labels: Record<string, string>; health: string; scrapeUrl: string } | undefined;
    // The gateway is scraped every 5 s (the chart's openfaas-pods job).
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const answer = JSON.parse((await get(`http://${prometheus.host}:${prometheus.port}/api/v1/targets`)).body) as {
        data: { activeTargets: { labels: Record<string, string>; health: string; scrapeUrl: string }[] };
      };
      target = answer.data.activeTargets.find((t) => t.labels.job === 'openfaas-pods');
      if (target?.health === 'up') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const gateway = f.openfaas.deployment.endpoints.get('gateway')!;
    expect(target).toMatchObject({ health: 'up', scrapeUrl: `http://${gateway.host}:8082/metrics`, labels: { app: 'gateway', kubernetes_namespace: 'openfaas' } });
    // ... and the gateway reads the counts back from it for its function list.
    const { user, password } = await readBasicAuthSecret(path.join(f.buildDir, 'openfaas', 'openfaas-fog', 'secrets'));
    const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const listed = JSON.parse((await get(`${f.gateway}/system/functions`, { authorization })).body) as { name: string; invocationCount?: number }[];
    expect(listed.find((fn) => fn.name === 'orchestrator')?.invocationCount).toBeGreaterThan(0);
  }, 30_000);

  it("runs every Go program with GOMAXPROCS set to its node's CPUs", async () => {
    const goMaxProcs = f.target.describe().details.goMaxProcs as Record<string, number>;
    const envOf = async (unit: string) => {
      const pid = f.openfaas.deployment.units.find((u) => u.name === unit)!.pid!;
      return Object.fromEntries((await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    };
    for (const unit of ['gateway', 'gateway/provider', 'prometheus', 'alertmanager', 'get-0']) {
      const node = f.openfaas.deployment.placement.get(unit.split('/')[0]!)!;
      expect((await envOf(unit)).GOMAXPROCS, unit).toBe(String(goMaxProcs[node]));
    }
  });

  it('writes one span per function call, so the paper\'s hop gaps come out for the chain', async () => {
    // Spans reach the harness on the pod's span socket, never through the watchdog's stdout.
    const stdoutSpans: string[] = [];
    for (const unit of f.openfaas.deployment.units) unit.onLine((line) => line.includes('"requestId"') && stdoutSpans.push(line));
    await fetch(f.url, { method: 'POST', headers: JSON_HEADERS, body: batch.toString("utf8") });
    await new Promise((r) => setTimeout(r, 300)); // spans are flushed every 100 ms
    expect(stdoutSpans).toEqual([]);
    const gaps = hopGaps(f.spans, f.plan.chain);
    expect(gaps.map((g) => `${g.from}>${g.to}`)).toEqual(['get>filter-temperature', 'filter-temperature>compute-average', 'compute-average>display']);
    for (const gap of gaps) {
      expect(gap.count).toBeGreaterThan(0);
      expect(gap.min).toBeGreaterThan(0); // a round trip through the gateway, twice
    }
  });

  it('keeps measuring when a replica\'s watchdog is SIGKILLed under load: errors counted, the restart on the timeline', async () => {
    const t0 = Date.now();
    const observer = f.target.observe(f.openfaas.deployment, t0);
    // The orchestrator holds every request for the whole chain, so one is in flight when it is
    // killed. (A step killed between calls fails nothing: with scale_from_zero the gateway waits
    // for an available replica before proxying, and the requests only wait out the restart.)
    const victim = f.openfaas.deployment.units.find((u) => u.name === 'orchestrator-0')!;
    const pid = victim.pid!;
    const raw = await load(f.url, batch.toString('utf8'), 10, () => process.kill(pid, 'SIGKILL'));
    await observer.stop();
    expect(raw.durationMs).toBeGreaterThanOrEqual(9_900);
    expect(raw.ok).toBeGreaterThan(0);
    // The provider's proxy lost the replica mid-call and the gateway passed its 5xx on.
    expect(raw.errors.http5xx).toBeGreaterThan(0);
    const events = observer.events().filter((e) => e.subject === 'orchestrator-0');
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['exit', 'restart', 'ready']));
    expect(events.find((e) => e.kind === 'exit')!.detail).toContain('SIGKILL');
    // Successes again once the replica is back.
    const last = raw.timeline.slice(-2);
    expect(last.some((b) => b.ok > 0)).toBe(true);
    // Out of rotation and back, as the provider was told.
    const states = f.endpointUpdates.map((u) => u.find((e) => e.unit === 'orchestrator-0')?.ready);
    const dropped = states.lastIndexOf(false);
    expect(dropped).toBeGreaterThan(0);
    expect(states.slice(dropped)).toContain(true);
  }, 60_000);

  it('leaves no process, namespace, cgroup or secret file after teardown', async () => {
    const root = f.target.describe().details.objectPrefix as string;
    const pids = f.openfaas.deployment.units.map((u) => u.pid!).filter(Boolean);
    const secretDir = path.join(f.buildDir, 'openfaas', 'openfaas-fog', 'secrets');
    expect(existsSync(secretDir)).toBe(true);
    await f.close();
    expect(leftovers(root)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
    expect(pids.filter(processAlive)).toEqual([]);
    expect(existsSync(secretDir)).toBe(false);
  });
});
