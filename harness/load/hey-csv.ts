/**
 * hey's per-request output (`hey -o csv`), read as data. hey writes one row per request that got
 * a response, after the run:
 *
 *   response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset
 *
 * times in seconds with four decimals, `offset` being when the request started, from hey's own
 * start. A request that failed without a response (timeout, refused, reset) has no row at all:
 * hey counts those only in its text summary, which -o csv replaces. They can still be bounded
 * from below, because each of hey's workers sends its next request the moment the previous one
 * ended (microseconds later): a row whose end is followed by no row's start within HANDOFF_S
 * (before hey stopped sending) was followed by at least one failure on its worker, and so was
 * the start of a worker whose first row starts later than the others' (its first requests
 * failed). Several failures in a row on one worker count as one, hence "at least".
 */

export interface HeyRow {
  /** Seconds from hey's start to the request's start. */
  offset: number;
  /** Seconds from the request's start to its response fully read. */
  seconds: number;
  status: number;
}

/** One data row, or null for the header and anything that is not a row. */
export function parseHeyRow(line: string): HeyRow | null {
  const cells = line.trim().split(',');
  if (cells.length < 8) return null;
  const seconds = Number(cells[0]);
  const status = Number(cells[6]);
  const offset = Number(cells[7]);
  if (!Number.isFinite(seconds) || !Number.isInteger(status) || !Number.isFinite(offset) || cells[0] === '') return null;
  return { offset, seconds, status };
}

/**
 * How far a row's end may seem to pass the next request's start from rounding alone: end is
 * offset + response time, each rounded to 0.1 ms, and the next start is rounded too.
 */
const ROUNDING_S = 0.0002;
/** Longest pause between a worker's request ending and its next starting that is not a failure (a descheduled thread). */
export const HANDOFF_S = 0.05;
/** Workers start together; one whose first row comes later than this had failed first. */
const FIRST_START_S = 0.25;

/**
 * The fewest failed requests (no row) that explain the rows of `workers` closed-loop workers
 * that sent for `durationS` seconds: for each, when (s from hey's start) its worker began to
 * fail, as near as the rows tell.
 */
export function failuresAtLeast(rows: readonly HeyRow[], workers: number, durationS: number): number[] {
  const starts = rows.map((r) => r.offset).sort((a, b) => a - b);
  const ends = rows.map((r) => r.offset + r.seconds).sort((a, b) => a - b);
  const failures: number[] = [];
  const matched = new Uint8Array(starts.length);
  // Each end takes the earliest unused start right after it (both lists sorted: greedy is optimal).
  let j = 0;
  for (const end of ends) {
    while (j < starts.length && starts[j]! < end - ROUNDING_S) j++;
    if (j < starts.length && starts[j]! <= end + HANDOFF_S) matched[j++] = 1;
    else if (end <= durationS - HANDOFF_S) failures.push(end);
  }
  // A worker's first row follows no end. Workers whose first row is not among those at the
  // start had failed first.
  let firstRows = 0;
  for (let i = 0; i < starts.length && starts[i]! <= FIRST_START_S; i++) if (!matched[i]) firstRows++;
  for (let i = firstRows; i < workers; i++) failures.unshift(0);
  return failures;
}

/** hey keeps at most this many results; beyond it, requests are counted in its summary only. */
export const HEY_MAX_ROWS = 1_000_000;
