/**
 * metrics-server windows as cost samples (issue 14 audit): the observer floored each window's
 * timestamp to a whole second and dropped its `window`, so cost took each sample to cover the
 * time since the previous one (a missed scrape doubled a window) instead of the window itself.
 */
import { describe, expect, it } from 'vitest';
import { systemCost } from '../../../harness/metrics/cost.ts';
import { goDurationSeconds, podMetricsSample } from '../../../harness/targets/kube/pod-metrics.ts';

const t0 = Date.parse('2026-11-26T12:00:00.000Z');
const item = (at: string, cpu: string, window = '15s') => ({ metadata: { name: 'get', namespace: 'p2p' }, timestamp: at, window, containers: [{ usage: { cpu, memory: '10Mi' } }] });

describe('PodMetrics as samples', () => {
  it('reads Go durations and nothing else', () => {
    expect(goDurationSeconds('15s')).toBe(15);
    expect(goDurationSeconds('10.5s')).toBe(10.5);
    expect(goDurationSeconds('1m0s')).toBe(60);
    expect(goDurationSeconds('500ms')).toBe(0.5);
    expect(goDurationSeconds('15')).toBeUndefined();
    expect(goDurationSeconds('15s junk')).toBeUndefined();
  });

  it('keeps the window and the fractional timestamp', () => {
    const s = podMetricsSample(item('2026-11-26T12:00:10.500Z', '500m'), 'p2p/get', undefined, t0)!;
    expect(s).toMatchObject({ t: 10.5, cpu: 0.5, intervalS: 15, node: 'p2p/get' });
  });

  it('weighs each window by its overlap with the profile, and a missed scrape as estimated, not as a window twice as long', () => {
    // 1 core over [-4.5, 10.5], a scrape missed, then 0.2 core over [25.5, 40.5]; the profile is [0, 30].
    const samples = [item('2026-11-26T12:00:10.500Z', '1'), item('2026-11-26T12:00:40.500Z', '200m')].map((i) => podMetricsSample(i, 'p2p/get', undefined, t0)!);
    const cost = systemCost(samples, 100, 30, { namespaces: ['p2p'], describe: 'p2p' });
    // 10.5 s at 1 core, the 15 s gap at the neighbours' mean (0.6), 4.5 s at 0.2.
    expect(cost.cpuSeconds).toBeCloseTo(10.5 + 15 * 0.6 + 4.5 * 0.2, 6);
    expect(cost.extrapolatedSeconds).toBeCloseTo(15, 6);
  });
});
