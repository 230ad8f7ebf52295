/**
 * Every fault kind injected into a loaded p2p system on the fog target through the bench itself
 * (needs root): one 50 s profile with a CPU squeeze, a partition, a kill and, last, a memory limit
 * that leaves the service crash-looping. Each must be an event on the timeline, have a measured
 * effect, and recover, or be reported as not recovered. Everything is restored while the target
 * still runs, and nothing is left behind after it.
 *
 * The load is an open loop at 10 req/s, about half of what the chain serves here. A closed loop
 * ran at the chain's capacity, so "recovered" (throughput back within 10 % of the first
 * seconds') also asked that the capacity be exactly what it was: in a full-suite run the chain
 * served 16-18 req/s for the 20 s after the kill (and for the 6 s after the squeeze) against a
 * 21.5 baseline, every request succeeding, and the kill was judged not recovered. A fixed
 * offered load is what a recovery is measured against; the faults still take the answers far
 * below it while they act.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench, type BenchOutcome } from '../../harness/bench/run-bench.ts';
import { parseFault } from '../../harness/faults/spec.ts';
import { DEFAULT_BATCH_SIZE } from '../../harness/load/replay.ts';
import type { FaultOutcome, ProfileResult } from '../../harness/results/schema.ts';
import { SYSTEMS } from '../../harness/systems/registry.ts';
import { detectCgroups } from '../../harness/targets/local/cgroups.ts';
import { createFogTarget, type FogTarget } from '../../harness/targets/local/fog-target.ts';
import { benchOptions } from '../helpers/bench-options.ts';
import { TEST_TOPOLOGY, leftovers, skipReasonPrinted } from '../targets/local/fog-host.ts';

const skip = skipReasonPrinted();

// The kill has 19 s before the memory fault: a recovery needs 5 healthy seconds within 10 % of the
// baseline, and a restarted Node service under a 0.3 CPU quota takes a few seconds to get there
// (CI once saw the kill "not recovered" when only 9 s were left for it).
const SCHEDULE = ['cpu:worker-1=0.02@4s+3s', 'partition:worker-2@13s+2s', 'kill:filter-temperature@25s', 'memory:compute-average=4Mi@44s'];

describe.skipIf(skip)('faults on a loaded p2p system, through the bench', () => {
  let dir: string;
  let target: FogTarget;
  let outcome: BenchOutcome;
  let profile: ProfileResult;
  /** What the target still had when it was disposed: quotas, qdiscs and limits after every revert. */
  const atDispose: Record<string, string> = {};
  const before: Record<string, string> = {};
  const fault = (kind: string): FaultOutcome => profile.faults!.find((f) => f.fault.kind === kind)!;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-faults-'));
    target = createFogTarget({ runId: 'test-faults-bench', topologyFile: TEST_TOPOLOGY, restartBackoffMs: 1000, stopGraceMs: 1000 });
    const cgroups = detectCgroups();
    const state = () => {
      const root = target.describe().details.objectPrefix as string;
      const index = target.topology.nodes.findIndex((n) => n.name === 'worker-2');
      const cpu = cgroups.version === 2 ? path.join(cgroups.mounts.unified!, root, 'worker-1', 'cpu.max') : path.join(cgroups.mounts.cpu!, root, 'worker-1', 'cpu.cfs_quota_us');
      return {
        cpu: readFileSync(cpu, 'utf8').trim(),
        link: [`${root}u${index}`, `${root}d${index}`].map((d) => execFileSync('tc', ['qdisc', 'show', 'dev', d], { encoding: 'utf8' }).trim()).join(' | '),
      };
    };
    const prepare = target.prepare.bind(target);
    target.prepare = async () => {
      await prepare();
      Object.assign(before, state());
    };
    const dispose = target.dispose.bind(target);
    target.dispose = async () => {
      if (Object.keys(atDispose).length === 0 && Object.keys(before).length > 0) Object.assign(atDispose, state());
      await dispose();
    };
    const options = benchOptions(path.join(dir, 'runs'), 'faults', {
      // At most 40 requests in flight: a 3 s squeeze to 0.02 CPU piles up about 30.
      workers: [40],
      rate: 10,
      driver: 'fogbench-open-loop',
      durationMs: 50_000,
      batchSize: DEFAULT_BATCH_SIZE,
      target: 'fog',
      readyTimeoutMs: 30_000,
      warmupMs: 2_000,
      faults: SCHEDULE.map((f) => parseFault(f)),
    });
    outcome = await runBench(options, { target, systems: SYSTEMS, onEvent: () => {}, signal: new AbortController().signal });
    profile = outcome.profiles[0]!;
  }, 150_000);
  afterAll(async () => {
    await target?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records the schedule in the manifest and each fault, with its start and end, on the timeline', async () => {
    const manifest = JSON.parse(await readFile(path.join(outcome.runDir, 'manifest.json'), 'utf8'));
    expect(manifest.options.faults.map((f: { text: string }) => f.text)).toEqual(SCHEDULE);
    expect(profile.faults!.map((f) => [f.fault.text, f.status])).toEqual(SCHEDULE.map((text) => [text, 'applied']));
    const starts = profile.events.filter((e) => e.kind === 'fault-start');
    const ends = profile.events.filter((e) => e.kind === 'fault-end');
    expect(starts.map((e) => e.subject)).toEqual(['worker-1', 'worker-2', 'filter-temperature', 'compute-average']);
    for (const [i, at] of [4, 13, 25, 44].entries()) expect(starts[i]!.t).toBeCloseTo(at, 0);
    // Undone after their durations (cpu, partition) and at the profile's end (the memory limit).
    expect(ends.map((e) => e.subject)).toEqual(['worker-1', 'worker-2', 'compute-average']);
    expect(ends[0]!.t).toBeCloseTo(7, 0);
    expect(ends[1]!.t).toBeCloseTo(15, 0);
    // Once the load generator has ended, a moment after the 50 s window closed.
    expect(ends[2]!.t).toBeGreaterThanOrEqual(50);
    expect(ends[2]!.t).toBeLessThan(57);
    expect(fault('memory').endedBy).toBe('profile-end');
    // The written profile holds the same.
    const written = JSON.parse(await readFile(path.join(outcome.runDir, 'profiles', 'p2p-w40.json'), 'utf8')) as ProfileResult;
    expect(written.faults).toEqual(profile.faults);
  });

  it('measures each fault\'s effect and how the system came back, or that it did not', () => {
    const baseline = fault('cpu').recovery!.baseline!;
    expect(baseline.seconds).toBe(4);
    expect(baseline.throughput).toBeGreaterThan(5);
    // CPU squeeze and partition: no failures, but fewer answers while they lasted.
    for (const kind of ['cpu', 'partition']) {
      const r = fault(kind).recovery!;
      expect(r.okShortfall, kind).toBeGreaterThan(baseline.ok);
      expect(r.status, `${kind}: ${JSON.stringify(r)}`).toBe('recovered');
    }
    // The kill: the next service refuses connections until the pod restarts, so requests fail.
    const kill = fault('kill');
    expect(profile.events.some((e) => e.kind === 'exit' && e.subject === 'filter-temperature' && e.t >= 25)).toBe(true);
    expect(profile.events.some((e) => e.kind === 'restart' && e.subject === 'filter-temperature' && e.t >= 25)).toBe(true);
    expect(kill.recovery!.failed).toBeGreaterThan(0);
    expect(Object.keys(kill.recovery!.errors)).toContain('envelope');
    expect(kill.recovery!.status, `${JSON.stringify(kill.recovery)}\ntimeline ok/s: ${profile.timeline.map((b) => b.ok).join(' ')}`).toBe('recovered');
    expect(kill.recovery!.secondsToRecover).toBeGreaterThanOrEqual(1);
    // 4 MiB cannot hold a Node process: OOM-killed, it crash-loops to the end, reported as such.
    const memory = fault('memory');
    expect(profile.events.filter((e) => e.kind === 'oom-kill' && e.subject === 'compute-average' && e.t >= 44).length).toBeGreaterThanOrEqual(2);
    expect(memory.recovery).toMatchObject({ status: 'not-recovered', recoveredAt: null, secondsToRecover: null });
    expect(memory.recovery!.reason).toMatch(/not recovered within the profile/);
    expect(memory.recovery!.failed).toBeGreaterThan(0);
  });

  it('restores quotas and links while the target still runs, and leaves nothing behind', () => {
    expect(atDispose).toEqual(before);
    expect(before.cpu).toMatch(/^50000/);
    expect(leftovers(target.describe().details.objectPrefix as string)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
  });
});
