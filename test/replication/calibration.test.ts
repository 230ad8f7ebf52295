/** The calibration record: written and read back, a broken file refused in one line, and whether it holds on this host. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { calibrationMismatch, PAPER_TARGET, readCalibration, writeCalibration, type CalibrationRecord } from '../../harness/replication/calibration.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const record: CalibrationRecord = {
  kind: 'fogbench.calibration',
  version: 1,
  preset: 'paper',
  readingsPerRequest: 12_000,
  meanLatencyS: 0.5,
  target: PAPER_TARGET,
  tolerance: 0.05,
  host: { hostname: 'h', cpus: 2, cpuModel: 'CPU A' },
  topology: { file: 'clusters/local/paper.yaml', sha256: 'a'.repeat(64) },
  dataset: { file: 'datasets/cache/x.csv', sha256: 'b'.repeat(64) },
  fogbench: { version: '0.1.0', gitSha: null },
  createdAt: '2026-12-06T00:00:00.000Z',
  steps: [],
};

describe('calibration record', () => {
  it('reads back what was written, and null when there is none', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-cal-'));
    dirs.push(dir);
    const file = path.join(dir, 'paper.json');
    expect(await readCalibration(file)).toBeNull();
    await writeCalibration(record, file);
    expect(await readCalibration(file)).toEqual(record);
  });

  it.each([
    ['not JSON', 'not json', /is not JSON: run `npm run calibrate -- --preset paper` again/],
    ['a fractional size', JSON.stringify({ ...record, readingsPerRequest: 1.5 }), /readingsPerRequest must be a positive whole number/],
    ['no host', JSON.stringify({ ...record, host: null }), /host must give hostname, cpus and cpuModel/],
    ['another kind', JSON.stringify({ ...record, kind: 'x' }), /not a version 1 record/],
    // Issue 25's attack, repeated: 1e300 readings became "batch size 1e+300 … use --batch", and
    // these fields went into the run's manifest as they were.
    ['an absurd size', JSON.stringify({ ...record, readingsPerRequest: 1e300 }), /readingsPerRequest must be a positive whole number/],
    ['a number as its date', JSON.stringify({ ...record, createdAt: 5 }), /createdAt is 5, expected a string/],
    ['no fogbench version', JSON.stringify({ ...record, fogbench: null }), /fogbench is null, expected an object/],
    ['a negative latency', JSON.stringify({ ...record, meanLatencyS: -5 }), /meanLatencyS is -5, expected a number ≥ 0/],
    ['a step without figures', JSON.stringify({ ...record, steps: [{ readings: 'x' }] }), /steps\[0\]\.readings is the string "x", expected a whole number ≥ 1/],
  ])('refuses a file that is %s with one line', async (_what, text, message) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-cal-'));
    dirs.push(dir);
    const file = path.join(dir, 'paper.json');
    await writeFile(file, text);
    await expect(readCalibration(file)).rejects.toThrow(message);
  });

  it('holds only on the same kind of host, topology and dataset', () => {
    const same = { host: record.host, topologySha256: record.topology.sha256, datasetSha256: record.dataset.sha256 };
    expect(calibrationMismatch(record, same)).toBeNull();
    expect(calibrationMismatch(record, { ...same, host: { ...record.host, hostname: 'other' } })).toBeNull();
    expect(calibrationMismatch(record, { ...same, host: { ...record.host, cpus: 4 } })).toBe('it was measured on 2 cores, this host has 4');
    expect(calibrationMismatch(record, { ...same, host: { ...record.host, cpuModel: 'CPU B' } })).toBe('it was measured on a CPU A, this host is a CPU B');
    expect(calibrationMismatch(record, { ...same, topologySha256: 'c' })).toBe('its topology clusters/local/paper.yaml has changed');
  });
});
