import { describe, expect, it } from 'vitest';
import { decodeHistogram, latencyStats, mergeHistograms } from '../../harness/metrics/histogram.ts';
import { ProfileRecorder } from '../../harness/metrics/recorder.ts';

describe('ProfileRecorder', () => {
  it('keeps whole-profile distributions, error classes and per-second buckets', () => {
    const r = new ProfileRecorder(1_000);
    r.record('ok', 10, 1_100); // second 0
    r.record('ok', 30, 1_900); // second 0
    r.record('envelope', 50, 2_500); // second 1: a response, so it has a latency
    r.record('refused', 0, 3_200); // second 2: no response, no latency
    const m = r.finish(4_000, 2);
    expect([m.requests, m.ok, m.cutOff, m.errors.envelope, m.errors.refused]).toEqual([4, 2, 2, 1, 1]);
    expect(m.timeline.map((b) => b.completed)).toEqual([2, 1, 1]);
    expect(m.timeline[1]!.errors).toEqual({ envelope: 1 });
    expect(m.timeline[2]!.p50).toBeNull();
    expect(m.timeline[0]!.p50).toBeCloseTo(10, 0);
    const all = latencyStats(decodeHistogram(m.latencyAll));
    expect(all.count).toBe(3);
    expect(all.mean).toBeCloseTo(30, 1);
    expect(latencyStats(decodeHistogram(m.latencyOk)).count).toBe(2);
  });

  it('leaves out responses that arrive after the window, and counts whole seconds exactly', () => {
    const r = new ProfileRecorder(100, 2_000);
    r.record('ok', 5, 2_099); // inside
    r.record('ok', 5, 2_100.5); // 0.5 ms after the window closed: a late timer, not a result
    const m = r.finish(100 + 2_000.0000000004, 3);
    expect([m.requests, m.cutOff]).toEqual([1, 4]);
    expect(m.timeline).toHaveLength(2);
  });

  it('gives empty seconds an empty bucket so timelines have no holes', () => {
    const r = new ProfileRecorder(0);
    r.record('ok', 5, 4_500);
    const m = r.finish(5_000, 0);
    expect(m.timeline.map((b) => b.completed)).toEqual([0, 0, 0, 0, 1]);
  });

  it('produces histograms that merge exactly', () => {
    const a = new ProfileRecorder(0);
    const b = new ProfileRecorder(0);
    for (let i = 1; i <= 100; i++) (i % 2 ? a : b).record('ok', i, 10);
    const merged = mergeHistograms([a.finish(1000, 0).latencyOk, b.finish(1000, 0).latencyOk]);
    expect(merged.totalCount).toBe(100);
    expect(merged.getValueAtPercentile(50) / 1000).toBeCloseTo(50, 0);
  });

  // Issue 14: a system collapsing into timeouts looked faster for it. On 25c3c31 a timeout left
  // no latency anywhere: 3 fast responses and one 20 s timeout gave a mean of 5 ms.
  it('keeps timed-out requests as censored latencies in the "including timeouts" figure, apart from completed responses', () => {
    const r = new ProfileRecorder(0, 30_000);
    r.record('ok', 4, 100);
    r.record('ok', 5, 200);
    r.record('ok', 6, 300);
    r.record('timeout', 20_000, 20_400);
    const m = r.finish(30_000, 0);
    const completed = latencyStats(decodeHistogram(m.latencyAll));
    expect(completed.count).toBe(3);
    expect(completed.mean).toBeCloseTo(5, 1);
    expect(m.latencyCensored).toBeDefined();
    const withTimeouts = latencyStats(decodeHistogram(m.latencyCensored!));
    expect(withTimeouts.count).toBe(4);
    expect(m.censored).toBe(1);
    expect(withTimeouts.mean).toBeGreaterThan(4_900);
    expect(withTimeouts.max).toBeGreaterThan(19_900);
    expect(m.errors.timeout).toBe(1);
  });

  it('records cut-off requests once, at their age when the window closed', () => {
    const r = new ProfileRecorder(0, 1_000);
    r.cutOff(400); // the driver stopped it at the window's end, 400 ms old
    r.record('ok', 700, 1_200); // a response 200 ms after the end: 500 ms old at the end, cut off too
    const m = r.finish(1_000, 0);
    expect([m.requests, m.cutOff, m.censored]).toEqual([0, 2, 2]);
    const h = decodeHistogram(m.latencyCensored!);
    expect(h.minNonZeroValue / 1000).toBeCloseTo(400, -1);
    expect(h.maxValue / 1000).toBeCloseTo(500, -1);
  });
});
