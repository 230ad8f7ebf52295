/**
 * Reads a run folder for the regression gate: `manifest.json` and only the profile files the
 * manifest names, `profiles/<system>-w<workers>[-r<repetition>].json` (schema.ts
 * profileFileName; without a manifest, the files of that pattern). Any other file in
 * `profiles/` (a copy such as `p2p-w1-copy.json`, a backup) is not read and is named in
 * `ignored`: the report's reader takes every `*.json` there, and a stray copy was averaged in
 * as if it were a repetition (issue 14, audit item 7: a baseline throughput of 107.33 instead of
 * 213.67). A file it reads must be valid (validate.ts) and hold the profile its name says.
 *
 * Strict where the report is tolerant: the gate must not pass or fail a build on a file it could
 * only half read, so every problem is collected and the caller refuses the run.
 */
import { listInside, parseJsonInside } from '../safe-fs.ts';
import { basename, join } from 'node:path';
import { SCHEMA_VERSION, profileFileName, type ProfileResult, type RunManifest } from '../results/schema.ts';
import { manifestProblems, profileProblems } from '../results/validate.ts';
import { assembleRun, type RunData } from '../report/run-data.ts';

export interface GatedRun extends RunData {
  /** The folder it was read from. */
  dir: string;
  /** Files in `profiles/` that are not profiles of this run by name, left unread. */
  ignored: string[];
}

/** The bench's own naming: `<system>-w<workers>.json`, `-r<k>` for a repetition. */
const PROFILE_NAME = /^(.+)-w(\d+)(?:-r(\d+))?\.json$/;

function kindProblem(value: unknown, kind: string, label: string): string | null {
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== kind) return `${label}: not a ${kind.replace('.', ' ')}`;
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version !== SCHEMA_VERSION) return `${label}: schemaVersion ${String(version)} is not ${SCHEMA_VERSION}; regenerate it with this fogbench`;
  return null;
}

const first = (problems: string[], label: string) => (problems.length ? `${label}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}` : null);

/** Whether a folder's entries make it a run folder (what `listRunDirs` looks for). */
export const looksLikeRun = (entries: readonly string[]) => entries.includes('manifest.json') || entries.includes('profiles');

/**
 * The run in `dir`, with its problems (unreadable or invalid files, a profile whose content is
 * not what its name says). Throws only when `dir` cannot be listed.
 */
export async function readGatedRun(dir: string, entries: readonly string[]): Promise<GatedRun> {
  const problems: string[] = [];
  let manifest: RunManifest | null = null;
  if (entries.includes('manifest.json')) {
    try {
      const value = await parseJsonInside(dir, 'manifest.json');
      const problem = kindProblem(value, 'fogbench.manifest', 'manifest.json') ?? first(manifestProblems(value), 'manifest.json');
      if (problem) problems.push(problem);
      else manifest = value as RunManifest;
    } catch (error) {
      problems.push(`manifest.json: ${(error as Error).message}`);
    }
  }
  const files = entries.includes('profiles')
    ? (
        await listInside(dir, 'profiles').catch((cause: unknown) => {
          problems.push(`profiles/: ${(cause as Error).message}`);
          return [] as string[];
        })
      ).sort()
    : [];
  // With a manifest: the files it names. A run with repetitions names each `-r<k>`.
  const repeated = manifest ? Number(manifest.options.repeat ?? 1) > 1 || manifest.profiles.some((p) => (p.repetition ?? 1) > 1) : false;
  const nameOf = (p: { system: string; workers: number; repetition?: number }) => profileFileName(p.system, p.workers, repeated ? (p.repetition ?? 1) : undefined);
  const named = manifest ? new Set(manifest.profiles.map(nameOf)) : null;
  const wanted = files.filter((f) => (named ? named.has(f) : PROFILE_NAME.test(f)));
  const ignored = files.filter((f) => !wanted.includes(f)).map((f) => `profiles/${f}`);
  const profiles: ProfileResult[] = [];
  for (const file of wanted) {
    const label = `profiles/${file}`;
    try {
      const value = await parseJsonInside(dir, join('profiles', file));
      const problem = kindProblem(value, 'fogbench.profile', label) ?? first(profileProblems(value), label);
      if (problem) {
        problems.push(problem);
        continue;
      }
      const p = value as ProfileResult;
      // A file renamed or copied over another: its figures would count for a profile they are not.
      const says = named ? [nameOf(p)] : [profileFileName(p.system, p.workers), profileFileName(p.system, p.workers, p.repetition)];
      if (!says.includes(file)) {
        problems.push(`${label} holds the ${p.system} profile at ${p.workers} workers${repeated ? ` (repetition ${p.repetition})` : ''}, which is ${says[0]}, not the profile its name says`);
        continue;
      }
      profiles.push(p);
    } catch (error) {
      problems.push(`${label}: ${(error as Error).message}`);
    }
  }
  if (!manifest && problems.length === 0 && profiles.length === 0) problems.push('no manifest.json and no profile files (profiles/<system>-w<workers>.json): not a run folder');
  const run = assembleRun(manifest?.runId ?? profiles[0]?.runId ?? basename(dir), manifest, profiles, problems);
  return { ...run, dir, ignored };
}
