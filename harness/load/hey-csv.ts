/**
 * hey's per-request output (`hey -o csv`), read as data. hey writes one row per request that got
 * a response, after the run:
 *
 *   response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset
 *
 * times in seconds printed with four decimals (%4.4f: 0.1 ms steps), `offset` being when the
 * request started, from hey's own start. A request that failed without a response (timeout,
 * refused, reset) has no row at all: hey counts those only in its text summary, which -o csv
 * replaces (requester/report.go: an errored result only increments errorDist).
 *
 * The failures can still be bounded from below by time, at any rate. hey's workers are a closed
 * loop: each sends its next request the moment the previous one ended (a few microseconds
 * later, measured), so over hey's sending window each of the c workers is always busy. The
 * worker-time no row covers,
 *
 *   M = c·W − Σ (row durations clipped to the window) − an allowance for handoffs and start,
 *
 * was spent in requests without a row, each of which lasted at most the client timeout t (plus
 * the moment hey takes to notice it). So at least M / (t + overshoot) requests failed, counted
 * rounded to the nearest whole number (a lower bound still, and one that half a timeout of
 * unforeseen handoff time does not move). That is a bound on failures of any class; that they
 * were timeouts is an inference (a long run of fast failures, thousands of refused connections,
 * would leave the same time). Failures that take no time (a refused or reset connection now and
 * then) leave no time either: they cannot be seen.
 *
 * A request with no row still started after hey did and ended before it exited (hey waits for
 * the requests in flight): a timeout, which lasts t, fits only if hey ran at least t, and at
 * most ⌊ran / t⌋ of them one after the other on a worker. Failures the time implies beyond that
 * are not timeouts; they are left out (and counted as such), not guessed at.
 *
 * hey keeps only its first HEY_MAX_ROWS responses (report.go, maxRes); beyond them the rows are
 * missing, not failed, so the bound then stops where every request had ended before the cap.
 */

export interface HeyRow {
  /** Seconds from hey's start to the request's start. */
  offset: number;
  /** Seconds from the request's start to its response fully read. */
  seconds: number;
  status: number;
}

/** The header hey prints before its rows with -o csv (print.go, csvTmpl). */
export const HEY_CSV_HEADER = 'response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset';

/** Whether a line of hey's output is its CSV header: the sign that it ran with -o csv and got to its report. */
export function isHeyHeader(line: string): boolean {
  return line.trim() === HEY_CSV_HEADER;
}

/** Why a line after hey's header is not taken as a response: each is counted in a note. */
export type RowRejection =
  | 'not ASCII text'
  | 'not a row of numbers'
  | 'a negative or non-finite time'
  | 'a status outside 100-599'
  | 'a time outside hey\'s run'
  | 'longer than a row can be'
  | 'past hey\'s 1,000,000-row cap';

