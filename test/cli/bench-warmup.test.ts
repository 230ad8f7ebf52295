/**
 * A warm-up by default, shown in the summary and the manifest (issue 14: on 25c3c31 there was
 * none unless asked for, and the CI baseline's w1 profile climbed from 96 to 155 req/s inside
 * its window). Real CLI process, real services on loopback.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProfileResult, RunManifest } from '../../harness/results/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

describe('fogbench bench warm-up', () => {
  it('warms up before each profile when --warmup is not given, and says so in the manifest, the profile and the summary', async () => {
    const runs = await tempDir('fogbench-warmup-');
    const { code, stdout, stderr } = await runCli([
      'bench', '--workers', '2', '--duration', '1s', '--systems', 'p2p', '--target', 'loopback', '--runs-dir', runs, '--run-id', 'wu', '--cooldown', '0s', '--no-report',
    ]);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(runs, 'wu', 'manifest.json'), 'utf8')) as RunManifest;
    expect(manifest.options.warmupMs).toBeGreaterThanOrEqual(1_000);
    const p = JSON.parse(await readFile(path.join(runs, 'wu', 'profiles', 'p2p-w2.json'), 'utf8')) as ProfileResult;
    expect(p.warmup).toMatchObject({ ms: manifest.options.warmupMs });
    expect(p.warmup!.requests).toBeGreaterThan(0);
    expect(stdout).toMatch(/^warm-up: [\d.]+ s of the same load before each profile/m);
  }, 120_000);
});
