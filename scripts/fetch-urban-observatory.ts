#!/usr/bin/env -S npx tsx
/**
 * Downloads a real month of Newcastle Urban Observatory readings into one CSV the harness
 * replays (for machines with internet access; the harness never needs it):
 *
 *   npx tsx scripts/fetch-urban-observatory.ts --month 2019-02 [--variable Temperature ...]
 *       [--bbox lon1,lat1,lon2,lat2] [--theme T] [--sensor-type T] [--out FILE]
 *
 * Endpoint: the Urban Observatory API v1.1 raw-data CSV export,
 *   https://newcastle.urbanobservatory.ac.uk/api/v1.1/sensors/data/csv/
 *     ?starttime=YYYYMMDDhhmmss&endtime=YYYYMMDDhhmmss&data_variable=...
 * asked one day and one variable at a time so that no single response is huge.
 *
 * Licence: Urban Observatory data are published under CC BY 4.0. Credit
 * "Urban Observatory, Newcastle University" wherever results computed from them are shown.
 *
 * The responses are merged under one header, sorted by timestamp (the replay sends readings
 * in file order, so a batch mixes all variables of the same half hour, as a building gateway
 * would), and cleaned: rows whose Value is not a number or whose Timestamp is not
 * YYYY-MM-DD HH:mm:ss are dropped and counted, because the loader rejects them.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { csvField } from '../datasets/formats.ts';
import { mapHeader } from '../datasets/header.ts';
import { parseMonth } from '../datasets/generator.ts';
import { timestampProblem } from '../datasets/timestamp.ts';

export const API_BASE = 'https://newcastle.urbanobservatory.ac.uk/api/v1.1';
export const LICENCE = 'Urban Observatory, Newcastle University — data under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)';

/** Variables of building and weather sensors in the v1.1 API; change with --variable. */
export const DEFAULT_VARIABLES = ['Temperature', 'Humidity', 'CO2', 'Pressure', 'Sound', 'Light'];
/** Newcastle Helix and the city centre around it (lon/lat corners); change with --bbox. */
export const DEFAULT_BBOX = [-1.6420, 54.9650, -1.6050, 54.9830] as const;

export interface FetchOptions {
  month: string;
  variables: string[];
  bbox?: readonly [number, number, number, number];
  theme?: string;
  sensorType?: string;
  baseUrl?: string;
}

/** One request per day of the month and variable, in that order. */
export function requestUrls(options: FetchOptions): URL[] {
  const { year, month, days } = parseMonth(options.month);
  const stamp = (day: number) => `${year}${two(month)}${two(day)}000000`;
  const urls: URL[] = [];
  for (let day = 1; day <= days; day++) {
    // The end of the last day is midnight of the next month's first day.
    const end = day < days ? stamp(day + 1) : month === 12 ? `${year + 1}0101000000` : `${year}${two(month + 1)}01000000`;
    for (const variable of options.variables) {
      const url = new URL(`${(options.baseUrl ?? API_BASE).replace(/\/$/, '')}/sensors/data/csv/`);
      url.searchParams.set('starttime', stamp(day));
      url.searchParams.set('endtime', end);
      url.searchParams.set('data_variable', variable);
      if (options.theme) url.searchParams.set('theme', options.theme);
      if (options.sensorType) url.searchParams.set('sensor_type', options.sensorType);
      if (options.bbox) {
        const [x1, y1, x2, y2] = options.bbox;
        url.searchParams.set('bbox_p1_x', String(x1));
        url.searchParams.set('bbox_p1_y', String(y1));
        url.searchParams.set('bbox_p2_x', String(x2));
        url.searchParams.set('bbox_p2_y', String(y2));
      }
      urls.push(url);
    }
  }
  return urls;
}

/** Merges CSV responses into one cleaned, time-ordered CSV. */
export class ResponseMerger {
  private header: string[] | undefined;
  private readonly rows: { timestamp: string; line: string; order: number }[] = [];
  readonly dropped = { nonNumericValue: 0, badTimestamp: 0 };

