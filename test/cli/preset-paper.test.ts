/**
 * `bench --preset paper` as a user runs it: refused with the command to run when there is no
 * calibration, and with one the run takes the paper's conditions: no warm-up, 20 s client
 * timeout, requests with no body, `get` reading the temperature month from the sensor feed, the
 * calibration recorded in the manifest. (p2p on loopback: the fog layout is tested elsewhere.)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCalibration, PAPER_TARGET } from '../../harness/replication/calibration.ts';
import { fileSha256, hostFacts, PAPER_TOPOLOGY } from '../../harness/cli/presets.ts';
import { cachedMonthPath } from '../../datasets/paths.ts';
import type { ProfileResult, RunManifest } from '../../harness/results/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const TEMPERATURE_MONTH = cachedMonthPath('2019-02', 42, 'compact', 'temperature');
const quick = ['--systems', 'p2p', '--target', 'loopback', '--workers', '1', '--duration', '2s', '--cooldown', '0s', '--no-report'];

describe('bench --preset paper', () => {
  it('is refused, with the command that fixes it, when there is no calibration', async () => {
    const dir = await tempDir('fogbench-paper-');
    const { code, stderr } = await runCli(['bench', '--preset', 'paper', ...quick, '--runs-dir', dir], { FOGBENCH_CALIBRATION: path.join(dir, 'none.json') });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--preset paper needs the readings per request the paper leaves open: run `npm run calibrate -- --preset paper` first/);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('runs the paper conditions with the calibrated readings per request, read by get from the feed', async () => {
    const dir = await tempDir('fogbench-paper-');
    const calibration = path.join(dir, 'paper.json');
    // The temperature month is generated on first use by the preset itself; the first run makes it.
    const first = await runCli(['bench', '--preset', 'paper', '--batch', '300', ...quick, '--runs-dir', dir, '--run-id', 'by-hand']);
    expect(first.code, first.stderr).toBe(0);
    await writeCalibration(
      {
        kind: 'fogbench.calibration',
        version: 1,
        preset: 'paper',
        readingsPerRequest: 250,
        meanLatencyS: 0.49,
        target: PAPER_TARGET,
        tolerance: 0.05,
        host: hostFacts(),
        topology: { file: 'clusters/local/paper.yaml', sha256: await fileSha256(PAPER_TOPOLOGY) },
        dataset: { file: 'x', sha256: await fileSha256(TEMPERATURE_MONTH) },
        fogbench: { version: '0.1.0', gitSha: null },
        createdAt: '2026-12-06T00:00:00.000Z',
        steps: [],
      },
      calibration,
    );
    const { code, stderr } = await runCli(['bench', '--preset', 'paper', ...quick, '--runs-dir', dir, '--run-id', 'calibrated'], { FOGBENCH_CALIBRATION: calibration });
    expect(code, stderr).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(dir, 'calibrated', 'manifest.json'), 'utf8')) as RunManifest;
    expect(manifest.options).toMatchObject({ dataPath: 'in-system', batchSize: 250, warmupMs: 0, timeoutMs: 20_000, keepAlive: false, calibration: { readingsPerRequest: 250, meanLatencyS: 0.49 } });
    expect(manifest.dataset).toMatchObject({ file: 'datasets/cache/synthetic-2019-02-seed42-compact-temperature.csv', rows: 50_861, batchSize: 250, synthetic: true });
    const profile = JSON.parse(await readFile(path.join(dir, 'calibrated', 'profiles', 'p2p-w1.json'), 'utf8')) as ProfileResult;
    expect(profile.ok).toBeGreaterThan(0);
    expect(profile.errorRate).toBe(0);
    // The batch given by hand is recorded as such.
    const byHand = JSON.parse(await readFile(path.join(dir, 'by-hand', 'manifest.json'), 'utf8')) as RunManifest;
    expect(byHand.options).toMatchObject({ batchSize: 300, calibration: null });
  }, 120_000);
});
