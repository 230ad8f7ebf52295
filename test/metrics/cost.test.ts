import { describe, expect, it } from 'vitest';
import { systemCost } from '../../harness/metrics/cost.ts';

const sample = (t: number, node: string, cpu: number) => ({ t, node, cpu, cpuLimit: 0.3, memoryBytes: 0, memoryLimitBytes: null });

describe('systemCost', () => {
  it('integrates CPU over the samples of the system nodes, leaving the client out', () => {
    const samples = [sample(0, 'worker-1', 0.3), sample(1, 'worker-1', 0.3), sample(0, 'worker-2', 0.1), sample(1, 'worker-2', 0.1), sample(0, 'client', 0.5)];
    const cost = systemCost(samples, 100);
    expect(cost.cpuSeconds).toBeCloseTo(0.8, 10);
    expect(cost.cpuSecondsPerOk).toBeCloseTo(0.008, 10);
    expect(cost.nodes).toEqual(['worker-1', 'worker-2']);
  });

  it('does not count a unit sample on top of its node', () => {
    const samples = [sample(0, 'worker-1', 0.3), { ...sample(0, 'worker-1', 0.2), unit: 'get' }];
    expect(systemCost(samples, 10).cpuSeconds).toBeCloseTo(0.3, 10);
  });

  it('holds a sparse sample until the next one (metrics-server reports every 15 s)', () => {
    expect(systemCost([sample(0, 'pod', 0.2), sample(15, 'pod', 0.2)], 10).cpuSeconds).toBeCloseTo(3.2, 10);
  });

  it('has no per-request figure without samples or successes', () => {
    expect(systemCost([], 10).cpuSecondsPerOk).toBeNull();
    expect(systemCost([sample(0, 'w', 1)], 0).cpuSecondsPerOk).toBeNull();
  });
});
