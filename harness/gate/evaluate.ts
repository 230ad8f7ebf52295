/** Evaluates threshold checks on a run against a baseline run. Pure: data in, verdicts out. */
import type { ProfileResult } from '../results/schema.ts';
import type { Check } from './thresholds.ts';

export interface Verdict {
  check: Check;
  passed: boolean;
  actual: number | null;
  limit: number | null;
  baseline: number | null;
  /** Why it could not be evaluated, when it could not. */
  problem?: string;
}

function valueOf(profile: ProfileResult, metric: string[]): number {
  let v: unknown = profile;
  for (const key of metric) v = (v as Record<string, unknown>)[key];
  return v as number;
}

const matching = (profiles: readonly ProfileResult[], c: Check) => profiles.filter((p) => p.system === c.system && p.workers === c.workers);

/** The metric over a profile's runs: their mean when the bench repeated it. */
const meanOver = (profiles: readonly ProfileResult[], metric: string[]) =>
  profiles.reduce((sum, p) => sum + valueOf(p, metric), 0) / profiles.length;

export function evaluate(checks: readonly Check[], run: readonly ProfileResult[], baseline: readonly ProfileResult[] | null): Verdict[] {
  return checks.map((check) => {
    const fail = (problem: string): Verdict => ({ check, passed: false, actual: null, limit: null, baseline: null, problem });
    const profiles = matching(run, check);
    if (profiles.length === 0) return fail(`the run has no ${check.system} profile at ${check.workers} workers`);
    if (profiles.some((p) => p.interrupted)) return fail(`the run's ${check.system} profile at ${check.workers} workers was interrupted`);
    const actual = meanOver(profiles, check.metric);
    let base: number | null = null;
    let limit: number;
    if (check.bound.kind === 'absolute') limit = check.bound.value;
    else {
      const b = baseline ? matching(baseline, check).filter((p) => !p.interrupted) : [];
      if (b.length === 0) return { ...fail(`the baseline has no complete ${check.system} profile at ${check.workers} workers`), actual };
      base = meanOver(b, check.metric);
      limit = check.bound.kind === 'scaled' ? check.bound.factor * base : base + check.bound.delta;
    }
    const passed =
      check.op === '>=' ? actual >= limit : check.op === '<=' ? actual <= limit : check.op === '>' ? actual > limit : actual < limit;
    return { check, passed, actual, limit, baseline: base };
  });
}

function show(check: Check, v: number | null): string {
  if (v === null) return '-';
  if (check.metric[0] === 'errorRate') return `${(v * 100).toFixed(2)}%`;
  if (check.metric[0]!.startsWith('latency')) return `${v.toFixed(2)} ms`;
  return `${v.toFixed(2)} req/s`;
}

export function renderVerdicts(verdicts: readonly Verdict[]): string {
  const lines = verdicts.map((v) => {
    const mark = v.passed ? 'PASS' : 'FAIL';
    const detail = v.problem
      ? v.problem
      : `${show(v.check, v.actual)} ${v.check.op} ${show(v.check, v.limit)}${v.baseline !== null ? ` (baseline ${show(v.check, v.baseline)})` : ''}`;
    return `${mark}  ${v.check.text}  — ${detail}`;
  });
  const failed = verdicts.filter((v) => !v.passed).length;
  lines.push(failed ? `${failed} of ${verdicts.length} checks failed` : `all ${verdicts.length} checks passed`);
  return lines.join('\n');
}
