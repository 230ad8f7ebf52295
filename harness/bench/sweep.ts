/**
 * Runs a sweep: one normal bench run per point (every system × worker count of the options, its
 * own manifest and profiles), one folder per point under the sweep's folder, and a sweep
 * manifest. Resumable: a point whose folder holds a `point.json` with the point's key (its
 * parameters and the hash of the shared options) is not run again; a point without one (the run
 * was stopped or crashed in it) is removed and run again whole. Resuming with other shared
 * options is refused before anything runs.
 *
 *   <runs>/<sweep-id>/sweep.json                 kind fogbench.sweep: axes, points, shared options and their hash
 *   <runs>/<sweep-id>/sweep.lock                 the pid running it, while it runs
 *   <runs>/<sweep-id>/points/<point-id>/         a run folder (manifest.json, profiles/, spans/) + point.json when complete
 *   <runs>/<sweep-id>/points/predict-<name>/     --predict: a hand-written scenario under the same options
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadScenarioSource } from '../dataflow/compile.ts';
import { measureScenarioBytes, type ScenarioBytes } from '../dataflow/scenario-bytes.ts';
import { openDataset } from '../load/replay.ts';
import { formatChainSpec, type ChainSpec } from '../dataflow/synthetic-chain.ts';
import { usageError } from '../errors.ts';
import { childPath } from '../safe-name.ts';
import { profileFileName, type RunManifest } from '../results/schema.ts';
import type { System } from '../systems/system.ts';
import type { Target } from '../targets/target.ts';
import type { BenchEvent, BenchOptions } from './options.ts';
import type { BenchOutcome } from './run-bench.ts';
import { formatAxisValue, optionDifferences, optionsHash, pointKey, pointScenario, sharedOptions, sweepPoints, type SweepAxis, type SweepPoint } from './sweep-spec.ts';

export const SWEEP_SCHEMA_VERSION = 1 as const;
export const SWEEP_FILE = 'sweep.json';
export const POINT_FILE = 'point.json';
export const POINTS_DIR = 'points';
const LOCK_FILE = 'sweep.lock';

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

export interface SweepInput {
  options: BenchOptions;
  base: ChainSpec;
  axes: SweepAxis[];
  /** A scenario module to run once more under the same options (its prediction is checked). */
  predict?: string;
  /** Shapes the target but is not in BenchOptions (fog topology file). */
  topology?: string;
}

export type SweepEvent =
  | BenchEvent
  | { type: 'sweep-start'; dir: string; total: number; done: number; resumed: boolean }
  | { type: 'point-start'; id: string; index: number; total: number }
  | { type: 'point-skip'; id: string; index: number; total: number }
  | { type: 'point-end'; id: string; index: number; total: number; seconds: number; runDir: string; interrupted: boolean };

export interface SweepDeps {
  runBench: (options: BenchOptions, deps: { target: Target; systems: Record<string, System>; onEvent: (e: BenchEvent) => void; signal: AbortSignal }) => Promise<BenchOutcome>;
  createTarget: (runId: string) => Promise<Target>;
  systems: Record<string, System>;
  onEvent: (event: SweepEvent) => void;
  signal: AbortSignal;
  /** Called with each point's run folder once it is complete (e.g. to write its report). */
  afterPoint?: (runDir: string) => Promise<void>;
  now?: () => Date;
}

export interface SweepOutcome {
  dir: string;
  manifest: SweepManifest;
  /** Points run now, and points found complete on disk. */
  ran: string[];
  skipped: string[];
  interrupted: boolean;
}

