/**
 * runBench's ends (issue 25): a run refused before anything runs leaves nothing, and whatever
 * way a run ends, its per-run build folder is gone.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench } from '../../harness/bench/run-bench.ts';
import { parseFault } from '../../harness/faults/spec.ts';
import { SYSTEMS } from '../../harness/systems/registry.ts';
import type { System } from '../../harness/systems/system.ts';
import { createLoopbackTarget } from '../../harness/targets/loopback/loopback-target.ts';
import type { FaultInjector, Target } from '../../harness/targets/target.ts';
import { benchOptions } from '../helpers/bench-options.ts';
import { tempDir } from '../helpers/temp.ts';

/** The loopback target with a fault injector and a record of what was asked of it. */
function recordingTarget(calls: string[]): Target {
  const loopback = createLoopbackTarget();
  const faults: FaultInjector = {
    refuses: () => null,
    nodes: async () => [{ name: 'worker-1', role: 'worker' }, { name: 'client', role: 'client' }],
    apply: async () => ({ applied: false, reason: 'test' }),
    revertAll: async () => undefined,
  };
  return {
    ...loopback,
    kind: 'fake',
    capabilities: { ...loopback.capabilities, faults },
    prepare: async () => void calls.push('prepare'),
    dispose: async () => void calls.push('dispose'),
  };
}

/** The real systems, each plan() (the compile) recorded. */
function recordingSystems(calls: string[]): Record<string, System> {
  return Object.fromEntries(
    Object.entries(SYSTEMS).map(([name, system]) => [name, { ...system, plan: (...args: Parameters<System['plan']>) => (calls.push(`plan ${name}`), system.plan(...args)) }]),
  );
}

describe('runBench', () => {
  // Issue 25, finding 4: a fault refused at the subject check first prepared the target and
  // compiled, and left an empty run folder.
  it('issue 25 #4: stops at a fault naming nothing before the target is prepared or anything compiled, leaving no folder', async () => {
    const root = tempDir('fogbench-run-bench-');
    const runs = path.join(root, 'runs');
    for (const [fault, why] of [
      ['kill:no-such-service@1s', /no system has a unit or service called "no-such-service" \(p2p: compute-average, display, filter-temperature, get\)/],
      ['cpu:worker-9=0.1@1s+1s', /there is no node "worker-9" \(nodes: worker-1\)/],
      ['partition:client@1s+1s', /holds the load generator/],
    ] as const) {
      const calls: string[] = [];
      const options = benchOptions(runs, 'refused', { durationMs: 5_000, faults: [parseFault(fault)] });
      const attempt = runBench(options, { target: recordingTarget(calls), systems: recordingSystems(calls), onEvent: () => {}, signal: new AbortController().signal });
      await expect(attempt).rejects.toThrow(why);
      expect(calls.filter((c) => c !== 'dispose')).toEqual([]);
      expect(existsSync(path.join(runs, 'refused'))).toBe(false);
      expect(existsSync(path.join(options.buildDir, 'refused'))).toBe(false);
    }
  });
});