  /** Adds one response body; `source` names it in errors. */
  add(body: string, source: string): void {
    if (body.trim() === '') return;
    const records = parse(body, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
    const [header, ...rows] = records;
    if (!header) return;
    const mapped = mapHeader(header);
    if ('problem' in mapped) throw new Error(`${source}: unexpected response header: ${mapped.problem}`);
    if (!this.header) this.header = header;
    else if (header.join('\u0000') !== this.header.join('\u0000')) {
      throw new Error(`${source}: the response columns differ from the first response's (${header.join(', ')})`);
    }
    const timestampColumn = mapped.columnOfSlot[3]!;
    const valueColumn = mapped.columnOfSlot[4]!;
    for (const row of rows) {
      const timestamp = row[timestampColumn]!;
      if (!/^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(row[valueColumn]!)) {
        this.dropped.nonNumericValue++;
        continue;
      }
      if (timestampProblem(timestamp) !== undefined) {
        this.dropped.badTimestamp++;
        continue;
      }
      this.rows.push({ timestamp, line: row.map(csvField).join(','), order: this.rows.length });
    }
  }

  get rowCount(): number {
    return this.rows.length;
  }

  /** The merged file's text; undefined when no response held a row. */
  text(): string | undefined {
    if (!this.header || this.rows.length === 0) return undefined;
    this.rows.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.order - b.order));
    return `${this.header.map(csvField).join(',')}\n${this.rows.map((r) => r.line).join('\n')}\n`;
  }
}

async function download(url: URL, attempts = 3): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(180_000), headers: { 'user-agent': 'fogbench fetch-urban-observatory' } });
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      return await response.text();
    } catch (error) {
      if (attempt >= attempts) throw new Error(`GET ${url.href} failed after ${attempts} attempts: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 5_000 * attempt));
    }
  }
}

function parseArgs(argv: string[]): FetchOptions & { out: string } {
  const options: FetchOptions & { out?: string } = { month: '', variables: [], bbox: DEFAULT_BBOX };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--month') options.month = value();
    else if (flag === '--variable') options.variables.push(value());
    else if (flag === '--theme') options.theme = value();
    else if (flag === '--sensor-type') options.sensorType = value();
    else if (flag === '--base-url') options.baseUrl = value();
    else if (flag === '--out') options.out = value();
    else if (flag === '--no-bbox') delete options.bbox;
    else if (flag === '--bbox') {
      const corners = value().split(',').map(Number);
      if (corners.length !== 4 || corners.some((n) => !Number.isFinite(n))) throw new Error('--bbox takes lon1,lat1,lon2,lat2');
      options.bbox = corners as [number, number, number, number];
    } else throw new Error(`unknown option ${flag} (see the comment at the top of scripts/fetch-urban-observatory.ts)`);
  }
  if (!options.month) throw new Error('--month YYYY-MM is required');
  if (options.variables.length === 0) options.variables = [...DEFAULT_VARIABLES];
  return { ...options, out: options.out ?? `datasets/cache/urban-observatory-${options.month}.csv` };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const urls = requestUrls(options);
  const merger = new ResponseMerger();
  process.stderr.write(`fetching ${urls.length} responses from ${options.baseUrl ?? API_BASE}\n${LICENCE}\n`);
  for (const [i, url] of urls.entries()) {
    merger.add(await download(url), url.href);
    process.stderr.write(`\r${i + 1}/${urls.length} responses, ${merger.rowCount} rows`);
  }
  process.stderr.write('\n');
  const text = merger.text();
  if (text === undefined) throw new Error('the API returned no readings for these options; try other --variable or --bbox values');
  await writeFile(options.out, text);
  const { nonNumericValue, badTimestamp } = merger.dropped;
  process.stdout.write(
    `wrote ${options.out}: ${merger.rowCount} rows (dropped ${nonNumericValue} with a non-numeric value, ${badTimestamp} with a bad timestamp)\n` +
      `credit: ${LICENCE}\nnext: npm run dataset -- stats ${options.out}\n`,
  );
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`fetch-urban-observatory: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
