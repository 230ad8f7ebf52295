import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../../datasets/loader.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_DATASET, openDataset } from '../../harness/load/replay.ts';
import { FogbenchError } from '../../harness/errors.ts';
import type { SensorValue } from '../../scenarios/temperature.ts';

const fixture = (name: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/datasets', name);

const parseBody = (body: Buffer) => JSON.parse(body.toString('utf8')) as SensorValue[];

async function allReadings(file: string): Promise<SensorValue[]> {
  const readings: SensorValue[] = [];
  await readDataset(file, (sensor, variable, units, timestamp, value) => readings.push({ sensor, variable, units, timestamp, value }));
  return readings;
}

describe('openDataset', () => {
  it('replays the committed sample in order, batch after batch, and describes it for the manifest', async () => {
    const { source, description } = await openDataset(DEFAULT_DATASET, { batchSize: DEFAULT_BATCH_SIZE });
    const readings = await allReadings(DEFAULT_DATASET);
    expect(description).toEqual({
      file: 'datasets/synthetic-2019-02-04-seed42.csv',
      sha256: createHash('sha256').update(await readFile(DEFAULT_DATASET)).digest('hex'),
      synthetic: true,
      rows: readings.length,
      rowsByVariable: expect.objectContaining({ 'Room Temperature': expect.any(Number), Temperature: expect.any(Number) }),
      batchSize: DEFAULT_BATCH_SIZE,
    });
    expect(Object.values(description.rowsByVariable).reduce((a, b) => a + b, 0)).toBe(readings.length);
    const first = source.next();
    const second = source.next();
    expect(parseBody(first)).toEqual(readings.slice(0, DEFAULT_BATCH_SIZE));
    expect(parseBody(second)).toEqual(readings.slice(DEFAULT_BATCH_SIZE, 2 * DEFAULT_BATCH_SIZE));
    // The default batch stays under the 100 kB JSON limit of the OpenFaaS Node templates.
    expect(first.length).toBeLessThan(100_000);
    expect(source.describe()).toMatchObject({ kind: 'dataset', batchesServed: 2, nextRow: 2 * DEFAULT_BATCH_SIZE, wraps: 0 });
  });

  it('wraps at the end: a batch crossing the end continues from the first reading', async () => {
    const readings = await allReadings(fixture('uo-export.csv'));
    expect(readings).toHaveLength(5);
    const { source, description } = await openDataset(fixture('uo-export.csv'), { batchSize: 2 });
    expect(description.synthetic).toBe(false);
    const bodies = Array.from({ length: 6 }, () => parseBody(source.next()));
    const r = readings;
    expect(bodies).toEqual([
      [r[0], r[1]],
      [r[2], r[3]],
      [r[4], r[0]],
      [r[1], r[2]],
      [r[3], r[4]],
      [r[0], r[1]],
    ]);
    expect(source.describe()).toMatchObject({ batchesServed: 6, wraps: 2, nextRow: 2 });
  });

  it('shares one cursor between concurrent workers: every reading is sent once per lap', async () => {
    const { source, description } = await openDataset(DEFAULT_DATASET, { batchSize: 330 });
    const laps = description.rows / 330;
    expect(Number.isInteger(laps)).toBe(true);
    const seen = new Map<string, number>();
    // Four "workers" interleaved on the event loop, as the load driver's are.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (;;) {
          await new Promise((resolve) => setImmediate(resolve));
          if (seen.size >= description.rows) return;
          for (const r of parseBody(source.next())) {
            const key = `${r.sensor}|${r.variable}|${r.timestamp}`;
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        }
      }),
    );
    expect(seen.size).toBe(description.rows);
  });

  it('keeps non-ASCII text intact across batch boundaries', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-replay-'));
    try {
      const file = path.join(dir, 'units.csv');
      await writeFile(file, 'sensor,variable,units,timestamp,value\nSalle Été,Temperature,°C,2019-02-01 00:00:00,21.5\nB,Temperature,℃,2019-02-01 00:01:00,-3e-1\n');
      const { source } = await openDataset(file, { batchSize: 1 });
      expect(parseBody(source.next())).toEqual([{ sensor: 'Salle Été', variable: 'Temperature', units: '°C', timestamp: '2019-02-01 00:00:00', value: 21.5 }]);
      expect(parseBody(source.next())).toEqual([{ sensor: 'B', variable: 'Temperature', units: '℃', timestamp: '2019-02-01 00:01:00', value: -0.3 }]);
      expect(parseBody(source.next())[0]!.sensor).toBe('Salle Été');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a batch larger than the dataset, a non-positive batch and a broken file', async () => {
    await expect(openDataset(fixture('uo-export.csv'), { batchSize: 6 })).rejects.toThrow(/batch size 6 is larger than the 5 readings/);
    await expect(openDataset(fixture('uo-export.csv'), { batchSize: 0 })).rejects.toThrow(FogbenchError);
    await expect(openDataset(fixture('non-numeric-value.csv'), { batchSize: 1 })).rejects.toThrow(/non-numeric-value\.csv:4:5: non-numeric Value "n\/a"/);
  });
});
