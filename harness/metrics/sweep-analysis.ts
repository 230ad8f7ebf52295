/**
 * From a sweep's profiles to its cost model (pure): one row per profile with the point's shape,
 * a fit per system × worker count × figure (mean latency of successful requests, CPU per
 * successful request), the model's prediction for a scenario outside the sweep against what was
 * measured there, and the throughput ratios of two systems over the sweep's grid.
 */
import { errorRateOf } from './error-rate.ts';
import type { ProfileResult } from '../results/schema.ts';
import { fitCostModel, predictCost, predicts, type CostModelFit, type Prediction } from './cost-model.ts';
import { chainBodies, modelBytes, type AnswerPath, type PointBodies } from './point-transfers.ts';

/** Fewer successful requests than this in a profile: its mean is not used in a fit. */
export const MIN_OK_FOR_FIT = 3;

export const SWEEP_METRICS = ['latency', 'cpu'] as const;
export type SweepMetric = (typeof SWEEP_METRICS)[number];
export const METRIC_UNIT: Record<SweepMetric, string> = { latency: 'ms', cpu: 'CPU-ms' };
export const METRIC_LABEL: Record<SweepMetric, string> = { latency: 'mean latency', cpu: 'CPU per request' };

export interface PointInput {
  id: string;
  length: number;
  /** Mean of the client's request and response, and Σ of the steps' inputs: what the model counts when `bodies` is unknown. */
  clientBytes: number;
  hopBytes: number;
  payloadBytes: number | null;
  /** The bodies of one request (a chain's from its payload; a scenario's measured in process), when known. */
  bodies?: PointBodies;
  /** How each system's steps answer (from the point's manifest), by system. */
  answers?: Readonly<Record<string, AnswerPath>>;
  /** Bucket of the point's shaped links (bytes); null or missing: not shaped. */
  bucketBytes?: number | null;
  /** CPU time (ms) of each step's own work, when known (a chain's `work`; a scenario's functions, measured in process). */
  workMs?: number;
  profiles: ProfileResult[];
}

export interface SweepRow {
  point: string;
  system: string;
  workers: number;
  repetition: number;
  length: number;
  payloadBytes: number | null;
  /** The model's bytes for this system (point-transfers.ts): client, hops, beyond the links' bucket. */
  clientBytes: number;
  hopBytes: number;
  shapedBytes: number;
  bucketBytes: number | null;
  workMs: number | null;
  ok: number;
  throughput: number;
  goodput: number;
  /** Null when the point's profile sent no request (errorRateOf). */
  errorRate: number | null;
  /** Mean latency of successful requests (ms); null without any. */
  latency: number | null;
  /** CPU of the system's pods per successful request (ms); null without any. */
  cpu: number | null;
  /** Why the row is left out of the fits, or null. */
  excluded: string | null;
}

/** The point's bodies: given, a chain's from its payload, or none (then the model reads its summed bytes as they are). */
function bodiesOf(point: PointInput): PointBodies | null {
  if (point.bodies) return point.bodies;
  return point.payloadBytes !== null ? chainBodies(point.length, point.payloadBytes) : null;
}

export function sweepRows(points: readonly PointInput[]): SweepRow[] {
  return points.flatMap((point) =>
    point.profiles.map((p): SweepRow => {
      const bodies = bodiesOf(point);
      const bucketBytes = point.bucketBytes ?? null;
      const bytes = bodies ? modelBytes(bodies, point.answers?.[p.system] ?? null, bucketBytes) : { clientBytes: point.clientBytes, hopBytes: point.hopBytes, shapedBytes: 0 };
      const ok = p.ok;
      const excluded = p.interrupted
        ? 'interrupted'
        : ok < MIN_OK_FOR_FIT
          ? `${ok} successful request${ok === 1 ? '' : 's'} in the window (fewer than ${MIN_OK_FOR_FIT})`
          : p.client?.limited
            ? 'client-limited: the load generator set the pace'
            : null;
      return {
        point: point.id,
        system: p.system,
        workers: p.workers,
        repetition: p.repetition,
        length: point.length,
        payloadBytes: point.payloadBytes,
        ...bytes,
        bucketBytes,
        workMs: point.workMs ?? null,
        ok,
        throughput: p.throughput,
        goodput: p.goodput,
        errorRate: errorRateOf(p),
        latency: ok > 0 && Number.isFinite(p.latencyOk.mean) ? p.latencyOk.mean : null,
        cpu: p.cost?.cpuSecondsPerOk != null ? p.cost.cpuSecondsPerOk * 1000 : null,
        excluded,
      };
    }),
  );
}

