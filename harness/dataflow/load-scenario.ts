/** Loads a scenario module and checks it is one, with errors a user can act on. */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { usageError } from '../errors.ts';
import { isScenario, type Scenario } from './scenario.ts';

export async function loadScenario(file: string): Promise<Scenario> {
  const absolute = path.resolve(file);
  try {
    await access(absolute);
  } catch {
    throw usageError(`scenario file not found: ${file} (try scenarios/temperature.ts)`);
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
  } catch (cause) {
    throw usageError(`cannot load scenario ${file}: ${(cause as Error).message.split('\n')[0]}`, cause);
  }
  if (!isScenario(mod.default)) {
    throw usageError(`${file} does not export a scenario: its default export must be defineScenario({...})`);
  }
  return mod.default;
}

/** Route names double as Kubernetes DNS names, so they are lower-case with dashes. */
export function serviceNameOf(functionName: string): string {
  return functionName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
