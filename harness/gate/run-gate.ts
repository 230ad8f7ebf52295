/**
 * Reads a run, its baseline and its fixed reference, and evaluates the thresholds on them. The
 * baseline is one run folder, or a folder of run folders (recent nights), whose values are
 * reduced to their median; the reference (the same kinds of folder) is a run kept fixed on
 * purpose, so that a slow decline the rolling baseline follows still fails against it; relative
 * checks take the stricter limit of the two. A baseline or reference the run cannot be compared
 * with (another host size, target, duration, keep-alive, driver...) is refused with the
 * reasons, never judged against.
 */
import { readdir, realpath } from 'node:fs/promises';
import { readInputFile } from '../safe-fs.ts';
import path from 'node:path';
import { usageError } from '../errors.ts';
import { listRunDirs } from '../report/read-run.ts';
import type { RunData } from '../report/run-data.ts';
import { looksLikeRun } from '../results/run-files.ts';
import { readGatedRun, type GatedRun } from './read-gated-run.ts';
import { clientLimitedCounts, evaluate, type Verdict } from './evaluate.ts';
import { incomparable, incomparableManifests, plannedOf, type PlannedRun } from './comparable.ts';
import { needsBaseline, parseThresholds, type Check } from './thresholds.ts';

export async function loadThresholds(file: string): Promise<Check[]> {
  return parseThresholds(await readInputFile(file, 'thresholds file'), file);
}

type Role = 'run' | 'baseline' | 'reference';

/** The folder's entries, or a one-line refusal: a path that does not exist is never ignored. */
async function entriesOf(dir: string, role: Role): Promise<string[]> {
  return readdir(dir).catch((cause: unknown) => {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is a file, not a run folder' : `cannot be read (${code ?? (cause as Error).message})`;
    throw usageError(`the ${role} ${dir} ${why}`, cause);
  });
}

/**
 * A run the gate may judge: every file it reads readable and of the schema's shape, and only the
 * profile files the manifest names (read-gated-run.ts). The report shows a damaged run with what
 * it can; the gate must not pass or fail a build on a file it could only half read (a profile
 * with `errorRate: null` once passed every check), so it refuses instead.
 */
async function readRunForGate(dir: string, role: Role, entries?: string[]): Promise<GatedRun> {
  const run = await readGatedRun(dir, entries ?? (await entriesOf(dir, role)));
  if (run.problems.length > 0) {
    const problems = run.problems;
    throw usageError(`the ${role} ${dir} cannot be gated: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`);
  }
  return run;
}

/** One run folder, or every run folder inside `dir` (a set of recent runs). */
async function readBaselines(dir: string, role: 'baseline' | 'reference' = 'baseline'): Promise<GatedRun[]> {
  const entries = await entriesOf(dir, role);
  if (looksLikeRun(entries)) return [await readRunForGate(dir, role, entries)];
  const dirs = await listRunDirs(dir);
  if (dirs.length === 0) throw usageError(`the ${role} ${dir} is neither a run folder nor a folder of run folders`);
  // Named by folder in messages: that is what a reader finds on disk.
  return Promise.all(dirs.map(async (d) => ({ ...(await readRunForGate(d, role)), runId: path.basename(d) })));
}

/** What a set of baseline runs says about files it left unread. */
const ignoredNotes = (runs: readonly GatedRun[], role: Role) =>
  runs.flatMap((r) => (r.ignored.length ? [`${role} ${r.dir}: ignored ${r.ignored.join(', ')} (not a profile file its manifest names)`] : []));

const systemsOf = (checks: readonly Check[]) => [...new Set(checks.filter((c) => c.bound.kind !== 'absolute').map((c) => c.system))];

/**
 * Keeps the baselines `run` can be compared with. One baseline that cannot be: refused with the
 * reasons. In a set, incomparable runs are left out (and said so); none left: refused.
 */
