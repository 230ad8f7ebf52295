/**
 * Reads one run folder (`manifest.json`, `profiles/*.json`) into RunData. Tolerant on purpose:
 * a partial or damaged folder still yields a report, with each unreadable file named in
 * `problems` instead of failing the whole run. Every file is checked against the schema
 * (validate.ts) as it is read: a badly shaped one is a problem and is left out, so nothing
 * after this reads a field of the wrong type.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { listInside, parseJsonInside } from '../safe-fs.ts';
import { usageError } from '../errors.ts';
import { SCHEMA_VERSION, type ProfileResult, type RunManifest } from '../results/schema.ts';
import { manifestProblems, profileProblems } from '../results/validate.ts';
import { assembleRun, type RunData } from './run-data.ts';

function isKind(value: unknown, kind: string): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind;
}

function versionProblem(value: unknown, file: string): string | null {
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  return version === SCHEMA_VERSION ? null : `${file}: schemaVersion ${String(version)} is not ${SCHEMA_VERSION}; regenerate it with this fogbench`;
}

/** The first problem of a file of the right kind and version, as one line naming the file. */
function shapeProblem(problems: string[], file: string): string | null {
  if (problems.length === 0) return null;
  return `${file}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`;
}

export async function readRun(runDir: string): Promise<RunData> {
  const entries = await listInside(runDir, '').catch((cause: unknown) => {
    throw usageError(`cannot read run folder ${runDir}: ${(cause as Error).message}`, cause);
  });
  const problems: string[] = [];
  let manifest: RunManifest | null = null;
  if (entries.includes('manifest.json')) {
    try {
      const value = await parseJsonInside(runDir, 'manifest.json');
      const problem = isKind(value, 'fogbench.manifest')
        ? (versionProblem(value, 'manifest.json') ?? shapeProblem(manifestProblems(value), 'manifest.json'))
        : 'manifest.json: not a fogbench manifest';
      if (problem) problems.push(problem);
      else manifest = value as RunManifest;
    } catch (error) {
      problems.push(`manifest.json: ${(error as Error).message}`);
    }
  } else {
    problems.push('manifest.json is missing');
  }
  const profiles: ProfileResult[] = [];
  const files = entries.includes('profiles')
    ? (await listInside(runDir, 'profiles').catch((cause: unknown) => {
        problems.push(`profiles/: ${(cause as Error).message}`);
        return [] as string[];
      }))
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  for (const file of files) {
    const label = `profiles/${file}`;
    try {
      const value = await parseJsonInside(runDir, join('profiles', file));
      const problem = isKind(value, 'fogbench.profile')
        ? (versionProblem(value, label) ?? shapeProblem(profileProblems(value), label))
        : `${label}: not a fogbench profile`;
      if (problem) problems.push(problem);
      else profiles.push(value as ProfileResult);
    } catch (error) {
      problems.push(`${label}: ${(error as Error).message}`);
    }
  }
  return assembleRun(manifest?.runId ?? profiles[0]?.runId ?? basename(runDir), manifest, profiles, problems);
}

/** Run folders under a runs root: every subfolder holding a manifest.json or a profiles/ folder. */
export function listRunDirs(runsRoot: string): Promise<string[]> {
  return listFoldersHolding(runsRoot, (inside) => inside.includes('manifest.json') || inside.includes('profiles'));
}

/** The subfolders of a runs root whose entries pass `holds`, by name (run folders, sweep folders). */
export async function listFoldersHolding(runsRoot: string, holds: (entries: string[]) => boolean): Promise<string[]> {
  const entries = await readdir(runsRoot, { withFileTypes: true }).catch((cause: unknown) => {
    throw usageError(`cannot read runs folder ${runsRoot}: ${(cause as Error).message}`, cause);
  });
  const dirs: string[] = [];
  for (const entry of entries) {
    // A link is not followed: a run or sweep folder is a real folder of this runs folder.
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const inside = await readdir(join(runsRoot, entry.name)).catch(() => [] as string[]);
    if (holds(inside)) dirs.push(join(runsRoot, entry.name));
  }
  return dirs.sort();
}
