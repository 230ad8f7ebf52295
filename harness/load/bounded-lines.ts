/**
 * Lines of a child's output with a bound on each: readline gathers a whole line in one string,
 * so one 600 MB line without a newline crashed the load agent (a string that long cannot be made).
 * Here a line longer than `maxBytes` is not gathered: `onLong` is told once, and its bytes are
 * skipped up to the next newline.
 */
import type { Readable } from 'node:stream';

export function readBoundedLines(stream: Readable, maxBytes: number, onLine: (line: Buffer) => void, onLong: () => void): void {
  let pending: Buffer[] = [];
  let size = 0;
  let skipping = false;
  const take = (part: Buffer) => {
    if (skipping) return;
    if (size + part.length > maxBytes) {
      skipping = true;
      pending = [];
      size = 0;
      onLong();
      return;
    }
    pending.push(part);
    size += part.length;
  };
  const end = () => {
    if (!skipping) onLine(Buffer.concat(pending));
    pending = [];
    size = 0;
    skipping = false;
  };
  stream.on('data', (chunk: Buffer) => {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      take(chunk.subarray(from, nl));
      end();
      from = nl + 1;
    }
    if (from < chunk.length) take(chunk.subarray(from));
  });
  // A last line without a newline.
  stream.on('end', () => {
    if (size > 0 || skipping) end();
  });
}
