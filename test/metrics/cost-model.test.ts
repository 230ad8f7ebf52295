/** The sweep cost model on synthetic data whose coefficients are known. */
import { describe, expect, it } from 'vitest';
import { chainObservation, fitCostModel, invert, MIB, predictCost, predicts, type CostObservation } from '../../harness/metrics/cost-model.ts';

/** A small deterministic generator (mulberry32) and normal deviates (Box–Muller). */
function rng(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { uniform, normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

const TRUE = { fixed: 2.5, perHop: 1.8, perByte: 12, perBytePerHop: 85, perShapedByte: 160 };
const LENGTHS = [1, 2, 4, 8];
const PAYLOADS = [1024, 64 * 1024, MIB];
/** The fog's 100 mbit/s links: tbf lets 62 500 bytes through at once. */
const BUCKET = 62_500;
const truth = (o: Omit<CostObservation, 'value'>) =>
  TRUE.fixed + TRUE.perHop * o.length + (TRUE.perByte * o.clientBytes) / MIB + (TRUE.perBytePerHop * o.hopBytes) / MIB + (TRUE.perShapedByte * (o.shapedBytes ?? 0)) / MIB;

function sweep(noise: (value: number) => number): CostObservation[] {
  return LENGTHS.flatMap((l) => PAYLOADS.map((p) => {
    const o = chainObservation(l, p, 0, BUCKET);
    return { ...o, value: noise(truth(o)) };
  }));
}

describe('cost model fit', () => {
  it('recovers the coefficients exactly from noise-free points', () => {
    const fit = fitCostModel(sweep((v) => v))!;
    expect(fit.n).toBe(12);
    expect(fit.df).toBe(7);
    expect(fit.omitted).toEqual([]);
    for (const term of fit.terms) expect(term.estimate).toBeCloseTo(TRUE[term.name], 6);
    expect(fit.rmsRelativeError).toBeLessThan(1e-9);
  });

  it('gives 95 % intervals that hold the true coefficients about 95 % of the time under 10 % relative noise', () => {
    const random = rng(42);
    const runs = 400;
    const covered = { fixed: 0, perHop: 0, perByte: 0, perBytePerHop: 0, perShapedByte: 0 };
    for (let r = 0; r < runs; r++) {
      const fit = fitCostModel(sweep((v) => v * (1 + 0.1 * random.normal())))!;
      for (const term of fit.terms) if (term.lo! <= TRUE[term.name] && TRUE[term.name] <= term.hi!) covered[term.name]++;
    }
    for (const [name, count] of Object.entries(covered)) {
      expect(count / runs, name).toBeGreaterThan(0.88);
      expect(count / runs, name).toBeLessThan(0.995);
    }
  });

  it('is not pulled by the largest points the way ordinary least squares would be', () => {
    // One small point 30 % off: under relative weights it moves the small terms, not the per-byte ones.
    const points = sweep((v) => v);
    points[0] = { ...points[0]!, value: points[0]!.value * 1.3 };
    const fit = fitCostModel(points)!;
    const perBytePerHop = fit.terms.find((t) => t.name === 'perBytePerHop')!;
    expect(Math.abs(perBytePerHop.estimate - TRUE.perBytePerHop) / TRUE.perBytePerHop).toBeLessThan(0.05);
  });

  it('leaves out the terms the points cannot separate, and names why', () => {
    const one = LENGTHS.map((l) => ({ ...chainObservation(l, 1024, 0), value: 3 + 2 * l }));
    const fit = fitCostModel(one)!;
    expect(fit.omitted.map((o) => o.name)).toEqual(['perByte', 'perBytePerHop', 'perShapedByte']);
    expect(fit.terms.find((t) => t.name === 'perHop')!.estimate).toBeCloseTo(2, 9);
    expect(fit.terms.find((t) => t.name === 'fixed')!.estimate).toBeCloseTo(3, 9);
  });

  it('fits a 2 × 2 sweep exactly, with no intervals: four points, four terms', () => {
    const points = [1, 2].flatMap((l) => [1024, 65536].map((p) => ({ ...chainObservation(l, p, 0), value: truth(chainObservation(l, p, 0)) })));
    const fit = fitCostModel(points)!;
    expect(fit.df).toBe(0);
    expect(fit.terms.every((t) => t.lo === null && t.hi === null)).toBe(true);
    expect(fit.terms.find((t) => t.name === 'perHop')!.estimate).toBeCloseTo(TRUE.perHop, 6);
  });

  it('predicts a chain it was not fitted on, with an interval that widens for one measurement', () => {
    const random = rng(7);
    const fit = fitCostModel(sweep((v) => v * (1 + 0.05 * random.normal())))!;
    const at = { length: 4, clientBytes: 24_000, hopBytes: 100_000 };
    const prediction = predictCost(fit, at);
    expect(Math.abs(prediction.estimate - truth(at)) / truth(at)).toBeLessThan(0.1);
    expect(prediction.mean!.lo).toBeLessThan(prediction.estimate);
    expect(prediction.single!.hi - prediction.single!.lo).toBeGreaterThan(prediction.mean!.hi - prediction.mean!.lo);
  });

  it('narrows the interval for the mean of several measurements down to the model\'s own', () => {
    const random = rng(11);
    const fit = fitCostModel(sweep((v) => v * (1 + 0.1 * random.normal())))!;
    const at = { length: 4, clientBytes: 24_000, hopBytes: 100_000 };
    const width = (n: number) => {
      const p = predictCost(fit, at, n);
      return p.single!.hi - p.single!.lo;
    };
    const mean = predictCost(fit, at).mean!;
    expect(width(3)).toBeLessThan(width(1));
    expect(width(1000)).toBeGreaterThan(mean.hi - mean.lo);
    expect(width(1000)).toBeCloseTo(mean.hi - mean.lo, 0);
  });

  it('predicts a scenario whose transfers fit in the burst from chains whose largest do not', () => {
    // A truth as the fog's links make it: CPU per byte, and each hop's two ways through a tbf
    // link at 100 mbit/s, free up to the bucket (the chains of 1 MB pay ~84 ms per MiB per way).
    const rate = 1000 / (12.5e6 / MIB); // ms per MiB at 100 mbit/s
    const physical = (o: Omit<CostObservation, 'value'>) => 2 + 1.5 * o.length + (60 * o.hopBytes) / MIB + (2 * rate * (o.shapedBytes ?? 0)) / MIB;
    const chains = (bucket: number | null) => LENGTHS.flatMap((l) => PAYLOADS.map((p) => ({ ...chainObservation(l, p, 0, bucket), value: physical(chainObservation(l, p, 0, BUCKET)) })));
    // Four hops of 47 KB, 47 KB, 3 KB and 4 KB each way: all under the bucket.
    const scenario = { length: 4, clientBytes: 24_000, hopBytes: 101_000, shapedBytes: 0 };
    const measured = physical(scenario);
    const burstAware = predictCost(fitCostModel(chains(BUCKET))!, scenario).estimate;
    const linear = predictCost(fitCostModel(chains(null))!, scenario).estimate;
    expect(Math.abs(burstAware - measured) / measured).toBeLessThan(1e-6);
    // Per-byte terms fitted straight through 1 KB, 64 KB and 1 MB charge the scenario link time it never spends.
    expect((linear - measured) / measured).toBeGreaterThan(0.3);
  });

  it('does not speak for a point with a term it left out for want of points', () => {
    const one = fitCostModel([{ ...chainObservation(2, 1024, 0), value: 5 }])!;
    expect(one.omitted.map((o) => o.reason)).toContain('too few points');
    expect(predicts(one, chainObservation(4, 47_000, 0))).toBe(false);
    // A term the points cannot separate (one payload) is no bar: the model predicts without it.
    const onePayload = fitCostModel(LENGTHS.map((l) => ({ ...chainObservation(l, 1024, 0), value: 3 + 2 * l })))!;
    expect(predicts(onePayload, chainObservation(4, 47_000, 0))).toBe(true);
  });

  it('predicts without a term no point has, even when the points are used up by the others', () => {
    // Four points within the burst fill the four other terms; none sends bytes past the burst.
    const four = [1, 2].flatMap((l) => [1024, 16 * 1024].map((p) => {
      const o = chainObservation(l, p, 0, BUCKET);
      return { ...o, value: truth(o) };
    }));
    expect(four.every((o) => (o.shapedBytes ?? 0) === 0)).toBe(true);
    const fit = fitCostModel(four)!;
    expect(fit.fittedTerms).toEqual(['fixed', 'perHop', 'perByte', 'perBytePerHop']);
    expect(fit.omitted).toEqual([{ name: 'perShapedByte', reason: expect.not.stringContaining('too few') }]);
    const past = chainObservation(4, MIB, 0, BUCKET);
    expect(past.shapedBytes).toBeGreaterThan(0);
    expect(predicts(fit, past)).toBe(true);
    // One point more term than points: still too few for a term the points have.
    const three = fitCostModel(four.slice(0, 3))!;
    expect(three.omitted.find((o) => o.name === 'perBytePerHop')?.reason).toBe('too few points');
  });

  it('inverts a matrix', () => {
    const inv = invert([[4, 1], [1, 3]]);
    expect(inv[0]![0]).toBeCloseTo(3 / 11, 12);
    expect(inv[0]![1]).toBeCloseTo(-1 / 11, 12);
  });
});
