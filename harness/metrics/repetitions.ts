/**
 * Statistics over repeated runs of one profile: mean with a Student-t 95 % confidence interval,
 * and median with the non-parametric (order-statistic) 95 % interval of Le Boudec, which SeBS
 * also reports. The non-parametric interval needs at least 6 repetitions; below that it is null.
 */
import { mean, quantile } from './quantiles.ts';

export interface Interval {
  lo: number;
  hi: number;
}

export interface RepeatedStat {
  n: number;
  mean: number;
  median: number;
  stdev: number;
  /** 95 % CI of the mean (Student t); null with fewer than 2 values. */
  ciMean: Interval | null;
  /** 95 % CI of the median (order statistics); null with fewer than 6 values. */
  ciMedian: Interval | null;
}

/** Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101,
  2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  return T_975[df - 1] ?? 1.96;
}

export function repeatedStat(values: readonly number[]): RepeatedStat {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const m = mean(values);
  const stdev = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? (tQuantile975(n - 1) * stdev) / Math.sqrt(n) : NaN;
  let ciMedian: Interval | null = null;
  if (n >= 6) {
    // Ranks (1-based) floor((n - 1.96 sqrt n) / 2) and ceil(1 + (n + 1.96 sqrt n) / 2).
    const lo = Math.max(1, Math.floor((n - 1.96 * Math.sqrt(n)) / 2));
    const hi = Math.min(n, Math.ceil(1 + (n + 1.96 * Math.sqrt(n)) / 2));
    ciMedian = { lo: sorted[lo - 1]!, hi: sorted[hi - 1]! };
  }
  return {
    n,
    mean: m,
    median: quantile(sorted, 0.5),
    stdev,
    ciMean: n > 1 ? { lo: m - half, hi: m + half } : null,
    ciMedian,
  };
}
