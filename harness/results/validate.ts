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
import { boolean, exactly, finiteThroughout, fraction, integer, list, MAX_PROBLEMS, nullable, number, object, oneOf, opt, record, req, string, type Field } from './checks.ts';
import { MAX_TIMER_MS } from '../timers.ts';

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

export const MANIFEST_SHAPE = object({
  schemaVersion: req(exactly(SCHEMA_VERSION)),
  kind: req(exactly('fogbench.manifest')),
  runId: req(string),
  createdAt: req(string),
  fogbench: req(object({ version: req(string), gitSha: req(nullable(string)), gitDirty: req(nullable(boolean)) })),
  host: req(record(finiteThroughout)),
  tools: req(record(string)),
  scenario: req(object({ name: req(string), file: req(string), sha256: req(string), route: req(list(string)), config: req(record(string)) })),
  dataset: req(
    object({
      file: req(string),
      sha256: req(string),
      synthetic: req(boolean),
      rows: req(integer(0, Number.MAX_SAFE_INTEGER)),
      rowsByVariable: req(record(integer(0))),
      batchSize: req(integer(1, Number.MAX_SAFE_INTEGER)),
    }),
  ),
  target: req(
    object({
      kind: req(string),
      nodes: req(list(object({ name: req(string), role: req(string), cpus: req(nullable(number(0))), memoryBytes: req(nullable(number(0))) }))),
      shaping: req(string),
      details: req(record(finiteThroughout)),
    }),
  ),
  options: req(record(finiteThroughout)),
  systems: req(list(string)),
  profiles: req(list(object({ system: req(string), workers: req(integer(1)), repetition: opt(integer(1)) }))),
  flags: opt(object({ clientLimited: req(list(object({ system: req(string), workers: req(integer(1)) }))) })),
});

export const PROFILE_SHAPE = object({
  schemaVersion: req(exactly(SCHEMA_VERSION)),
  kind: req(exactly('fogbench.profile')),
  runId: req(string),
  system: req(string),
  workers: req(integer(1)),
  keepAlive: req(boolean),
  driver: req(string),
  startedAt: req(string),
  // No window is longer than the longest timer (parse.ts): a larger figure is not a measurement.
  durationSeconds: req(number(0, MAX_TIMER_MS / 1000)),
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
  manifest: req(MANIFEST_SHAPE),
});

/** What is wrong with a parsed manifest.json, at most a few problems; empty when it is valid. */
export function manifestProblems(value: unknown): string[] {
  const problems: string[] = [];
  MANIFEST_SHAPE(value, '', problems);
  return problems.slice(0, MAX_PROBLEMS);
}

/** What is wrong with a parsed profile file, at most a few problems; empty when it is valid. */
export function profileProblems(value: unknown): string[] {
  const problems: string[] = [];
  PROFILE_SHAPE(value, '', problems);
  if (problems.length === 0) {
    const p = value as ProfileResult;
    if (p.ok > p.requests) problems.push(`ok (${p.ok}) is more than requests (${p.requests})`);
  }
  return problems.slice(0, MAX_PROBLEMS);
}

export const isValidManifest = (value: unknown): value is RunManifest => manifestProblems(value).length === 0;
export const isValidProfile = (value: unknown): value is ProfileResult => profileProblems(value).length === 0;
