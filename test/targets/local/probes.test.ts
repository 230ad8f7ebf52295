/**
 * The fog target runs a pod's probes as the kubelet does: a failing readiness probe takes the
 * pod out of the published endpoints until it passes again; a failing liveness probe kills the
 * container, which restarts with the back-off. Each transition is an event on the timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFogTarget, type FogTarget } from '../../../harness/targets/local/fog-target.ts';
import type { Deployment, HttpProbe, UnitEndpoint } from '../../../harness/targets/target.ts';
import { TEST_TOPOLOGY, fixtureServer, skipReasonPrinted } from './fog-host.ts';

const skip = skipReasonPrinted();
const fast = (path: string): HttpProbe => ({ path, port: 8080, initialDelaySeconds: 0, periodSeconds: 0.5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 2 });

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip)('fog target probes', () => {
  let target: FogTarget;
  let deployment: Deployment;
  let url: string;
  const updates: (readonly UnitEndpoint[])[] = [];
  const readyNow = () => updates.at(-1)?.find((e) => e.unit === 'svc')?.ready;

  beforeAll(async () => {
    target = createFogTarget({ runId: 'test-probes', topologyFile: TEST_TOPOLOGY, restartBackoffMs: 500, livenessKillGraceMs: 500 });
    await target.prepare();
    deployment = await target.deploy([fixtureServer('svc', { role: 'worker', index: 0 }, undefined, { probes: { readiness: fast('/ready'), liveness: fast('/live') } })], {
      readyTimeoutMs: 20_000,
      onLine: () => {},
      onEndpoints: (endpoints) => updates.push(endpoints),
    });
    const e = deployment.endpoints.get('svc')!;
    url = `http://${e.host}:${e.port}`;
  }, 60_000);
  afterAll(async () => target?.dispose());

  it('publishes the pod as ready once its readiness probe passes', () => {
    expect(updates[0]!.map((e) => e.ready)).toEqual([false]);
    expect(readyNow()).toBe(true);
  });

  it('takes the pod out of rotation while its readiness probe fails, and back when it passes', async () => {
    const t0 = Date.now();
    const observer = target.observe(deployment, t0);
    await fetch(`${url}/set?ready=0`);
    await until(() => readyNow() === false, 5_000);
    await fetch(`${url}/set?ready=1`);
    await until(() => readyNow() === true, 5_000);
    await observer.stop();
    const kinds = observer.events().filter((e) => e.subject === 'svc').map((e) => e.kind);
    expect(kinds).toEqual(['not-ready', 'ready']);
    // No restart: readiness never kills.
    expect(deployment.units[0]!.pid).toBeDefined();
  });

  it('kills and restarts the container when its liveness probe fails, then serves again', async () => {
    const t0 = Date.now();
    const observer = target.observe(deployment, t0);
    const before = deployment.units[0]!.pid;
    await fetch(`${url}/set?live=0`);
    await until(() => deployment.units[0]!.pid !== before && readyNow() === true, 15_000);
    await observer.stop();
    const events = observer.events().filter((e) => e.subject === 'svc');
    // An exit takes the pod out of rotation at once (no readiness event of its own).
    expect(events.map((e) => e.kind)).toEqual(['unhealthy', 'exit', 'restart', 'ready']);
    expect(events[0]!.detail).toMatch(/liveness GET :8080\/live failed 2 times in a row \(last: answered 503\); killing the container/);
    // The new process starts healthy.
    expect((await fetch(`${url}/live`)).status).toBe(200);
  });
});
