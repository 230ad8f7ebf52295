/** Parsers for option values; each throws commander's InvalidArgumentError with what to fix. */
import { InvalidArgumentError } from 'commander';
import { MAX_TIMER_MS } from '../timers.ts';

const UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "10s", "10m", "500ms", "1h", or a bare number of seconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('use a positive duration such as 500ms, 10s, 10m or 1h');
  const ms = Number(m[1]) * UNITS_MS[m[2] ?? 's']!;
  if (!(ms > 0)) throw new InvalidArgumentError('the duration must be greater than zero');
  // Timers count whole milliseconds: a shorter client timeout was accepted here and refused only
  // by the load agent, after the systems were deployed.
  if (ms < 1) throw new InvalidArgumentError('durations under 1ms are not supported (timers count whole milliseconds)');
  // Node's timers hold at most 2^31 - 1 ms; a longer one fires at once, and a run would end
  // (or time out) immediately while its summary claimed the long value.
  if (ms > MAX_TIMER_MS) throw new InvalidArgumentError(`durations above 596h (2^31 - 1 ms, the longest timer Node keeps) are not supported`);
  return ms;
}


/** A profile's window: at least one second (the timeline, throughput and hey's -z count in seconds and milliseconds). */
export function parseWindow(value: string): number {
  const ms = parseDuration(value);
  if (ms < 1_000) throw new InvalidArgumentError('a profile must last at least 1s');
  return ms;
}

/** Requests per second a client can schedule: above a million, the gaps fall under a microsecond. */
export function parseRate(value: string): number {
  const rate = parsePositiveNumber(value);
  if (rate > 1_000_000) throw new InvalidArgumentError('rates above 1000000 req/s are not supported (the schedule would have no gap between sends)');
  return rate;
}

/** Like parseDuration, but zero is allowed ("0s" turns a pause off). */
export function parseDurationOrZero(value: string): number {
  if (/^0+(\.0+)?(ms|s|m|h)?$/.test(value.trim())) return 0;
  return parseDuration(value);
}

/** "1,5,10,50": distinct positive integers, in the order given. */
export function parseWorkers(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new InvalidArgumentError('use a comma-separated list of whole numbers, e.g. 1,5,10,50');
  const workers = parts.map(Number);
  if (workers.some((w) => w < 1)) throw new InvalidArgumentError('every worker count must be at least 1');
  if (workers.some((w) => w > 10_000)) throw new InvalidArgumentError('worker counts above 10000 are not supported');
  return [...new Set(workers)];
}

export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('use a whole number of at least 1');
  // Past 2^53 a number is no longer the one typed (99999999999999999999 reads as 1e20).
  if (!Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`use a whole number up to ${Number.MAX_SAFE_INTEGER}`);
  return Number(value);
}

/** A parser of whole numbers from 1 to `max`, for a count that becomes that many things (runs, steps). */
export function positiveIntUpTo(max: number, what: string): (value: string) => number {
  return (value) => {
    const n = parsePositiveInt(value);
    if (n > max) throw new InvalidArgumentError(`more than ${max} ${what} are not supported`);
    return n;
  };
}

export function parsePositiveNumber(value: string): number {
  const n = Number(value.trim());
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0)) throw new InvalidArgumentError('use a number greater than zero');
  return n;
}

export function parseList(value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('give at least one name');
  return [...new Set(items)];
}

export function parseOnOff(value: string): boolean {
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  throw new InvalidArgumentError('use on or off');
}

/** Repeatable key=value, collected into a record. */
export function collectKeyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(value);
  if (!m) throw new InvalidArgumentError('use key=value, e.g. window=10');
  return { ...previous, [m[1]!]: m[2]! };
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
