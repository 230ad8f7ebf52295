/**
 * What a --fault may name, known before anything is compiled (System.subjects), must be what the
 * compiled plan's units answer to (fog-faults.ts resolves a subject among them): both are checked
 * here on the real systems, planned for the fog target.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioSource } from '../../harness/dataflow/compile.ts';
import { unitSubjects } from '../../harness/systems/fault-subjects.ts';
import { SYSTEMS } from '../../harness/systems/registry.ts';
import { tempDir } from '../helpers/temp.ts';

const FOG = { kind: 'fog', podNetwork: true, probes: true };

describe('fault subjects', () => {
  it.each(Object.keys(SYSTEMS))('%s: the subjects named before compiling are those of the compiled units', async (name) => {
    const system = SYSTEMS[name]!;
    const source = await loadScenarioSource('scenarios/temperature.ts');
    const options = { hopTimeoutMs: 5_000, deadlineMs: 9_000, config: {}, replicas: 2, buildDir: path.join(tempDir('fogbench-subjects-'), name) };
    const plan = await system.plan(source, options, FOG);
    try {
      if (plan.kind !== 'units') throw new Error(`${name} planned functions on fog`);
      const compiled = unitSubjects(plan.units.map((u) => ({ name: u.name, ...(u.service ? { service: u.service } : {}), sidecars: u.sidecars ?? [] })));
      const named = system.subjects(source.description.route, options, FOG);
      expect(Object.fromEntries([...named].sort())).toEqual(Object.fromEntries([...compiled].sort()));
    } finally {
      await plan.dispose();
    }
  }, 60_000);
});