async function readJsonOrNull<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Complete: its point.json has this key, and every profile its manifest lists is on disk. */
async function pointComplete(dir: string, key: string): Promise<boolean> {
  const record = await readJsonOrNull<PointRecord>(path.join(dir, POINT_FILE));
  if (record?.kind !== 'fogbench.sweep-point' || record.key !== key) return false;
  const manifest = await readJsonOrNull<RunManifest>(path.join(dir, 'manifest.json'));
  if (!manifest) return false;
  const files = new Set(await readdir(path.join(dir, 'profiles')).catch(() => [] as string[]));
  const repeat = Number(manifest.options.repeat ?? 1);
  return manifest.profiles.every((p) => files.has(profileFileName(p.system, p.workers, repeat > 1 ? p.repetition : undefined)));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One process per sweep folder at a time: a second resume of the same sweep is refused. */
async function takeLock(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  const held = await readJsonOrNull<{ pid: number }>(file);
  if (held && held.pid !== process.pid && alive(held.pid)) throw usageError(`sweep ${path.basename(dir)} is being run by process ${held.pid}; wait for it or stop it first`);
  await writeFile(file, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }) + '\n');
  return () => rm(file, { force: true });
}

export async function runSweep(input: SweepInput, deps: SweepDeps): Promise<SweepOutcome> {
  const { options } = input;
  const now = deps.now ?? (() => new Date());
  const dir = childPath(options.runsDir, options.runId, 'run id');
  const points = sweepPoints(input.base, input.axes);
  const shared = sharedOptions(options, { topology: input.topology, base: input.base, axes: input.axes });
  const hash = optionsHash(shared);

  const previous = await readJsonOrNull<SweepManifest>(path.join(dir, SWEEP_FILE));
  if (previous && previous.kind !== 'fogbench.sweep') throw usageError(`${dir} holds a ${SWEEP_FILE} that is not a fogbench sweep; pick another --run-id`);
  if (previous && previous.optionsHash !== hash) {
    const differences = optionDifferences(previous.options, shared);
    throw usageError(
      `sweep ${options.runId} was run with other options (${differences.slice(0, 4).join('; ')}${differences.length > 4 ? `; and ${differences.length - 4} more` : ''}): resume it with the same options, or give another --run-id`,
    );
  }
  if (!previous) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    if (entries.length > 0) throw usageError(`${dir} already exists and is not a sweep; give another --run-id`);
  }

  // A point of a hand-written scenario: keyed by its file's content.
  const predict = input.predict ? await loadScenarioSource(input.predict) : null;
  const predictId = predict ? `predict-${predict.scenario.name.replace(/[^A-Za-z0-9_-]/g, '-')}` : null;
  const predictShape = async (): Promise<PointShape> => {
    const bytes = await measureScenarioBytes(predict!.scenario, (await openDataset(options.dataset, { batchSize: options.batchSize })).source, options.config);
    const hopBytes = bytes.steps.reduce((s, step) => s + step.input, 0);
    const workMs = bytes.steps.reduce((s, step) => s + step.cpuMs, 0) / bytes.steps.length;
    return { length: bytes.steps.length, clientBytes: (bytes.request + bytes.response) / 2, hopBytes, payloadBytes: null, workMs, measured: bytes };
  };
  const plan: { id: string; scenario: string; what: Record<string, unknown>; params: Record<string, string>; shape: () => Promise<PointShape> }[] = [
    ...points.map((p: SweepPoint) => ({
      id: p.id,
      scenario: pointScenario(p),
      what: { chain: formatChainSpec(p.spec) },
      params: p.params,
      shape: async () => ({ length: p.spec.length, clientBytes: p.spec.payloadBytes, hopBytes: p.spec.length * p.spec.payloadBytes, payloadBytes: p.spec.payloadBytes, workMs: p.spec.workMs }),
    })),
    ...(predict && predictId
      ? [{ id: predictId, scenario: input.predict!, what: { scenario: predict.description.file, sha256: predict.description.sha256 }, params: {}, shape: predictShape }]
      : []),
  ];

  await mkdir(path.join(dir, POINTS_DIR), { recursive: true });
  const release = await takeLock(dir);
  const stamp = now().toISOString();
  const manifest: SweepManifest = {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    kind: 'fogbench.sweep',
    sweepId: options.runId,
    createdAt: previous?.createdAt ?? stamp,
    updatedAt: stamp,
    axes: input.axes.map((a) => ({ name: a.name, values: a.values.map((v) => formatAxisValue(a.name, v)) })),
    base: formatChainSpec(input.base),
    options: shared,
    optionsHash: hash,
    points: plan.filter((p) => p.id !== predictId).map(({ id, scenario, params }) => ({ id, scenario, params })),
    predict: predictId ? { id: predictId, scenario: input.predict! } : null,
    seconds: previous?.seconds ?? {},
  };
  const writeManifest = () => writeFile(path.join(dir, SWEEP_FILE), JSON.stringify(manifest, null, 2) + '\n');
  await writeManifest();

  const pointsDir = path.join(dir, POINTS_DIR);
  const keys = plan.map((p) => pointKey(p.what, hash));
  const complete = await Promise.all(plan.map((p, i) => pointComplete(childPath(pointsDir, p.id, 'sweep point'), keys[i]!)));
  deps.onEvent({ type: 'sweep-start', dir, total: plan.length, done: complete.filter(Boolean).length, resumed: previous !== null });
  const ran: string[] = [];
  const skipped: string[] = [];
  let interrupted = false;
  // Each point builds under build/<sweep-id>/<point-id>, removed when it ends.
  const buildRoot = childPath(options.buildDir, options.runId, 'run id');
  try {
    for (const [index, point] of plan.entries()) {
      if (deps.signal.aborted) {
        interrupted = true;
        break;
      }
      const pointDir = childPath(pointsDir, point.id, 'sweep point');
      if (complete[index]) {
        skipped.push(point.id);
        deps.onEvent({ type: 'point-skip', id: point.id, index, total: plan.length });
        continue;
      }
      // Whatever an interrupted or crashed attempt left of this point goes: the point runs whole.
      await rm(pointDir, { recursive: true, force: true });
      deps.onEvent({ type: 'point-start', id: point.id, index, total: plan.length });
      const started = Date.now();
      const pointOptions: BenchOptions & { sweep: Record<string, string> } = {
        ...options,
        scenarioFile: point.scenario,
        runsDir: pointsDir,
        runId: point.id,
        buildDir: buildRoot,
        // Recorded in the point's manifest (options), so a point folder alone says what it belongs to.
        sweep: { id: options.runId, point: point.id, key: keys[index]!, optionsHash: hash },
      };
      let outcome: BenchOutcome;
      try {
        outcome = await deps.runBench(pointOptions, { target: await deps.createTarget(`${options.runId}-${point.id}`), systems: deps.systems, onEvent: deps.onEvent, signal: deps.signal });
      } catch (error) {
        if (deps.signal.aborted) {
          interrupted = true;
          break;
        }
        throw error;
      }
      const seconds = (Date.now() - started) / 1000;
      deps.onEvent({ type: 'point-end', id: point.id, index, total: plan.length, seconds, runDir: outcome.runDir, interrupted: outcome.interrupted });
      if (outcome.interrupted) {
        interrupted = true;
        break;
      }
      const record: PointRecord = {
        schemaVersion: SWEEP_SCHEMA_VERSION,
        kind: 'fogbench.sweep-point',
        id: point.id,
        key: keys[index]!,
        optionsHash: hash,
        scenario: point.scenario,
        params: point.params,
        finishedAt: now().toISOString(),
        seconds,
        shape: await point.shape(),
      };
      await deps.afterPoint?.(outcome.runDir);
      // Written last: a point is complete only once everything of it is on disk.
      await writeFile(path.join(pointDir, POINT_FILE), JSON.stringify(record, null, 2) + '\n');
      manifest.seconds = { ...manifest.seconds, [point.id]: Math.round(seconds * 10) / 10 };
      manifest.updatedAt = now().toISOString();
      await writeManifest();
      ran.push(point.id);
    }
  } finally {
    await release();
    await rm(buildRoot, { recursive: true, force: true });
  }
  return { dir, manifest, ran, skipped, interrupted };
}
