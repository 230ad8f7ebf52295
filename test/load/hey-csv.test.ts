/** hey's per-request CSV read as data, and the failures its rows leave out bounded from below. */
import { describe, expect, it } from 'vitest';
import { failuresAtLeast, HEY_MAX_ROWS, parseHeyRow, type HeyRow } from '../../harness/load/hey-csv.ts';

/** hey prints every time with four decimals of a second. */
const hey4 = (s: number) => Number(s.toFixed(4));

type Outcome = number | 'timeout' | 'refused';

/**
 * hey's closed loop as requester.go runs it: `workers` goroutines started one after the other a
 * few ms after hey's start, each sending its next request 2 µs after the previous one ended
 * (measured here: 1 to 3 µs), until -z fires; a timed-out request takes the timeout and a bit,
 * a refused one 0.1 ms; only requests with a response get a row, rounded as hey prints it.
 */
function heyRun(workers: number, durationS: number, timeoutS: number, outcome: (worker: number, at: number) => Outcome): { rows: HeyRow[]; timeouts: number; refused: number; ranS: number } {
  const start = 0.003;
  const stop = start + durationS;
  const rows: HeyRow[] = [];
  let timeouts = 0;
  let refused = 0;
  let ranS = 0; // hey exits once its last request in flight ended (and it printed its rows)
  for (let w = 0; w < workers; w++) {
    let now = start + w * 20e-6;
    while (now < stop) {
      const o = outcome(w, now);
      if (o === 'timeout') (timeouts++, (now += timeoutS + 0.0005));
      else if (o === 'refused') (refused++, (now += 0.0001));
      else {
        rows.push({ offset: hey4(now), seconds: hey4(o), status: 200 });
        now += o;
      }
      now += 2e-6;
    }
    ranS = Math.max(ranS, now + 0.01);
  }
  return { rows, timeouts, refused, ranS };
}

/** A fixed jitter, so that latencies are not all alike. */
const jitter = (w: number, at: number) => ((Math.sin(w * 12.9898 + at * 78.233) * 43758.5453) % 1 + 1) % 1;

