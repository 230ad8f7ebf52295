/**
 * Sweeps on the loopback target (p2p, real services and load agent, 1 s profiles): the cross
 * product runs as one run folder per point, a stop in the middle keeps the points already
 * complete and a resume runs only the others, and a resume with other options is refused.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchOptions } from '../../harness/bench/options.ts';
import { runBench } from '../../harness/bench/run-bench.ts';
import { runSweep, type SweepEvent } from '../../harness/bench/sweep.ts';
import type { PointRecord, SweepManifest } from '../../harness/bench/sweep-records.ts';
import { optionsHash, parseSweepAxis, pointKey, sharedOptions, sweepPoints } from '../../harness/bench/sweep-spec.ts';
import { CHAIN_DEFAULTS } from '../../harness/dataflow/synthetic-chain.ts';
import type { RunManifest } from '../../harness/results/schema.ts';
import { SYSTEMS } from '../../harness/systems/registry.ts';
import { createLoopbackTarget } from '../../harness/targets/loopback/loopback-target.ts';
import { benchOptions as sharedBenchOptions } from '../helpers/bench-options.ts';
import { removeTempRoots, tempRoot } from '../report/run-folder.ts';

/** The loopback bench options of the other bench tests; the sweep's chain scenario replaces the file. */
const benchOptions = (runsDir: string, runId: string, overrides: Partial<BenchOptions> = {}): BenchOptions =>
  sharedBenchOptions(runsDir, runId, { scenarioFile: 'unused', ...overrides });

const axes = () => [parseSweepAxis('length=1,2'), parseSweepAxis('payload=1KB,64KB')];

function deps(signal: AbortSignal, events: SweepEvent[], onEvent?: (e: SweepEvent) => void) {
  return {
    runBench,
    createTarget: async () => createLoopbackTarget(),
    systems: SYSTEMS,
    signal,
    onEvent: (e: SweepEvent) => {
      events.push(e);
      onEvent?.(e);
    },
  };
}

describe('sweep spec', () => {
  it('parses axes and makes the cross product, the first axis slowest, with folder-safe ids', () => {
    const points = sweepPoints(CHAIN_DEFAULTS, [parseSweepAxis('length=1,2,4,8'), parseSweepAxis('payload=1KB,64KB,1MB')]);
    expect(points).toHaveLength(12);
    expect(points[0]).toMatchObject({ id: 'length-1_payload-1KB', spec: { length: 1, payloadBytes: 1024, workMs: 0 } });
    expect(points[11]).toMatchObject({ id: 'length-8_payload-1MB', spec: { length: 8, payloadBytes: 1024 * 1024 } });
    expect(() => parseSweepAxis('depth=1,2')).toThrow(/unknown axis "depth"/);
    expect(() => parseSweepAxis('payload=1KB,1KB')).toThrow(/twice/);
    expect(() => sweepPoints(CHAIN_DEFAULTS, [parseSweepAxis('length=0,1')])).toThrow(/out of range/);
  });

  it('hashes the shared options, not where the results go, and keys each point by its spec and that hash', () => {
    const a = sharedOptions(benchOptions('/a', 'one'), { base: CHAIN_DEFAULTS, axes: axes() });
    const b = sharedOptions(benchOptions('/b', 'two'), { base: CHAIN_DEFAULTS, axes: axes() });
    const c = sharedOptions(benchOptions('/a', 'one', { durationMs: 2_000 }), { base: CHAIN_DEFAULTS, axes: axes() });
    expect(optionsHash(a)).toBe(optionsHash(b));
    expect(optionsHash(a)).not.toBe(optionsHash(c));
    expect(pointKey({ chain: 'x' }, optionsHash(a))).not.toBe(pointKey({ chain: 'x' }, optionsHash(c)));
  });
});

