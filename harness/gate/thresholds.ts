/**
 * Regression thresholds: one check per line of a thresholds file, `#` starts a comment.
 *
 *   <system>.<metric>[workers=<n>] <op> <bound>
 *
 * metric: throughput | goodput | errorRate | latency.<stat> | latencyOk.<stat> |
 *   latencyWithTimeouts.<stat> (timed-out and cut-off requests included at their censored
 *   values), where stat is mean | p50 | p90 | p99 | p999 | max (milliseconds)
 * op: >= | <= | > | <
 * bound: an absolute value (`5`, `1%`, `250ms`, `1.5s`) or relative to the baseline run's same
 *   profile (`0.9 * baseline`, `baseline * 1.2`, `baseline + 50ms`, `baseline + 2%`).
 *
 * Examples:  p2p.throughput[workers=10] >= 0.9 * baseline
 *            openfaas.errorRate[workers=5] <= 1%
 *            p2p.latency.p99[workers=50] <= baseline * 1.25
 */
import { usageError } from '../errors.ts';

export const METRICS = ['throughput', 'goodput', 'errorRate'] as const;
const LATENCY_FIGURES = ['latency', 'latencyOk', 'latencyWithTimeouts'];
export const LATENCY_STATS = ['mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const;
export type Op = '>=' | '<=' | '>' | '<';

export type Bound =
  | { kind: 'absolute'; value: number }
  | { kind: 'scaled'; factor: number }
  | { kind: 'offset'; delta: number };

export interface Check {
  /** The line as written, for messages. */
  text: string;
  line: number;
  system: string;
  /** Path into a ProfileResult, e.g. ["latency", "p99"]. */
  metric: string[];
  workers: number;
  op: Op;
  bound: Bound;
}

type Kind = 'rate' | 'fraction' | 'ms';

function kindOf(metric: string[]): Kind {
  if (metric[0] === 'errorRate') return 'fraction';
  if (LATENCY_FIGURES.includes(metric[0]!)) return 'ms';
  return 'rate';
}

/** A number with an optional unit, converted to the metric's own unit. */
function quantity(text: string, kind: Kind, where: string): number {
  const m = /^(-?\d+(?:\.\d+)?)\s*(%|ms|s)?$/.exec(text.trim());
  if (!m) throw usageError(`${where}: "${text}" is not a number (units: % for errorRate, ms or s for latency)`);
  const n = Number(m[1]);
  const unit = m[2];
  if (kind === 'fraction') {
    if (unit && unit !== '%') throw usageError(`${where}: errorRate takes a fraction or a percentage, not ${unit}`);
    return unit === '%' ? n / 100 : n;
  }
  if (kind === 'ms') {
    if (unit === '%') throw usageError(`${where}: latency takes ms or s, not %`);
    return unit === 's' ? n * 1000 : n;
  }
  if (unit) throw usageError(`${where}: ${unit} makes no sense for a rate in requests per second`);
  return n;
}

function parseBound(text: string, kind: Kind, where: string): Bound {
  const t = text.trim();
  let m = /^(\d+(?:\.\d+)?)\s*\*\s*baseline$/.exec(t) ?? /^baseline\s*\*\s*(\d+(?:\.\d+)?)$/.exec(t);
  if (m) return { kind: 'scaled', factor: Number(m[1]) };
  if (t === 'baseline') return { kind: 'scaled', factor: 1 };
  m = /^baseline\s*([+-])\s*(.+)$/.exec(t);
  if (m) return { kind: 'offset', delta: (m[1] === '-' ? -1 : 1) * quantity(m[2]!, kind, where) };
  if (t.includes('baseline')) throw usageError(`${where}: write the baseline bound as "0.9 * baseline", "baseline * 1.2" or "baseline + 50ms"`);
  return { kind: 'absolute', value: quantity(t, kind, where) };
}

const CHECK = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9.]+)\[workers\s*=\s*(\d+)\]\s*(>=|<=|>|<)\s*(.+)$/;

export function parseCheck(text: string, line: number, source: string): Check {
  const where = `${source}:${line}`;
  const m = CHECK.exec(text.trim());
  if (!m) throw usageError(`${where}: cannot read "${text.trim()}"; write e.g. p2p.throughput[workers=10] >= 0.9 * baseline`);
  const [, system, metricText, workers, op, boundText] = m;
  const metric = metricText!.split('.');
  const valid =
    (metric.length === 1 && (METRICS as readonly string[]).includes(metric[0]!)) ||
    (metric.length === 2 && LATENCY_FIGURES.includes(metric[0]!) && (LATENCY_STATS as readonly string[]).includes(metric[1]!));
  if (!valid) {
    throw usageError(`${where}: unknown metric "${metricText}" (use ${METRICS.join(', ')}, latency.<${LATENCY_STATS.join('|')}>, latencyOk.<...> or latencyWithTimeouts.<...>)`);
  }
  return { text: text.trim(), line, system: system!, metric, workers: Number(workers), op: op as Op, bound: parseBound(boundText!, kindOf(metric), where) };
}

export function parseThresholds(content: string, source: string): Check[] {
  const checks: Check[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    const text = raw.replace(/#.*$/, '').trim();
    if (text) checks.push(parseCheck(text, i + 1, source));
  });
  if (checks.length === 0) throw usageError(`${source} holds no checks; write one per line, e.g. p2p.errorRate[workers=1] <= 1%`);
  return checks;
}

export function needsBaseline(checks: readonly Check[]): boolean {
  return checks.some((c) => c.bound.kind !== 'absolute');
}
