/** A service killed under load: its callers' errors are counted, and measuring goes on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedBody } from '../../harness/load/body-source.ts';
import { httpDriver } from '../../harness/load/http-driver.ts';
import { ProfileRecorder } from '../../harness/metrics/recorder.ts';
import { deployChain, type DeployedChain } from '../helpers/deploy-chain.ts';

describe('a downstream service killed mid-profile', () => {
  let chain: DeployedChain;
  beforeAll(async () => {
    chain = await deployChain('scenarios/temperature.ts');
  });
  afterAll(async () => chain?.close());

  it('is counted as network errors from then on, recorded as an event, and the load runs to the end', async () => {
    const t0 = Date.now();
    const observer = chain.target.observe(chain.deployment, t0);
    const victim = chain.deployment.units.find((u) => u.name === 'compute-average')!;
    const start = performance.now();
    const recorder = new ProfileRecorder(start, 3_000);
    setTimeout(() => process.kill(victim.pid!, 'SIGKILL'), 1_000);
    const body = fixedBody(JSON.stringify([{ sensor: 's', variable: 'Temperature', units: 'C', timestamp: '2019-02-01 00:00:00', value: 20 }]));
    const spec = { url: chain.url, workers: 2, durationMs: 3_000, keepAlive: false, timeoutMs: 5_000, headers: { 'content-type': 'application/json' } };
    const { cutOff } = await httpDriver.run(spec, body, recorder, new AbortController().signal);
    const raw = recorder.finish(Math.min(performance.now(), start + spec.durationMs), cutOff);
    await observer.stop();

    expect(raw.ok).toBeGreaterThan(0); // before the kill
    expect(raw.errors.envelope).toBeGreaterThan(0); // after it: filter-temperature reports the failed hop
    expect(raw.durationMs).toBeGreaterThanOrEqual(2_900); // the driver kept going to the end
    const late = raw.timeline.slice(2);
    expect(late.every((b) => b.ok === 0 && (b.errors.envelope ?? 0) > 0)).toBe(true);
    expect(observer.events()).toEqual([
      expect.objectContaining({ kind: 'exit', subject: 'compute-average', detail: 'killed by SIGKILL' }),
    ]);
  });
});
