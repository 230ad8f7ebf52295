/**
 * The cost model of a sweep (pure): a system's latency, or CPU, per request as
 *
 *     y = fixed + perByte · S + perHop · L + perBytePerHop · B + perShapedByte · Z
 *
 * with L the steps of the chain, S the bytes the client exchanges per request (the request and the
 * response: their mean), B the bytes the hops carry (Σ over the steps of the mean of what goes in
 * and what comes back; L · S for a synthetic chain, whose every hop carries the same body) and Z
 * the bytes of those transfers beyond the bucket of a shaped link (point-transfers.ts), which a
 * link passes at its rate rather than at once. `perByte` takes what the client's own transfer
 * costs, so that `perBytePerHop` is what each hop adds per byte; `perShapedByte` is what a byte
 * costs on top once the link's burst is spent.
 *
 * Fit: weighted least squares with weights 1 / ŷ², iterated (IRLS). Sweep points span three
 * orders of magnitude (a 1 KB one-step chain in milliseconds, a 1 MB eight-step one in seconds)
 * and their errors scale with them: on this class of machine a run is good to about ±10–15 %,
 * relative. Ordinary least squares would fit the slowest points only and give intervals that
 * assume one error size for all; relative weights make every point count by its relative error,
 * and the intervals are Student-t intervals from the weighted residuals with n − p degrees of
 * freedom. A bootstrap was not used: with 12 points and 4 terms, resampling cases often draws a
 * design that cannot separate the terms (one length missing), and resampling residuals rests on
 * the same assumptions as the t intervals.
 *
 * Terms the points cannot tell apart (one payload only: per-byte terms; one length only:
 * per-hop terms) are left out and named in `omitted`, instead of giving a singular fit.
 */
import { chainBodies, modelBytes } from './point-transfers.ts';
import { tQuantile975 } from './repetitions.ts';

export const COST_TERMS = ['fixed', 'perHop', 'perByte', 'perBytePerHop', 'perShapedByte'] as const;
export type CostTermName = (typeof COST_TERMS)[number];

/** Bytes are fitted in MiB: per-byte terms come out per MiB, and the normal equations stay well conditioned. */
export const MIB = 1024 * 1024;

export interface CostObservation {
  /** Steps in the chain. */
  length: number;
  /** Bytes the client exchanges per request (mean of request and response). */
  clientBytes: number;
  /** Bytes the hops carry, summed over them (each: the mean of its two ways). */
  hopBytes: number;
  /** Bytes beyond a shaped link's bucket (point-transfers.ts); none when missing. */
  shapedBytes?: number;
  /** The measured figure (ms of latency, or CPU-ms per request). */
  value: number;
}

export interface CostTerm {
  name: CostTermName;
  /** Per unit: fixed per request, per hop, per MiB, per MiB per hop, per MiB beyond the bucket. */
  estimate: number;
  /** Standard error; null when the points leave no degree of freedom. */
  se: number | null;
  /** 95 % interval (Student t, n − p degrees of freedom); null without degrees of freedom. */
  lo: number | null;
  hi: number | null;
}

export interface FittedPoint extends CostObservation {
  fitted: number;
  /** (observed − fitted) / fitted. */
  relativeResidual: number;
}

export interface CostModelFit {
  /** Every term, in COST_TERMS order; an omitted term has estimate 0 and no interval. */
  terms: CostTerm[];
  omitted: { name: CostTermName; reason: string }[];
  n: number;
  /** Degrees of freedom of the residuals (n − fitted terms). */
  df: number;
  /** Relative scatter of a point around the model (the weighted residual standard deviation). */
  relativeSd: number | null;
  /** Root mean square of the relative residuals. */
  rmsRelativeError: number;
  points: FittedPoint[];
  /** Covariance of the fitted terms' estimates, in `fittedTerms` order. */
  covariance: number[][];
  fittedTerms: CostTermName[];
  iterations: number;
}

export interface Prediction {
  estimate: number;
  /** 95 % interval of the model's mean at this point. */
  mean: { lo: number; hi: number } | null;
  /** 95 % interval for the mean of `measurements` new measurements there (the model's scatter added, over that many). */
  single: { lo: number; hi: number } | null;
}

export type CostPoint = Pick<CostObservation, 'length' | 'clientBytes' | 'hopBytes' | 'shapedBytes'>;

function regressor(term: CostTermName, o: CostPoint): number {
  switch (term) {
    case 'fixed':
      return 1;
    case 'perHop':
      return o.length;
    case 'perByte':
      return o.clientBytes / MIB;
    case 'perBytePerHop':
      return o.hopBytes / MIB;
    case 'perShapedByte':
      return (o.shapedBytes ?? 0) / MIB;
  }
}

