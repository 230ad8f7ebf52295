/**
 * The p2p runtime's overhead: throughput of the compiled p2p chain over a bare node:http
 * forwarder chain running the same functions with the same hop count and payload, measured
 * side by side (alternating rounds) on loopback. Target: ≥ 0.90.
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
import type { Benchmark } from './benchmark.ts';
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
      log('warming up both chains');
      await measure(url(plan.entry), SAMPLE_BATCH, { ...load, seconds: 2 });
      await measure(url(bare[0]!.name), SAMPLE_BATCH, { ...load, seconds: 2 });
      log('measuring: 3 alternating rounds of 4 s each, 8 workers, keep-alive');
      const [p2p, baseline] = await alternate(
        3,
        () => measure(url(plan.entry), SAMPLE_BATCH, load),
        () => measure(url(bare[0]!.name), SAMPLE_BATCH, load),
      );
      await deployment.stop();
      const ratio = meanOf(p2p, 'rps') / meanOf(baseline, 'rps');
      return [
        {
          label: 'p2p chain vs bare forwarder chain (throughput, 4 hops, 50-reading batch)',
          figures: {
            p2p: `${meanOf(p2p, 'rps').toFixed(0)} req/s, mean ${meanOf(p2p, 'meanMs').toFixed(2)} ms`,
            bare: `${meanOf(baseline, 'rps').toFixed(0)} req/s, mean ${meanOf(baseline, 'meanMs').toFixed(2)} ms`,
            errors: `${p2p.reduce((s, m) => s + m.errors, 0) + baseline.reduce((s, m) => s + m.errors, 0)}`,
          },
          ratio,
          target: { op: '>=', value: 0.9 },
        },
      ];
    } finally {
      await target.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
