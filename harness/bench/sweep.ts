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
import path from 'node:path';
import { loadScenarioSource } from '../dataflow/compile.ts';
import { measureScenarioBytes } from '../dataflow/scenario-bytes.ts';
import { openDataset } from '../load/replay.ts';
import { formatChainSpec, type ChainSpec } from '../dataflow/synthetic-chain.ts';
import { usageError } from '../errors.ts';
import { checkPathName, childPath } from '../safe-name.ts';
import { profileFileName, type RunManifest } from '../results/schema.ts';
import { MANIFEST_SHAPE } from '../results/validate.ts';
import { claimBuildFolder, describeAbandoned, type BuildFolder } from '../build-folders.ts';
import { listInside, makeDirInside, readJsonInside, removeInside, writeInside } from '../safe-fs.ts';
import { takeSweepLock } from './sweep-lock.ts';
import { POINT_FILE, POINT_SHAPE, POINTS_DIR, SWEEP_FILE, SWEEP_SCHEMA_VERSION, SWEEP_SHAPE, type PointRecord, type PointShape, type SweepManifest } from './sweep-records.ts';
import type { System } from '../systems/system.ts';
import type { Target } from '../targets/target.ts';
import type { BenchEvent, BenchOptions } from './options.ts';
import type { BenchOutcome } from './run-bench.ts';
import { formatAxisValue, optionDifferences, optionsHash, pointKey, pointScenario, sharedOptions, sweepPoints, type SweepAxis, type SweepPoint } from './sweep-spec.ts';

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

/** Complete: its point.json has this key, and every profile its manifest lists is on disk. A point.json or manifest of another shape is no complete point: the point runs again. */
async function pointComplete(runsDir: string, rel: string, key: string): Promise<boolean> {
  const record = await readJsonInside<PointRecord>(runsDir, path.join(rel, POINT_FILE), POINT_SHAPE, 'a sweep point record').catch(() => null);
  if (record?.key !== key) return false;
  const manifest = await readJsonInside<RunManifest>(runsDir, path.join(rel, 'manifest.json'), MANIFEST_SHAPE, 'a run manifest').catch(() => null);
  if (!manifest) return false;
  const files = new Set(await listInside(runsDir, path.join(rel, 'profiles')).catch(() => [] as string[]));
  const repeat = Number(manifest.options.repeat ?? 1);
  return manifest.profiles.every((p) => files.has(profileFileName(p.system, p.workers, repeat > 1 ? p.repetition : undefined)));
}

export async function runSweep(input: SweepInput, deps: SweepDeps): Promise<SweepOutcome> {
  const { options } = input;
  const now = deps.now ?? (() => new Date());
  const dir = childPath(options.runsDir, options.runId, 'run id');
  const points = sweepPoints(input.base, input.axes);
  const shared = sharedOptions(options, { topology: input.topology, base: input.base, axes: input.axes });
  const hash = optionsHash(shared);

  // Everything inside the sweep folder is read and removed without following a link (safe-fs.ts).
  const root = options.runsDir;
  const id = options.runId;
  const previous = await readJsonInside<SweepManifest>(root, path.join(id, SWEEP_FILE), SWEEP_SHAPE, 'a sweep fogbench wrote (remove the folder or give another --run-id)');
  if (previous && previous.optionsHash !== hash) {
    const differences = optionDifferences(previous.options, shared);
    throw usageError(
      `sweep ${options.runId} was run with other options (${differences.slice(0, 4).join('; ')}${differences.length > 4 ? `; and ${differences.length - 4} more` : ''}): resume it with the same options, or give another --run-id`,
    );
  }
  if (!previous && (await listInside(root, id)).length > 0) throw usageError(`${dir} already exists and is not a sweep; give another --run-id`);

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

  await makeDirInside(root, path.join(id, POINTS_DIR));
  const release = await takeSweepLock(root, id);
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
  const writeManifest = () => writeInside(root, path.join(id, SWEEP_FILE), JSON.stringify(manifest, null, 2) + '\n');
  const pointsDir = path.join(dir, POINTS_DIR);
  const pointRel = (pointId: string) => path.join(id, POINTS_DIR, checkPathName('sweep point', pointId));
  const keys = plan.map((p) => pointKey(p.what, hash));
  const ran: string[] = [];
  const skipped: string[] = [];
  let interrupted = false;
  let build: BuildFolder | null = null;
  try {
    await writeManifest();
    const complete = await Promise.all(plan.map((p, i) => pointComplete(root, pointRel(p.id), keys[i]!)));
    deps.onEvent({ type: 'sweep-start', dir, total: plan.length, done: complete.filter(Boolean).length, resumed: previous !== null });
    // Each point builds under build/<sweep-id>/<point-id>, removed when it ends; the sweep's own
    // folder goes when the sweep ends (build-folders.ts).
    build = await claimBuildFolder(options.buildDir, id);
    for (const line of describeAbandoned(build.removed)) deps.onEvent({ type: 'phase', message: line });
    for (const [index, point] of plan.entries()) {
      if (deps.signal.aborted) {
        interrupted = true;
        break;
      }
      if (complete[index]) {
        skipped.push(point.id);
        deps.onEvent({ type: 'point-skip', id: point.id, index, total: plan.length });
        continue;
      }
      // Whatever an interrupted or crashed attempt left of this point goes: the point runs whole.
      await removeInside(root, pointRel(point.id));
      deps.onEvent({ type: 'point-start', id: point.id, index, total: plan.length });
      const started = Date.now();
      const pointOptions: BenchOptions & { sweep: Record<string, string> } = {
        ...options,
        scenarioFile: point.scenario,
        runsDir: pointsDir,
        runId: point.id,
        buildDir: build.dir,
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
      // A point whose run failed part-way is not complete: the failure ends the sweep, and a
      // resume runs the point again whole.
      if (outcome.failure) throw outcome.failure;
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
      await writeInside(root, path.join(pointRel(point.id), POINT_FILE), JSON.stringify(record, null, 2) + '\n');
      manifest.seconds = { ...manifest.seconds, [point.id]: Math.round(seconds * 10) / 10 };
      manifest.updatedAt = now().toISOString();
      await writeManifest();
      ran.push(point.id);
    }
  } finally {
    await release();
    await build?.release();
  }
  return { dir, manifest, ran, skipped, interrupted };
}
