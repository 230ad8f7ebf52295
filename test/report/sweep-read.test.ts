/** What a sweep point's manifest tells the cost model: each system's answer path, and the bucket of its shaped links. */
import { describe, expect, it } from 'vitest';
import { answerPathsOf, linkBucketOf } from '../../harness/report/sweep-read.ts';
import { syntheticManifest } from '../../harness/report/synthetic-run.ts';
import type { NodeDescription, RunManifest } from '../../harness/results/schema.ts';

const manifest = (nodes: NodeDescription[], systemDetails?: RunManifest['systemDetails']): RunManifest => {
  const m = syntheticManifest({ runId: 'r', systems: ['p2p', 'openfaas'], workers: [1] });
  return { ...m, target: { ...m.target, nodes }, ...(systemDetails ? { systemDetails } : {}) };
};
const node = (name: string, link?: Record<string, unknown>): NodeDescription => ({ name, role: 'worker', cpus: 0.3, memoryBytes: 1, ...(link ? { link } : {}) });

describe('answerPathsOf', () => {
  it('reads each system\'s answer path, leaving out what a manifest does not say or says wrong', () => {
    const m = manifest([], { p2p: { answers: 'relayed' }, openfaas: { answers: 'orchestrated', platform: 'fog' }, other: { answers: 'both' }, old: {} });
    expect(answerPathsOf(m)).toEqual({ p2p: 'relayed', openfaas: 'orchestrated' });
    expect(answerPathsOf(manifest([]))).toEqual({});
    expect(answerPathsOf(null)).toEqual({});
  });
});

describe('linkBucketOf', () => {
  it('takes the smallest burst the nodes\' links record', () => {
    const m = manifest([node('a', { bandwidthMbit: 100, burstBytes: 62_500, shaping: 'tbf' }), node('b', { bandwidthMbit: 10, burstBytes: 32_768, shaping: 'tbf' })]);
    expect(linkBucketOf(m)).toBe(32_768);
  });

  it('derives it from a tbf link\'s rate in a run recorded before bursts were', () => {
    expect(linkBucketOf(manifest([node('a', { bandwidthMbit: 100, latencyMs: 0, jitterMs: 0, shaping: 'tbf' })]))).toBe(62_500);
  });

  it('is null when no link is shaped', () => {
    expect(linkBucketOf(manifest([node('a', { bandwidthMbit: null, latencyMs: 5, shaping: 'relay' }), node('b')]))).toBeNull();
    expect(linkBucketOf(manifest([]))).toBeNull();
    expect(linkBucketOf(null)).toBeNull();
  });
});
