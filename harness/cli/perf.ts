/**
 * `npm run perf [-- name ...]`: runs the benchmarks and prints each comparison with its ratio
 * and target. Ratios are of things measured side by side in this one run.
 */
import { Command } from 'commander';
import type { Benchmark, PerfLine } from '../perf/benchmark.ts';
import { p2pChainBenchmark } from '../perf/p2p-chain.ts';
import { datasetParseBenchmark } from '../perf/dataset-parse.ts';
import { reportGenerationBenchmark } from '../perf/report-generation.ts';
import { fogOverheadBenchmark } from '../perf/fog-overhead.ts';
import { openfaasPathBenchmark } from '../perf/openfaas-path.ts';
import { loadGeneratorBenchmark } from '../perf/load-generator.ts';
import { runMain } from './run-main.ts';
import { disposeAgentBundle } from '../perf/agent-process.ts';
import { usageError } from '../errors.ts';

const BENCHMARKS: Benchmark[] = [p2pChainBenchmark, loadGeneratorBenchmark, fogOverheadBenchmark, openfaasPathBenchmark, datasetParseBenchmark, reportGenerationBenchmark];

function verdict(line: PerfLine): string {
  if (line.ratio === undefined) return '';
  if (!line.target) return `  ratio ${line.ratio.toFixed(3)}`;
  const met = line.target.op === '>=' ? line.ratio >= line.target.value : line.ratio <= line.target.value;
  return `  ratio ${line.ratio.toFixed(3)} (target ${line.target.op} ${line.target.value}: ${met ? 'met' : 'NOT met'})`;
}

const program = new Command('fogbench-perf')
  .description('performance benchmarks, printed as side-by-side ratios')
  .argument('[names...]', `benchmarks to run (${BENCHMARKS.map((b) => b.name).join(', ')}); default all`)
  .option('--list', 'list the benchmarks and exit')
  .exitOverride()
  .action(async (names: string[], opts: { list?: boolean }) => {
    if (opts.list) {
      for (const b of BENCHMARKS) process.stdout.write(`${b.name.padEnd(20)} ${b.description}\n`);
      return;
    }
    const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
    if (unknown.length) throw usageError(`unknown benchmark ${unknown.join(', ')} (see --list)`);
    const chosen = names.length ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
    try {
      await runChosen(chosen);
    } finally {
      await disposeAgentBundle();
    }
  });

async function runChosen(chosen: Benchmark[]): Promise<void> {
    for (const benchmark of chosen) {
      process.stdout.write(`\n== ${benchmark.name}: ${benchmark.description}\n`);
      const lines = await benchmark.run((m) => process.stderr.write(`   ${m}\n`));
      for (const line of lines) {
        process.stdout.write(`${line.label}\n`);
        for (const [k, v] of Object.entries(line.figures)) process.stdout.write(`  ${k}: ${v}\n`);
        const v = verdict(line);
        if (v) process.stdout.write(`${v}\n`);
      }
    }
}

runMain(program);
