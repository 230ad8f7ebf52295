/**
 * Where datasets live: the committed sample next to this file, and generated months in
 * datasets/cache/ (git-ignored), named by month and seed so a cached month is reused only for
 * the same generator input.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetFormat } from './formats.ts';
import { usageError } from '../harness/errors.ts';
import { pathNameProblem } from '../harness/safe-name.ts';
import { writeGeneratedDataset } from './write-generated.ts';

export const DATASETS_DIR = fileURLToPath(new URL('.', import.meta.url));
export const REPO_ROOT = resolve(DATASETS_DIR, '..');
export const CACHE_DIR = join(DATASETS_DIR, 'cache');

/** The generator input of the committed sample (see docs/dataset.md to regenerate it). */
export const SAMPLE = { month: '2019-02', seed: 42, format: 'compact', from: '2019-02-04 06:00', hours: 18 } as const;
export const SAMPLE_DATASET = join(DATASETS_DIR, 'synthetic-2019-02-04-seed42.csv');

/** The paper's month and the seed every default run uses. */
export const DEFAULT_MONTH = '2019-02';
export const DEFAULT_SEED = 42;

export function cachedMonthPath(month: string, seed: number | string, format: DatasetFormat = 'uo', only?: 'temperature'): string {
  const extension = format === 'ndjson' ? 'ndjson' : 'csv';
  const flavour = format === 'compact' ? '-compact' : '';
  const name = `synthetic-${month}-seed${seed}${flavour}${only ? `-${only}` : ''}.${extension}`;
  // The month and seed are the user's: `--seed ../../../x` once wrote the month outside the checkout.
  const problem = pathNameProblem(name);
  if (problem !== null) {
    throw usageError(`--month ${JSON.stringify(month)} and --seed ${JSON.stringify(String(seed))} cannot name a file in ${displayPath(CACHE_DIR)} (${problem}): use a month such as 2019-02 and a seed of letters, digits, dashes and underscores, or give --out`);
  }
  return join(CACHE_DIR, name);
}

/** The cached generated month, generated first when missing. */
export async function ensureGeneratedMonth(
  month = DEFAULT_MONTH,
  seed: number | string = DEFAULT_SEED,
  format: DatasetFormat = 'uo',
  only?: 'temperature',
): Promise<{ file: string; generated: boolean }> {
  const file = cachedMonthPath(month, seed, format, only);
  if (existsSync(file)) return { file, generated: false };
  await writeGeneratedDataset(file, { month, seed, format, ...(only ? { only } : {}) });
  return { file, generated: true };
}

/** The path to record in manifests: relative to the repository when inside it, so runs on
 * different checkouts compare equal. */
export function displayPath(file: string): string {
  const absolute = resolve(file);
  const inRepo = relative(REPO_ROOT, absolute);
  return inRepo && !inRepo.startsWith('..') && !isAbsolute(inRepo) ? inRepo : absolute;
}
