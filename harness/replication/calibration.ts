/**
 * The one number fitted to the paper: how many readings one request carries (the paper never
 * says). `npm run calibrate -- --preset paper` finds the readings per request at which p2p at 1
 * worker, on the paper's topology, reaches the paper's 0.49 s mean latency (Table III, paper
 * line 788), and writes it here with what it was measured on; `--preset paper` reads it and the
 * manifest records it. Every other figure of a paper run is a prediction.
 *
 * Pure apart from the file's read and write: the record's shape is checked on read (a hand-
 * edited or truncated file is refused with one line), and whether it fits this host is a
 * function of the record and the host's facts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from '../errors.ts';
import { firstProblem, integer, list, nullable, number, object, problemsOf, req, string } from '../results/checks.ts';
import { ensureRealDir, readInside, writeFileReplacing } from '../safe-fs.ts';

export const CALIBRATION_FILE = fileURLToPath(new URL('../../build/calibration/paper.json', import.meta.url));

/** Table III, 1 worker: Dyninka's mean latency (paper line 788). */
export const PAPER_TARGET = { meanLatencyS: 0.49, source: 'Table III, 1 worker (paper line 788)' } as const;

export interface CalibrationStep {
  readings: number;
  /** Bytes one batch of that many readings takes as JSON (the data one request moves). */
  bytes: number;
  meanLatencyS: number;
  requests: number;
  errorRate: number;
  runId: string;
}

export interface HostFacts {
  hostname: string;
  cpus: number;
  cpuModel: string;
}

export interface CalibrationRecord {
  kind: 'fogbench.calibration';
  version: 1;
  preset: 'paper';
  readingsPerRequest: number;
  /** What the chosen size reached, against the target. */
  meanLatencyS: number;
  target: typeof PAPER_TARGET;
  /** Latency within this share of the target ends the search. */
  tolerance: number;
  host: HostFacts;
  topology: { file: string; sha256: string };
  dataset: { file: string; sha256: string };
  fogbench: { version: string; gitSha: string | null };
  createdAt: string;
  steps: CalibrationStep[];
}

/** Written whole or not at all, never through a link planted at its name (harness/safe-fs.ts). */
export async function writeCalibration(record: CalibrationRecord, file = CALIBRATION_FILE): Promise<void> {
  await ensureRealDir(path.dirname(file));
  await writeFileReplacing(file, JSON.stringify(record, null, 2) + '\n');
}

/** The record, or null when there is none; a file that is not one (or a link, a FIFO) is refused. */
export async function readCalibration(file = CALIBRATION_FILE): Promise<CalibrationRecord | null> {
  const bytes = await readInside(path.dirname(file), path.basename(file));
  if (bytes === null) return null;
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw usageError(`${file} is not JSON: run \`npm run calibrate -- --preset paper\` again`);
  }
  const problem = shapeProblem(value);
  if (problem) throw usageError(`${file} is not a fogbench calibration (${problem}): run \`npm run calibrate -- --preset paper\` again`);
  return value as CalibrationRecord;
}

function shapeProblem(value: unknown): string | null {
  const r = value as Partial<CalibrationRecord> | null;
  if (typeof r !== 'object' || r === null || r.kind !== 'fogbench.calibration' || r.version !== 1) return 'not a version 1 record';
  if (!Number.isSafeInteger(r.readingsPerRequest) || r.readingsPerRequest! < 1) return 'readingsPerRequest must be a positive whole number';
  const h = r.host;
  if (typeof h !== 'object' || h === null || typeof h.cpus !== 'number' || typeof h.cpuModel !== 'string' || typeof h.hostname !== 'string') return 'host must give hostname, cpus and cpuModel';
  // The rest goes into every paper run's manifest as it is: all of it is checked, so a hand-
  // edited record cannot put `createdAt: 5` or `fogbench: null` there.
  return firstProblem(problemsOf(RECORD_SHAPE, value));
}

const FILE_FACTS = object({ file: req(string), sha256: req(string) });
const RECORD_SHAPE = object({
  meanLatencyS: req(number(0)),
  target: req(object({ meanLatencyS: req(number(0)), source: req(string) })),
  tolerance: req(number(0, 1)),
  host: req(object({ hostname: req(string), cpus: req(integer(1)), cpuModel: req(string) })),
  topology: req(FILE_FACTS),
  dataset: req(FILE_FACTS),
  fogbench: req(object({ version: req(string), gitSha: req(nullable(string)) })),
  createdAt: req(string),
  steps: req(
    list(object({ readings: req(integer(1)), bytes: req(number(0)), meanLatencyS: req(number(0)), requests: req(integer(0)), errorRate: req(number(0, 1)), runId: req(string) })),
  ),
});

/**
 * Why a calibration does not hold for this run, or null when it does: it was measured on
 * another kind of host (cores or CPU model: the fog sizes quotas by the host's cores, and the
 * work per request is CPU time), or on another topology or dataset.
 */
export function calibrationMismatch(record: CalibrationRecord, now: { host: HostFacts; topologySha256: string; datasetSha256: string }): string | null {
  const why: string[] = [];
  if (record.host.cpus !== now.host.cpus) why.push(`it was measured on ${record.host.cpus} cores, this host has ${now.host.cpus}`);
  if (record.host.cpuModel !== now.host.cpuModel) why.push(`it was measured on a ${record.host.cpuModel}, this host is a ${now.host.cpuModel}`);
  if (record.topology.sha256 !== now.topologySha256) why.push(`its topology ${record.topology.file} has changed`);
  if (record.dataset.sha256 !== now.datasetSha256) why.push(`its dataset ${record.dataset.file} has changed`);
  return why.length ? why.join('; ') : null;
}
