/**
 * Reads a sweep folder (harness/bench/sweep.ts): its sweep.json, and every point's run folder
 * through readRun, so each profile is checked against the schema as a run's are. Only complete
 * points (a point.json of this sweep's options) go into the model; the others are named.
 */
import { join } from 'node:path';
import { POINT_FILE, POINT_SHAPE, POINTS_DIR, SWEEP_FILE, SWEEP_SHAPE, type PointRecord, type SweepManifest } from '../bench/sweep-records.ts';
import { readJsonInside } from '../safe-fs.ts';
import { isChainSpec, parseChainSpec } from '../dataflow/synthetic-chain.ts';
import { usageError } from '../errors.ts';
import type { PointInput } from '../metrics/sweep-analysis.ts';
import { answerPathOf, scenarioBodies, type AnswerPath } from '../metrics/point-transfers.ts';
import type { RunManifest } from '../results/schema.ts';
import { tbfBurstBytes } from '../targets/local/shaping.ts';
import { listFoldersHolding, readRun } from './read-run.ts';
import type { RunData } from './run-data.ts';

export interface SweepPointData extends PointInput {
  params: Record<string, string>;
  record: PointRecord;
  run: RunData;
  /** The point's own report, relative to the sweep folder. */
  href: string;
}

export interface SweepData {
  dir: string;
  manifest: SweepManifest;
  points: SweepPointData[];
  /** The --predict scenario's point, when the sweep has one and it is complete. */
  predict: SweepPointData | null;
  /** Points of the sweep with no complete result yet. */
  pending: string[];
  problems: string[];
}

/** The sweep folders of a runs folder: those holding a sweep.json. */
export function listSweepDirs(runsRoot: string): Promise<string[]> {
  return listFoldersHolding(runsRoot, (inside) => inside.includes(SWEEP_FILE));
}

export async function readSweep(dir: string): Promise<SweepData> {
  // Every file read without following a link, and checked against its shape (sweep-records.ts).
  const manifest = await readJsonInside<SweepManifest>(dir, SWEEP_FILE, SWEEP_SHAPE, 'a fogbench sweep');
  if (manifest === null) throw usageError(`${dir} is not a sweep folder: it has no ${SWEEP_FILE}`);
  const problems: string[] = [];
  const pending: string[] = [];
  const points: SweepPointData[] = [];
  let predict: SweepPointData | null = null;
  const wanted = [...manifest.points.map((p) => p.id), ...(manifest.predict ? [manifest.predict.id] : [])];
  for (const id of wanted) {
    const pointDir = join(dir, POINTS_DIR, id);
    let record: PointRecord | null;
    try {
      record = await readJsonInside<PointRecord>(dir, join(POINTS_DIR, id, POINT_FILE), POINT_SHAPE, 'a sweep point record');
    } catch (error) {
      // Named, and the point left out of the model as not complete.
      problems.push(`${id}: ${(error as Error).message}`);
      record = null;
    }
    if (record === null || record.optionsHash !== manifest.optionsHash) {
      pending.push(id);
      continue;
    }
    const run = await readRun(pointDir);
    problems.push(...run.problems.map((p) => `${id}: ${p}`));
    const point: SweepPointData = {
      id,
      params: record.params,
      record,
      run,
      href: `${POINTS_DIR}/${id}/index.html`,
      profiles: run.profiles,
      ...record.shape,
      ...(record.shape.measured ? { bodies: scenarioBodies(record.shape.measured, record.shape.length) ?? undefined } : {}),
      answers: answerPathsOf(run.manifest),
      bucketBytes: linkBucketOf(run.manifest),
      // Points written before shapes held their work: a chain's is in its spec.
      ...(record.shape.workMs === undefined && isChainSpec(record.scenario) ? { workMs: parseChainSpec(record.scenario).workMs } : {}),
    };
    if (manifest.predict?.id === id) predict = point;
    else points.push(point);
  }
  return { dir, manifest, points, predict, pending, problems };
}

/** How each system of a run answers, as its manifest records it. */
export function answerPathsOf(manifest: RunManifest | null): Record<string, AnswerPath> {
  const out: Record<string, AnswerPath> = {};
  for (const [system, details] of Object.entries(manifest?.systemDetails ?? {})) {
    const answers = answerPathOf(details);
    if (answers !== null) out[system] = answers;
  }
  return out;
}

/**
 * The bucket of the run's shaped links: the smallest its nodes' links record (the fog target's
 * tbf burst; a run recorded before the burst was, from its rate as the fog target sets it), or
 * null when no link is shaped.
 */
export function linkBucketOf(manifest: RunManifest | null): number | null {
  const buckets = (manifest?.target.nodes ?? []).flatMap((node) => {
    const link = node.link as { burstBytes?: unknown; bandwidthMbit?: unknown; shaping?: unknown } | undefined;
    if (typeof link?.burstBytes === 'number' && link.burstBytes > 0) return [link.burstBytes];
    const tbf = typeof link?.shaping === 'string' && link.shaping.includes('tbf');
    return tbf && typeof link.bandwidthMbit === 'number' && link.bandwidthMbit > 0 ? [tbfBurstBytes(link.bandwidthMbit)] : [];
  });
  return buckets.length ? Math.min(...buckets) : null;
}
