/** Evaluates threshold checks on a run against a baseline run. Pure: data in, verdicts out. */
import type { ProfileResult } from '../results/schema.ts';
import type { Check } from './thresholds.ts';

export interface Verdict {
  check: Check;
  passed: boolean;
  actual: number | null;
  limit: number | null;
  baseline: number | null;
  /** How many baseline runs the baseline value is the median of (1: one run). */
  baselineRuns?: number;
  /** Why it could not be evaluated, when it could not. */
  problem?: string;
}

/** The metric's value, or NaN when the profile has no finite number there. */
function valueOf(profile: ProfileResult, metric: string[]): number {
  let v: unknown = profile;
  for (const key of metric) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
}

const matching = (profiles: readonly ProfileResult[], c: Check) => profiles.filter((p) => p.system === c.system && p.workers === c.workers);

/** The metric over a profile's runs: their mean when the bench repeated it. */
const meanOver = (profiles: readonly ProfileResult[], metric: string[]) =>
  profiles.reduce((sum, p) => sum + valueOf(p, metric), 0) / profiles.length;

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * @param baselines the baseline runs' profiles: none, one run, or several (a set of recent
 *   nights), whose per-run values are reduced to their median so that one bad night cannot move
 *   the reference, and a slow decline cannot ratchet it down night after night.
 */
export function evaluate(checks: readonly Check[], run: readonly ProfileResult[], baselines: readonly (readonly ProfileResult[])[] | null): Verdict[] {
  return checks.map((check) => {
    const fail = (problem: string): Verdict => ({ check, passed: false, actual: null, limit: null, baseline: null, problem });
    const where = `${check.system} profile at ${check.workers} workers`;
    const profiles = matching(run, check);
    if (profiles.length === 0) return fail(`the run has no ${where}`);
    if (profiles.some((p) => p.interrupted)) return fail(`the run's ${where} was interrupted`);
    // A client-limited profile measured the load generator: it can neither pass nor fail a system.
    const limited = profiles.find((p) => p.client?.limited);
    if (limited) return fail(`the run's ${where} was client-limited (${limited.client.reason}): its figures describe the load generator, not the system`);
    const actual = meanOver(profiles, check.metric);
    // A comparison with NaN is false either way round: say so rather than pass or fail on it.
    if (!Number.isFinite(actual)) return fail(`the run's ${where} has no number for ${check.metric.join('.')}`);
    let base: number | null = null;
    let runs = 0;
    let limit: number;
    if (check.bound.kind === 'absolute') limit = check.bound.value;
    else {
      const values: number[] = [];
      for (const baseline of baselines ?? []) {
        const b = matching(baseline, check).filter((p) => !p.interrupted);
        if (b.length === 0) continue;
        const blimited = b.find((p) => p.client?.limited);
        if (blimited) return { ...fail(`the baseline's ${where} was client-limited (${blimited.client.reason}): not a reference for the system`), actual };
        const value = meanOver(b, check.metric);
        if (!Number.isFinite(value)) return { ...fail(`the baseline's ${where} has no number for ${check.metric.join('.')}`), actual };
        values.push(value);
      }
      if (values.length === 0) return { ...fail(`the baseline has no complete ${where}`), actual };
      base = median(values);
      runs = values.length;
      limit = check.bound.kind === 'scaled' ? check.bound.factor * base : base + check.bound.delta;
    }
    const passed =
      check.op === '>=' ? actual >= limit : check.op === '<=' ? actual <= limit : check.op === '>' ? actual > limit : actual < limit;
    return { check, passed, actual, limit, baseline: base, ...(runs > 1 ? { baselineRuns: runs } : {}) };
  });
}

/** Client-limited profiles, counted: the run's and the baselines', for the verdict's last lines. */
export function clientLimitedCounts(run: readonly ProfileResult[], baselines: readonly (readonly ProfileResult[])[]): string[] {
  const count = (ps: readonly ProfileResult[]) => ({
    limited: ps.filter((p) => p.client?.limited).length,
    partly: ps.filter((p) => !p.client?.limited && (p.client?.saturatedSeconds ?? 0) > 0).length,
    all: ps.length,
  });
  const line = (who: string, c: ReturnType<typeof count>) =>
    `${who}: ${c.limited} of ${c.all} profiles client-limited${c.partly ? `, ${c.partly} more with some saturated seconds` : ''}`;
  const lines = [line('run', count(run))];
  if (baselines.length) lines.push(line(baselines.length > 1 ? `baselines (${baselines.length} runs)` : 'baseline', count(baselines.flat())));
  return lines;
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
    const detail = v.problem
      ? v.problem
      : `${show(v.check, v.actual)} ${v.check.op} ${show(v.check, v.limit)}${v.baseline !== null ? ` (baseline ${v.baselineRuns ? `median of ${v.baselineRuns} runs ` : ''}${show(v.check, v.baseline)})` : ''}`;
    return `${mark}  ${v.check.text}  — ${detail}`;
  });
  const failed = verdicts.filter((v) => !v.passed).length;
  const n = verdicts.length;
  lines.push(...notes);
  lines.push(failed ? `${failed} of ${n} check${n === 1 ? '' : 's'} failed` : n === 1 ? 'the check passed' : `all ${n} checks passed`);
  return lines.join('\n');
}