/** Inverse of a small symmetric positive definite matrix (Gauss–Jordan with partial pivoting). */
export function invert(matrix: readonly (readonly number[])[]): number[][] {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-300) throw new Error('singular matrix');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    for (let c = 0; c < 2 * n; c++) a[col]![c]! /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]!;
      if (f !== 0) for (let c = 0; c < 2 * n; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  return a.map((row) => row.slice(n));
}

/** Weighted least squares of y on the columns of x: coefficients, their covariance and the weighted residual variance. */
export function weightedLeastSquares(x: readonly (readonly number[])[], y: readonly number[], w: readonly number[]) {
  const n = y.length;
  const p = x[0]?.length ?? 0;
  // Columns scaled to unit largest magnitude before the normal equations, and back after.
  const scale = Array.from({ length: p }, (_, j) => Math.max(...x.map((row) => Math.abs(row[j]!))) || 1);
  const xs = x.map((row) => row.map((v, j) => v / scale[j]!));
  const xtwx = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => xs.reduce((s, row, k) => s + w[k]! * row[i]! * row[j]!, 0)));
  const xtwy = Array.from({ length: p }, (_, i) => xs.reduce((s, row, k) => s + w[k]! * row[i]! * y[k]!, 0));
  const inv = invert(xtwx);
  const beta = inv.map((row) => row.reduce((s, v, j) => s + v * xtwy[j]!, 0));
  const coefficients = beta.map((b, j) => b / scale[j]!);
  const fitted = x.map((row) => row.reduce((s, v, j) => s + v * coefficients[j]!, 0));
  const df = n - p;
  const rss = y.reduce((s, v, k) => s + w[k]! * (v - fitted[k]!) ** 2, 0);
  const variance = df > 0 ? rss / df : null;
  const covariance = inv.map((row, i) => row.map((v, j) => (variance ?? 0) * v / (scale[i]! * scale[j]!)));
  return { coefficients, fitted, df, variance, covariance };
}

/** Whether column `candidate` lies (nearly) in the span of `columns`, under weights w. */
function dependent(columns: number[][], candidate: number[], w: readonly number[]): boolean {
  const dot = (a: number[], b: number[]) => a.reduce((s, v, k) => s + w[k]! * v * b[k]!, 0);
  // Gram–Schmidt, twice for stability.
  const basis: number[][] = [];
  for (const c of columns) {
    let v = [...c];
    for (let pass = 0; pass < 2; pass++) for (const b of basis) { const f = dot(v, b); v = v.map((x, k) => x - f * b[k]!); }
    const norm = Math.sqrt(dot(v, v));
    if (norm > 1e-12) basis.push(v.map((x) => x / norm));
  }
  const original = Math.sqrt(dot(candidate, candidate));
  if (original === 0) return true;
  let v = [...candidate];
  for (let pass = 0; pass < 2; pass++) for (const b of basis) { const f = dot(v, b); v = v.map((x, k) => x - f * b[k]!); }
  return Math.sqrt(dot(v, v)) / original < 1e-9;
}

const OMIT_REASON: Record<CostTermName, string> = {
  fixed: 'no points',
  perHop: 'every point has the same length',
  perByte: 'every point has the same payload',
  perBytePerHop: 'the points cannot tell bytes per hop from the other terms (one payload or one length)',
  perShapedByte: 'no point sends most of its bytes beyond a link\'s burst, or the links are not shaped',
};

/** Why fitCostModel left a term out when the points were fewer than the terms. */
const TOO_FEW_POINTS = 'too few points';