function comparableBaselines<T extends RunData>(
  runFacts: { planned: PlannedRun; manifest?: RunData['manifest'] },
  baselines: T[],
  checks: readonly Check[],
  where: string,
  role: 'baseline' | 'reference' = 'baseline',
): { kept: T[]; notes: string[] } {
  const systems = systemsOf(checks);
  const reasons = baselines.map((b) => {
    if (!b.manifest) return [`the ${role} has no manifest to compare with`];
    return runFacts.manifest ? incomparableManifests(runFacts.manifest, b.manifest, systems) : incomparable(runFacts.planned, plannedOf(b.manifest), systems);
  });
  const kept = baselines.filter((_, i) => reasons[i]!.length === 0);
  const notes = baselines.flatMap((b, i) => (reasons[i]!.length && baselines.length > 1 ? [`${role} ${b.runId} left out, not comparable: ${reasons[i]!.join('; ')}`] : []));
  if (kept.length === 0) {
    const first = reasons.find((r) => r.length > 0) ?? [];
    throw usageError(
      `${baselines.length > 1 ? `none of the ${baselines.length} ${role} runs in ${where} can` : `the ${role} ${where} cannot`} be compared with this run: ${first.join('; ')}; ` +
        (role === 'reference'
          ? 'a reference is replaced only on purpose: record a new one measured the same way as this run (see docs/regression-gate.md)'
          : 'record a baseline the same way (same host size, target and options) or gate against absolute thresholds'),
    );
  }
  return { kept, notes };
}

/**
 * The profiles relative checks need that the run has (or, before a bench, will have) and that
 * no run of the baseline has complete (an interrupted one is not): "p2p at 1 workers". Each is
 * refused like a system the baseline lacks, before anything is judged; the bench once ran a
 * whole comparison to fail on it at the end (issue 14, audit item 7).
 */
export function lackingProfiles(checks: readonly Check[], runHas: (system: string, workers: number) => boolean, baselines: readonly RunData[]): string[] {
  const lacking = new Set<string>();
  for (const c of checks) {
    if (c.bound.kind === 'absolute' || !runHas(c.system, c.workers)) continue;
    const complete = baselines.some((b) => b.profiles.some((p) => p.system === c.system && p.workers === c.workers && !p.interrupted));
    if (!complete) lacking.add(`${c.system} at ${c.workers} workers`);
  }
  return [...lacking];
}

function refuseLacking(lacking: string[], dir: string, role: 'baseline' | 'reference', runs: number, runWill: string): void {
  if (lacking.length === 0) return;
  const s = lacking.length > 1 ? 's' : '';
  throw usageError(
    `the ${role} ${dir} has no complete profile${s} for ${lacking.join(', ')}${runs > 1 ? ` in any of its ${runs} comparable runs` : ''}, which ${runWill} and a relative check compares with it: ` +
      `record the ${role} with every worker count the relative checks name (the same --workers), or drop those checks`,
  );
}

/**
 * Before a bench runs (with `planned`) and before the gate judges: a --baseline or --reference
 * that is given must be a run folder (or a folder of them) with profiles, even when every check
 * is absolute and none is used: a mistyped path is never ignored. The thresholds need one of
 * them when a check is relative; with `planned`, it must have been measured the way this run will
 * be, and hold every profile a relative check on the planned run needs (`planned.workers`).
 */
export async function checkBaselineReadable(checks: readonly Check[], baselineDir: string | undefined, planned?: PlannedRun, referenceDir?: string): Promise<void> {
  const read: [string, 'baseline' | 'reference', GatedRun[]][] = [];
  for (const [dir, role] of [[baselineDir, 'baseline'], [referenceDir, 'reference']] as const) {
    if (!dir) continue;
    const runs = await readBaselines(dir, role);
    if (runs.every((b) => b.profiles.length === 0)) throw usageError(`the ${role} ${dir} holds no profiles`);
    read.push([dir, role, runs]);
  }
  if (!needsBaseline(checks)) return;
  if (!baselineDir && !referenceDir) throw usageError('the thresholds compare with a baseline: give --baseline <run folder> (or --reference <run folder>)');
  if (!planned) return;
  const will = (system: string, workers: number) => planned.systems.includes(system) && (planned.workers?.includes(workers) ?? false);
  for (const [dir, role, runs] of read) {
    const { kept } = comparableBaselines({ planned }, runs, checks, dir, role);
    refuseLacking(lackingProfiles(checks, will, kept), dir, role, kept.length, 'this run will have');
  }
}

