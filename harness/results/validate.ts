/**
 * Checks that a parsed `manifest.json` or profile file has the shape of schema.ts before
 * anything reads it: the report, the index, the comparison and the regression gate all do
 * arithmetic on these fields, and a file with `latency` missing, `profiles: 5` or
 * `errorRate: null` used to crash every report or, worse, pass the gate. Each problem names the
 * field by its path (`latency.p99`) and what was expected, in words a person can act on.
 *
 * Fields added to schema version 1 after its first runs (repetition, mode, openLoop, cost,
 * client, flags) are optional here: older run folders still read; when present they are checked.
 */
import { ERROR_CLASSES, SCHEMA_VERSION, type ProfileResult, type RunManifest } from './schema.ts';

type Check = (value: unknown, path: string, problems: string[]) => void;

const MAX_PROBLEMS = 5;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value)}`;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'not a finite number';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

const fail = (problems: string[], path: string, expected: string, value: unknown) =>
  problems.push(`${path} is ${value === undefined ? 'missing' : describeValue(value)}, expected ${expected}`);

const number = (min = -Infinity): Check => (v, p, out) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(out, p, min === 0 ? 'a number ≥ 0' : min > -Infinity ? `a number ≥ ${min}` : 'a number', v);
};
const integer = (min: number): Check => (v, p, out) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(out, p, `a whole number ≥ ${min}`, v);
};
const fraction: Check = (v, p, out) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(out, p, 'a fraction from 0 to 1', v);
};
const string: Check = (v, p, out) => {
  if (typeof v !== 'string') fail(out, p, 'a string', v);
};
const boolean: Check = (v, p, out) => {
  if (typeof v !== 'boolean') fail(out, p, 'true or false', v);
};
const exactly = (expected: unknown): Check => (v, p, out) => {
  if (v !== expected) fail(out, p, JSON.stringify(expected), v);
};
const oneOf = (...values: string[]): Check => (v, p, out) => {
  if (typeof v !== 'string' || !values.includes(v)) fail(out, p, `one of ${values.join(', ')}`, v);
};
const nullable = (check: Check): Check => (v, p, out) => {
  if (v !== null) check(v, p, out);
};
const record = (check: Check): Check => (v, p, out) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(out, p, 'an object', v);
  for (const [key, item] of Object.entries(v)) check(item, `${p}.${key}`, out);
};
const list = (check: Check): Check => (v, p, out) => {
  if (!Array.isArray(v)) return fail(out, p, 'a list', v);
  // The first bad items say enough; a 100k-entry timeline need not list every one.
  for (let i = 0; i < v.length && out.length < MAX_PROBLEMS; i++) check(v[i], `${p}[${i}]`, out);
};

interface Field {
  check: Check;
  optional?: boolean;
}
const req = (check: Check): Field => ({ check });
const opt = (check: Check): Field => ({ check, optional: true });

const object = (fields: Record<string, Field>): Check => (v, p, out) => {
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

const LATENCY_FIELDS: Record<string, Field> = {
  count: req(integer(0)),
  mean: req(number(0)),
  stdev: req(number(0)),
  min: req(number(0)),
  max: req(number(0)),
  p50: req(number(0)),
  p90: req(number(0)),
  p99: req(number(0)),
  p999: req(number(0)),
  hdr: req(string),
};
const latencyStats = object(LATENCY_FIELDS);

const MANIFEST = object({
  schemaVersion: req(exactly(SCHEMA_VERSION)),
  kind: req(exactly('fogbench.manifest')),
  runId: req(string),
  createdAt: req(string),
  fogbench: req(object({ version: req(string), gitSha: req(nullable(string)), gitDirty: req(nullable(boolean)) })),
  host: req(record(() => undefined)),
  tools: req(record(string)),
  scenario: req(object({ name: req(string), file: req(string), sha256: req(string), route: req(list(string)), config: req(record(string)) })),
  dataset: req(
    object({
      file: req(string),
      sha256: req(string),
      synthetic: req(boolean),
      rows: req(integer(0)),
      rowsByVariable: req(record(integer(0))),
      batchSize: req(integer(1)),
    }),
  ),
  target: req(
    object({
      kind: req(string),
      nodes: req(list(object({ name: req(string), role: req(string), cpus: req(nullable(number(0))), memoryBytes: req(nullable(number(0))) }))),
      shaping: req(string),
      details: req(record(() => undefined)),
    }),
  ),
  options: req(record(() => undefined)),
  systems: req(list(string)),
  profiles: req(list(object({ system: req(string), workers: req(integer(1)), repetition: opt(integer(1)) }))),
  flags: opt(object({ clientLimited: req(list(object({ system: req(string), workers: req(integer(1)) }))) })),
});

const PROFILE = object({
  schemaVersion: req(exactly(SCHEMA_VERSION)),
  kind: req(exactly('fogbench.profile')),
  runId: req(string),
  system: req(string),
  workers: req(integer(1)),
  keepAlive: req(boolean),
  driver: req(string),
  startedAt: req(string),
  durationSeconds: req(number(0)),
  requests: req(integer(0)),
  cutOff: opt(integer(0)),
  interrupted: opt(boolean),
  repetition: opt(integer(1)),
  ok: req(integer(0)),
  errors: req(object(Object.fromEntries(ERROR_CLASSES.map((c) => [c, opt(integer(0))])))),
  errorRate: req(fraction),
  throughput: req(number(0)),
  goodput: req(number(0)),
  mode: opt(oneOf('closed', 'open')),
  openLoop: opt(
    nullable(
      object({
        rate: req(number(0)),
        arrivals: req(oneOf('constant', 'poisson')),
        scheduled: req(integer(0)),
        late: req(integer(0)),
        dropped: req(integer(0)),
        uncorrected: req(latencyStats),
      }),
    ),
  ),
  latency: req(latencyStats),
  // The gate checks it (latencyWithTimeouts.p99): a negative or non-numeric figure there once
  // passed validation and every check (issue 14, audit item 7). Absent in older results.
  latencyWithTimeouts: opt(object({ ...LATENCY_FIELDS, censored: req(integer(0)) })),
  latencyOk: req(latencyStats),
  timeline: req(
    list(
      object({
        t: req(number()),
        completed: req(integer(0)),
        ok: req(integer(0)),
        errors: req(record(integer(0))),
        p50: req(nullable(number(0))),
        p99: req(nullable(number(0))),
        mean: req(nullable(number(0))),
      }),
    ),
  ),
  cost: opt(object({ cpuSeconds: req(number(0)), cpuSecondsPerOk: req(nullable(number(0))), nodes: req(list(string)) })),
  client: opt(
    object({
      samples: req(
        list(
          object({
            t: req(number()),
            cpu: req(number(0)),
            loopDelayP99Ms: req(number(0)),
            loopDelayMaxMs: req(number(0)),
            children: opt(object({ cpu: req(number(0)), cores: req(integer(1)), processes: req(integer(0)), threads: req(integer(0)) })),
          }),
        ),
      ),
      limited: req(boolean),
      reason: req(nullable(string)),
    }),
  ),
  hops: req(
    list(
      object({
        from: req(string),
        to: req(string),
        count: req(integer(0)),
        mean: req(number()),
        p50: req(number()),
        p90: req(number()),
        p99: req(number()),
        min: req(number()),
        max: req(number()),
        q1: req(number()),
        q3: req(number()),
      }),
    ),
  ),
  events: req(list(object({ t: req(number()), at: req(string), kind: req(string), subject: req(string), detail: req(string) }))),
  // --fault (issue 17): what the report reads of each fault's outcome.
  faults: opt(
    list(
      object({
        fault: req(object({ text: req(string), kind: req(string), subject: req(string), atMs: req(number(0)) })),
        status: req(oneOf('applied', 'not-applicable', 'failed', 'not-reached')),
        detail: req(string),
        startedAt: req(nullable(number())),
        endedAt: req(nullable(number())),
        recovery: req(
          nullable(
            object({
              status: req(oneOf('recovered', 'not-recovered', 'unmeasurable')),
              secondsToRecover: req(nullable(number(0))),
              failed: req(nullable(integer(0))),
              okShortfall: req(nullable(integer(0))),
              errors: req(record(integer(0))),
              overlappedBy: req(list(string)),
            }),
          ),
        ),
      }),
    ),
  ),
  resources: req(
    list(
      object({
        t: req(number()),
        node: req(string),
        cpu: req(number(0)),
        cpuLimit: req(nullable(number(0))),
        memoryBytes: req(number(0)),
        memoryLimitBytes: req(nullable(number(0))),
      }),
    ),
  ),
  manifest: req(MANIFEST),
});

/** What is wrong with a parsed manifest.json, at most a few problems; empty when it is valid. */
export function manifestProblems(value: unknown): string[] {
  const problems: string[] = [];
  MANIFEST(value, '', problems);
  return problems.slice(0, MAX_PROBLEMS);
}

/** What is wrong with a parsed profile file, at most a few problems; empty when it is valid. */
export function profileProblems(value: unknown): string[] {
  const problems: string[] = [];
  PROFILE(value, '', problems);
  if (problems.length === 0) {
    const p = value as ProfileResult;
    if (p.ok > p.requests) problems.push(`ok (${p.ok}) is more than requests (${p.requests})`);
  }
  return problems.slice(0, MAX_PROBLEMS);
}

export const isValidManifest = (value: unknown): value is RunManifest => manifestProblems(value).length === 0;
export const isValidProfile = (value: unknown): value is ProfileResult => profileProblems(value).length === 0;