describe("hey's CSV", () => {
  it('reads data rows and skips the header', () => {
    expect(parseHeyRow('response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset')).toBeNull();
    expect(parseHeyRow('0.0275,0.0004,0.0000,0.0001,0.0268,0.0001,500,1.0114')).toEqual({ seconds: 0.0275, status: 500, offset: 1.0114 });
    expect(parseHeyRow('')).toBeNull();
  });

  it('finds no failure in unbroken closed-loop chains, at any rate (handoffs rounded to 0.1 ms)', () => {
    for (const [workers, latency] of [[1, 0.0004], [2, 0.01], [4, 0.0009], [50, 0.002]] as const) {
      const { rows, ranS } = heyRun(workers, 5, 1, (w, at) => latency * (0.5 + jitter(w, at)));
      const bound = failuresAtLeast(rows, { workers, durationS: 5, timeoutS: 1, ranS });
      expect(bound.starts, `${workers} workers at ${latency * 1000} ms`).toEqual([]);
      expect(bound.unaccountedS).toBeLessThan(bound.allowanceS);
    }
  });

  // Audit of b2bbc21, item 1: the greedy matching let a row's end take another worker's next
  // start within 50 ms, so once the workers together sent more than ~20 req/s a worker's gap
  // was covered by everyone's matches shifting by one: these gave [] there.
  it("finds three 2 s timeouts on one of two workers at 10 ms per request, where they were (the audit's reproduction)", () => {
    const rows: HeyRow[] = [];
    const add = (from: number, to: number) => {
      for (let i = Math.round(from * 100); i < Math.round(to * 100); i++) rows.push({ offset: i / 100, seconds: 0.0099, status: 200 });
    };
    add(0, 10); // worker A
    add(0, 1); // worker B: three 2 s timeouts (hey -t 2) from 1.0 to 7.0 s
    add(7, 10);
    const bound = failuresAtLeast(rows, { workers: 2, durationS: 10, timeoutS: 2, ranS: 10.02 });
    console.log(`audit rows: ${bound.starts.length} timeouts at ${bound.starts.map((s) => s.toFixed(3)).join(', ')} s; ${bound.unaccountedS.toFixed(3)} worker-s in no row, ${bound.allowanceS.toFixed(3)} allowed`);
    expect(bound.starts).toHaveLength(3);
    bound.starts.forEach((s, k) => expect(s).toBeCloseTo(1 + 2 * k, 1));
  });

  it('finds them in a hey-like run too (timeouts that take 2 s and a bit, µs handoffs), and on one of 50 busy workers', () => {
    const two = heyRun(2, 10, 2, (w, at) => (w === 1 && at >= 1 && at < 6.9 ? 'timeout' : 0.01 * (0.8 + 0.4 * jitter(w, at))));
    expect(two.timeouts).toBe(3);
    const a = failuresAtLeast(two.rows, { workers: 2, durationS: 10, timeoutS: 2, ranS: two.ranS });
    expect(a.starts).toHaveLength(3);
    a.starts.forEach((s, k) => expect(Math.abs(s - (1 + 2.0005 * k))).toBeLessThan(0.05));

    const many = heyRun(50, 10, 1, (w, at) => (w === 7 && at >= 2 && at < 7.9 ? 'timeout' : 0.02 * (0.5 + jitter(w, at))));
    expect(many.timeouts).toBe(6);
    const b = failuresAtLeast(many.rows, { workers: 50, durationS: 10, timeoutS: 1, ranS: many.ranS });
    console.log(`50 workers, ${many.rows.length} rows: ${b.starts.length} of ${many.timeouts} timeouts found, at ${b.starts.map((s) => s.toFixed(2)).join(', ')} s (allowance ${b.allowanceS.toFixed(2)} worker-s)`);
    // The allowance for 50 workers' start and 25k handoffs, 1.5 worker-s, may hide some; none is invented.
    expect(b.starts.length).toBeGreaterThanOrEqual(3);
    expect(b.starts.length).toBeLessThanOrEqual(6);
    for (const s of b.starts) expect(s).toBeGreaterThanOrEqual(2), expect(s).toBeLessThan(8);
  });

  it('counts a request timing out across the end of the window as one, starting where its worker went idle', () => {
    const { rows, ranS } = heyRun(2, 5, 1, (w, at) => (w === 0 && at >= 4.2 ? 'timeout' : 0.01));
    const bound = failuresAtLeast(rows, { workers: 2, durationS: 5, timeoutS: 1, ranS });
    expect(bound.starts).toHaveLength(1);
    expect(bound.starts[0]).toBeCloseTo(4.2, 1); // ends at ~5.2, after the window: the recorder cuts it off at its age
  });

  it('counts the timeouts of a system that stops answering halfway, to the end of the window', () => {
    const { rows, timeouts, ranS } = heyRun(4, 10, 1, (w, at) => (at >= 5 ? 'timeout' : 0.01 * (0.5 + jitter(w, at))));
    expect(timeouts).toBe(20);
    const bound = failuresAtLeast(rows, { workers: 4, durationS: 10, timeoutS: 1, ranS });
    console.log(`stops answering at 5 s: ${bound.starts.length} of ${timeouts} timeouts found (the last 4 end after the window), over ${bound.from.toFixed(3)}–${bound.to.toFixed(3)} s`);
    expect(bound.starts.length).toBeGreaterThanOrEqual(16);
    expect(bound.starts.length).toBeLessThanOrEqual(20);
    expect(Math.min(...bound.starts)).toBeGreaterThan(4.9);
  });

  it('cannot see failures that take no time (a 30 ms burst of refused connections): none are invented', () => {
    const { rows, refused, ranS } = heyRun(2, 10, 1, (w, at) => (w === 1 && at >= 3 && at < 3.03 ? 'refused' : 0.01));
    expect(refused).toBeGreaterThan(200);
    expect(failuresAtLeast(rows, { workers: 2, durationS: 10, timeoutS: 1, ranS }).starts).toEqual([]);
  });

  // Audit of b2bbc21, item 3: at hey's row cap every worker's last kept row looked like the start
  // of a failure (truncating the rows at 5 s of 10 s gave 3 failures).
  it('invents no failure when hey hit its row cap, and bounds them only where every row is there', () => {
    const { rows, ranS } = heyRun(100, 12, 1, (w, at) => 0.001 * (0.5 + jitter(w, at)));
    expect(rows.length).toBeGreaterThan(HEY_MAX_ROWS);
    // hey keeps the first 1,000,000 responses to come in.
    rows.sort((x, y) => x.offset + x.seconds - (y.offset + y.seconds));
    const kept = rows.slice(0, HEY_MAX_ROWS);
    const bound = failuresAtLeast(kept, { workers: 100, durationS: 12, timeoutS: 1, ranS });
    expect(bound.starts).toEqual([]);
    expect(bound.limit).toBe('row cap');
    const lastEnd = kept.reduce((m, r) => Math.max(m, r.offset + r.seconds), 0);
    expect(bound.to).toBeLessThanOrEqual(lastEnd - 1);
  });

  it('gives no bound without a client timeout (hey -t 0 waits for ever)', () => {
    const { rows, ranS } = heyRun(2, 2, 1, () => 0.01);
    expect(failuresAtLeast(rows.slice(0, 10), { workers: 2, durationS: 2, timeoutS: 0, ranS })).toMatchObject({ starts: [], limit: 'no timeout' });
  });

  // Audit 14, item 3: with 1000 workers, -z 3s and -t 20, hey ran 4.2 s, and 2 timeouts of 20 s
  // were inferred from the time its workers took to start: no request of that run lasted 20 s.
  it('infers no timeout that hey\'s run time rules out (slow-starting workers, -t 20, hey ran 4.2 s)', () => {
    const rows: HeyRow[] = [];
    const workers = 200;
    for (let w = 0; w < workers; w++) {
      // Worker w's first request starts 2 ms after worker w-1's: 200 workers take 0.4 s to start.
      for (let at = 0.003 + w * 0.002; at < 3.003; at += 0.02) rows.push({ offset: hey4(at), seconds: 0.0199, status: 200 });
    }
    const unbounded = failuresAtLeast(rows, { workers, durationS: 3, timeoutS: 20, ranS: 60 });
    const bound = failuresAtLeast(rows, { workers, durationS: 3, timeoutS: 20, ranS: 4.2 });
    console.log(`slow start: ${bound.unaccountedS.toFixed(1)} worker-s in no row (${bound.allowanceS.toFixed(1)} allowed): ${unbounded.starts.length} timeout(s) of 20 s if hey had run 60 s, ${bound.starts.length} as it ran 4.2 s (${bound.ruledOut} ruled out)`);
    expect(unbounded.starts.length).toBeGreaterThan(0); // what the workers' time alone implies
    expect(bound.starts).toEqual([]);
    expect(bound.ruledOut).toBe(unbounded.starts.length);
    expect(bound.limit).toBe('run time');
  });

  it('fits each inferred timeout between hey\'s start and its exit, one after the other on a worker', () => {
    // One worker with no row at all over a 5 s window, -t 1: five timeouts if hey ran its window
    // and the last one; hey ran 2.5 s, so at most two of 1 s fit, starting by 1.5 s.
    expect(failuresAtLeast([], { workers: 1, durationS: 5, timeoutS: 1, ranS: 6.1 }).starts).toHaveLength(5);
    const bound = failuresAtLeast([], { workers: 1, durationS: 5, timeoutS: 1, ranS: 2.5 });
    expect(bound.starts).toHaveLength(2);
    expect(bound.ruledOut).toBe(3);
    for (const s of bound.starts) expect(s + 1).toBeLessThanOrEqual(2.5);
  });

  it('bounds a run whose every first request failed from hey\'s own start', () => {
    const { rows, timeouts, ranS } = heyRun(2, 5, 1, (_w, at) => (at < 1 ? 'timeout' : 0.01));
    expect(timeouts).toBe(2);
    const bound = failuresAtLeast(rows, { workers: 2, durationS: 5, timeoutS: 1, ranS });
    expect(bound.from).toBe(0.05);
    expect(bound.starts.length).toBeGreaterThanOrEqual(1);
    expect(bound.starts.length).toBeLessThanOrEqual(2);
  });
});