export interface GateSources {
  /** A fixed reference (a run folder or a folder of them): relative checks also hold against it, the stricter limit wins. */
  referenceDir?: string;
}

/**
 * A baseline that is the run itself (the same folder) or a copy of it (the same run id and start
 * time): its relative checks compare the run with itself and pass by construction. Not refused:
 * a nightly run that becomes the reference is gated against itself on purpose
 * (scripts/nightly-baseline.sh), for its absolute checks and its profiles' state; said loudly.
 */
async function selfNotes(runDir: string, run: RunData, baselines: readonly GatedRun[], role: 'baseline' | 'reference'): Promise<string[]> {
  const real = (d: string) => realpath(d).catch(() => path.resolve(d));
  const runReal = await real(runDir);
  const notes: string[] = [];
  for (const b of baselines) {
    const consequence = 'its relative checks compare the run with itself and pass by construction; only the absolute checks, and missing, interrupted, client-limited or empty profiles, can fail';
    if ((await real(b.dir)) === runReal) notes.push(`NOTE: the ${role} ${b.dir} is this run itself: ${consequence}`);
    else if (b.manifest && run.manifest && b.manifest.runId === run.manifest.runId && b.manifest.createdAt === run.manifest.createdAt) {
      notes.push(`NOTE: the ${role} ${b.dir} has this run's id and start time (${run.manifest.runId}, ${run.manifest.createdAt}): a copy of this run? If so, ${consequence}`);
    }
  }
  return notes;
}

export async function runGate(
  runDir: string,
  baselineDir: string | undefined,
  checks: readonly Check[],
  sources: GateSources = {},
): Promise<{ verdicts: Verdict[]; notes: string[] }> {
  const run = await readRunForGate(runDir, 'run');
  const notes: string[] = [];
  if (run.ignored.length) notes.push(`run ${runDir}: ignored ${run.ignored.join(', ')} (not a profile file its manifest names)`);
  const relative = needsBaseline(checks);
  const has = (system: string, workers: number) => run.profiles.some((p) => p.system === system && p.workers === workers);
  const comparableIn = async (dir: string | undefined, role: 'baseline' | 'reference'): Promise<RunData[]> => {
    if (!dir) return [];
    // Read even when no check uses it: a path that does not exist, or is no run, is refused.
    const all = await readBaselines(dir, role);
    if (all.every((b) => b.profiles.length === 0)) throw usageError(`the ${role} ${dir} holds no profiles`);
    if (!relative) {
      notes.push(`the ${role} ${dir} is not used: every check is absolute`);
      return [];
    }
    if (!run.manifest) throw usageError(`the run ${runDir} has no manifest: it cannot be compared with a ${role}`);
    notes.push(...(await selfNotes(runDir, run, all, role)));
    notes.push(...ignoredNotes(all, role));
    const comparable = comparableBaselines({ planned: plannedOf(run.manifest), manifest: run.manifest }, all, checks, dir, role);
    refuseLacking(lackingProfiles(checks, has, comparable.kept), dir, role, comparable.kept.length, 'this run has');
    notes.push(...comparable.notes);
    return comparable.kept;
  };
  const baselines = await comparableIn(baselineDir, 'baseline');
  const references = await comparableIn(sources.referenceDir, 'reference');
  const verdicts = evaluate(
    checks,
    run.profiles,
    baselines.length ? baselines.map((b) => b.profiles) : null,
    references.length ? references.map((b) => b.profiles) : null,
  );
  notes.push(...clientLimitedCounts(run.profiles, baselines.map((b) => b.profiles), references.map((b) => b.profiles)));
  return { verdicts, notes };
}
