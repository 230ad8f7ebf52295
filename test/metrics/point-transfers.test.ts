/** What the cost model counts of a point: bytes each way per hop, by answer path, and bytes past a link's burst. */
import { describe, expect, it } from 'vitest';
import { answerPathOf, chainBodies, modelBytes, scenarioBodies, WIRE_BYTES_PER_BODY_BYTE } from '../../harness/metrics/point-transfers.ts';

/** The temperature scenario's bodies as measured (scenario-bytes.ts): 47 KB in, 1.3 KB out. */
const temperature = { request: 47_000, response: 1_300, inputs: [47_000, 47_000, 3_300, 3_900] };

describe('modelBytes', () => {
  it('counts a synthetic chain the same whatever the answer path: every body is the payload', () => {
    for (const answers of ['relayed', 'orchestrated', null] as const) {
      expect(modelBytes(chainBodies(4, 65_536), answers, null)).toEqual({ clientBytes: 65_536, hopBytes: 4 * 65_536, shapedBytes: 0 });
    }
  });

  it('brings the client response back through every hop of a relaying chain', () => {
    const { clientBytes, hopBytes } = modelBytes(temperature, 'relayed', null);
    expect(clientBytes).toBe((47_000 + 1_300) / 2);
    expect(hopBytes).toBe((47_000 + 1_300) / 2 + (47_000 + 1_300) / 2 + (3_300 + 1_300) / 2 + (3_900 + 1_300) / 2);
  });

  it('brings each step\'s own output back to an orchestrator', () => {
    expect(modelBytes(temperature, 'orchestrated', null).hopBytes).toBe((47_000 + 47_000) / 2 + (47_000 + 3_300) / 2 + (3_300 + 3_900) / 2 + (3_900 + 1_300) / 2);
  });

  it('counts each hop\'s input both ways when the answer path is unknown (the model before answer paths)', () => {
    expect(modelBytes(temperature, null, null).hopBytes).toBe(47_000 + 47_000 + 3_300 + 3_900);
  });

  it('counts the wire bytes past the bucket, per transfer, none for transfers under it', () => {
    const bucket = 62_500;
    expect(modelBytes(temperature, 'relayed', bucket).shapedBytes).toBe(0);
    const past = 1_048_576 * WIRE_BYTES_PER_BODY_BYTE - bucket;
    const mb = modelBytes(chainBodies(3, 1_048_576), 'relayed', bucket);
    expect(mb.shapedBytes).toBeCloseTo(past + 3 * past, 6);
    // 64 KB of body is 68.5 KB of frames: a sliver past the bucket.
    expect(modelBytes(chainBodies(1, 65_536), 'relayed', bucket).shapedBytes).toBeCloseTo(2 * (65_536 * WIRE_BYTES_PER_BODY_BYTE - bucket), 6);
  });
});

describe('scenarioBodies', () => {
  it('reads a measured scenario\'s request, response and steps\' inputs', () => {
    const measured = { batches: 20, request: 47_000, response: 1_300, steps: temperature.inputs.map((input, i) => ({ function: `f${i}`, input, cpuMs: 0.2 })) };
    expect(scenarioBodies(measured, 4)).toEqual(temperature);
  });

  it.each([
    ['nothing', undefined],
    ['a string', 'x'],
    ['a negative size', { request: -1, response: 1, steps: [{ input: 1 }] }],
    ['a size that is not a number', { request: '1', response: 1, steps: [{ input: 1 }] }],
    ['steps of another length', { request: 1, response: 1, steps: [{ input: 1 }, { input: 1 }] }],
    ['a step without its input', { request: 1, response: 1, steps: [{}] }],
    ['an infinite size', { request: 1, response: Infinity, steps: [{ input: 1 }] }],
  ])('gives null for %s', (_what, measured) => {
    expect(scenarioBodies(measured, 1)).toBeNull();
  });
});

describe('answerPathOf', () => {
  it('reads a manifest\'s system details, and nothing else', () => {
    expect(answerPathOf({ answers: 'relayed' })).toBe('relayed');
    expect(answerPathOf({ answers: 'orchestrated', platform: 'fog' })).toBe('orchestrated');
    expect(answerPathOf({ answers: 'sideways' })).toBeNull();
    expect(answerPathOf({})).toBeNull();
    expect(answerPathOf(undefined)).toBeNull();
  });
});
