/**
 * The files of a run folder, read by name: `manifest.json` and only the profile files the
 * manifest names, `profiles/<system>-w<workers>[-r<repetition>].json` (schema.ts
 * profileFileName; without a manifest, the files of that pattern). Any other file in `profiles/`
 * (a copy such as `p2p-w1-copy.json`, a backup) is not read and is returned in `ignored`: a
 * stray copy read as a profile was averaged in as if it were a repetition (issue 14, audit
 * item 7: a baseline throughput of 107.33 instead of 213.67). A file read must be valid
 * (validate.ts) and hold the profile its name says.
 *
 * The report's reader (report/read-run.ts) and the gate's (gate/read-gated-run.ts) both read
 * through here, so they see the same profiles; each decides what its problems mean.
 */
import { join } from 'node:path';
import { listInside, parseJsonInside } from '../safe-fs.ts';
import { firstProblem } from './checks.ts';
import { SCHEMA_VERSION, profileFileName, type ProfileResult, type RunManifest } from './schema.ts';
import { manifestProblems, profileProblems } from './validate.ts';

export interface RunFiles {
  /** Null when there is none or it could not be used (then a problem says why, unless absent). */
  manifest: RunManifest | null;
  profiles: ProfileResult[];
  /** One line per file that could not be used, naming it. */
  problems: string[];
  /** Files in `profiles/` that are not profiles of this run by name, left unread. */
  ignored: string[];
}

/** Whether a folder's entries make it a run folder: the report's listRunDirs and the gate look for this. */
export const looksLikeRun = (entries: readonly string[]) => entries.includes('manifest.json') || entries.includes('profiles');

/** The bench's own naming: `<system>-w<workers>.json`, `-r<k>` for a repetition. */
const PROFILE_NAME = /^(.+)-w(\d+)(?:-r(\d+))?\.json$/;

function kindProblem(value: unknown, kind: string, label: string): string | null {
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== kind) return `${label}: not a ${kind.replace('.', ' ')}`;
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version !== SCHEMA_VERSION) return `${label}: schemaVersion ${String(version)} is not ${SCHEMA_VERSION}; regenerate it with this fogbench`;
  return null;
}

const first = (problems: string[], label: string) => {
  const problem = firstProblem(problems);
  return problem === null ? null : `${label}: ${problem}`;
};

/** Reads the run in `dir`, whose entries are `entries`; collects problems rather than throwing. */
export async function readRunFiles(dir: string, entries: readonly string[]): Promise<RunFiles> {
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
  return { manifest, profiles, problems, ignored };
}
