/**
 * Latency histograms: HDR (hdr-histogram-js), recorded in microseconds, stored compressed so
 * that results from different runs, workers or processes can be merged exactly.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencyStats } from '../results/schema.ts';

export type Histogram = hdr.Histogram;

/** One hour in microseconds: anything slower is clamped (and still counted). */
const HIGHEST_US = 3_600_000_000;

/**
 * @param packed packed counts (small for sparse histograms, such as one per second of a long
 *   profile) or plain 32-bit counts (~90 KB, and faster to record into: for the few
 *   whole-profile histograms the load generator records every request into).
 */
export function createHistogram(significantDigits: 1 | 2 | 3 = 3, packed = true): Histogram {
  return hdr.build({
    bitBucketSize: packed ? 'packed' : 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: significantDigits,
    autoResize: false,
    useWebAssembly: false,
  });
}

export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 'packed', false);
}

export function mergeHistograms(encoded: readonly string[]): Histogram {
  const total = createHistogram();
  for (const e of encoded) total.add(decodeHistogram(e));
  return total;
}

const us = (v: number) => v / 1000;

export function latencyStats(h: Histogram): LatencyStats {
  const count = h.totalCount;
  return {
    count,
    mean: count ? us(h.mean) : 0,
    stdev: count ? us(h.stdDeviation) : 0,
    min: count ? us(h.minNonZeroValue) : 0,
    max: count ? us(h.maxValue) : 0,
    p50: count ? us(h.getValueAtPercentile(50)) : 0,
    p90: count ? us(h.getValueAtPercentile(90)) : 0,
    p99: count ? us(h.getValueAtPercentile(99)) : 0,
    p999: count ? us(h.getValueAtPercentile(99.9)) : 0,
    hdr: encodeHistogram(h),
  };
}

/**
 * How many recorded values lie in [loMs, hiMs), to the histogram's precision. Walks the recorded
 * values: hdr-histogram-js answers percentiles, not counts between two values.
 */
export function countBetween(h: Histogram, loMs: number, hiMs: number): number {
  if (!(h instanceof hdr.JsHistogram)) throw new Error('countBetween needs a JavaScript histogram (decodeHistogram makes one)');
  const it = h.recordedValuesIterator;
  it.reset();
  let count = 0;
  while (it.hasNext()) {
    const step = it.next();
    const ms = step.valueIteratedTo / 1000;
    if (ms >= loMs && ms < hiMs) count += step.countAtValueIteratedTo;
  }
  return count;
}
