/**
 * What a report is drawn from: one run folder's manifest and the profiles found in it. Profiles
 * are written as each one ends, so a crashed run has fewer than the manifest lists; the report
 * draws what is there and names what is missing.
 */
import type { ProfileResult, RunManifest } from '../results/schema.ts';

export interface ProfileKey {
  system: string;
  workers: number;
}

export interface RunData {
  runId: string;
  /** From manifest.json, or else from the first profile (each profile embeds it); null if neither. */
  manifest: RunManifest | null;
  /** Sorted by system (manifest order, then name) and workers. */
  profiles: ProfileResult[];
  /** Profiles the manifest lists that have no file (the run stopped early or the file was bad). */
  missing: ProfileKey[];
  /** Files that could not be read, in words a person can act on. */
  problems: string[];
}

/** Systems in a stable order: as the manifest lists them, then any others by name. */
export function systemsOf(run: Pick<RunData, 'manifest' | 'profiles'>): string[] {
  const listed = run.manifest?.systems ?? [];
  const seen = new Set(run.profiles.map((p) => p.system));
  return [...listed.filter((s) => seen.has(s)), ...[...seen].filter((s) => !listed.includes(s)).sort()];
}

export function workersOf(run: Pick<RunData, 'profiles'>): number[] {
  return [...new Set(run.profiles.map((p) => p.workers))].sort((a, b) => a - b);
}

/**
 * A figure over a profile's repeated runs: their mean, leaving out interrupted runs (shorter
 * windows) unless every run was interrupted, and runs without the figure; null without any.
 */
export function meanOverRuns(runs: readonly ProfileResult[], read: (p: ProfileResult) => number | null): number | null {
  const complete = runs.filter((p) => p.interrupted !== true);
  const use = complete.length ? complete : runs;
  const values = use.map(read).filter((v): v is number => v !== null && Number.isFinite(v));
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export function assembleRun(
  runId: string,
  manifest: RunManifest | null,
  profiles: ProfileResult[],
  problems: string[] = [],
): RunData {
  const effective = manifest ?? profiles[0]?.manifest ?? null;
  const order = effective?.systems ?? [];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  const sorted = [...profiles].sort(
    (a, b) => rank(a.system) - rank(b.system) || a.system.localeCompare(b.system) || a.workers - b.workers,
  );
  const have = new Set(sorted.map((p) => `${p.system}/${p.workers}`));
  const missing = (effective?.profiles ?? []).filter((p) => !have.has(`${p.system}/${p.workers}`));
  return { runId, manifest: effective, profiles: sorted, missing, problems };
}
