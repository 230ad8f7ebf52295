/**
 * Reads a run folder for the regression gate: `manifest.json` and only the profile files the
 * manifest names (results/run-files.ts, which the report's reader shares); any other file in
 * `profiles/` is named in `ignored`.
 *
 * Strict where the report is tolerant: the gate must not pass or fail a build on a file it could
 * only half read, so every problem is collected and the caller refuses the run.
 */
import { basename } from 'node:path';
import { readRunFiles } from '../results/run-files.ts';
import { assembleRun, type RunData } from '../report/run-data.ts';

export interface GatedRun extends RunData {
  /** The folder it was read from. */
  dir: string;
  /** Files in `profiles/` that are not profiles of this run by name, left unread. */
  ignored: string[];
}

/**
 * The run in `dir`, with its problems (unreadable or invalid files, a profile whose content is
 * not what its name says). Throws only when `dir` cannot be listed.
 */
export async function readGatedRun(dir: string, entries: readonly string[]): Promise<GatedRun> {
  const { manifest, profiles, problems, ignored } = await readRunFiles(dir, entries);
  if (!manifest && problems.length === 0 && profiles.length === 0) problems.push('no manifest.json and no profile files (profiles/<system>-w<workers>.json): not a run folder');
  const run = assembleRun(manifest?.runId ?? profiles[0]?.runId ?? basename(dir), manifest, profiles, problems);
  return { ...run, dir, ignored };
}
