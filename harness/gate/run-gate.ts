/** Reads a run and its baseline and evaluates the thresholds on them. */
import { readFile } from 'node:fs/promises';
import { usageError } from '../errors.ts';
import { readRun } from '../report/read-run.ts';
import { evaluate, type Verdict } from './evaluate.ts';
import { needsBaseline, parseThresholds, type Check } from './thresholds.ts';

export async function loadThresholds(file: string): Promise<Check[]> {
  const content = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw usageError(`cannot read thresholds file ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, cause);
  });
  return parseThresholds(content, file);
}

export async function checkBaselineReadable(checks: readonly Check[], baselineDir: string | undefined): Promise<void> {
  if (!needsBaseline(checks)) return;
  if (!baselineDir) throw usageError('the thresholds compare with a baseline: give --baseline <run folder>');
  const baseline = await readRun(baselineDir);
  if (baseline.profiles.length === 0) throw usageError(`baseline ${baselineDir} holds no profiles`);
}

export async function runGate(runDir: string, baselineDir: string | undefined, checks: readonly Check[]): Promise<Verdict[]> {
  const run = await readRun(runDir);
  const baseline = baselineDir ? await readRun(baselineDir) : null;
  return evaluate(checks, run.profiles, baseline?.profiles ?? null);
}
