/** Evaluates threshold checks on a run against a baseline and a fixed reference. Pure: data in, verdicts out. */
import { errorRateOf, NO_ERROR_RATE } from '../metrics/error-rate.ts';
import type { ProfileResult } from '../results/schema.ts';
import type { Check } from './thresholds.ts';

export interface Verdict {
  check: Check;
  passed: boolean;
  actual: number | null;
  limit: number | null;
  /** The rolling baseline's value: one run's, or the median over a set of recent runs. */
  baseline: number | null;
  /** How many baseline runs the baseline value is the median of (1: one run). */
  baselineRuns?: number;
  /** The fixed reference's value, when one was given (see `evaluate`). */
  reference?: number | null;
  /** Which of the two set the limit, when both were given: the stricter. */
  limitFrom?: 'baseline' | 'reference';
  /** Why it could not be evaluated, when it could not. */
  problem?: string;
}

/** The metric's value, or NaN when the profile has no finite number there. */
function valueOf(profile: ProfileResult, metric: string[]): number {
  let v: unknown = profile;
  for (const key of metric) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
}

/**
 * Why a profile has no value for the metric although its file holds a number there, or null.
 * A profile with no responses records its latencies as 0 and, with no requests, an error rate
 * of 0 (0 of 0): numbers that mean "none", which once passed `latency.p99 <= 5ms` and
 * `errorRate <= 0%` on a run that served nothing (issue 14, audit item 7).
 */
export function emptyFigure(profile: ProfileResult, metric: readonly string[]): string | null {
  const figure = metric[0]!;
  if (figure === 'errorRate') return errorRateOf(profile) === null ? NO_ERROR_RATE : null;
  if (!figure.startsWith('latency')) return null;
  const stats = (profile as unknown as Record<string, { count?: unknown } | undefined>)[figure];
  if (!stats || stats.count !== 0) return null;
  if (figure === 'latencyOk') return `no responses that succeeded (${profile.ok} ok of ${profile.requests}): no latencyOk`;
  if (figure === 'latencyWithTimeouts') return 'no responses and no timed-out, cut-off or unsent requests: no latencyWithTimeouts';
  return `no responses (0 completed of ${profile.requests} requests): no latency`;
}

const matching = (profiles: readonly ProfileResult[], c: Check) => profiles.filter((p) => p.system === c.system && p.workers === c.workers);

/**
 * The metric over a profile's runs (their mean when the bench repeated it), or why there is
 * none: a figure missing, or a repetition with nothing to measure it on (its 0 would pull the
 * mean down).
 */
