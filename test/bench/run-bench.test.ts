/**
 * runBench's ends (issue 25): a run refused before anything runs leaves nothing, and whatever
 * way a run ends, its per-run build folder is gone.
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
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

  // Issue 25, finding 15: build/<run-id> was left after runs; here, one whose target failed to
  // dispose (the build folder's removal came after, and was skipped).
  it('issue 25 #15: removes its build folder however it ends, a target failing to dispose included', async () => {
    const root = tempDir('fogbench-run-bench-');
    const runs = path.join(root, 'runs');
    const loopback = createLoopbackTarget();
    const failing: Target = { ...loopback, dispose: async () => (await loopback.dispose(), Promise.reject(new Error('could not remove a namespace'))) };
    const options = benchOptions(runs, 'disposal');
    const outcome = await runBench(options, { target: failing, systems: SYSTEMS, onEvent: () => {}, signal: new AbortController().signal }).then(
      () => 'no error',
      (e: Error) => e.message,
    );
    console.log(`dispose failed: ${outcome}; build folder: ${JSON.stringify(readdirSync(options.buildDir))}`);
    expect(outcome).toBe('could not remove a namespace');
    expect(existsSync(path.join(runs, 'disposal', 'profiles', 'p2p-w1.json'))).toBe(true);
    expect(readdirSync(options.buildDir).filter((n) => n !== '.runs')).toEqual([]);
    expect(readdirSync(path.join(options.buildDir, '.runs'))).toEqual([]);
  }, 60_000);

  // Issue 25, finding 13: a link planted at build/<run-id>/openfaas/openfaas-fog was followed:
  // the secrets and provider-state.json were written into its target.
  it('issue 25 #13: refuses a build folder it did not make, without writing anything through a link in it', async () => {
    const root = tempDir('fogbench-run-bench-');
    const runs = path.join(root, 'runs');
    const options = benchOptions(runs, 'planted', { systems: ['p2p', 'openfaas'] });
    const victim = path.join(root, 'victim');
    mkdirSync(victim);
    mkdirSync(path.join(options.buildDir, 'planted', 'openfaas'), { recursive: true });
    symlinkSync(victim, path.join(options.buildDir, 'planted', 'openfaas', 'openfaas-fog'));
    // openfaas plans on a target with pod networks (fog), which is what wrote the secrets.
    const loopback = createLoopbackTarget();
    const target: Target = { ...loopback, kind: 'fog', capabilities: { ...loopback.capabilities, podNetwork: true } };
    const outcome = await runBench(options, { target, systems: SYSTEMS, onEvent: () => {}, signal: new AbortController().signal }).then(
      () => 'no error',
      (e: Error) => e.message,
    );
    console.log(`planted link: ${outcome}; victim holds ${JSON.stringify(readdirSync(victim))}`);
    expect(outcome).toMatch(/planted already exists and no run owns it: remove it, or choose another run id$/);
    expect(readdirSync(victim)).toEqual([]);
    expect(existsSync(path.join(runs, 'planted'))).toBe(false);
  }, 60_000);
});
