/** The p2p protocol end to end: real compiled services, real processes, real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER } from '../../harness/dataflow/protocol.ts';
import { deployChain, spansOf, type DeployedChain } from '../helpers/deploy-chain.ts';
import { hopGaps } from '../../harness/metrics/hops.ts';
import { largeLoad, type Load } from './fixtures/parse-marks.ts';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('p2p chain of the temperature scenario', () => {
  let chain: DeployedChain;
  beforeAll(async () => {
    chain = await deployChain('scenarios/temperature.ts');
  });
  afterAll(async () => chain?.close());

  it('routes a batch through get → filter-temperature → compute-average → display', async () => {
    const batch = [
      { sensor: 's1', variable: 'Temperature', units: '°C', timestamp: '2019-02-01 00:00:00', value: 20 },
      { sensor: 's1', variable: 'Humidity', units: '%', timestamp: '2019-02-01 00:00:00', value: 40 },
      { sensor: 's1', variable: 'Temperature', units: '°C', timestamp: '2019-02-01 00:01:00', value: 22 },
    ];
    const res = await post(chain.url, batch, { [HEADER.requestId]: 'route-all' });
    expect(res.status).toBe(200);
    const display = (await res.json()) as { readings: number; ignored: number; latest: { average: number }[] };
    expect(display.readings).toBe(2);
    expect(display.ignored).toBe(1);
    expect(display.latest[0]!.average).toBe(21);
    const spans = await spansOf(chain, 'route-all', 4);
    expect(spans.map((s) => s.service).sort()).toEqual(['compute-average', 'display', 'filter-temperature', 'get']);
    expect(spans.every((s) => s.outcome === 'ok')).toBe(true);
  });

  it('rejects a route naming an unknown service with 400, before calling anyone', async () => {
    const res = await post(chain.url, [], { [HEADER.route]: 'filter-temperature,evil.example.com:80', [HEADER.requestId]: 'bad-route' });
    expect(res.status).toBe(400);
    expect(res.headers.get(HEADER.error)).toBe('rejected');
    expect(((await res.json()) as { message: string }).message).toContain('evil.example.com:80');
    const spans = await spansOf(chain, 'bad-route', 2, 500);
    // Only the entry saw the request: filter-temperature, though known, was never called.
    expect(spans.map((s) => [s.service, s.outcome])).toEqual([['get', 'rejected']]);
  });
});

describe('p2p error flow', () => {
  let chain: DeployedChain;
  beforeAll(async () => {
    chain = await deployChain('test/fixtures/scenarios/relay.ts');
  });
  afterAll(async () => chain?.close());

  it('carries a function error in service 2 down the chain to the client; services 3 and 4 do not run it', async () => {
    const res = await post(chain.url, { fail: 'second', visited: [] }, { [HEADER.requestId]: 'fail-2' });
    expect(res.status).toBe(500);
    expect(res.headers.get(HEADER.error)).toBe('function');
    expect(await res.json()).toEqual({ service: 'second', kind: 'function', message: 'second was asked to fail' });
    const spans = await spansOf(chain, 'fail-2', 4);
    const outcome = Object.fromEntries(spans.map((s) => [s.service, s.outcome]));
    expect(outcome).toEqual({ first: 'ok', second: 'function-error', third: 'forwarded-error', fourth: 'forwarded-error' });
    for (const s of spans.filter((x) => x.outcome === 'forwarded-error')) expect(s.fnEnd).toBe(s.fnStart);
  });

  it('follows the route carried in the request, skipping services it does not name', async () => {
    const res = await post(chain.url, { visited: [] }, { [HEADER.route]: 'fourth' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { visited: string[] }).visited).toEqual(['first', 'fourth']);
  });
});

describe('p2p timeouts', () => {
  let chain: DeployedChain;
  beforeAll(async () => {
    chain = await deployChain('test/fixtures/scenarios/relay.ts', { hopTimeoutMs: 300, deadlineMs: 2_000 });
  });
  afterAll(async () => chain?.close());

  // Timing: three tries, each held to the full bound (a shared VM can stall a few hundred ms).
  it('turns a slow hop into a timeout envelope naming the slow service', { retry: 2 }, async () => {
    const started = Date.now();
    const res = await post(chain.url, { slow: 'second', sleepMs: 1_000, visited: [] }, { [HEADER.route]: 'second' });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ service: 'second', kind: 'timeout' });
    // The hop timeout (300 ms) fired, not the 1 s sleep nor the chain budget.
    expect(Date.now() - started).toBeLessThan(900);
  });
});

// Issue 14 (audit item 9): p2p stamped fnStart before JSON.parse and fnEnd after JSON.stringify,
// the OpenFaaS function server after and before them, so (de)serialisation was function time in
// one system and gap time in the other. Both now stamp around the scenario function only; the
// steps report when the framework's decoding ended and its encoding began, in their own process.
describe('p2p function stamps', () => {
  let chain: DeployedChain;
  beforeAll(async () => {
    chain = await deployChain('test/dataflow/fixtures/parse-marks.ts');
  });
  afterAll(async () => chain?.close());

  it('exclude decoding the body and encoding the result from function time', async () => {
    const load = largeLoad(2_000_000);
    const res = await post(chain.url, load, { [HEADER.requestId]: 'marks' });
    expect(res.status).toBe(200);
    const { marks } = (await res.json()) as Load;
    const spans = await spansOf(chain, 'marks', 2);
    for (const name of ['first', 'second']) {
      const s = spans.find((x) => x.service === name)!;
      const m = marks[name]!;
      console.log(`p2p ${name}: decode ended ${(m.parsedAt - s.start).toFixed(2)} ms after the request arrived, fnStart ${(s.fnStart - m.parsedAt).toFixed(3)} ms after it; fnEnd ${(m.encodingAt - s.fnEnd).toFixed(3)} ms before encoding began; function ${(s.fnEnd - s.fnStart).toFixed(3)} ms`);
      expect(s.outcome).toBe('ok');
      expect(m.parsedLength).toBeGreaterThan(1_000_000); // the mark is this body's decoding
      expect(s.fnStart).toBeGreaterThanOrEqual(m.parsedAt);
      expect(s.fnStart).toBeLessThanOrEqual(m.enteredAt);
      expect(s.fnEnd).toBeGreaterThanOrEqual(m.leftAt);
      expect(s.fnEnd).toBeLessThanOrEqual(m.encodingAt);
    }
    // The gap's parts stay made of stamps both systems write: the sum is the gap.
    const [gap] = hopGaps(spans, ['first', 'second']);
    expect(gap).toMatchObject({ count: 1, missing: 0, failed: 0 });
    expect(gap!.toRequest!.mean + gap!.body!.mean).toBeCloseTo(gap!.mean, 6);
  });
});