export interface SweepFit {
  system: string;
  workers: number;
  metric: SweepMetric;
  fit: CostModelFit | null;
  /** Mean work per step (CPU-ms) of the points fitted, when every one says. */
  workMs: number | null;
  /** Bucket of the shaped links the points were measured over (bytes), null when not shaped. */
  bucketBytes: number | null;
  /** Rows of this system and worker count left out, with why. */
  excluded: { point: string; reason: string }[];
}

const byOrder = (order: readonly string[]) => (a: string, b: string) => {
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return rank(a) - rank(b) || a.localeCompare(b);
};

/** One fit per system × workers × metric, systems in `order` first. */
export function sweepFits(rows: readonly SweepRow[], order: readonly string[] = []): SweepFit[] {
  const systems = [...new Set(rows.map((r) => r.system))].sort(byOrder(order));
  const workers = [...new Set(rows.map((r) => r.workers))].sort((a, b) => a - b);
  const fits: SweepFit[] = [];
  for (const metric of SWEEP_METRICS) {
    for (const system of systems) {
      for (const w of workers) {
        const mine = rows.filter((r) => r.system === system && r.workers === w);
        if (mine.length === 0) continue;
        const used = mine.filter((r) => r.excluded === null && r[metric] !== null && r[metric]! > 0);
        const excluded = mine.filter((r) => !used.includes(r)).map((r) => ({ point: r.point, reason: r.excluded ?? `no ${METRIC_LABEL[metric]} measured` }));
        // Bytes beyond the burst are a term only when some point sends most of its bytes there:
        // a 64 KB point is ~6 KB past a 62.5 KB bucket, and a term fitted on such slivers alone
        // would only set those points apart from the rest.
        const shaped = used.some((r) => r.shapedBytes >= 0.5 * (r.clientBytes + r.hopBytes));
        const fit = fitCostModel(used.map((r) => ({ length: r.length, clientBytes: r.clientBytes, hopBytes: r.hopBytes, shapedBytes: shaped ? r.shapedBytes : 0, value: r[metric]! })));
        const works = used.map((r) => r.workMs);
        const workMs = works.length && works.every((v) => v !== null) ? works.reduce((t, v) => t + v!, 0) / works.length : null;
        fits.push({ system, workers: w, metric, fit, workMs, bucketBytes: mine[0]!.bucketBytes, excluded });
      }
    }
  }
  return fits;
}

export interface PredictionRow {
  system: string;
  workers: number;
  metric: SweepMetric;
  /** What the model counts of the scenario for this system: bytes the hops carry, bytes past the links' burst. */
  hopBytes: number;
  shapedBytes: number;
  /** Mean over the scenario's repetitions that measured the figure (`--repeat`). */
  measured: number;
  /** Each of those repetitions' figure, in run order: how far one run moves from the next. */
  repetitions: number[];
  /** The model at the scenario's shape, its work per step swapped in (see `workAdjustment`); its interval for the mean of that many runs. */
  predicted: Prediction;
  /**
   * Added to the model's figure: the per-hop term holds the sweep's own work per step (its
   * `work`, CPU-ms), so the scenario's steps get theirs instead: steps × (scenario's − sweep's).
   * 0 when either is unknown.
   */
  workAdjustment: number;
  /** (predicted − measured) / measured. */
  error: number;
  /** Whether the measured mean lies in the interval for the mean of that many new measurements. */
  inside: boolean | null;
}

