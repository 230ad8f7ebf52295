/** Loading scenario modules: what a user sees when a scenario is wrong (issue 13). */
import { describe, expect, it } from 'vitest';
import { FogbenchError } from '../../harness/errors.ts';
import { loadScenario } from '../../harness/dataflow/load-scenario.ts';
import { defineFunction, defineScenario, flow } from '../../harness/dataflow/scenario.ts';

async function loadError(file: string): Promise<FogbenchError> {
  const error = await loadScenario(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FogbenchError);
  expect((error as FogbenchError).code).toBe('usage');
  return error as FogbenchError;
}

describe('loadScenario', () => {
  it('loads the temperature scenario', async () => {
    const scenario = await loadScenario('scenarios/temperature.ts');
    expect(scenario.functions.map((f) => f.name)).toEqual(['get', 'filterTemperature', 'computeAverage', 'display']);
  });

  it('reports `throw null` at import as a scenario error naming the file, not as a bug', async () => {
    const error = await loadError('test/fixtures/scenarios/bad/throws-null.ts');
    expect(error.message).toBe('cannot load scenario test/fixtures/scenarios/bad/throws-null.ts: it threw null rather than an Error');
  });

  it('names both functions when two become the same service name', async () => {
    const error = await loadError('test/fixtures/scenarios/bad/colliding-names.ts');
    expect(error.message).toMatch(/functions "fooBar" and "foo-bar" both become service "foo-bar"; rename one/);
  });

  it('refuses the same collision in defineScenario', () => {
    const a = defineFunction('fooBar', (x: number) => x);
    const b = defineFunction('foo-bar', (x: number) => x);
    expect(() => defineScenario({ name: 's', description: '', flow: flow(a).then(b) })).toThrow(/"fooBar" and "foo-bar" both become service "foo-bar"/);
  });
});