/** Fits the cost model to the observations; null with fewer points than one term needs. */
export function fitCostModel(observations: readonly CostObservation[], options: { maxIterations?: number } = {}): CostModelFit | null {
  const points = observations.filter((o) => Number.isFinite(o.value) && o.value > 0);
  if (points.length === 0) return null;
  const unit = points.map(() => 1);
  const fittedTerms: CostTermName[] = [];
  const omitted: CostModelFit['omitted'] = [];
  const column = (t: CostTermName) => points.map((o) => regressor(t, o));
  for (const term of COST_TERMS) {
    // A term no point has (shaped bytes where every point fits in the burst) is left out for
    // that reason even when the points are also used up: more such points would not fit it either.
    const values = column(term);
    const absent = values.every((v) => v === 0);
    if (!absent && fittedTerms.length < points.length && !dependent(fittedTerms.map(column), values, unit)) fittedTerms.push(term);
    else omitted.push({ name: term, reason: !absent && fittedTerms.length >= points.length ? TOO_FEW_POINTS : OMIT_REASON[term] });
  }
  const x = points.map((o) => fittedTerms.map((t) => regressor(t, o)));
  const y = points.map((o) => o.value);
  // Start from weights of the observed values, then of the fitted ones, until they settle.
  const floor = Math.min(...y) / 10;
  let weights = y.map((v) => 1 / v ** 2);
  let fit = weightedLeastSquares(x, y, weights);
  let iterations = 1;
  for (; iterations < (options.maxIterations ?? 20); iterations++) {
    const next = fit.fitted.map((f) => 1 / Math.max(f, floor) ** 2);
    const refit = weightedLeastSquares(x, y, next);
    const change = Math.max(...refit.coefficients.map((c, j) => Math.abs(c - fit.coefficients[j]!) / (Math.abs(fit.coefficients[j]!) + 1e-12)));
    weights = next;
    fit = refit;
    if (change < 1e-9) break;
  }
  const t = fit.df > 0 ? tQuantile975(fit.df) : null;
  const terms: CostTerm[] = COST_TERMS.map((name) => {
    const j = fittedTerms.indexOf(name);
    if (j < 0) return { name, estimate: 0, se: null, lo: null, hi: null };
    const estimate = fit.coefficients[j]!;
    const se = fit.variance !== null ? Math.sqrt(fit.covariance[j]![j]!) : null;
    return { name, estimate, se, lo: se !== null && t !== null ? estimate - t * se : null, hi: se !== null && t !== null ? estimate + t * se : null };
  });
  const fittedPoints = points.map((o, k) => ({ ...o, fitted: fit.fitted[k]!, relativeResidual: (o.value - fit.fitted[k]!) / fit.fitted[k]! }));
  return {
    terms,
    omitted,
    n: points.length,
    df: fit.df,
    relativeSd: fit.variance !== null ? Math.sqrt(fit.variance) : null,
    rmsRelativeError: Math.sqrt(fittedPoints.reduce((s, p) => s + p.relativeResidual ** 2, 0) / fittedPoints.length),
    points: fittedPoints,
    covariance: fit.covariance,
    fittedTerms,
    iterations,
  };
}

/**
 * Whether the fit can speak for this point: not when it left out, for want of points, a term the
 * point has (a fit of one point is its value, whatever the point's length or bytes). A term left
 * out because the points cannot separate it is another matter: the points say nothing of it, and
 * the prediction is the model's without it.
 */
export function predicts(fit: CostModelFit, at: CostPoint): boolean {
  return !fit.omitted.some((o) => o.reason === TOO_FEW_POINTS && regressor(o.name, at) !== 0);
}

/**
 * The model's figure for a chain it was not fitted on (the temperature scenario, say), with
 * intervals. `measurements`: how many new measurements the figure is compared with, as their
 * mean. The scatter of a point around the model is taken as run-to-run noise, which a mean of n
 * runs has n times less variance of: on two shared cores the same scenario measured three times
 * in a row, same options, moved as much as the sweep's points scatter around their fit (p2p at
 * 1 worker: 7.9, 9.6 and 12.7 ms).
 */
export function predictCost(fit: CostModelFit, at: CostPoint, measurements = 1): Prediction {
  const x = fit.fittedTerms.map((t) => regressor(t, at));
  const coefficients = fit.fittedTerms.map((t) => fit.terms.find((term) => term.name === t)!.estimate);
  const estimate = x.reduce((s, v, j) => s + v * coefficients[j]!, 0);
  if (fit.df <= 0 || fit.relativeSd === null) return { estimate, mean: null, single: null };
  const t = tQuantile975(fit.df);
  const meanVariance = x.reduce((s, vi, i) => s + vi * x.reduce((u, vj, j) => u + fit.covariance[i]![j]! * vj, 0), 0);
  const singleVariance = meanVariance + (fit.relativeSd * estimate) ** 2 / Math.max(1, measurements);
  return {
    estimate,
    mean: { lo: estimate - t * Math.sqrt(meanVariance), hi: estimate + t * Math.sqrt(meanVariance) },
    single: { lo: estimate - t * Math.sqrt(singleVariance), hi: estimate + t * Math.sqrt(singleVariance) },
  };
}

/** The observation a synthetic chain point makes: every hop carries the same body, over links with this bucket (null: not shaped). */
export function chainObservation(length: number, payloadBytes: number, value: number, bucketBytes: number | null = null): CostObservation {
  return { length, ...modelBytes(chainBodies(length, payloadBytes), null, bucketBytes), value };
}
