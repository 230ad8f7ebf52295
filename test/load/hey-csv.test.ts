/** hey's per-request CSV read as data, and the failures its rows leave out bounded from below. */
import { describe, expect, it } from 'vitest';
import { failuresAtLeast, parseHeyRow, type HeyRow } from '../../harness/load/hey-csv.ts';

const row = (offset: number, seconds: number, status = 200): HeyRow => ({ offset, seconds, status });

describe("hey's CSV", () => {
  it('reads data rows and skips the header', () => {
    expect(parseHeyRow('response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset')).toBeNull();
    expect(parseHeyRow('0.0275,0.0004,0.0000,0.0001,0.0268,0.0001,500,1.0114')).toEqual({ seconds: 0.0275, status: 500, offset: 1.0114 });
    expect(parseHeyRow('')).toBeNull();
  });

  it('finds no failure in unbroken closed-loop chains (handoffs rounded to 0.1 ms)', () => {
    const rows: HeyRow[] = [];
    for (const worker of [0, 1]) {
      let t = worker * 0.0001;
      for (let i = 0; i < 50; i++) {
        const d = 0.0103 + worker * 0.0007;
        rows.push(row(Math.round(t * 1e4) / 1e4, Math.round(d * 1e4) / 1e4));
        t += d + 0.00002;
      }
    }
    expect(failuresAtLeast(rows, 2, 0.5)).toEqual([]);
  });

  it('counts a worker whose request had no row (a 1 s timeout) and one whose first requests failed', () => {
    const a = [row(0, 0.1), row(0.1, 0.1), /* fails 0.2..1.2 */ row(1.2, 0.1), row(1.3, 0.1)];
    const b = Array.from({ length: 15 }, (_, i) => row(i * 0.1, 0.1));
    const c = [/* refused, refused... */ 0.9, 1.0, 1.1, 1.2, 1.3, 1.4].map((t) => row(t, 0.1));
    expect(failuresAtLeast([...a, ...b], 2, 1.4)).toEqual([0.2]);
    expect(failuresAtLeast([...a, ...b, ...c], 3, 1.4).sort()).toEqual([0, 0.2]);
  });
});
