/**
 * `--rate` without `--workers` is an open loop with no cap it can reach (issue 14: on 25c3c31 the
 * default worker counts 1,5,10,50 capped it, so at 1 worker --rate was a closed loop with a
 * client-side queue nobody saw). Real CLI process, real services on loopback.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProfileResult, RunManifest } from '../../harness/results/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

describe('fogbench bench --rate', () => {
  it('runs one open-loop profile whose in-flight cap the rate cannot reach, and queues nothing in the client', async () => {
    const runs = await tempDir('fogbench-rate-');
    const rate = 20;
    const { code, stderr } = await runCli([
      'bench', '--rate', String(rate), '--duration', '2s', '--systems', 'p2p', '--target', 'loopback', '--runs-dir', runs, '--run-id', 'ol',
      '--warmup', '0s', '--cooldown', '0s', '--no-report',
    ]);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(runs, 'ol', 'manifest.json'), 'utf8')) as RunManifest;
    const options = manifest.options as { workers: number[]; timeoutMs: number };
    // One profile, with room for every request of a whole timeout in flight at once.
    expect(options.workers).toHaveLength(1);
    expect(options.workers[0]).toBeGreaterThanOrEqual((rate * options.timeoutMs) / 1000);
    const files = await readdir(path.join(runs, 'ol', 'profiles'));
    expect(files).toHaveLength(1);
    const p = JSON.parse(await readFile(path.join(runs, 'ol', 'profiles', files[0]!), 'utf8')) as ProfileResult;
    expect(p.mode).toBe('open');
    expect(p.openLoop!.queued).toBe(0);
    expect(p.requests + p.cutOff + p.openLoop!.dropped).toBe(p.openLoop!.scheduled);
  }, 120_000);
});
