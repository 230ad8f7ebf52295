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

/**
 * Text from the file as it may be shown in a message: control characters, invalid UTF-8 and
 * other unprintable characters escaped (`\x1b`, `\u{fffd}`), clipped to `max` characters. A
 * binary file once echoed its raw bytes, escape sequences included, to the terminal.
 */
export function printable(text: string, max = 60): string {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0)!;
    let shown = c;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) shown = `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0xfffd || (code >= 0xd800 && code < 0xe000) || code === 0x2028 || code === 0x2029 || code === 0xfeff) shown = `\\u{${code.toString(16)}}`;
    if (out.length + shown.length > max) return `${out}…`;
    out += shown;
  }
  return out;
}

const NEVER_NEGATIVE: Record<Kind, string> = { rate: 'a rate is never below 0 req/s', fraction: 'an error rate is never below 0 %', ms: 'a latency is never below 0 ms' };

/** A number with an optional unit, converted to the metric's own unit; finite, never an overflow to Infinity. */
function quantity(text: string, kind: Kind, where: string): number {
  const m = /^(-?\d+(?:\.\d+)?)\s*(%|ms|s)?$/.exec(text.trim());
  if (!m) throw usageError(`${where}: "${printable(text.trim())}" is not a number (units: % for errorRate, ms or s for latency)`);
  const n = Number(m[1]);
  const unit = m[2];
  let value: number;
  if (kind === 'fraction') {
    if (unit && unit !== '%') throw usageError(`${where}: errorRate takes a fraction or a percentage, not ${unit}`);
    value = unit === '%' ? n / 100 : n;
  } else if (kind === 'ms') {
    if (unit === '%') throw usageError(`${where}: latency takes ms or s, not %`);
    value = unit === 's' ? n * 1000 : n;
  } else {
    if (unit) throw usageError(`${where}: ${unit} makes no sense for a rate in requests per second`);
    value = n;
  }
  // A 400-digit number reads as Infinity: a limit nothing can cross, as 1e400 would be.
  if (!Number.isFinite(value)) throw usageError(`${where}: ${printable(m[1]!, 24)} is too large to be a limit`);
  return value;
}

/**
 * An absolute bound a metric can never meet, or always meets: a check that says nothing.
 * Refused rather than left to fail (or pass) every night.
 */
function pointlessAbsolute(value: number, kind: Kind, op: Op, where: string): void {
  if (value < 0) {
    const outcome = op === '<=' || op === '<' ? 'can never hold' : 'always holds';
    throw usageError(`${where}: a negative limit ${outcome} (${NEVER_NEGATIVE[kind]}); write a limit of 0 or more`);
  }
  if (value === 0 && op === '<') throw usageError(`${where}: "< 0" can never hold (${NEVER_NEGATIVE[kind]}); write "<= 0" for none at all`);
  if (kind === 'fraction' && value > 1) {
    throw usageError(`${where}: errorRate is a fraction from 0 to 1 (0% to 100%), so ${value} (${value * 100}%) ${op === '<=' || op === '<' ? 'always holds' : 'can never hold'}; write a percentage such as 1% or a fraction such as 0.01`);
  }
  if (kind === 'fraction' && value === 1 && op === '>') throw usageError(`${where}: errorRate > 100% can never hold`);
}

function parseBound(text: string, kind: Kind, op: Op, where: string): Bound {
  const t = text.trim();
  let m = /^(\d+(?:\.\d+)?)\s*\*\s*baseline$/.exec(t) ?? /^baseline\s*\*\s*(\d+(?:\.\d+)?)$/.exec(t);
  if (m) {
    const factor = Number(m[1]);
    if (!Number.isFinite(factor)) throw usageError(`${where}: ${printable(m[1]!, 24)} is too large to be a factor`);
    return { kind: 'scaled', factor };
  }
  if (t === 'baseline') return { kind: 'scaled', factor: 1 };
  m = /^baseline\s*([+-])\s*(.+)$/.exec(t);
  if (m) {
    // "baseline + -5ms" reads as one thing and means another: one sign only.
    if (/^[+-]/.test(m[2]!.trim())) throw usageError(`${where}: write one sign, "baseline - 5ms" or "baseline + 5ms"`);
    return { kind: 'offset', delta: (m[1] === '-' ? -1 : 1) * quantity(m[2]!, kind, where) };
  }
  if (t.includes('baseline')) throw usageError(`${where}: write the baseline bound as "0.9 * baseline", "baseline * 1.2" or "baseline + 50ms"`);
  const value = quantity(t, kind, where);
  pointlessAbsolute(value, kind, op, where);
  return { kind: 'absolute', value };
}

const CHECK = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9.]+)\[workers\s*=\s*(\d+)\]\s*(>=|<=|>|<)\s*(.+)$/;

export function parseCheck(text: string, line: number, source: string): Check {
  const where = `${source}:${line}`;
  const m = CHECK.exec(text.trim());
  if (!m) throw usageError(`${where}: cannot read "${printable(text.trim())}"; write e.g. p2p.throughput[workers=10] >= 0.9 * baseline`);
  const [, system, metricText, workers, op, boundText] = m;
  const metric = metricText!.split('.');
  const valid =
    (metric.length === 1 && (METRICS as readonly string[]).includes(metric[0]!)) ||
    (metric.length === 2 && LATENCY_FIGURES.includes(metric[0]!) && (LATENCY_STATS as readonly string[]).includes(metric[1]!));
  if (!valid) {
    throw usageError(`${where}: unknown metric "${metricText}" (use ${METRICS.join(', ')}, latency.<${LATENCY_STATS.join('|')}>, latencyOk.<...> or latencyWithTimeouts.<...>)`);
  }
  return { text: text.trim(), line, system: system!, metric, workers: Number(workers), op: op as Op, bound: parseBound(boundText!, kindOf(metric), op as Op, where) };
}

/** A NUL byte, invalid UTF-8 (read as U+FFFD) or a run of control characters: not a text file. */
const BINARY = /[\x00\ufffd]|[\x01-\x08\x0e-\x1a\x1c-\x1f]{2}/;

export function parseThresholds(content: string, source: string): Check[] {
  const checks: Check[] = [];
  const lines = content.split(/\r?\n/);
  const binary = lines.findIndex((l) => BINARY.test(l));
  if (binary >= 0) {
    throw usageError(`${source}:${binary + 1}: not a text file ("${printable(lines[binary]!.trim())}"); a thresholds file holds one check per line, e.g. p2p.errorRate[workers=1] <= 1%`);
  }
  lines.forEach((raw, i) => {
    const text = raw.replace(/#.*$/, '').trim();
    if (text) checks.push(parseCheck(text, i + 1, source));
  });
  if (checks.length === 0) throw usageError(`${source} holds no checks; write one per line, e.g. p2p.errorRate[workers=1] <= 1%`);
  return checks;
}

export function needsBaseline(checks: readonly Check[]): boolean {
  return checks.some((c) => c.bound.kind !== 'absolute');
}
