import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../../datasets/loader.ts';
import { DEFAULT_BBOX, requestUrls, ResponseMerger } from '../../scripts/fetch-urban-observatory.ts';

const fixture = (name: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/urban-observatory', name);

describe('fetch-urban-observatory: URLs', () => {
  it('asks the v1.1 CSV endpoint for one day and one variable at a time', () => {
    const urls = requestUrls({ month: '2019-02', variables: ['Temperature', 'Wind Speed'], bbox: DEFAULT_BBOX });
    expect(urls).toHaveLength(28 * 2);
    expect(urls[0]!.href).toBe(
      'https://newcastle.urbanobservatory.ac.uk/api/v1.1/sensors/data/csv/?starttime=20190201000000&endtime=20190202000000&data_variable=Temperature&bbox_p1_x=-1.642&bbox_p1_y=54.965&bbox_p2_x=-1.605&bbox_p2_y=54.983',
    );
    expect(urls[1]!.searchParams.get('data_variable')).toBe('Wind Speed');
    expect(urls[1]!.href).toContain('data_variable=Wind+Speed');
    const last = urls.at(-1)!;
    expect([last.searchParams.get('starttime'), last.searchParams.get('endtime')]).toEqual(['20190228000000', '20190301000000']);
  });

  it('ends December at the next year and passes theme, sensor type and base URL through', () => {
    const urls = requestUrls({ month: '2020-12', variables: ['CO2'], theme: 'Air Quality', sensorType: 'Emote', baseUrl: 'http://mirror.example/api/v1.1/' });
    expect(urls).toHaveLength(31);
    expect(urls.at(-1)!.href).toBe(
      'http://mirror.example/api/v1.1/sensors/data/csv/?starttime=20201231000000&endtime=20210101000000&data_variable=CO2&theme=Air+Quality&sensor_type=Emote',
    );
    expect(() => requestUrls({ month: '2020-13', variables: ['CO2'] })).toThrow(/YYYY-MM/);
  });
});

describe('fetch-urban-observatory: saved responses', () => {
  it('merges responses under one header, in time order, dropping and counting non-numeric values', async () => {
    const merger = new ResponseMerger();
    for (const name of ['data-csv-2019-02-01-Temperature.csv', 'data-csv-2019-02-01-Humidity.csv', 'data-csv-2019-02-02-CO2-empty.csv']) {
      merger.add(await readFile(fixture(name), 'utf8'), name);
    }
    expect(merger.dropped).toEqual({ nonNumericValue: 2, badTimestamp: 0 });
    expect(merger.rowCount).toBe(5);
    const text = merger.text()!;
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Sensor Name,Variable,Units,Timestamp,Value,Location \(WKT\),/);
    // The quoted broker name keeps its quotes, so the merged file still has 13 columns.
    expect(lines[1]).toContain(',"Emote, Newcastle",');

    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-fetch-'));
    try {
      const file = path.join(dir, 'urban-observatory-2019-02.csv');
      await writeFile(file, text);
      const readings: string[] = [];
      const summary = await readDataset(file, (sensor, variable, _units, timestamp, value) => readings.push(`${timestamp} ${sensor} ${variable} ${value}`));
      expect(summary).toMatchObject({ format: 'uo', rows: 5, synthetic: false, rowsByVariable: { Humidity: 2, Temperature: 3 } });
      expect(readings).toEqual([
        '2019-02-01 00:00:27 PER_EMOTE_2604 Temperature 7.4',
        '2019-02-01 00:00:27 PER_EMOTE_2604 Humidity 88.2',
        '2019-02-01 00:02:11 PER_EMOTE_1104 Humidity 91.5',
        '2019-02-01 00:15:27 PER_EMOTE_2604 Temperature 7.1',
        '2019-02-01 00:17:11 PER_EMOTE_1104 Temperature 6.9',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses responses whose columns differ, and says when nothing came back', async () => {
    const merger = new ResponseMerger();
    expect(merger.text()).toBeUndefined();
    merger.add(await readFile(fixture('data-csv-2019-02-02-CO2-empty.csv'), 'utf8'), 'empty');
    expect(merger.text()).toBeUndefined();
    merger.add(await readFile(fixture('data-csv-2019-02-01-Temperature.csv'), 'utf8'), 'temperature');
    expect(() => merger.add('Sensor Name,Variable,Units,Timestamp,Value\nA,Temperature,Celsius,2019-02-01 00:00:00,1\n', 'short.csv')).toThrow(
      /short\.csv: the response columns differ/,
    );
  });
});
