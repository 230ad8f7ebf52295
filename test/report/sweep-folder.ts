/**
 * Writes a real sweep folder (sweep.json, points/<id>/ with point.json) through the sweep's own
 * code, each point's run folder a synthetic one (test/report/run-folder.ts) instead of a
 * measurement, so the report code under test reads a sweep exactly as `bench --sweep` leaves it.
 */
import type { BenchOutcome } from '../../harness/bench/run-bench.ts';
import type { BenchOptions } from '../../harness/bench/options.ts';
import { runSweep, type SweepDeps, type SweepOutcome } from '../../harness/bench/sweep.ts';
import { parseSweepAxis } from '../../harness/bench/sweep-spec.ts';
import { CHAIN_DEFAULTS } from '../../harness/dataflow/synthetic-chain.ts';
import type { Target } from '../../harness/targets/target.ts';
import { benchOptions } from '../helpers/bench-options.ts';
import { writeRunFolder } from './run-folder.ts';

/**
 * Sweep deps whose runBench writes a synthetic run folder for each point instead of measuring;
 * `beforeEach` runs first with the point's options (to record it, to delay it, ...).
 */
export function syntheticSweepDeps(beforeEach: (options: BenchOptions) => Promise<void> | void = () => {}): SweepDeps {
  return {
    runBench: async (options): Promise<BenchOutcome> => {
      await beforeEach(options);
      const { dir, manifest } = await writeRunFolder(options.runsDir, { runId: options.runId, systems: ['p2p'], workers: [1], seconds: 3 });
      return { runDir: dir, manifest, profiles: [], interrupted: false, failure: null };
    },
    createTarget: async () => ({}) as Target,
    systems: {},
    onEvent: () => {},
    signal: new AbortController().signal,
  };
}

/** A sweep over `axes` (e.g. `['length=1,2']`) in `runsRoot`, every point complete, no report written. */
export async function writeSweepFolder(runsRoot: string, sweepId: string, axes: string[]): Promise<SweepOutcome> {
  return runSweep({ options: benchOptions(runsRoot, sweepId), base: CHAIN_DEFAULTS, axes: axes.map(parseSweepAxis) }, syntheticSweepDeps());
}
