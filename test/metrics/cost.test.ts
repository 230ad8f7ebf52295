import { describe, expect, it } from 'vitest';
import { systemCost, type CostScope } from '../../harness/metrics/cost.ts';
import type { ResourceSample } from '../../harness/results/schema.ts';

const sample = (t: number, node: string, cpu: number, extra: Partial<ResourceSample> = {}): ResourceSample => ({ t, node, cpu, cpuLimit: 0.3, memoryBytes: 0, memoryLimitBytes: null, ...extra });
const pods = (...units: string[]): CostScope => ({ units, describe: 'test' });

describe('systemCost', () => {
  it('integrates CPU over the samples of the system pods, leaving the client out', () => {
    const samples = [sample(1, 'get', 0.3), sample(2, 'get', 0.3), sample(1, 'display', 0.1), sample(2, 'display', 0.1), sample(1, 'agent', 0.5), sample(2, 'agent', 0.5)];
    const cost = systemCost(samples, 100, 2, pods('get', 'display'));
    expect(cost.cpuSeconds).toBeCloseTo(0.8, 10);
    expect(cost.cpuSecondsPerOk).toBeCloseTo(0.008, 10);
    expect(cost.nodes).toEqual(['display', 'get']);
    expect(cost.extrapolatedSeconds).toBe(0);
  });

  // Issue 14: on 25c3c31 the fog cost summed whole nodes, so the link-delay relays (network
  // emulation, more of it for the system with more hops) and any node-level process were charged.
  it('on fog counts the deployment\'s pods only: not the link-delay relays, not whole nodes, not containers twice', () => {
    const samples = [
      sample(1, 'worker-1', 0.3), // the node: holds the pod below, plus anything else on the node
      sample(1, 'worker-1', 0.2, { unit: 'get' }),
      sample(1, 'worker-1', 0.15, { unit: 'get', container: 'function' }),
      sample(1, 'link-delay', 0.4),
      sample(1, 'client', 0.5, { unit: 'load-agent-w1' }),
    ];
    const cost = systemCost(samples, 10, 1, pods('get'));
    expect(cost.cpuSeconds).toBeCloseTo(0.2, 10);
    expect(cost.nodes).toEqual(['get']);
  });

  // Issue 14: the loopback target's first sample comes at the end of the second second; on
  // 25c3c31 the first second of the window was never charged.
  it('covers the first second a target did not sample, from the nearest sample, and says how much it estimated', () => {
    const samples = [2, 3, 4].map((t) => sample(t, 'get', 0.5));
    const cost = systemCost(samples, 10, 4, pods('get'));
    expect(cost.cpuSeconds).toBeCloseTo(2, 10);
    expect(cost.extrapolatedSeconds).toBeCloseTo(1, 10);
  });

  it('charges only the part of a sample\'s interval inside the window', () => {
    // Ticks at 1.4 s spacing offsets: the last one covers 3.4..4.4 of which 0.6 s is inside a 4 s window.
    const samples = [1.4, 2.4, 3.4, 4.4].map((t) => sample(t, 'get', 1));
    expect(systemCost(samples, 1, 4, pods('get')).cpuSeconds).toBeCloseTo(4, 10);
  });

  // Issue 14: metrics-server reports a rate averaged over a window ending at its timestamp;
  // on 25c3c31 each rate was held forward until the next sample, so a 15 s window that mostly
  // preceded the profile was charged as if measured inside it.
  it('weighs kube metrics-server windows by their overlap with the profile', () => {
    const samples = [sample(5, 'fogbench/get-abc', 2, { intervalS: 15 }), sample(20, 'fogbench/get-abc', 0.1, { intervalS: 15 })];
    // 0..5 s at 2 cores and 5..20 s at 0.1: a 20 s window costs 10 + 1.5.
    const cost = systemCost(samples, 1, 20, { namespaces: ['fogbench'], describe: 'kube' });
    expect(cost.cpuSeconds).toBeCloseTo(11.5, 10);
  });

  it('on kube charges p2p for its namespace only, not the idle OpenFaaS control plane', () => {
    const samples = [sample(15, 'fogbench/get-1', 0.2, { intervalS: 15 }), sample(15, 'openfaas/gateway-1', 0.05, { intervalS: 15 }), sample(15, 'openfaas-fn/get-2', 0.01, { intervalS: 15 })];
    expect(systemCost(samples, 10, 15, { namespaces: ['fogbench'], describe: 'p2p' }).nodes).toEqual(['fogbench/get-1']);
    expect(systemCost(samples, 10, 15, { namespaces: ['openfaas', 'openfaas-fn'], describe: 'openfaas' }).cpuSeconds).toBeCloseTo(0.9, 10);
  });

  it('has no per-request figure without samples or successes', () => {
    expect(systemCost([], 10, 1, pods('get')).cpuSecondsPerOk).toBeNull();
    expect(systemCost([sample(1, 'get', 1)], 0, 1, pods('get')).cpuSecondsPerOk).toBeNull();
  });
});
