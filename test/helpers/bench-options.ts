/** Bench options for tests that call runBench or runSweep directly: short, one worker count, p2p on loopback. */
import path from 'node:path';
import type { BenchOptions } from '../../harness/bench/options.ts';
import { DEFAULT_DATASET } from '../../harness/load/replay.ts';

export function benchOptions(runsDir: string, runId: string, overrides: Partial<BenchOptions> = {}): BenchOptions {
  return {
    scenarioFile: 'scenarios/temperature.ts',
    systems: ['p2p'],
    workers: [1],
    durationMs: 1_000,
    keepAlive: false,
    driver: 'fogbench-http',
    timeoutMs: 10_000,
    hopTimeoutMs: 5_000,
    deadlineMs: 9_000,
    dataset: DEFAULT_DATASET,
    batchSize: 400,
    dataPath: 'client',
    runsDir,
    buildDir: path.join(runsDir, '..', 'build'),
    runId,
    target: 'loopback',
    config: {},
    readyTimeoutMs: 20_000,
    cooldownMs: 0,
    preset: null,
    warmupMs: 0,
    rate: null,
    arrivals: 'constant',
    seed: 1,
    repeat: 1,
    replicas: 1,
    openfaasTimeouts: {},
    functionRuntime: 'template',
    ...overrides,
  };
}
