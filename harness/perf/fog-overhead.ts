/**
 * The fog target's own overhead: the same p2p chain on the loopback target and on the fog
 * target with unshaped links and no CPU or memory quotas, loaded alike from the host, in
 * alternating rounds. The ratio is fog throughput over loopback throughput.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioSource } from '../dataflow/compile.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_DATASET, openDataset } from '../load/replay.ts';
import { p2pSystem } from '../systems/p2p.ts';
import { createFogTarget } from '../targets/local/fog-target.ts';
import { createLoopbackTarget } from '../targets/loopback/loopback-target.ts';
import type { Target } from '../targets/target.ts';
import type { Benchmark } from './benchmark.ts';
import { alternate, measure, meanOf } from './measure.ts';

const SCENARIO = fileURLToPath(new URL('../../scenarios/temperature.ts', import.meta.url));

export const fogOverheadBenchmark: Benchmark = {
  name: 'fog-overhead',
  description: 'p2p chain throughput on the fog target (no quotas, unshaped links) over the loopback target',
  async run(log) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-perf-fog-'));
    const loopback = createLoopbackTarget();
    const fog = createFogTarget({ runId: 'perf-fog-overhead', overrides: { noQuotas: true, link: { bandwidthMbit: null, latencyMs: 0 } } });
    const targets: Target[] = [loopback, fog];
    try {
      const source = await loadScenarioSource(SCENARIO);
      const plan = await p2pSystem.plan(source, { hopTimeoutMs: 10_000, deadlineMs: 10_000, config: {}, replicas: 1, buildDir: dir });
      const urls: string[] = [];
      for (const target of targets) {
        log(`deploying the p2p chain on ${target.kind}`);
        await target.prepare();
        const deployment = await target.deploy(plan.units, { readyTimeoutMs: 30_000, onLine: () => {} });
        const e = deployment.endpoints.get(plan.entry)!;
        urls.push(`http://${e.host}:${e.port}/`);
      }
      const body = (await openDataset(DEFAULT_DATASET, { batchSize: DEFAULT_BATCH_SIZE })).source.next().toString('utf8');
      const load = { workers: 8, seconds: 4, keepAlive: false };
      log('warm-up, then 3 alternating rounds of 4 s, 8 workers, keep-alive off');
      for (const url of urls) await measure(url, body, { ...load, seconds: 2 });
      const [onLoopback, onFog] = await alternate(3, () => measure(urls[0]!, body, load), () => measure(urls[1]!, body, load));
      return [
        {
          label: 'fog target (no quotas, unshaped) vs loopback: p2p chain throughput',
          figures: {
            loopback: `${meanOf(onLoopback, 'rps').toFixed(0)} req/s, mean ${meanOf(onLoopback, 'meanMs').toFixed(2)} ms`,
            fog: `${meanOf(onFog, 'rps').toFixed(0)} req/s, mean ${meanOf(onFog, 'meanMs').toFixed(2)} ms`,
          },
          ratio: meanOf(onFog, 'rps') / meanOf(onLoopback, 'rps'),
        },
      ];
    } finally {
      for (const target of targets) await target.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
