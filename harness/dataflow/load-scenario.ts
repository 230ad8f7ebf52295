/**
 * Loads a scenario module and checks it is one, with errors a user can act on. The module is
 * bundled with esbuild and the bundle imported, so a scenario loads the same whether fogbench
 * runs from TypeScript sources (tests, tsx) or from its bundled plain-JavaScript CLI, which has
 * no TypeScript loader. Anything the module throws while loading is the scenario's problem
 * (a usage error naming the file), whatever it throws: `throw null` included.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { usageError } from '../errors.ts';
import { isScenario, serviceNameCollision, serviceNameOf, type Scenario } from './scenario.ts';
import { checkInputFile } from '../safe-fs.ts';

export { serviceNameOf };

/** One line describing any thrown value. */
function describeThrown(cause: unknown): string {
  if (cause instanceof Error) {
    const errors = (cause as { errors?: { text?: string; location?: { line?: number; column?: number } | null }[] }).errors;
    // esbuild's own errors: the first with its place in the file.
    if (Array.isArray(errors) && errors[0]?.text) {
      const at = errors[0].location ? `${errors[0].location.line}:${errors[0].location.column}: ` : '';
      return `${at}${errors[0].text}`;
    }
    return (cause.message || cause.name).split('\n')[0]!;
  }
  let text: string;
  try {
    text = typeof cause === 'string' ? JSON.stringify(cause) : String(cause);
  } catch {
    text = Object.prototype.toString.call(cause);
  }
  return `it threw ${text.length > 200 ? `${text.slice(0, 200)}…` : text} rather than an Error`;
}

/** Bundles the module to a temporary plain-JavaScript file and imports that. */
async function importBundled(absolute: string): Promise<{ default?: unknown }> {
  // Imported by name at run time: scenario bundles and function bundles import this module
  // (for serviceNameOf) and must not pull the bundler into themselves.
  const esbuildName = 'esbuild';
  const esbuild = (await import(esbuildName)) as typeof import('esbuild');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-scenario-'));
  try {
    const outfile = path.join(dir, 'scenario.mjs');
    await esbuild.build({
      entryPoints: [absolute],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      packages: 'external',
      logLevel: 'silent',
      banner: { js: "import { createRequire as __fbRequire } from 'node:module'; const require = __fbRequire(import.meta.url);" },
    });
    return (await import(pathToFileURL(outfile).href)) as { default?: unknown };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function loadScenario(file: string): Promise<Scenario> {
  const absolute = path.resolve(file);
  try {
    await access(absolute);
  } catch {
    throw usageError(`scenario file not found: ${file} (try scenarios/temperature.ts)`);
  }
  await checkInputFile(absolute, 'scenario');
  let mod: { default?: unknown };
  try {
    mod = await importBundled(absolute);
  } catch (cause) {
    throw usageError(`cannot load scenario ${file}: ${describeThrown(cause)}`, cause);
  }
  if (!isScenario(mod.default)) {
    throw usageError(`${file} does not export a scenario: its default export must be defineScenario({...})`);
  }
  const collision = serviceNameCollision(mod.default.functions.map((f) => f.name));
  if (collision) throw usageError(`scenario ${file}: ${collision}`);
  return mod.default;
}
