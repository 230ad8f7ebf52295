/**
 * Deploys the sensor feed (harness/load/sensor-feed.ts) for a run whose data comes from inside
 * the system (--preset paper): one pod on the core node, where the paper's data lived beside
 * the OpenFaaS core on the master, serving the run's dataset in batches of the run's batch
 * size. Both systems read from the same feed; the URL goes to `get` as config `source`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../dataflow/bundle.ts';
import { SENSOR_FEED_PORT } from '../load/sensor-feed.ts';
import type { Deployment, Target, UnitSpec } from '../targets/target.ts';

const FEED_ENTRY = fileURLToPath(new URL('../load/sensor-feed-main.ts', import.meta.url));
export const SENSOR_FEED_UNIT = 'sensor-feed';

export interface DeployedFeed {
  deployment: Deployment;
  /** What `get` reads: config `source`. */
  url: string;
}

export async function deploySensorFeed(
  target: Target,
  options: { dataset: string; readings: number; buildDir: string; readyTimeoutMs: number; signal?: AbortSignal },
): Promise<DeployedFeed> {
  const dir = path.join(options.buildDir, SENSOR_FEED_UNIT);
  await bundleForNode({ entryFile: FEED_ENTRY, outfile: path.join(dir, 'feed.mjs') });
  const unit: UnitSpec = {
    name: SENSOR_FEED_UNIT,
    placement: { role: 'core' },
    artifactDir: dir,
    command: process.execPath,
    args: ['feed.mjs'],
    port: SENSOR_FEED_PORT,
    healthPath: '/healthz',
    env: (endpoints) => ({
      FOGBENCH_FEED_DATASET: path.resolve(options.dataset),
      FOGBENCH_FEED_READINGS: String(options.readings),
      FOGBENCH_HOST: '0.0.0.0',
      PORT: String(endpoints.get(SENSOR_FEED_UNIT)!.port),
    }),
  };
  const deployment = await target.deploy([unit], { readyTimeoutMs: options.readyTimeoutMs, onLine: () => undefined, ...(options.signal ? { signal: options.signal } : {}) });
  const at = deployment.endpoints.get(SENSOR_FEED_UNIT)!;
  return { deployment, url: `http://${at.host}:${at.port}/` };
}
