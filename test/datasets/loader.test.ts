import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../../datasets/loader.ts';
import { FogbenchError } from '../../harness/errors.ts';
import type { SensorValue } from '../../scenarios/temperature.ts';

const fixture = (name: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/datasets', name);

async function load(file: string): Promise<{ readings: SensorValue[]; summary: Awaited<ReturnType<typeof readDataset>> }> {
  const readings: SensorValue[] = [];
  const summary = await readDataset(file, (sensor, variable, units, timestamp, value) => readings.push({ sensor, variable, units, timestamp, value }));
  return { readings, summary };
}

/** The error readDataset throws for the file; fails the test when it does not throw. */
async function loadError(file: string): Promise<FogbenchError> {
  const error = await readDataset(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `${file} should not load`).toBeInstanceOf(FogbenchError);
  expect((error as FogbenchError).code).toBe('usage');
  return error as FogbenchError;
}

const FIRST_THREE: SensorValue[] = [
  { sensor: 'PER_EMOTE_2604', variable: 'Temperature', units: 'Celsius', timestamp: '2019-02-01 00:00:27', value: 7.4 },
  { sensor: 'PER_EMOTE_2604', variable: 'Humidity', units: '%', timestamp: '2019-02-01 00:00:27', value: 88.2 },
  { sensor: 'PER_EMOTE_2604', variable: 'Temperature', units: 'Celsius', timestamp: '2019-02-01 00:15:27', value: 7.1 },
];

describe('readDataset on Urban Observatory exports', () => {
  it('reads a v1.1 export by column name, hashes the bytes and labels it real', async () => {
    const file = fixture('uo-export.csv');
    const { readings, summary } = await load(file);
    expect(readings.slice(0, 3)).toEqual(FIRST_THREE);
    expect(readings).toHaveLength(5);
    expect(readings[3]).toEqual({ sensor: 'PER_AIRMON_MESH1911150', variable: 'NO2', units: 'ugm -3', timestamp: '2019-02-01 00:16:02', value: 31.55 });
    expect(summary).toMatchObject({
      format: 'uo',
      rows: 5,
      rowsByVariable: { Humidity: 1, NO2: 1, Temperature: 3 },
      synthetic: false,
      sha256: createHash('sha256').update(await readFile(file)).digest('hex'),
    });
  });

  it('gives the same readings whatever the column order, ignoring extra columns', async () => {
    const original = await load(fixture('uo-export.csv'));
    const reordered = await load(fixture('reordered-header.csv'));
    expect(reordered.readings).toEqual(original.readings);
    expect(reordered.summary.format).toBe('uo');
  });

  it('keeps a quoted field with a comma (and a doubled quote) whole', async () => {
    const { readings } = await load(fixture('quoted-comma.csv'));
    expect(readings.map((r) => r.sensor)).toEqual(['USB Room 2.021, east wall', 'Roof "north" mast']);
    expect(readings.map((r) => r.value)).toEqual([7.4, 88.2]);
  });

  it('skips a UTF-8 BOM, which would otherwise hide the first header name', async () => {
    expect((await load(fixture('bom.csv'))).readings).toEqual(FIRST_THREE);
  });

  it('reads CRLF line endings without leaking \\r into the last column or the values', async () => {
    expect((await load(fixture('crlf.csv'))).readings).toEqual(FIRST_THREE);
  });

  it('reads the compact CSV and NDJSON forms', async () => {
    const csv = await load(fixture('compact.csv'));
    expect(csv.readings).toEqual(FIRST_THREE);
    expect(csv.summary.format).toBe('compact');
    const ndjson = await load(fixture('compact.ndjson'));
    expect(ndjson.readings).toEqual(FIRST_THREE);
    expect(ndjson.summary.format).toBe('ndjson');
  });
});

describe('readDataset errors name file, line and column', () => {
  it('rejects an empty file', async () => {
    const file = fixture('empty.csv');
    expect((await loadError(file)).message).toBe(`${file}:1:1: the file is empty; expected a CSV header or NDJSON readings`);
  });

  it('rejects a header-only file', async () => {
    const file = fixture('header-only.csv');
    expect((await loadError(file)).message).toBe(`${file}:1:1: the file has no readings, only a header`);
  });

  it('rejects a truncated last line (too few fields) at its line and first missing column', async () => {
    const file = fixture('truncated-last-line.csv');
    expect((await loadError(file)).message).toBe(
      `${file}:5:6: the row has 5 fields but the header has 13: the line is truncated or a comma is missing`,
    );
  });

  it('rejects a last line without line ending, where a cut-off value would look valid', async () => {
    const file = fixture('truncated-compact.csv');
    expect((await loadError(file)).message).toMatch(new RegExp(`^${escape(file)}:3:1: the last line has no line ending, so the file looks truncated`));
  });

  it('rejects a non-numeric value instead of replaying a wrong one', async () => {
    const file = fixture('non-numeric-value.csv');
    expect((await loadError(file)).message).toMatch(new RegExp(`^${escape(file)}:4:5: non-numeric Value "n/a"`));
  });

  it('rejects an unknown timestamp format rather than guessing day/month order', async () => {
    const file = fixture('unknown-timestamp.csv');
    expect((await loadError(file)).message).toBe(
      `${file}:3:4: unknown timestamp format "01/02/2019 00:00": expected YYYY-MM-DD HH:mm:ss (or ISO 8601 YYYY-MM-DDTHH:mm:ss[.sss][Z|±hh:mm])`,
    );
  });

  it('reports csv-parse errors (an unclosed quote) with the line', async () => {
    const file = fixture('unclosed-quote.csv');
    expect((await loadError(file)).message).toMatch(new RegExp(`^${escape(file)}:3:\\d+: Quote Not Closed`));
  });

  it('rejects a header without the needed columns, a missing file and a directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-loader-'));
    try {
      const file = path.join(dir, 'bad-header.csv');
      await writeFile(file, 'Sensor Name,Variable,Units,When,Value\nA,Temperature,C,2019-02-01 00:00:00,1\n');
      expect((await loadError(file)).message).toMatch(new RegExp(`^${escape(file)}:1:1: no "timestamp" column in the header`));
      expect((await loadError(path.join(dir, 'missing.csv'))).message).toMatch(/cannot read dataset .*missing\.csv: no such file/);
      expect((await loadError(dir)).message).toMatch(/dataset .* is a folder, not a regular file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects impossible dates and bad NDJSON lines with their column', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-loader-'));
    try {
      const csv = path.join(dir, 'feb30.csv');
      await writeFile(csv, 'sensor,variable,units,timestamp,value\nA,Temperature,C,2019-02-30 00:00:00,1\n');
      expect((await loadError(csv)).message).toBe(`${csv}:2:4: timestamp 2019-02-30 00:00:00 is not a real date and time`);
      const ndjson = path.join(dir, 'bad.ndjson');
      await writeFile(ndjson, '{"sensor":"A","variable":"Temperature","units":"C","timestamp":"2019-02-01 00:00:00","value":1}\n{"sensor":"A","variable":"Temperature","units":"C","timestamp":"2019-02-01 00:01:00","value":"12"}\n');
      expect((await loadError(ndjson)).message).toBe(`${ndjson}:2:86: non-numeric "value" "12": every reading must be a number`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('rejects an empty value (which Number() would turn into 0) and a quoted last line without line ending', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-loader-'));
    try {
      const empty = path.join(dir, 'empty-value.csv');
      await writeFile(empty, 'sensor,variable,units,timestamp,value\nA,Temperature,C,2019-02-01 00:00:00,\n');
      expect((await loadError(empty)).message).toMatch(new RegExp(`^${escape(empty)}:2:5: non-numeric value ""`));
      const quoted = path.join(dir, 'quoted-last.csv');
      await writeFile(quoted, 'sensor,variable,units,timestamp,value\nA,Temperature,C,2019-02-01 00:00:00,1\n"Room 1, east",Temperature,C,2019-02-01 00:01:00,2');
      expect((await loadError(quoted)).message).toMatch(new RegExp(`^${escape(quoted)}:3:1: the last line has no line ending`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('readDataset across chunk boundaries', () => {
  it('keeps multi-byte characters and lines that straddle 1 MiB chunks intact', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-loader-'));
    try {
      const file = path.join(dir, 'accents.csv');
      // Odd-length lines of two-byte characters put chunk boundaries inside characters and lines.
      const lines = Array.from({ length: 40_000 }, (_, i) => `Salle Été ${i},Température,°C,2019-02-01 00:00:00,${i % 50}.5\n`);
      await writeFile(file, `sensor,variable,units,timestamp,value\n${lines.join('')}`);
      const { readings, summary } = await load(file);
      expect(summary.bytes).toBeGreaterThan(2 << 20);
      expect(readings).toHaveLength(40_000);
      expect(readings.every((r, i) => r.sensor === `Salle Été ${i}` && r.variable === 'Température' && r.units === '°C' && r.value === (i % 50) + 0.5)).toBe(true);

      // A line longer than two chunks.
      const long = 'S'.repeat(2_500_000);
      await writeFile(file, `sensor,variable,units,timestamp,value\nA,T,C,2019-02-01 00:00:00,1\n${long},T,C,2019-02-01 00:00:00,2\nB,T,C,2019-02-01 00:00:00,3\n`);
      const longLine = await load(file);
      expect(longLine.readings.map((r) => [r.sensor.length, r.value])).toEqual([[1, 1], [2_500_000, 2], [1, 3]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('readDataset switching to csv-parse mid-file', () => {
  it('parses a quote that first appears after the first MiB with the right values and line numbers', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-loader-'));
    try {
      const file = path.join(dir, 'late-quote.csv');
      const plain = Array.from({ length: 30_000 }, (_, i) => `S${i % 7},Temperature,Celsius,2019-02-01 00:00:00,${(i % 300) / 10}\n`);
      const text = `sensor,variable,units,timestamp,value\n${plain.join('')}"Room 1, east",Temperature,Celsius,2019-02-01 00:01:00,21.5\nS1,Temperature,Celsius,2019-02-01 00:02:00,oops\n`;
      expect(text.length).toBeGreaterThan(1 << 20);
      await writeFile(file, text);
      const lineOfBadValue = 30_000 + 3;
      expect((await loadError(file)).message).toMatch(new RegExp(`^${escape(file)}:${lineOfBadValue}:5: non-numeric value "oops"`));

      await writeFile(file, text.replace('oops', '22.5'));
      const { readings, summary } = await load(file);
      expect(summary.rows).toBe(30_002);
      expect(readings[29_999]).toEqual({ sensor: 'S4', variable: 'Temperature', units: 'Celsius', timestamp: '2019-02-01 00:00:00', value: 29.9 });
      expect(readings[30_000]).toEqual({ sensor: 'Room 1, east', variable: 'Temperature', units: 'Celsius', timestamp: '2019-02-01 00:01:00', value: 21.5 });
      expect(readings[30_001]!.value).toBe(22.5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('readDataset on hostile files (issue 13)', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-hostile-dataset-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function secondsToFail(name: string, bytes: number, fill: string | number): Promise<{ seconds: number; message: string }> {
    await writeFile(file(name), Buffer.alloc(bytes, fill));
    const started = performance.now();
    const error = await readDataset(file(name)).then(
      () => undefined,
      (e: unknown) => e,
    );
    await rm(file(name));
    expect(error).toBeInstanceOf(FogbenchError);
    return { seconds: (performance.now() - started) / 1000, message: (error as Error).message };
  }

  // Timing: three tries (a shared VM can stall), each held to the full bound.
  it('reads one long line in linear time: 8x the bytes takes nowhere near 64x the time', { retry: 2, timeout: 120_000 }, async () => {
    const small = await secondsToFail('line-16.csv', 16 * 1024 * 1024, 'a');
    const large = await secondsToFail('line-128.csv', 128 * 1024 * 1024, 'a');
    // Linear is ~8-10x here; copying the pending line per chunk was ~50-60x (9 s for 128 MiB).
    expect(large.seconds / Math.max(small.seconds, 0.02)).toBeLessThan(24);
  });

  it('keeps the message of a file of NUL bytes to one short line', async () => {
    const { message } = await secondsToFail('nul.csv', 16 * 1024 * 1024, 0);
    expect(message).toMatch(/nul\.csv:1:1: no "sensor name" or "sensor" column in the header \(found: "(\\u0000)+"… \(16777216 characters\)\)/);
    expect(message.length).toBeLessThan(1_000);
    expect(message).not.toContain('\n');
  });

  it('counts a file of nothing but newlines, however many', { retry: 2, timeout: 60_000 }, async () => {
    const { seconds, message } = await secondsToFail('newlines.csv', 32 * 1024 * 1024, '\n');
    expect(message).toMatch(/the file is empty/);
    expect(seconds).toBeLessThan(5);
  });
});
