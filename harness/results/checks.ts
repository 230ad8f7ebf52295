/**
 * Checks of parsed JSON against a shape (pure): each problem names the field by its path
 * (`latency.p99`) and what was expected, in words a person can act on. Used for every file
 * fogbench reads back (results, sweep and point records, the load agent's spec, lock and owner
 * records): a file written by hand, or by another version, is refused in one line instead of
 * reaching arithmetic that turns it into NaN, a RangeError or a TypeError.
 */
export type Check = (value: unknown, path: string, problems: string[]) => void;

export const MAX_PROBLEMS = 5;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value)}`;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'not a finite number';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

const fail = (problems: string[], path: string, expected: string, value: unknown) =>
  problems.push(`${path} is ${value === undefined ? 'missing' : describeValue(value)}, expected ${expected}`);

const bounds = (min: number, max: number) =>
  max < Infinity ? ` from ${min} to ${max}` : min === 0 ? ' ≥ 0' : min > -Infinity ? ` ≥ ${min}` : '';
export const number = (min = -Infinity, max = Infinity): Check => (v, p, out) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(out, p, `a number${bounds(min, max)}`, v);
};
export const integer = (min: number, max = Infinity): Check => (v, p, out) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(out, p, `a whole number${bounds(min, max)}`, v);
};
export const fraction: Check = (v, p, out) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(out, p, 'a fraction from 0 to 1', v);
};
export const string: Check = (v, p, out) => {
  if (typeof v !== 'string') fail(out, p, 'a string', v);
};
export const boolean: Check = (v, p, out) => {
  if (typeof v !== 'boolean') fail(out, p, 'true or false', v);
};
export const exactly = (expected: unknown): Check => (v, p, out) => {
  if (v !== expected) fail(out, p, JSON.stringify(expected), v);
};
export const oneOf = (...values: string[]): Check => (v, p, out) => {
  if (typeof v !== 'string' || !values.includes(v)) fail(out, p, `one of ${values.join(', ')}`, v);
};
export const nullable = (check: Check): Check => (v, p, out) => {
  if (v !== null) check(v, p, out);
};
export const record = (check: Check): Check => (v, p, out) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(out, p, 'an object', v);
  for (const [key, item] of Object.entries(v)) check(item, `${p}.${key}`, out);
};
export const list = (check: Check): Check => (v, p, out) => {
  if (!Array.isArray(v)) return fail(out, p, 'a list', v);
  // The first bad items say enough; a 100k-entry timeline need not list every one.
  for (let i = 0; i < v.length && out.length < MAX_PROBLEMS; i++) check(v[i], `${p}[${i}]`, out);
};

/**
 * Any JSON value whose numbers are all finite: for the free-form parts of a record (a run's
 * options, host and target details) that go into reports and comparisons as they are. JSON has
 * no Infinity, but a literal past the double range (1e400) parses as one.
 */
export const finiteThroughout: Check = (v, p, out) => {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(out, p, 'a finite number', v);
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length && out.length < MAX_PROBLEMS; i++) finiteThroughout(v[i], `${p}[${i}]`, out);
  } else if (typeof v === 'object' && v !== null) {
    for (const [key, item] of Object.entries(v)) {
      if (out.length >= MAX_PROBLEMS) return;
      finiteThroughout(item, p === '' ? key : `${p}.${key}`, out);
    }
  }
};

export interface Field {
  check: Check;
  optional?: boolean;
}
export const req = (check: Check): Field => ({ check });
export const opt = (check: Check): Field => ({ check, optional: true });

export const object = (fields: Record<string, Field>): Check => (v, p, out) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(out, p, 'an object', v);
  const o = v as Record<string, unknown>;
  for (const [key, field] of Object.entries(fields)) {
    if (out.length >= MAX_PROBLEMS) return;
    const path = p === '' ? key : `${p}.${key}`;
    if (o[key] === undefined) {
      if (!field.optional) fail(out, path, 'a value', undefined);
      continue;
    }
    field.check(o[key], path, out);
  }
};

/** Up to MAX_PROBLEMS problems of `value` against `check`; empty when it has the shape. */
export function problemsOf(check: Check, value: unknown): string[] {
  const problems: string[] = [];
  check(value, '', problems);
  return problems.slice(0, MAX_PROBLEMS);
}

/** The first problem and how many more, on one line; null when there is none. */
export function firstProblem(problems: readonly string[]): string | null {
  if (problems.length === 0) return null;
  return `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`;
}

/** A value `test` accepts; `test` says what is wrong ("cannot be a folder name: …") or null. */
export const where = (test: (value: unknown) => string | null): Check => (v, p, out) => {
  const why = test(v);
  if (why !== null) out.push(`${p} ${why}`);
};
