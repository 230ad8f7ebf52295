/**
 * Protocol presets of `bench` (`--preset`): values every flag the user did not give takes. The
 * paper preset is the Dyninka paper's conditions (docs/replication.md cites each): its cluster,
 * hey's semantics, 10-minute windows with no warm-up, and its data path, with the one number the
 * paper leaves open, readings per request, taken from the calibration (`npm run calibrate`).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MONTH, DEFAULT_SEED, ensureGeneratedMonth } from '../../datasets/paths.ts';
import type { BenchOptions } from '../bench/options.ts';
import { usageError } from '../errors.ts';
import { checkInputFile } from '../safe-fs.ts';
import { parseFault, PRESET_FAULTS } from '../faults/spec.ts';
import { calibrationMismatch, readCalibration, CALIBRATION_FILE, type CalibrationRecord, type HostFacts } from '../replication/calibration.ts';

export const PAPER_TOPOLOGY = fileURLToPath(new URL('../../clusters/local/paper.yaml', import.meta.url));

export type PresetValues = Partial<Pick<BenchOptions, 'workers' | 'durationMs' | 'keepAlive' | 'faults' | 'warmupMs' | 'dataPath' | 'dataset' | 'batchSize' | 'timeoutMs' | 'calibration'>> & {
  /** fog: the topology file. */
  topology?: string;
};

/** The paper's protocol (section V): 1, 5, 10 and 50 workers, 10 minutes each, hey with keep-alive off and its 20 s timeout. */
const PAPER_PROTOCOL = { workers: [1, 5, 10, 50], durationMs: 600_000, keepAlive: false, warmupMs: 0, timeoutMs: 20_000, dataPath: 'in-system' } as const;

export const PRESET_NAMES = ['paper', 'quick', 'faults'] as const;

export const PRESET_HELP = `protocol preset: paper = the Dyninka paper's conditions (its 3-node cluster, 1,5,10,50 workers × 10m, no warm-up, keep-alive off, data read inside the system, readings per request from \`npm run calibrate -- --preset paper\`; docs/replication.md); quick = 1,5,10,50 × 10s; faults = 5 workers × 60s with ${PRESET_FAULTS.join(', ')}`;

export interface PresetContext {
  target: string;
  /** Whether the user gave this option (its key) on the command line. */
  fromUser: (key: string) => boolean;
  dataset: string;
  topology: string | undefined;
  batch: number;
  progress: (message: string) => void;
  /** The calibration file to read (default CALIBRATION_FILE). */
  calibrationFile?: string;
}

export async function resolvePreset(name: string | undefined, context: PresetContext): Promise<PresetValues> {
  if (name === undefined) return {};
  if (name === 'quick') return { workers: [1, 5, 10, 50], durationMs: 10_000, keepAlive: false };
  // One 60 s profile per system with a CPU squeeze, a partition and a kill (harness/faults/spec.ts).
  if (name === 'faults') return { workers: [5], durationMs: 60_000, keepAlive: false, faults: PRESET_FAULTS.map((f) => parseFault(f)) };
  if (name === 'paper') return paperPreset(context);
  throw usageError(`unknown preset "${name}" (available: ${PRESET_NAMES.join(', ')})`);
}

/** The paper's month filtered to its temperature readings, and its cluster on fog. */
export async function paperData(context: Pick<PresetContext, 'fromUser' | 'dataset' | 'topology' | 'target' | 'progress'>): Promise<{ dataset: string; topology: string | undefined }> {
  let dataset = context.dataset;
  if (!context.fromUser('dataset')) {
    const month = await ensureGeneratedMonth(DEFAULT_MONTH, DEFAULT_SEED, 'compact', 'temperature');
    if (month.generated) context.progress(`generated the temperature readings of the synthetic month ${DEFAULT_MONTH} (seed ${DEFAULT_SEED}) into ${month.file}`);
    dataset = month.file;
  }
  const topology = context.topology ?? (context.target === 'fog' ? PAPER_TOPOLOGY : undefined);
  return { dataset, topology };
}

async function paperPreset(context: PresetContext): Promise<PresetValues> {
  const { dataset, topology } = await paperData(context);
  const values: PresetValues = { ...PAPER_PROTOCOL, workers: [...PAPER_PROTOCOL.workers], dataset, ...(topology ? { topology } : {}) };
  if (context.fromUser('batch')) return { ...values, batchSize: context.batch, calibration: null };
  const file = context.calibrationFile ?? CALIBRATION_FILE;
  const record = await readCalibration(file);
  if (record === null) {
    throw usageError(`--preset paper needs the readings per request the paper leaves open: run \`npm run calibrate -- --preset paper\` first (it writes ${file}), or give --batch N`);
  }
  const mismatch = calibrationMismatch(record, { host: hostFacts(), topologySha256: await fileSha256(topology ?? PAPER_TOPOLOGY), datasetSha256: await fileSha256(dataset) });
  if (mismatch) throw usageError(`the calibration in ${file} does not hold here (${mismatch}): run \`npm run calibrate -- --preset paper\` again, or give --batch N`);
  return { ...values, batchSize: record.readingsPerRequest, calibration: calibrationSummary(record) };
}

/** What a run's manifest keeps of the calibration it used. */
export function calibrationSummary(record: CalibrationRecord): NonNullable<BenchOptions['calibration']> {
  return {
    readingsPerRequest: record.readingsPerRequest,
    meanLatencyS: record.meanLatencyS,
    target: record.target,
    host: record.host,
    topology: record.topology,
    createdAt: record.createdAt,
    fogbench: record.fogbench,
  };
}

export function hostFacts(): HostFacts {
  return { hostname: os.hostname(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown' };
}

export async function fileSha256(file: string): Promise<string> {
  await checkInputFile(file, 'input file');
  return createHash('sha256').update(await readFile(file)).digest('hex');
}
