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

  it('runs the gateway and provider in one pod on the core node, one pod per function replica on the workers', () => {
    const placement = Object.fromEntries(f.openfaas.deployment.placement);
    expect(placement).toEqual({
      gateway: 'core',
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
    // With the right credentials the gateway's list handler asks Prometheus for invocation
    // counts, which the chart deploys and fog does not (the gateway then fails on a nil
    // result): each function's status, the call scale_from_zero makes, shows the provider's view.
    for (const name of ['get', 'filter-temperature', 'compute-average', 'display', 'orchestrator']) {
      const status = await get(`${f.gateway}/system/function/${name}`, auth(user, password));
      expect(status.status).toBe(200);
      expect(JSON.parse(status.body)).toMatchObject({ name, namespace: 'openfaas-fn', replicas: 1, availableReplicas: 1 });
    }
    expect((await get(`${f.gateway}/system/function/get`, auth(user, `${password}x`))).status).toBe(401);
  });

  it('writes one span per function call, so the paper\'s hop gaps come out for the chain', async () => {
    await fetch(f.url, { method: 'POST', headers: JSON_HEADERS, body: batch.toString("utf8") });
    await new Promise((r) => setTimeout(r, 300)); // spans are flushed every 100 ms
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
