/**
 * Dataset replay: every request body is a JSON array of the next `batchSize` consecutive
 * readings of the dataset, in file order, from one cursor shared by all workers of a profile,
 * wrapping to the first reading after the last.
 *
 * The records are serialised once at load time into one buffer ("rec,rec,rec,"), with the
 * byte offset of each record, so a request body is one slice of it between brackets: no
 * per-request JSON work in the load generator, whose CPU time would otherwise show up as
 * system latency.
 */
import { readDataset } from '../../datasets/loader.ts';
import { displayPath, SAMPLE_DATASET } from '../../datasets/paths.ts';
import { usageError } from '../errors.ts';
import type { DatasetDescription } from '../results/schema.ts';
import type { BodySource } from './body-source.ts';

/**
 * Readings per request. 400 consecutive rows are about 30 minutes of the building's readings
 * (a month holds ~13.4 rows per minute), a plausible upload period for a fog gateway, and
 * hold 32–42 temperature readings — several per room sensor — so the moving average
 * (window 5) has neighbours to average in every request. A body is ~47 KB, below the 100 kB
 * default JSON limit of the official OpenFaaS Node templates, so both systems accept it
 * untuned. docs/dataset.md gives the measured figures.
 */
export const DEFAULT_BATCH_SIZE = 400;

/** The committed synthetic sample (one day of February 2019, seed 42). */
export const DEFAULT_DATASET = SAMPLE_DATASET;

export interface OpenedDataset {
  source: BodySource;
  description: DatasetDescription;
}

export async function openDataset(file: string, options: { batchSize: number }): Promise<OpenedDataset> {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw usageError(`batch size must be a positive whole number, got ${batchSize}`);

  const records = new RecordBuffer();
  const serialiser = new RecordSerialiser();
  const summary = await readDataset(file, (sensor, variable, units, timestamp, value) =>
    records.add(serialiser.serialise(sensor, variable, units, timestamp, value)),
  );
  if (batchSize > summary.rows) {
    throw usageError(`batch size ${batchSize} is larger than the ${summary.rows} readings of ${file}; use --batch ${summary.rows} or less`);
  }
  const { buffer, offsets } = records.finish();
  const description: DatasetDescription = {
    file: displayPath(file),
    sha256: summary.sha256,
    synthetic: summary.synthetic,
    rows: summary.rows,
    rowsByVariable: summary.rowsByVariable,
    batchSize,
  };
  return { source: replaySource(buffer, offsets, summary.rows, description), description };
}

function replaySource(buffer: Buffer, offsets: Float64Array, rows: number, description: DatasetDescription): BodySource {
  const open = Buffer.from('[');
  const close = Buffer.from(']');
  let cursor = 0;
  let batches = 0;
  let wraps = 0;
  return {
    next(): Buffer {
      const start = cursor;
      const end = start + description.batchSize;
      batches++;
      if (end <= rows) {
        cursor = end === rows ? 0 : end;
        if (cursor === 0) wraps++;
        // Up to the comma after the batch's last record, which is dropped.
        return Buffer.concat([open, buffer.subarray(offsets[start]!, offsets[end]! - 1), close]);
      }
      cursor = end - rows;
      wraps++;
      return Buffer.concat([open, buffer.subarray(offsets[start]!, offsets[rows]!), buffer.subarray(0, offsets[cursor]! - 1), close]);
    },
    describe: () => ({ kind: 'dataset', ...description, batchesServed: batches, wraps, nextRow: cursor }),
  };
}

/**
 * Serialises readings as the scenario's SensorValue in compact JSON, with a trailing comma.
 * A month has a few dozen (sensor, variable, units) combinations, so their JSON prefix is
 * built once each; timestamps were validated to hold only digits and "-: T.Z+", which JSON
 * needs no escape for.
 */
class RecordSerialiser {
  private readonly prefixes = new Map<string, Map<string, Map<string, string>>>();

  serialise(sensor: string, variable: string, units: string, timestamp: string, value: number): string {
    let byVariable = this.prefixes.get(sensor);
    if (!byVariable) this.prefixes.set(sensor, (byVariable = new Map()));
    let byUnits = byVariable.get(variable);
    if (!byUnits) byVariable.set(variable, (byUnits = new Map()));
    let prefix = byUnits.get(units);
    if (prefix === undefined) {
      prefix = `{"sensor":${JSON.stringify(sensor)},"variable":${JSON.stringify(variable)},"units":${JSON.stringify(units)},"timestamp":"`;
      byUnits.set(units, prefix);
    }
    return `${prefix}${timestamp}","value":${value}},`;
  }
}

/**
 * Collects serialised records into one buffer, remembering the byte offset where each starts.
 * Records are joined and written 64 KiB of text at a time; when that text is all one-byte
 * characters (the usual case) character offsets are byte offsets and need no measuring.
 */
class RecordBuffer {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private length = 0;
  private offsets = new Float64Array(1 << 14);
  private count = 0;
  private pending: string[] = [];
  private pendingChars = 0;

  add(record: string): void {
    this.pending.push(record);
    this.pendingChars += record.length;
    if (this.pendingChars >= 1 << 16) this.flush();
  }

  /** The records and count+1 offsets (the last one is the end of the buffer). */
  finish(): { buffer: Buffer; offsets: Float64Array } {
    this.flush();
    this.offsets[this.count] = this.length;
    // Copy out so the spare capacity of the growing buffer is released.
    return { buffer: Buffer.from(this.buffer.subarray(0, this.length)), offsets: this.offsets.slice(0, this.count + 1) };
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    const bytes = Buffer.byteLength(text);
    this.reserve(bytes, this.pending.length);
    const oneByte = bytes === text.length;
    let offset = this.length;
    for (const record of this.pending) {
      this.offsets[this.count++] = offset;
      offset += oneByte ? record.length : Buffer.byteLength(record);
    }
    this.length += this.buffer.write(text, this.length);
    this.pending = [];
    this.pendingChars = 0;
  }

  private reserve(bytes: number, records: number): void {
    if (this.length + bytes > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    if (this.count + records + 1 > this.offsets.length) {
      const more = new Float64Array(Math.max(this.offsets.length * 2, this.count + records + 1));
      more.set(this.offsets);
      this.offsets = more;
    }
  }
}