function meanOf(profiles: readonly ProfileResult[], metric: string[]): { value: number } | { problem: string } {
  for (const p of profiles) {
    const empty = emptyFigure(p, metric);
    if (empty) return { problem: `${profiles.length > 1 ? ` (repetition ${p.repetition})` : ''} has ${empty}` };
  }
  const value = profiles.reduce((sum, p) => sum + valueOf(p, metric), 0) / profiles.length;
  return Number.isFinite(value) ? { value } : { problem: ` has no number for ${metric.join('.')}` };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The median over a set of runs of one profile's metric, or why there is none. */
function referenceValue(runs: readonly (readonly ProfileResult[])[], check: Check, who: string): { value: number; runs: number } | { problem: string } {
  const where = `${check.system} profile at ${check.workers} workers`;
  const values: number[] = [];
  for (const run of runs) {
    const b = matching(run, check).filter((p) => !p.interrupted);
    if (b.length === 0) continue;
    const limited = b.find((p) => p.client?.limited);
    if (limited) return { problem: `the ${who}'s ${where} was client-limited (${limited.client.reason}): not a reference for the system` };
    const value = meanOf(b, check.metric);
    if ('problem' in value) return { problem: `the ${who}'s ${where}${value.problem}` };
    values.push(value.value);
  }
  if (values.length === 0) return { problem: `the ${who} has no complete ${where}` };
  return { value: median(values), runs: values.length };
}

const limitOf = (check: Check, base: number) => (check.bound.kind === 'scaled' ? check.bound.factor * base : check.bound.kind === 'offset' ? base + check.bound.delta : check.bound.value);

/** The stricter of two limits for the check's operator: the higher floor, the lower ceiling. */
const stricter = (check: Check, a: number, b: number) => (check.op === '>=' || check.op === '>' ? Math.max(a, b) : Math.min(a, b));

/**
 * @param baselines the baseline runs' profiles: none, one run, or several (a set of recent
 *   nights), whose per-run values are reduced to their median so that one bad night cannot move
 *   the reference.
 * @param reference a fixed reference (one run, or several reduced to their median), recorded
 *   once and replaced only on purpose. A median of recent passing nights still follows a slow
 *   decline: nights 5 % worse each, each passing `0.8 * baseline` against the median of the
 *   seven before it, went on for 40 nights to 12.9 % of the start (issue 14's audit). Relative
 *   checks are made against both, and the stricter limit holds, so a run can never drift
 *   further from the reference than the check allows, however slowly it gets there.
 */
export function evaluate(
  checks: readonly Check[],
  run: readonly ProfileResult[],
  baselines: readonly (readonly ProfileResult[])[] | null,
  reference: readonly (readonly ProfileResult[])[] | null = null,
): Verdict[] {
  return checks.map((check) => {
    const fail = (problem: string): Verdict => ({ check, passed: false, actual: null, limit: null, baseline: null, problem });
    const where = `${check.system} profile at ${check.workers} workers`;
    const profiles = matching(run, check);
    if (profiles.length === 0) return fail(`the run has no ${where}`);
    if (profiles.some((p) => p.interrupted)) return fail(`the run's ${where} was interrupted`);
    // A client-limited profile measured the load generator: it can neither pass nor fail a system.
    const limited = profiles.find((p) => p.client?.limited);
    if (limited) return fail(`the run's ${where} was client-limited (${limited.client.reason}): its figures describe the load generator, not the system`);
    // A comparison with NaN is false either way round, and a profile that served nothing has
    // no latency to be fast with: say so rather than pass or fail on a number that means none.
    const measured = meanOf(profiles, check.metric);
    if ('problem' in measured) return fail(`the run's ${where}${measured.problem}`);
    const actual = measured.value;
    let base: number | null = null;
    let runs = 0;
    let ref: number | null = null;
    let limitFrom: Verdict['limitFrom'];
    let limit: number;
    if (check.bound.kind === 'absolute') limit = check.bound.value;
    else {
      const hasBaselines = (baselines?.length ?? 0) > 0;
      const hasReference = (reference?.length ?? 0) > 0;
      if (!hasBaselines && !hasReference) return { ...fail(`the baseline has no complete ${where}`), actual };
      let fromBaseline: number | null = null;
      if (hasBaselines) {
        const b = referenceValue(baselines!, check, 'baseline');
        if ('problem' in b) return { ...fail(b.problem), actual };
        base = b.value;
        runs = b.runs;
        fromBaseline = limitOf(check, base);
      }
      let fromReference: number | null = null;
      if (hasReference) {
        const r = referenceValue(reference!, check, 'reference');
        if ('problem' in r) return { ...fail(r.problem), actual, baseline: base };
        ref = r.value;
        fromReference = limitOf(check, ref);
      }
      if (fromBaseline !== null && fromReference !== null) {
        limit = stricter(check, fromBaseline, fromReference);
        limitFrom = limit === fromBaseline ? 'baseline' : 'reference';
      } else limit = (fromBaseline ?? fromReference)!;
    }
    const judged = {
      check,
      actual,
      limit,
      baseline: base,
      ...(runs > 1 ? { baselineRuns: runs } : {}),
      ...(reference ? { reference: ref } : {}),
      ...(limitFrom ? { limitFrom } : {}),
    };
    // "baseline - 100s" on a 4 ms latency: a limit of -99996 ms, which no run can meet (or, as a
    // floor, every run meets). The bound, not the run, is wrong: fail, saying so.
    if (limit < 0) {
      const outcome = check.op === '<=' || check.op === '<' ? 'no run can meet it' : 'every run meets it';
      return {
        ...judged,
        passed: false,
        problem: `the limit ${show(check, limit)} (${base !== null && limitFrom !== 'reference' ? howLimit(check, 'baseline', base) : howLimit(check, 'reference', ref!)}) is below zero, where ${check.metric.join('.')} never is: ${outcome}. The bound is wrong, not the run: write one whose limit stays at 0 or above (run: ${show(check, actual)})`,
      };
    }
    const passed =
      check.op === '>=' ? actual >= limit : check.op === '<=' ? actual <= limit : check.op === '>' ? actual > limit : actual < limit;
    return { ...judged, passed };
  });
}

/** Client-limited profiles, counted: the run's, the baselines' and the reference's, for the verdict's last lines. */
export function clientLimitedCounts(
  run: readonly ProfileResult[],
  baselines: readonly (readonly ProfileResult[])[],
  references: readonly (readonly ProfileResult[])[] = [],
): string[] {
  const count = (ps: readonly ProfileResult[]) => ({
    limited: ps.filter((p) => p.client?.limited).length,
    partly: ps.filter((p) => !p.client?.limited && (p.client?.saturatedSeconds ?? 0) > 0).length,
    all: ps.length,
  });
  const line = (who: string, c: ReturnType<typeof count>) =>
    `${who}: ${c.limited} of ${c.all} profiles client-limited${c.partly ? `, ${c.partly} more with some saturated seconds` : ''}`;
  const lines = [line('run', count(run))];
  if (baselines.length) lines.push(line(baselines.length > 1 ? `baselines (${baselines.length} runs)` : 'baseline', count(baselines.flat())));
  if (references.length) lines.push(line(references.length > 1 ? `reference (${references.length} runs)` : 'reference', count(references.flat())));
  return lines;
}

/** How a relative limit was computed: "baseline 3.97 ms - 100000.00 ms", "0.9 × reference 120.00 req/s". */
function howLimit(check: Check, who: 'baseline' | 'reference', value: number): string {
  const b = check.bound;
  if (b.kind === 'scaled') return `${b.factor} × ${who} ${show(check, value)}`;
  if (b.kind === 'offset') return `${who} ${show(check, value)} ${b.delta < 0 ? '-' : '+'} ${show(check, Math.abs(b.delta))}`;
  return 'absolute';
}

function show(check: Check, v: number | null): string {
  if (v === null) return '-';
  if (check.metric[0] === 'errorRate') return `${(v * 100).toFixed(2)}%`;
  if (check.metric[0]!.startsWith('latency')) return `${v.toFixed(2)} ms`;
  return `${v.toFixed(2)} req/s`;
}

export function renderVerdicts(verdicts: readonly Verdict[], notes: readonly string[] = []): string {
  const lines = verdicts.map((v) => {
    const mark = v.passed ? 'PASS' : 'FAIL';
    const from: string[] = [];
    if (v.baseline !== null) from.push(`baseline ${v.baselineRuns ? `median of ${v.baselineRuns} runs ` : ''}${show(v.check, v.baseline)}`);
    if (v.reference !== undefined && v.reference !== null) from.push(`reference ${show(v.check, v.reference)}`);
    if (v.limitFrom && from.length === 2) from.push(`limit from the ${v.limitFrom}, the stricter`);
    const detail = v.problem ? v.problem : `${show(v.check, v.actual)} ${v.check.op} ${show(v.check, v.limit)}${from.length ? ` (${from.join('; ')})` : ''}`;
    return `${mark}  ${v.check.text}  — ${detail}`;
  });
  const failed = verdicts.filter((v) => !v.passed).length;
  const n = verdicts.length;
  lines.push(...notes);
  lines.push(failed ? `${failed} of ${n} check${n === 1 ? '' : 's'} failed` : n === 1 ? 'the check passed' : `all ${n} checks passed`);
  return lines.join('\n');
}
