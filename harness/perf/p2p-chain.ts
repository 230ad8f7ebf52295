/**
 * The p2p runtime's overhead: throughput of the compiled p2p chain over a bare node:http
 * forwarder chain running the same functions with the same hop count and payload, measured
 * side by side (alternating rounds) on loopback. Target: ≥ 0.90 with the bench's default batch;
 * the ratio with a small batch is printed too, as the runtime's per-request overhead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../dataflow/bundle.ts';
import { compileScenario } from '../dataflow/compile.ts';
import { p2pSystem } from '../systems/p2p.ts';
import { createLoopbackTarget } from '../targets/loopback/loopback-target.ts';
import type { UnitSpec } from '../targets/target.ts';
import type { Benchmark, PerfLine } from './benchmark.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_DATASET, openDataset } from '../load/replay.ts';
import { alternate, measure, meanOf, SAMPLE_BATCH } from './measure.ts';

const SCENARIO = fileURLToPath(new URL('../../scenarios/temperature.ts', import.meta.url));
const FORWARDER = fileURLToPath(new URL('./bare-forwarder-main.ts', import.meta.url));

export async function bareUnits(dir: string, functions: string[]): Promise<UnitSpec[]> {
  const units: UnitSpec[] = [];
  for (const [index, fn] of functions.entries()) {
    const artifactDir = path.join(dir, 'bare', fn);
    await bundleForNode({
      contents: {
        source: `import s from ${JSON.stringify(SCENARIO)}; import { runBareForwarder } from ${JSON.stringify(FORWARDER)}; runBareForwarder(s, ${JSON.stringify(fn)});`,
        resolveDir: path.dirname(SCENARIO),
        name: `bare-${fn}.ts`,
      },
      outfile: path.join(artifactDir, 'bare.mjs'),
    });
    const next = functions[index + 1];
    units.push({
      name: `bare-${fn}`,
      placement: { role: 'worker', index },
      artifactDir,
      command: process.execPath,
      args: ['bare.mjs'],
      port: 8080,
      healthPath: '/',
      env: (endpoints): Record<string, string> => {
        const target = next ? endpoints.get(`bare-${next}`)! : undefined;
        return target ? { NEXT_URL: `http://${target.host}:${target.port}/` } : {};
      },
    });
  }
  return units;
}

export const p2pChainBenchmark: Benchmark = {
  name: 'p2p-chain',
  description: 'p2p chain throughput over a bare node:http forwarder chain (same functions, hops, payload)',
  async run(log) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-perf-'));
    const target = createLoopbackTarget();
    try {
      const compiled = await compileScenario(SCENARIO, dir);
      const plan = await p2pSystem.plan(compiled, {
        replicas: 1,
        scenarioFile: SCENARIO,
        buildDir: dir,
        hopTimeoutMs: 10_000,
        chainBudgetMs: 19_000,
        config: {},
      });
      const bare = await bareUnits(dir, compiled.services.map((s) => s.function));
      const deployment = await target.deploy([...plan.units, ...bare], { readyTimeoutMs: 30_000, onLine: () => {} });
      const url = (name: string) => {
        const e = deployment.endpoints.get(name)!;
        return `http://${e.host}:${e.port}/`;
      };
      const load = { workers: 8, seconds: 4, keepAlive: true };
      const batch = (await openDataset(DEFAULT_DATASET, { batchSize: DEFAULT_BATCH_SIZE })).source.next().toString('utf8');
      const lines: PerfLine[] = [];
      // The bench's own payload carries the target; a small one shows the per-request overhead.
      for (const [label, body, target] of [
        [`default batch (${DEFAULT_BATCH_SIZE} readings, ${(batch.length / 1024).toFixed(0)} KiB)`, batch, true],
        ['small batch (50 readings, ~6 KiB): per-request overhead', SAMPLE_BATCH, false],
      ] as const) {
        log(`${label}: warm-up, then 3 alternating rounds of 4 s, 8 workers, keep-alive`);
        await measure(url(plan.entry), body, { ...load, seconds: 2 });
        await measure(url(bare[0]!.name), body, { ...load, seconds: 2 });
        const [p2p, baseline] = await alternate(
          3,
          () => measure(url(plan.entry), body, load),
          () => measure(url(bare[0]!.name), body, load),
        );
        lines.push({
          label: `p2p chain vs bare forwarder chain (throughput, 4 hops), ${label}`,
          figures: {
            p2p: `${meanOf(p2p, 'rps').toFixed(0)} req/s, mean ${meanOf(p2p, 'meanMs').toFixed(2)} ms`,
            bare: `${meanOf(baseline, 'rps').toFixed(0)} req/s, mean ${meanOf(baseline, 'meanMs').toFixed(2)} ms`,
            errors: `${p2p.reduce((n, m) => n + m.errors, 0) + baseline.reduce((n, m) => n + m.errors, 0)}`,
          },
          ratio: meanOf(p2p, 'rps') / meanOf(baseline, 'rps'),
          ...(target ? { target: { op: '>=' as const, value: 0.9 } } : {}),
        });
      }
      await deployment.stop();
      return lines;
    } finally {
      await target.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
