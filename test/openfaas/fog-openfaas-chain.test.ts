/**
 * The openfaas-chain composition on fog with the real gateway, provider and of-watchdog: each
 * function calls the next through the gateway, no orchestrator. Same output as p2p, a failed
 * step named at the client, and spans whose gaps are the gateway round trip between steps.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hopGaps } from '../../harness/metrics/hops.ts';
import { openfaasChainSystem } from '../../harness/openfaas/system.ts';
import { deployOpenFaaSOnFog, type FogOpenFaaS } from '../helpers/openfaas-fog.ts';
import { skipReasonPrinted } from '../targets/local/fog-host.ts';

const skip = skipReasonPrinted();
const JSON_HEADERS = { 'content-type': 'application/json' };

describe.skipIf(skip)('openfaas-chain on fog: each function calls the next through the gateway', () => {
  let f: FogOpenFaaS;
  let batch: string;
  beforeAll(async () => {
    batch = await readFile('datasets/sample-batch.json', 'utf8');
    f = await deployOpenFaaSOnFog('scenarios/temperature.ts', { withP2P: true, system: openfaasChainSystem, runId: 'test-openfaas-chain' });
  }, 240_000);
  afterAll(async () => f?.close());

  it('deploys the four functions and no orchestrator, and the client calls the first', () => {
    expect([...f.openfaas.deployment.placement.keys()]).toEqual(['gateway', 'prometheus', 'alertmanager', 'get-0', 'filter-temperature-0', 'compute-average-0', 'display-0']);
    expect(f.url).toMatch(/\/function\/get$/);
  });

  it('gives byte-for-byte the p2p chain\'s output for the same batch', async () => {
    const chained = await fetch(f.url, { method: 'POST', headers: JSON_HEADERS, body: batch });
    const p2p = await fetch(f.p2p!.url, { method: 'POST', headers: JSON_HEADERS, body: batch });
    expect([chained.status, p2p.status]).toEqual([200, 200]);
    const a = Buffer.from(await chained.arrayBuffer());
    expect(a.length).toBeGreaterThan(100);
    expect(a.equals(Buffer.from(await p2p.arrayBuffer()))).toBe(true);
  });

  it('answers a failed step with an error status that names it', async () => {
    const res = await fetch(f.url, { method: 'POST', headers: JSON_HEADERS, body: '[{"sensor":1}]' });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(await res.json()).toMatchObject({ function: 'get' });
  });

  it('ends each function\'s span before the next one starts: the gaps are the gateway round trip', async () => {
    await fetch(f.url, { method: 'POST', headers: JSON_HEADERS, body: batch });
    await new Promise((r) => setTimeout(r, 300));
    const gaps = hopGaps(f.spans, f.plan.chain);
    expect(gaps).toHaveLength(3);
    for (const gap of gaps) {
      expect(gap.count).toBeGreaterThan(0);
      expect(gap.min).toBeGreaterThan(0);
    }
  });
});
