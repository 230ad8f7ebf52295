/**
 * Puts a freshly built binary in its cache place without a moment where a half-written file
 * is visible there: go writes into a private temporary folder, then one rename moves the
 * finished file into place. Two callers racing (parallel test files) both build and the last
 * rename wins with an identical binary; neither ever runs a partial one.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Returns `target` once it exists, running `build(folder)` first when it does not: build
 * must leave a file called basename(target) in the temporary folder it is given.
 */
export async function installInto(target: string, build: (temporaryFolder: string) => Promise<void>): Promise<string> {
  if (existsSync(target)) return target;
  const folder = dirname(target);
  mkdirSync(dirname(folder), { recursive: true });
  const temporary = mkdtempSync(join(dirname(folder), `.${basename(folder)}.tmp-`));
  try {
    await build(temporary);
    mkdirSync(folder, { recursive: true });
    renameSync(join(temporary, basename(target)), target);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  return target;
}
