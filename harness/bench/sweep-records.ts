/**
 * The files a sweep leaves in its folder and reads back on a resume and in its report:
 * `sweep.json` (what the sweep is) and each point's `point.json` (written last, when the point
 * is complete). Each is checked against its shape as it is read (harness/results/checks.ts): a
 * file edited by hand or by another version is refused in one line, never read into a TypeError,
 * a NaN cost model or a RangeError.
 */
import type { ScenarioBytes } from '../dataflow/scenario-bytes.ts';
import { MAX_PAYLOAD_BYTES } from '../dataflow/synthetic-chain.ts';
import { exactly, integer, list, nullable, number, object, oneOf, opt, record, req, string, where, type Check } from '../results/checks.ts';
import { pathNameProblem } from '../safe-name.ts';
import { SWEEP_AXES } from './sweep-spec.ts';

export const SWEEP_SCHEMA_VERSION = 1 as const;
export const SWEEP_FILE = 'sweep.json';
export const POINT_FILE = 'point.json';
export const POINTS_DIR = 'points';

export interface SweepManifest {
  schemaVersion: typeof SWEEP_SCHEMA_VERSION;
  kind: 'fogbench.sweep';
  sweepId: string;
  createdAt: string;
  updatedAt: string;
  axes: { name: string; values: string[] }[];
  /** The chain spec the axes vary. */
  base: string;
  /** The options every point shares and the hash a resume is checked against. */
  options: Record<string, unknown>;
  optionsHash: string;
  points: { id: string; scenario: string; params: Record<string, string> }[];
  /** --predict: the scenario measured to check the model's prediction against. */
  predict: { id: string; scenario: string } | null;
  /** Per point: seconds each point took to run, by id, as last run. */
  seconds?: Record<string, number>;
}

export interface PointRecord {
  schemaVersion: typeof SWEEP_SCHEMA_VERSION;
  kind: 'fogbench.sweep-point';
  id: string;
  key: string;
  optionsHash: string;
  scenario: string;
  params: Record<string, string>;
  finishedAt: string;
  seconds: number;
  /** What the cost model reads of the point: its steps and the bytes it moves per request. */
  shape: PointShape;
}

/** A point's steps and bytes per request (a chain's from its spec; a scenario's measured in process). */
export interface PointShape {
  length: number;
  /** Bytes the client exchanges per request: the mean of request and response. */
  clientBytes: number;
  /** Bytes into the steps, summed over them. */
  hopBytes: number;
  /** A chain's payload; null for a hand-written scenario. */
  payloadBytes: number | null;
  /** CPU time (ms) of each step's own work: a chain's `work`; a scenario's functions' mean, measured in process. */
  workMs?: number;
  measured?: ScenarioBytes;
}

/** A point id becomes a folder name under points/. */
const folderName = where((v) => {
  if (typeof v !== 'string') return 'is not a string, expected a folder name';
  const problem = pathNameProblem(v);
  return problem === null ? null : `cannot be a folder name: ${problem}`;
});

/** A --predict scenario may have more steps than a chain; more than this is no scenario. */
const MAX_STEPS = 1_000;
/** Bytes per request far beyond what the systems take (their body limit is 4 MB). */
const MAX_BYTES = MAX_PAYLOAD_BYTES * MAX_STEPS;

export const SWEEP_SHAPE: Check = object({
  schemaVersion: req(exactly(SWEEP_SCHEMA_VERSION)),
  kind: req(exactly('fogbench.sweep')),
  sweepId: req(string),
  createdAt: req(string),
  updatedAt: req(string),
  axes: req(list(object({ name: req(oneOf(...SWEEP_AXES)), values: req(list(string)) }))),
  base: req(string),
  options: req(record(() => undefined)),
  optionsHash: req(string),
  points: req(list(object({ id: req(folderName), scenario: req(string), params: req(record(string)) }))),
  predict: req(nullable(object({ id: req(folderName), scenario: req(string) }))),
  seconds: opt(record(number(0))),
});

export const POINT_SHAPE: Check = object({
  schemaVersion: req(exactly(SWEEP_SCHEMA_VERSION)),
  kind: req(exactly('fogbench.sweep-point')),
  id: req(folderName),
  key: req(string),
  optionsHash: req(string),
  scenario: req(string),
  params: req(record(string)),
  finishedAt: req(string),
  seconds: req(number(0)),
  shape: req(
    object({
      length: req(integer(1, MAX_STEPS)),
      clientBytes: req(number(0, MAX_BYTES)),
      hopBytes: req(number(0, MAX_BYTES)),
      payloadBytes: req(nullable(integer(0, MAX_PAYLOAD_BYTES))),
      workMs: opt(number(0, 10_000)),
      measured: opt(record(() => undefined)),
    }),
  ),
});