function fittedWork(fits: readonly SweepFit[], system: string, workers: number, metric: SweepMetric): number | null {
  return fits.find((f) => f.system === system && f.workers === workers && f.metric === metric)?.workMs ?? null;
}

/**
 * The model of each system × workers against a scenario measured outside the sweep: against the
 * mean of its repetitions, since one run on a shared machine moves by about as much as the
 * model is asked to be right within.
 */
export function predictionRows(fits: readonly SweepFit[], target: PointInput): PredictionRow[] {
  const rows: PredictionRow[] = [];
  const measuredRows = sweepRows([target]).filter((r) => r.excluded === null);
  // One row per system × worker count (any of its runs), for what all its runs share: shape, bytes.
  const oneOfEach = [...new Map(measuredRows.map((r) => [`${r.workers} ${r.system}`, r])).values()];
  for (const row of oneOfEach) {
    const runs = measuredRows.filter((r) => r.system === row.system && r.workers === row.workers).sort((a, b) => a.repetition - b.repetition);
    for (const metric of SWEEP_METRICS) {
      const repetitions = runs.map((r) => r[metric]).filter((v): v is number => v !== null);
      const fit = fits.find((f) => f.system === row.system && f.workers === row.workers && f.metric === metric)?.fit;
      if (!fit || repetitions.length === 0 || !predicts(fit, row)) continue;
      const measured = repetitions.reduce((s, v) => s + v, 0) / repetitions.length;
      const sweepWork = fittedWork(fits, row.system, row.workers, metric);
      const workAdjustment = sweepWork !== null && target.workMs !== undefined ? target.length * (target.workMs - sweepWork) : 0;
      const raw = predictCost(fit, row, repetitions.length);
      const shift = (i: { lo: number; hi: number } | null) => (i ? { lo: i.lo + workAdjustment, hi: i.hi + workAdjustment } : null);
      const predicted: Prediction = { estimate: raw.estimate + workAdjustment, mean: shift(raw.mean), single: shift(raw.single) };
      rows.push({
        system: row.system,
        workers: row.workers,
        metric,
        hopBytes: row.hopBytes,
        shapedBytes: row.shapedBytes,
        measured,
        repetitions,
        predicted,
        workAdjustment,
        error: (predicted.estimate - measured) / measured,
        inside: predicted.single ? predicted.single.lo <= measured && measured <= predicted.single.hi : null,
      });
    }
  }
  return rows;
}

export interface RatioCell {
  workers: number;
  length: number;
  payloadBytes: number;
  numerator: number | null;
  denominator: number | null;
  /** numerator / denominator throughput; null when either had no response in its window. */
  ratio: number | null;
}

/** Throughput of `numerator` over `denominator` at each chain point and worker count (means over repetitions). */
export function throughputRatios(rows: readonly SweepRow[], numerator: string, denominator: string): RatioCell[] {
  const cells = new Map<string, RatioCell>();
  const meanOf = (system: string, workers: number, point: string) => {
    const values = rows.filter((r) => r.system === system && r.workers === workers && r.point === point && r.excluded !== 'interrupted').map((r) => r.throughput);
    return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
  };
  for (const r of rows) {
    if (r.payloadBytes === null) continue;
    const key = `${r.workers}/${r.point}`;
    if (cells.has(key)) continue;
    const n = meanOf(numerator, r.workers, r.point);
    const d = meanOf(denominator, r.workers, r.point);
    if (n === null && d === null) continue;
    cells.set(key, { workers: r.workers, length: r.length, payloadBytes: r.payloadBytes, numerator: n, denominator: d, ratio: n !== null && d !== null && n > 0 && d > 0 ? n / d : null });
  }
  return [...cells.values()].sort((a, b) => a.workers - b.workers || a.length - b.length || a.payloadBytes - b.payloadBytes);
}
