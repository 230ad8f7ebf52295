/**
 * vitest's global setup: before any test file is imported, builds what the chosen test files
 * need and is still missing (test/helpers/prerequisites.ts), one line per part, so that a test
 * run says what it is waiting for instead of sitting in a test file's import for 15 minutes.
 * A run of test files that need nothing built prints nothing here.
 */
import { relative } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildPart, notBuilt, partsNeeded, ROOT } from './prerequisites.ts';

const say = (line: string) => process.stderr.write(`prerequisites: ${line}\n`);

export default async function setup(project: TestProject): Promise<void> {
  // The files this run will test (vitest's state API, experimental: filled before global setup runs).
  const files = project.vitest.state.getPaths();
  for (const part of partsNeeded(files)) {
    const missing = notBuilt(part);
    if (missing === null) {
      say(`${part.title}: built`);
      continue;
    }
    const pointless = part.pointless?.() ?? null;
    if (pointless !== null) {
      say(`${part.title}: not built, and not built now: ${pointless}`);
      continue;
    }
    const users = files.filter((f) => partsNeeded([f]).includes(part)).map((f) => relative(ROOT, f));
    say(
      `waiting for ${part.title} to build, for ${users.length === 1 ? users[0] : `${users.length} test files`} ` +
        `(bash ${part.script}; once, about ${part.coldMinutes} minutes cold on 2 cores; bash scripts/setup.sh --tests builds it before a test run)`,
    );
    const started = Date.now();
    const code = await buildPart(part, say);
    const seconds = Math.round((Date.now() - started) / 1000);
    if (code === 0) say(`${part.title}: built in ${seconds} s`);
    // Not fatal here: the tests that need it skip, each saying why, and every other test runs.
    else say(`${part.title}: the build failed (exit code ${code}) after ${seconds} s; the tests that need it will skip`);
  }
}