/** A cell that reads as a number of some kind (NaN and Infinity included: those are bad times, not garbage). */
const NUMERIC = /^[-+]?((\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?|Infinity|NaN)$/i;

/**
 * One data row; null for the header and a blank line; else why it is no response hey can have
 * had: a time that is negative, NaN or infinite, a status no HTTP server sends, a line that is not
 * numbers, or not ASCII (hey prints digits, dots and commas).
 */
export function parseHeyRow(line: string): HeyRow | RowRejection | null {
  const text = line.trim();
  if (text === '' || text === HEY_CSV_HEADER) return null;
  if (/[^\x20-\x7e]/.test(text)) return 'not ASCII text';
  const cells = text.split(',');
  if (cells.length < 8 || ![cells[0]!, cells[6]!, cells[7]!].every((c) => NUMERIC.test(c))) return 'not a row of numbers';
  const seconds = Number(cells[0]);
  const status = Number(cells[6]);
  const offset = Number(cells[7]);
  if (!(Number.isFinite(seconds) && seconds >= 0 && Number.isFinite(offset) && offset >= 0)) return 'a negative or non-finite time';
  if (!Number.isInteger(status) || status < 100 || status > 599) return 'a status outside 100-599';
  return { offset, seconds, status };
}

/** hey keeps at most this many results (report.go, maxRes); beyond it, requests are counted in its summary only. */
export const HEY_MAX_ROWS = 1_000_000;
/** A row of hey's is under 100 bytes; a longer line is not gathered in memory (a 600 MB line crashed the agent). */
export const HEY_MAX_LINE_BYTES = 1024;
/** A row ending this long after hey exited is rounding (rows have four decimals), more is no response of this run. */
const RUN_SLACK_S = 0.01;

/**
 * hey's rows, as its CSV gives them after the header: kept while they are responses hey can have
 * had (at most its first HEY_MAX_ROWS), the others counted by why, for the profile's note.
 */
export class HeyRows {
  readonly rows: HeyRow[] = [];
  private readonly rejected = new Map<RowRejection, number>();

  /** A line after the header. */
  add(line: string): void {
    const row = parseHeyRow(line);
    if (row === null) return;
    if (typeof row === 'string') return this.reject(row);
    if (this.rows.length >= HEY_MAX_ROWS) return this.reject("past hey's 1,000,000-row cap");
    this.rows.push(row);
  }

  reject(why: RowRejection): void {
    this.rejected.set(why, (this.rejected.get(why) ?? 0) + 1);
  }

  /** Drops the rows that would have ended after hey exited (`ranS` after it was spawned). */
  keepWithin(ranS: number): void {
    let kept = 0;
    for (const row of this.rows) {
      if (row.offset + row.seconds <= ranS + RUN_SLACK_S) this.rows[kept++] = row;
      else this.reject("a time outside hey's run");
    }
    this.rows.length = kept;
  }

  /** One line saying how many lines were rejected and why; null when none was. */
  note(): string | null {
    const total = [...this.rejected.values()].reduce((a, b) => a + b, 0);
    if (total === 0) return null;
    const why = [...this.rejected].map(([reason, n]) => `${reason} (${n.toLocaleString('en')})`);
    return `hey: ${total.toLocaleString('en')} line(s) of its CSV were not taken as responses and are in no figure: ${why.join('; ')}`;
  }
}

/**
 * Allowance per row for the time between a worker's request ending and its next starting
 * (hey: a channel send, a select and a request clone), and for the rounding of each row to
 * 0.1 ms. Measured here: 1 to 3 µs per request on average, rounding included, on a loaded
 * two-core machine; 20 µs is several times that.
 */
export const HANDOFF_S = 20e-6;
/**
 * Allowance per worker for the start of the window: hey starts its workers one after the other
 * (measured here: the 50th 4 ms after the first, the 10th 6 ms after).
 */
export const WORKER_ALLOWANCE_S = 0.02;
/** By this long after hey's start its workers have started (measured here: 3 to 21 ms). */
const HEY_STARTED_S = 0.05;
/** How much longer than the client timeout a timed-out request can take in hey (measured: 0.3 to 1.7 ms). */
export const TIMEOUT_OVERSHOOT_S = 0.02;
/** How much before the end of -z hey may have stopped its workers, at most (measured: up to 21 ms). */
const END_SLACK_S = 0.25;
/** The window starts at the first row's start when some worker's first request got a response (it starts within this of hey's start). */
const FIRST_START_S = 0.25;
/**
 * Rows rounded to 0.1 ms seem to overlap by up to 0.2 ms, and with many workers such moments
 * follow each other: a stretch goes on over moments with no idle worker shorter than this.
 */
const BRIDGE_S = 0.001;
/** A stretch where at least one worker has no row, shorter than this, is a handoff, not evidence of where a failure was. */
const MIN_STRETCH_S = 0.01;

export interface FailureBound {
  /** Start of each inferred failed request, seconds on hey's clock (see placeFailures). */
  starts: number[];
  /** The stretch of hey's clock the bound covers (empty when none could be given). */
  from: number;
  to: number;
  /** Worker-seconds in [from, to] with no row, before the allowance. */
  unaccountedS: number;
  /** Worker-seconds allowed for handoffs and the workers' start. */
  allowanceS: number;
  /**
   * Failures the workers' time in no row implies, left out because they cannot have been
   * timeouts: each would have lasted the timeout between hey's start and its exit, and hey did
   * not run long enough for (so many of) them. What took that time is unknown.
   */
  ruledOut: number;
  /** Why no bound, or only a partial one, was given. */
  limit?: 'no timeout' | 'row cap' | 'run time';
}

export interface HeyRunShape {
  /** hey's -c. */
  workers: number;
  /** hey's -z, in seconds. */
  durationS: number;
  /** hey's -t, whole seconds; 0 is none (hey then waits for ever). */
  timeoutS: number;
  /**
   * How long hey ran, seconds from its spawn to its exit as the driver saw them. hey waits for
   * the requests in flight before it exits, so every request it sent, a timed-out one included,
   * started and ended within this.
   */
  ranS: number;
}

/**
 * The fewest requests without a row (failed without a response) that explain the rows of a
 * closed-loop hey run, each placed where the rows leave workers idle.
 */
export function failuresAtLeast(rows: readonly HeyRow[], run: HeyRunShape): FailureBound {
  const { workers, durationS, timeoutS, ranS } = run;
  let earliest = Infinity;
  let latest = -Infinity;
  for (const r of rows) {
    earliest = Math.min(earliest, r.offset);
    latest = Math.max(latest, r.offset);
  }
  // When some worker's first request got a response, the window starts with it (the others
  // start within a few ms). When none did, it starts when hey's workers had surely started.
  const from = earliest <= FIRST_START_S ? earliest : HEY_STARTED_S;
  // hey's -z timer starts before its workers (up to ~20 ms before, measured here: hey allocates
  // its result arrays in between), so it stops them before from + durationS, and workers that
  // had stopped would look idle. Until the last request with a row started, none had: the
  // window ends there, or END_SLACK_S before from + durationS when that is later (every worker
  // failing at the end: a worker in a failure when hey stopped is busy with it, not idle).
  const end = earliest <= FIRST_START_S ? from + durationS : durationS;
  let to = Math.min(end, Math.max(rows.length ? latest : -Infinity, end - END_SLACK_S));
  let limit: FailureBound['limit'];
  const none = (why?: FailureBound['limit']): FailureBound => ({ starts: [], from, to: from, unaccountedS: 0, allowanceS: 0, ruledOut: 0, ...(why ? { limit: why } : {}) });
  if (!(timeoutS > 0)) return none('no timeout');
  if (rows.length >= HEY_MAX_ROWS) {
    // Rows are kept in the order responses came in: until the last kept one ended, every
    // response has its row. A request that started before `to` ended (response or failure)
    // by to + t, so its row, if it had one, is there.
    const lastEnd = rows.reduce((m, r) => Math.max(m, r.offset + r.seconds), 0);
    to = Math.min(to, lastEnd - timeoutS - TIMEOUT_OVERSHOOT_S);
    limit = 'row cap';
  }
  if (to <= from) return none(limit);

  const starts = new Float64Array(rows.length);
  const ends = new Float64Array(rows.length);
  let n = 0;
  let covered = 0;
  let sent = 0;
  for (const r of rows) {
    const s = Math.max(r.offset, from);
    const e = Math.min(r.offset + r.seconds, to);
    if (r.offset >= from && r.offset < to) sent++;
    if (e > s) {
      starts[n] = s;
      ends[n++] = e;
      covered += e - s;
    }
  }
  const unaccountedS = workers * (to - from) - covered;
  const allowanceS = sent * HANDOFF_S + workers * WORKER_ALLOWANCE_S;
  const net = unaccountedS - allowanceS;
  // At least net / (t + overshoot) requests, so at least its ceiling; rounded to the nearest
  // instead (still a lower bound), so that up to half a timeout of worker time the allowance
  // did not foresee invents nothing.
  const implied = net > 0 ? Math.floor(net / (timeoutS + TIMEOUT_OVERSHOOT_S) + 0.5) : 0;
  // Each lasted t, between hey's start and its exit: on one worker at most ⌊ran / t⌋ of them,
  // one after the other (none at all when hey ran less than t), the last starting by ran − t.
  const fit = workers * Math.max(0, Math.floor(ranS / timeoutS));
  const count = Math.min(implied, fit);
  const ruledOut = implied - count;
  if (ruledOut > 0) limit ??= 'run time';
  const latestStart = ranS - timeoutS;
  const placed = count > 0 ? placeFailures(count, idleStretches(starts.subarray(0, n).sort(), ends.subarray(0, n).sort(), workers, from, to), from, to).map((s) => Math.max(0, Math.min(s, latestStart))) : [];
  return { starts: placed, from, to, unaccountedS, allowanceS, ruledOut, ...(limit ? { limit } : {}) };
}

interface Segment {
  a: number;
  b: number;
  /** Workers with no row in [a, b]. */
  idle: number;
}

/** A stretch in which at least one worker has no row throughout, as segments of constant idleness. */
interface Stretch {
  segments: Segment[];
  /** Idle worker-seconds in it. */
  idle: number;
}

/** Stretches of at least MIN_STRETCH_S in which at least one worker has no row. */
function idleStretches(starts: Float64Array, ends: Float64Array, workers: number, from: number, to: number): Stretch[] {
  const kept: Stretch[] = [];
  let segments: Segment[] = [];
  const close = () => {
    if (segments.length && segments[segments.length - 1]!.b - segments[0]!.a >= MIN_STRETCH_S) {
      kept.push({ segments, idle: segments.reduce((sum, g) => sum + (g.b - g.a) * g.idle, 0) });
    }
    segments = [];
  };
  let busy = 0;
  let x = from;
  let i = 0;
  let j = 0;
  while (x < to) {
    // Events at the same instant are all applied before the next segment: a handoff at one
    // instant is no idle time.
    const next = Math.min(i < starts.length ? starts[i]! : Infinity, j < ends.length ? ends[j]! : Infinity, to);
    if (next > x) {
      const idle = workers - busy;
      const last = segments[segments.length - 1];
      if (idle < 1) {
        if (last && next - last.b > BRIDGE_S) close();
      } else if (last?.idle === idle && last.b === x) last.b = next;
      else segments.push({ a: x, b: next, idle });
      x = next;
    }
    if (x >= to) break;
    while (j < ends.length && ends[j]! <= x) (busy--, j++);
    while (i < starts.length && starts[i]! <= x) (busy++, i++);
  }
  close();
  return kept;
}

/**
 * Where the failures were. Each idle stretch gets a share of them in proportion to its idle
 * worker-time (largest remainders, so a stretch of one timeout's length gets one and a short
 * tail gets none), and a stretch's share is spread over it, the k-th of m starting where k/m of
 * its idle time has passed. One worker idle from 1 to 7 s with three 2 s timeouts gives starts
 * at 1, 3 and 5 s, which is where they were; several workers failing at once are placed one
 * after the other. Without any such stretch (the time is spread thinly over the whole window)
 * they are spread evenly over the window.
 */
function placeFailures(count: number, stretches: readonly Stretch[], from: number, to: number): number[] {
  const total = stretches.reduce((sum, st) => sum + st.idle, 0);
  if (total <= 0) return Array.from({ length: count }, (_, k) => from + ((k + 0.5) / count) * (to - from));
  const quota = stretches.map((st) => (st.idle / total) * count);
  const share = quota.map(Math.floor);
  const byRemainder = quota.map((_, i) => i).sort((i, j) => quota[j]! - share[j]! - (quota[i]! - share[i]!) || i - j);
  for (let left = count - share.reduce((a, b) => a + b, 0), k = 0; left > 0; left--, k++) share[byRemainder[k]!]!++;
  const out: number[] = [];
  stretches.forEach((st, i) => {
    for (let k = 0; k < share[i]!; k++) out.push(positionIn(st, (k / share[i]!) * st.idle));
  });
  return out.sort((a, b) => a - b);
}

/** The point of a stretch where `idle` worker-seconds of it have passed. */
function positionIn(st: Stretch, idle: number): number {
  let left = idle;
  for (const g of st.segments) {
    const has = (g.b - g.a) * g.idle;
    if (left <= has) return g.a + left / g.idle;
    left -= has;
  }
  return st.segments[st.segments.length - 1]!.b;
}
