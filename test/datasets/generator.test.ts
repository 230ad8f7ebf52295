import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/generator.ts';
import { readDataset } from '../../datasets/loader.ts';
import { SAMPLE, SAMPLE_DATASET } from '../../datasets/paths.ts';
import { classifyReading } from '../../datasets/semantics.ts';
import { writeGeneratedDataset } from '../../datasets/write-generated.ts';
import { FogbenchError } from '../../harness/errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-generator-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

describe('generator', () => {
  it('writes byte-identical files for the same seed and different files for different seeds', async () => {
    const options = { month: '2019-02', format: 'uo', from: '2019-02-01 00:00', hours: 24 } as const;
    const a = await writeGeneratedDataset(path.join(dir, 'a.csv'), { ...options, seed: 42 });
    const b = await writeGeneratedDataset(path.join(dir, 'b.csv'), { ...options, seed: 42 });
    const c = await writeGeneratedDataset(path.join(dir, 'c.csv'), { ...options, seed: 43 });
    expect(a.sha256).toBe(await sha256(a.file));
    expect(b.sha256).toBe(a.sha256);
    expect(await sha256(b.file)).toBe(await sha256(a.file));
    expect(c.sha256).not.toBe(a.sha256);
    expect(a.bytes).toBeGreaterThan(1_000_000);
  });

  it('regenerates the committed sample exactly', async () => {
    const again = await writeGeneratedDataset(path.join(dir, 'sample.csv'), SAMPLE);
    expect(again.sha256).toBe(await sha256(SAMPLE_DATASET));
    expect(again.bytes).toBeLessThanOrEqual(1_000_000);
  });

  it('writes a slice whose rows are those of the full month, in every format', async () => {
    const full = [...generateDataset({ month: '2019-02', seed: 7, format: 'compact', from: '2019-02-01 00:00', hours: 3 })].join('').split('\n');
    const slice = [...generateDataset({ month: '2019-02', seed: 7, format: 'compact', from: '2019-02-01 02:00', hours: 1 })].join('').split('\n');
    const inWindow = full.filter((line) => line.includes(',2019-02-01 02:'));
    expect(slice[0]).toBe('sensor,variable,units,timestamp,value');
    expect(slice.slice(1, -1)).toEqual(inWindow);
    expect(inWindow.length).toBeGreaterThan(700);

    // The three formats hold the same readings.
    const read = async (format: 'uo' | 'compact' | 'ndjson') => {
      const file = path.join(dir, `slice.${format}`);
      await writeGeneratedDataset(file, { month: '2019-02', seed: 7, format, from: '2019-02-01 02:00', hours: 1 });
      const rows: string[] = [];
      const summary = await readDataset(file, (...fields) => rows.push(fields.join('|')));
      expect(summary.format).toBe(format);
      expect(summary.synthetic).toBe(true);
      return rows;
    };
    const compact = await read('compact');
    expect(await read('uo')).toEqual(compact);
    expect(await read('ndjson')).toEqual(compact);
  });

  it('has the shape of the paper month: ~550k rows, ~50k temperatures, daily cycles, some suspect readings', () => {
    const byVariable = new Map<string, number>();
    const temperatureByHour = new Array<number>(24).fill(0);
    const temperatureCountByHour = new Array<number>(24).fill(0);
    let rows = 0;
    let kept = 0;
    let dropped = 0;
    let previous = '';
    let ordered = true;
    for (const chunk of generateDataset({ month: '2019-02', seed: 42, format: 'compact' })) {
      for (const line of chunk.split('\n')) {
        if (line === '' || line.startsWith('sensor,')) continue;
        const [sensor, variable, units, timestamp, value] = line.split(',') as [string, string, string, string, string];
        rows++;
        byVariable.set(variable, (byVariable.get(variable) ?? 0) + 1);
        if (timestamp < previous) ordered = false;
        previous = timestamp;
        const verdict = classifyReading(variable, units, Number(value));
        if (verdict.kind === 'temperature') {
          kept++;
          if (sensor.includes('OFFICE')) {
            const hour = Number(timestamp.slice(11, 13));
            temperatureByHour[hour]! += verdict.celsius;
            temperatureCountByHour[hour]!++;
          }
        } else if (verdict.kind === 'dropped') dropped++;
      }
    }
    expect(rows).toBeGreaterThan(520_000);
    expect(rows).toBeLessThan(560_000);
    expect(kept).toBeGreaterThan(47_000);
    expect(kept).toBeLessThan(52_000);
    expect(dropped).toBeGreaterThan(3);
    expect(dropped).toBeLessThan(100);
    expect(ordered).toBe(true);
    expect([...byVariable.keys()].sort()).toEqual(['CO2', 'Humidity', 'Light', 'Occupancy', 'Pressure', 'Room Temperature', 'Sound', 'Temperature', 'Wind Speed']);
    // Offices are heated by day: warmer mid-afternoon than before dawn.
    const mean = (h: number) => temperatureByHour[h]! / temperatureCountByHour[h]!;
    expect(mean(15) - mean(4)).toBeGreaterThan(2);
  }, 60_000);

  it('rejects a bad month or window as a usage error', () => {
    expect(() => [...generateDataset({ month: '2019-13', seed: 1, format: 'uo' })]).toThrow(FogbenchError);
    expect(() => [...generateDataset({ month: '2019-02', seed: 1, format: 'uo', from: '2019-03-01 00:00' })]).toThrow(/inside 2019-02/);
    expect(() => [...generateDataset({ month: '2019-02', seed: 1, format: 'uo', hours: 0 })]).toThrow(/--hours/);
  });
});
