/**
 * Streaming loader for temperature datasets: Urban Observatory v1.1 CSV exports, the compact
 * CSV (sensor,variable,units,timestamp,value) and NDJSON of the same fields. The file is read
 * once, in 1 MiB chunks that are hashed and parsed as they arrive, so a month never sits in
 * memory twice; each reading is handed to a callback and not kept here.
 *
 * Every problem is a usage error naming file, line and column. Rows with a non-numeric value
 * are rejected, not skipped: the replay must not send a reading that is not in the file, and a
 * silently thinner dataset would change the measured workload (the fetch script cleans real
 * exports before they get here).
 *
 * CSV parsing: csv-parse handles the general case (quoted fields, embedded newlines). A quoted
 * field is the only way a CSV field can hold a comma, quote or newline, so while a block of
 * complete lines holds no quote character at all, splitting on newlines and commas gives
 * exactly csv-parse's records, several times faster (the paper's month is 550k rows). The
 * first block that holds a quote hands the rest of the file, from a record boundary, to
 * csv-parse.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parse, type Parser } from 'csv-parse';
import { FogbenchError, usageError } from '../harness/errors.ts';
import { isSyntheticSensor } from './formats.ts';
import { mapHeader, type HeaderMap } from './header.ts';
import { ndjsonReading } from './ndjson.ts';
import { timestampProblem } from './timestamp.ts';
import { boundedMessage, clip, quoted } from './clip.ts';
import { checkInputFile } from '../harness/safe-fs.ts';

/** Receives each reading in file order. */
export type ReadingSink = (sensor: string, variable: string, units: string, timestamp: string, value: number) => void;

export interface DatasetSummary {
  file: string;
  format: 'uo' | 'compact' | 'ndjson';
  sha256: string;
  bytes: number;
  rows: number;
  /** Rows per Variable, keys sorted. */
  rowsByVariable: Record<string, number>;
  /** True when any sensor carries the generator's synthetic prefix. */
  synthetic: boolean;
}

const CHUNK_BYTES = 1 << 20;
const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

