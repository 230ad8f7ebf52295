/**
 * Writes synthetic runs as real run folders (manifest.json + profiles/*.json), the layout the
 * bench command writes, so the report code under test reads files exactly as it does in use.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticRun, type SyntheticRunOptions } from '../../harness/report/synthetic-run.ts';
import { profileFileName, type ProfileResult, type RunManifest } from '../../harness/results/schema.ts';

const roots: string[] = [];

export async function tempRoot(prefix = 'fogbench-report-test-'): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  roots.push(root);
  return root;
}

/** Removes every folder tempRoot made; call from afterAll. */
export async function removeTempRoots(): Promise<void> {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

export async function writeRunFolder(
  runsRoot: string,
  options: SyntheticRunOptions,
  keep: (p: ProfileResult) => boolean = () => true,
): Promise<{ dir: string; manifest: RunManifest; profiles: ProfileResult[] }> {
  const { manifest, profiles } = syntheticRun(options);
  const dir = join(runsRoot, options.runId);
  await mkdir(join(dir, 'profiles'), { recursive: true });
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  const kept = profiles.filter(keep);
  for (const p of kept) await writeFile(join(dir, 'profiles', profileFileName(p.system, p.workers)), JSON.stringify(p));
  return { dir, manifest, profiles: kept };
}
