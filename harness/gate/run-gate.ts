/**
 * Reads a run and its baseline and evaluates the thresholds on them. The baseline is one run
 * folder, or a folder of run folders (recent nights), whose values are reduced to their median.
 * A baseline the run cannot be compared with (another host size, target, duration, keep-alive...)
 * is refused with the reasons, never judged against.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.ts';
import { listRunDirs, readRun } from '../report/read-run.ts';
import type { RunData } from '../report/run-data.ts';
import { clientLimitedCounts, evaluate, type Verdict } from './evaluate.ts';
import { incomparable, incomparableManifests, plannedOf, type PlannedRun } from './comparable.ts';
import { needsBaseline, parseThresholds, type Check } from './thresholds.ts';
import { readFile } from 'node:fs/promises';

export async function loadThresholds(file: string): Promise<Check[]> {
  const content = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw usageError(`cannot read thresholds file ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, cause);
  });
  return parseThresholds(content, file);
}

/**
 * A run the gate may judge: every file readable and of the schema's shape. The report shows a
 * damaged run with what it can; the gate must not pass or fail a build on a file it could only
 * half read (a profile with `errorRate: null` once passed every check), so it refuses instead.
 */
async function readRunForGate(dir: string, role: 'run' | 'baseline'): Promise<RunData> {
  const run = await readRun(dir);
  // A profile the manifest lists but the run never wrote is the evaluation's business (it says
  // which check lacks its profile); a file that is there but unusable is refused here.
  const problems = run.problems.filter((p) => p !== 'manifest.json is missing' || run.profiles.length === 0);
  if (problems.length > 0) {
    throw usageError(`the ${role} ${dir} cannot be gated: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`);
  }
  return run;
}

/** One run folder, or every run folder inside `dir` (a set of recent runs). */
async function readBaselines(dir: string): Promise<RunData[]> {
  const entries = await readdir(dir).catch((cause: unknown) => {
    throw usageError(`cannot read baseline ${dir}: ${(cause as Error).message}`, cause);
  });
  if (entries.includes('manifest.json') || entries.includes('profiles')) return [await readRunForGate(dir, 'baseline')];
  const dirs = await listRunDirs(dir);
  if (dirs.length === 0) throw usageError(`baseline ${dir} is neither a run folder nor a folder of run folders`);
  // Named by folder in messages: that is what a reader finds on disk.
  return Promise.all(dirs.map(async (d) => ({ ...(await readRunForGate(d, 'baseline')), runId: path.basename(d) })));
}

const systemsOf = (checks: readonly Check[]) => [...new Set(checks.filter((c) => c.bound.kind !== 'absolute').map((c) => c.system))];

/**
 * Keeps the baselines `run` can be compared with. One baseline that cannot be: refused with the
 * reasons. In a set, incomparable runs are left out (and said so); none left: refused.
 */
function comparableBaselines(
  runFacts: { planned: PlannedRun; manifest?: RunData['manifest'] },
  baselines: RunData[],
  checks: readonly Check[],
  where: string,
): { kept: RunData[]; notes: string[] } {
  const systems = systemsOf(checks);
  const reasons = baselines.map((b) => {
    if (!b.manifest) return ['the baseline has no manifest to compare with'];
    return runFacts.manifest ? incomparableManifests(runFacts.manifest, b.manifest, systems) : incomparable(runFacts.planned, plannedOf(b.manifest), systems);
  });
  const kept = baselines.filter((_, i) => reasons[i]!.length === 0);
  const notes = baselines.flatMap((b, i) => (reasons[i]!.length && baselines.length > 1 ? [`baseline ${b.runId} left out, not comparable: ${reasons[i]!.join('; ')}`] : []));
  if (kept.length === 0) {
    const first = reasons.find((r) => r.length > 0) ?? [];
    throw usageError(
      `${baselines.length > 1 ? `none of the ${baselines.length} baseline runs in ${where} can` : `the baseline ${where} cannot`} be compared with this run: ${first.join('; ')}; ` +
        'record a baseline the same way (same host size, target and options) or gate against absolute thresholds',
    );
  }
  return { kept, notes };
}

/**
 * Before a bench runs: the thresholds need a baseline, it is readable, and (when `planned` is
 * given) it was measured the way this run will be.
 */
export async function checkBaselineReadable(checks: readonly Check[], baselineDir: string | undefined, planned?: PlannedRun): Promise<void> {
  if (!needsBaseline(checks)) return;
  if (!baselineDir) throw usageError('the thresholds compare with a baseline: give --baseline <run folder>');
  const baselines = await readBaselines(baselineDir);
  if (baselines.every((b) => b.profiles.length === 0)) throw usageError(`baseline ${baselineDir} holds no profiles`);
  if (planned) comparableBaselines({ planned }, baselines, checks, baselineDir);
}

export async function runGate(runDir: string, baselineDir: string | undefined, checks: readonly Check[]): Promise<{ verdicts: Verdict[]; notes: string[] }> {
  const run = await readRunForGate(runDir, 'run');
  let baselines: RunData[] = [];
  const notes: string[] = [];
  if (baselineDir && needsBaseline(checks)) {
    const all = await readBaselines(baselineDir);
    if (!run.manifest) throw usageError(`the run ${runDir} has no manifest: it cannot be compared with a baseline`);
    const comparable = comparableBaselines({ planned: plannedOf(run.manifest), manifest: run.manifest }, all, checks, baselineDir);
    baselines = comparable.kept;
    notes.push(...comparable.notes);
  }
  const verdicts = evaluate(checks, run.profiles, baselines.length ? baselines.map((b) => b.profiles) : null);
  notes.push(...clientLimitedCounts(run.profiles, baselines.map((b) => b.profiles)));
  return { verdicts, notes };
}