export async function readDataset(file: string, onReading: ReadingSink = () => {}): Promise<DatasetSummary> {
  await checkInputFile(file, 'dataset');
  const reader = new DatasetReader(file, onReading);
  const hash = createHash('sha256');
  let bytes = 0;
  let lastByte = -1;
  // Bytes after the last newline of what was read so far, as the chunks they came in: a line
  // is decoded only when whole, and its pieces are joined once then, never once per chunk (a
  // one-line file of 256 MiB used to be copied 256 times over).
  const partial: Buffer[] = [];
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      lastByte = chunk[chunk.length - 1]!;
      let start = 0;
      if (partial.length > 0) {
        // Complete the pending line on its own, rather than copying the whole chunk behind it.
        const firstNewline = chunk.indexOf(0x0a);
        if (firstNewline < 0) {
          partial.push(chunk);
          continue;
        }
        partial.push(chunk.subarray(0, firstNewline + 1));
        await reader.text(decode(Buffer.concat(partial.splice(0))));
        start = firstNewline + 1;
      }
      const lastNewline = chunk.lastIndexOf(0x0a);
      if (lastNewline >= start) await reader.text(decode(chunk.subarray(start, lastNewline + 1)));
      const rest = Math.max(start, lastNewline + 1);
      // A copy, so the pending bytes do not pin the whole chunk.
      if (rest < chunk.length) partial.push(Buffer.from(chunk.subarray(rest)));
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw usageError(`cannot read dataset ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : 'permission denied'}`, error);
    }
    throw error;
  }
  if (partial.length > 0) await reader.text(decode(Buffer.concat(partial.splice(0))));
  await reader.end(lastByte);
  return {
    file,
    format: reader.format(),
    sha256: hash.digest('hex'),
    bytes,
    rows: reader.rows,
    rowsByVariable: Object.fromEntries([...reader.byVariable.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    synthetic: reader.synthetic,
  };
}

/**
 * UTF-8 text of whole lines. A newline byte never occurs inside a multi-byte UTF-8 sequence,
 * so a block cut after a newline holds only whole characters; ASCII blocks (nearly every
 * block of real and generated data) take the cheaper one-byte copy.
 */
function decode(block: Buffer): string {
  return isAscii(block) ? block.toString('latin1') : block.toString('utf8');
}

class DatasetReader {
  rows = 0;
  synthetic = false;
  readonly byVariable = new Map<string, number>();
  private carry = '';
  private started = false;
  private kind: 'csv' | 'ndjson' | undefined;
  private header: HeaderMap | undefined;
  /** Lines consumed so far (1-based number of the last complete line). */
  private line = 0;
  private parser: Parser | undefined;
  private parserError: unknown;
  private readonly fields = ['', '', '', '', ''];

  constructor(
    private readonly file: string,
    private readonly onReading: ReadingSink,
  ) {}

  format(): DatasetSummary['format'] {
    return this.kind === 'ndjson' ? 'ndjson' : (this.header?.flavour ?? 'compact');
  }

  async text(text: string): Promise<void> {
    if (!this.started) {
      if (this.line === 0 && this.carry === '' && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      text = this.carry + text;
      this.carry = '';
      if (text.trim() === '') {
        // Blank lines before the first line that says anything: counted, not kept (a file of
        // nothing but newlines must not grow a string chunk by chunk).
        const lastNewline = text.lastIndexOf('\n');
        for (let i = text.indexOf('\n'); i >= 0 && i <= lastNewline; i = text.indexOf('\n', i + 1)) this.line++;
        this.carry = text.slice(lastNewline + 1);
        return;
      }
      this.started = true;
      this.kind = text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
    }
    if (this.parser) return this.feedParser(text);
    const all = this.carry + text;
    const lastNewline = all.lastIndexOf('\n');
    if (lastNewline < 0) {
      this.carry = all;
      return;
    }
    this.carry = all.slice(lastNewline + 1);
    if (this.kind === 'csv' && all.indexOf('"') >= 0) {
      // From here on csv-parse reads; the quote may be in any line of this block.
      return this.switchToParser(all);
    }
    this.lines(all, lastNewline + 1);
  }

  async end(lastByte: number): Promise<void> {
    if (!this.parser && this.started && this.carry.trim() !== '') {
      // The last line has no line ending; read it anyway so its own problems are reported.
      const last = this.carry;
      this.carry = '';
      if (this.kind === 'csv' && last.includes('"')) await this.switchToParser(last);
      else this.lines(`${last}\n`, last.length + 1);
    }
    if (this.parser) {
      this.parser.end();
      this.parser.resume();
      await finished(this.parser).catch((error: unknown) => this.throwParserError(error));
      if (this.parserError) this.throwParserError(this.parserError);
    }
    if (!this.started) throw usageError(`${this.file}:1:1: the file is empty; expected a CSV header or NDJSON readings`);
    // A file cut off mid-row would otherwise yield a shorter last value without complaint.
    if (lastByte !== 0x0a && lastByte !== 0x0d) {
      throw usageError(
        `${this.file}:${this.line}:1: the last line has no line ending, so the file looks truncated; if it is complete, end it with a newline`,
      );
    }
    if (this.kind === 'csv' && !this.header) throw usageError(`${this.file}:1:1: the file has no header line`);
    if (this.rows === 0) throw usageError(`${this.file}:${this.line}:1: the file has no readings${this.header ? ', only a header' : ''}`);
  }

  /** Complete lines of `text` up to `end` (just after a newline). */
  private lines(text: string, end: number): void {
    let pos = 0;
    while (pos < end) {
      const newline = text.indexOf('\n', pos);
      let lineEnd = newline;
      if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
      this.line++;
      if (lineEnd > pos) {
        if (this.kind === 'ndjson') this.ndjsonLine(text.slice(pos, lineEnd));
        else this.csvLine(text, pos, lineEnd);
      }
      pos = newline + 1;
    }
  }

  private csvLine(text: string, start: number, end: number): void {
    if (!this.header) {
      this.setHeader(text.slice(start, end).split(','));
      return;
    }
    const header = this.header;
    const fields = this.fields;
    const slots = header.slotOfColumn;
    let column = 0;
    let fieldStart = start;
    for (;;) {
      let comma = text.indexOf(',', fieldStart);
      if (comma < 0 || comma > end) comma = end;
      const slot = column < slots.length ? slots[column]! : -1;
      if (slot >= 0) fields[slot] = text.slice(fieldStart, comma);
      column++;
      if (comma === end) break;
      fieldStart = comma + 1;
    }
    this.record(column);
  }

  private setHeader(names: string[]): void {
    const mapped = mapHeader(names);
    if ('problem' in mapped) throw this.error(mapped.column, mapped.problem);
    this.header = mapped;
  }

  /** Validates the fields of the current row (already in this.fields) and emits it. */
  private record(columns: number): void {
    const header = this.header!;
    const f = this.fields;
    const sensor = f[0]!;
    const variable = f[1]!;
    const timestamp = f[3]!;
    const valueText = f[4]!;
    if (columns !== header.names.length) {
      const column = Math.min(columns, header.names.length) + 1;
      throw this.error(
        column,
        columns < header.names.length
          ? `the row has ${columns} fields but the header has ${header.names.length}: the line is truncated or a comma is missing`
          : `the row has ${columns} fields but the header has ${header.names.length}: quote fields that contain commas`,
      );
    }
    if (sensor === '') throw this.error(header.columnOfSlot[0]! + 1, `empty ${clip(header.names[header.columnOfSlot[0]!]!)}`);
    if (variable === '') throw this.error(header.columnOfSlot[1]! + 1, `empty ${clip(header.names[header.columnOfSlot[1]!]!)}`);
    const tsProblem = timestampProblem(timestamp);
    if (tsProblem) throw this.error(header.columnOfSlot[3]! + 1, tsProblem);
    if (!NUMBER.test(valueText)) {
      throw this.error(
        header.columnOfSlot[4]! + 1,
        `non-numeric ${clip(header.names[header.columnOfSlot[4]!]!)} ${quoted(valueText)}: every reading must be a number (remove the row, or re-fetch with scripts/fetch-urban-observatory.ts, which drops such rows)`,
      );
    }
    this.emit(sensor, variable, f[2]!, timestamp, Number(valueText));
  }

  private emit(sensor: string, variable: string, units: string, timestamp: string, value: number): void {
    this.rows++;
    this.byVariable.set(variable, (this.byVariable.get(variable) ?? 0) + 1);
    if (!this.synthetic && isSyntheticSensor(sensor)) this.synthetic = true;
    this.onReading(sensor, variable, units, timestamp, value);
  }

  private ndjsonLine(line: string): void {
    const result = ndjsonReading(line);
    if ('problem' in result) throw this.error(result.column, result.problem);
    const { sensor, variable, units, timestamp, value } = result.reading;
    const tsProblem = timestampProblem(timestamp);
    if (tsProblem) throw this.error(line.indexOf('"timestamp"') + 1, tsProblem);
    this.emit(sensor, variable, units, timestamp, value);
  }

  private error(column: number, problem: string, line = this.line) {
    return usageError(`${this.file}:${line}:${column}: ${boundedMessage(problem)}`);
  }

  private async switchToParser(text: string): Promise<void> {
    const linesBefore = this.line;
    this.parser = parse({
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record: string[], context) => {
        this.line = linesBefore + context.lines;
        if (!this.header) {
          this.setHeader(record);
          return null;
        }
        const slots = this.header.slotOfColumn;
        for (let i = 0; i < record.length && i < slots.length; i++) if (slots[i]! >= 0) this.fields[slots[i]!] = record[i]!;
        this.record(record.length);
        return null;
      },
    });
    this.parser.on('error', (error) => (this.parserError ??= error));
    this.line = linesBefore;
    await this.feedParser(text);
  }

  private async feedParser(text: string): Promise<void> {
    if (text === '') return;
    const parser = this.parser!;
    await new Promise<void>((resolve, reject) => parser.write(text, (error) => (error ? reject(error) : resolve())));
    if (this.parserError) this.throwParserError(this.parserError);
  }

  /** csv-parse's own errors (unclosed quote...) carry the line and field; ours pass through. */
  private throwParserError(error: unknown): never {
    if (error instanceof FogbenchError) throw error;
    const e = error as Error & { code?: string; lines?: number; index?: number };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      const column = typeof e.index === 'number' ? e.index + 1 : 1;
      throw usageError(`${this.file}:${e.lines ?? this.line}:${column}: ${boundedMessage(e.message)}`, error);
    }
    throw error;
  }
}
