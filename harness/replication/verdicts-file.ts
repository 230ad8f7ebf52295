/**
 * `<run>/verdicts.json`: the verdicts of a run (an array of { id, claim, source, status,
 * evidence }), written after the run and again whenever its report is regenerated, so it always
 * holds the current rules' judgement of what the run folder holds.
 */
import path from 'node:path';
import { writeFileReplacing } from '../safe-fs.ts';
import type { Verdict } from './verdicts.ts';

export const VERDICTS_FILE = 'verdicts.json';

export async function writeVerdicts(runDir: string, verdicts: readonly Verdict[]): Promise<string> {
  const file = path.join(runDir, VERDICTS_FILE);
  await writeFileReplacing(file, JSON.stringify(verdicts, null, 2) + '\n');
  return file;
}