describe('a sweep on loopback, stopped and resumed', () => {
  let root: string;
  let runs: string;
  beforeAll(async () => {
    root = await tempRoot('fogbench-sweep-');
    runs = path.join(root, 'runs');
  });
  afterAll(async () => removeTempRoots());

  it('stops at a Ctrl-C in its third point, keeping the two complete points and none of the third', async () => {
    const controller = new AbortController();
    const events: SweepEvent[] = [];
    const outcome = await runSweep(
      { options: benchOptions(runs, 'resumable'), base: CHAIN_DEFAULTS, axes: axes() },
      deps(controller.signal, events, (e) => {
        // Stop in the middle of the third point's profile.
        if (e.type === 'profile-start' && events.filter((x) => x.type === 'point-start').length === 3) setTimeout(() => controller.abort(), 300);
      }),
    );
    expect(outcome.interrupted).toBe(true);
    expect(outcome.ran).toEqual(['length-1_payload-1KB', 'length-1_payload-64KB']);
    const points = path.join(runs, 'resumable', 'points');
    expect((await readdir(points)).sort()).toEqual(['length-1_payload-1KB', 'length-1_payload-64KB', 'length-2_payload-1KB']);
    await expect(stat(path.join(points, 'length-2_payload-1KB', 'point.json'))).rejects.toThrow();
    const record = JSON.parse(await readFile(path.join(points, 'length-1_payload-64KB', 'point.json'), 'utf8')) as PointRecord;
    expect(record).toMatchObject({ kind: 'fogbench.sweep-point', params: { length: '1', payload: '64KB' }, shape: { length: 1, clientBytes: 65536, hopBytes: 65536 } });
    // Each point is a normal run: its manifest records the chain spec and the sweep.
    const manifest = JSON.parse(await readFile(path.join(points, 'length-1_payload-64KB', 'manifest.json'), 'utf8')) as RunManifest;
    expect(manifest.scenario.synthetic).toMatchObject({ spec: 'chain:length=1,payload=64KB,work=0', length: 1, payloadBytes: 65536, body: { bytes: 65536 } });
    expect(manifest.options.sweep).toMatchObject({ id: 'resumable', point: 'length-1_payload-64KB', key: record.key });
    const profile = JSON.parse(await readFile(path.join(points, 'length-1_payload-64KB', 'profiles', 'p2p-w1.json'), 'utf8')) as { ok: number; errorRate: number };
    expect(profile.ok).toBeGreaterThan(5);
    expect(profile.errorRate).toBe(0);
  }, 120_000);

  it('resumes: the complete points are not run again, the interrupted one runs whole, then the rest', async () => {
    const events: SweepEvent[] = [];
    const before = await stat(path.join(runs, 'resumable', 'points', 'length-1_payload-1KB', 'profiles', 'p2p-w1.json'));
    const outcome = await runSweep({ options: benchOptions(runs, 'resumable'), base: CHAIN_DEFAULTS, axes: axes() }, deps(new AbortController().signal, events));
    expect(outcome.interrupted).toBe(false);
    expect(outcome.skipped).toEqual(['length-1_payload-1KB', 'length-1_payload-64KB']);
    expect(outcome.ran).toEqual(['length-2_payload-1KB', 'length-2_payload-64KB']);
    expect(events.find((e) => e.type === 'sweep-start')).toMatchObject({ resumed: true, done: 2, total: 4 });
    const after = await stat(path.join(runs, 'resumable', 'points', 'length-1_payload-1KB', 'profiles', 'p2p-w1.json'));
    expect(after.mtimeMs).toBe(before.mtimeMs);
    const sweep = JSON.parse(await readFile(path.join(runs, 'resumable', 'sweep.json'), 'utf8')) as SweepManifest;
    expect(sweep.points.map((p) => p.id)).toHaveLength(4);
    expect(Object.keys(sweep.seconds!)).toHaveLength(4);
  }, 120_000);

  it('refuses to resume with other options, in one line naming the difference, before running anything', async () => {
    const events: SweepEvent[] = [];
    const attempt = runSweep({ options: benchOptions(runs, 'resumable', { durationMs: 2_000 }), base: CHAIN_DEFAULTS, axes: axes() }, deps(new AbortController().signal, events));
    await expect(attempt).rejects.toThrow(/^sweep resumable was run with other options \(durationMs 1000 → 2000\): resume it with the same options, or give another --run-id$/);
    expect(events).toEqual([]);
  });
});
