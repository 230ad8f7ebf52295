/**
 * The paper's data path on fog: requests with no body, `get` reading the next readings from the
 * sensor feed on the core node, in p2p and in OpenFaaS with either function runtime (the
 * template's body parser makes an empty body `{}`, the bare server `''`, p2p nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATASET } from '../../harness/load/replay.ts';
import { deployOpenFaaSOnFog, type FogOpenFaaS } from '../helpers/openfaas-fog.ts';
import { skipReasonPrinted } from '../targets/local/fog-host.ts';

const skip = skipReasonPrinted();
const READINGS = 3_000;

describe.skipIf(skip).each(['template', 'bare'] as const)('the sensor feed read by get, OpenFaaS runtime %s', (runtime) => {
  let f: FogOpenFaaS;
  beforeAll(async () => {
    f = await deployOpenFaaSOnFog('scenarios/temperature.ts', { withP2P: true, functionRuntime: runtime, feed: { dataset: DEFAULT_DATASET, readings: READINGS }, runId: `test-feed-${runtime}` });
  }, 240_000);
  afterAll(async () => f?.close());

  it('places the feed on the core node, beside the gateway', () => {
    expect(f.feed!.deployment.placement.get('sensor-feed')).toBe('core');
    expect(f.openfaas.deployment.placement.get('gateway')).toBe('core');
  });

  it('answers a request with no body in both systems with the next batch from the feed', async () => {
    for (const url of [f.p2p!.url, f.url]) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
      const display = (await res.json()) as { readings: number; ignored: number; dropped: number };
      expect(res.status, url).toBe(200);
      // Every reading of the batch is accounted for: averaged, dropped, or not a temperature.
      expect(display.readings + display.dropped + display.ignored, url).toBe(READINGS);
    }
  });
});
