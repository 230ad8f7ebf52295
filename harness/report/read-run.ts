/**
 * Reads one run folder (`manifest.json`, and the profiles it names in `profiles/`) into RunData.
 * Tolerant on purpose: a partial or damaged folder still yields a report, with each unreadable
 * file named in `problems` instead of failing the whole run. It reads the files as the gate does
 * (results/run-files.ts): only the profiles the manifest names, each checked against the schema
 * and against its name, so the report and the gate always see the same profiles; a file of
 * `profiles/` it leaves out (a copy, a backup) is named in `problems` too.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { listInside } from '../safe-fs.ts';
import { usageError } from '../errors.ts';
import { looksLikeRun, readRunFiles } from '../results/run-files.ts';
import { assembleRun, type RunData } from './run-data.ts';

export async function readRun(runDir: string): Promise<RunData> {
  const entries = await listInside(runDir, '').catch((cause: unknown) => {
    throw usageError(`cannot read run folder ${runDir}: ${(cause as Error).message}`, cause);
  });
  const { manifest, profiles, problems, ignored } = await readRunFiles(runDir, entries);
  if (!entries.includes('manifest.json')) problems.unshift('manifest.json is missing');
  const why = manifest ? 'not a profile file its manifest names' : 'not named as a profile file (<system>-w<workers>.json)';
  problems.push(...ignored.map((file) => `${file}: ${why}; left out`));
  return assembleRun(manifest?.runId ?? profiles[0]?.runId ?? basename(runDir), manifest, profiles, problems);
}

/** Run folders under a runs root: every subfolder holding a manifest.json or a profiles/ folder. */
export function listRunDirs(runsRoot: string): Promise<string[]> {
  return listFoldersHolding(runsRoot, looksLikeRun);
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
