import { describe, expect, it } from 'vitest';
import { countBetween, createHistogram, decodeHistogram, encodeHistogram, recordMs } from '../../harness/metrics/histogram.ts';

describe('countBetween', () => {
  it('counts the recorded values in [lo, hi), also of a histogram decoded and subtracted from', () => {
    const all = createHistogram();
    for (const ms of [1, 5, 9000, 9500, 10_000, 10_400, 15_000, 20_000]) recordMs(all, ms);
    const ok = createHistogram();
    for (const ms of [1, 9500]) recordMs(ok, ms);
    const decoded = decodeHistogram(encodeHistogram(all));
    expect(countBetween(decoded, 9000, 14_999)).toBe(4);
    expect(countBetween(decoded, 0, 10)).toBe(2);
    expect(countBetween(decoded, 0, Infinity)).toBe(8);
    decoded.subtract(decodeHistogram(encodeHistogram(ok)));
    expect(countBetween(decoded, 9000, 14_999)).toBe(3);
    expect(countBetween(decoded, 0, 10)).toBe(1);
  });
});
