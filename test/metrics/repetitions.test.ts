import { describe, expect, it } from 'vitest';
import { repeatedStat } from '../../harness/metrics/repetitions.ts';

describe('repeatedStat', () => {
  it('gives the Student-t interval of the mean', () => {
    const s = repeatedStat([10, 12, 14]);
    expect(s.mean).toBe(12);
    expect(s.stdev).toBe(2);
    // t(0.975, 2) = 4.303; half width = 4.303 * 2 / sqrt(3) = 4.969
    expect(s.ciMean!.lo).toBeCloseTo(7.031, 2);
    expect(s.ciMean!.hi).toBeCloseTo(16.969, 2);
    expect(s.ciMedian).toBeNull();
  });

  it('gives the order-statistic interval of the median from 6 values on', () => {
    const s = repeatedStat([5, 1, 4, 2, 6, 3, 8, 7, 9, 10]);
    expect(s.median).toBe(5.5);
    // n = 10: ranks floor((10 - 6.2) / 2) = 1 and ceil(1 + (10 + 6.2) / 2) = 10
    expect(s.ciMedian).toEqual({ lo: 1, hi: 10 });
    expect(repeatedStat([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]).ciMedian).toEqual({ lo: 5, hi: 16 }); // ranks floor(5.62), ceil(15.38)
  });

  it('has no interval for a single run', () => {
    expect(repeatedStat([3])).toMatchObject({ n: 1, mean: 3, median: 3, ciMean: null, ciMedian: null });
  });
});
