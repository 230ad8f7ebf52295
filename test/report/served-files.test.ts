/** What `report --serve` serves: the report's files, runs' and sweeps', and nothing else beside them. */
import { describe, expect, it } from 'vitest';
import { reportFileFilter } from '../../harness/report/served-files.ts';

describe('the files report --serve serves', () => {
  const served = reportFileFilter('index.html', 'runs');

  it.each([
    'index.html',
    'vendor/vega.min.js',
    'runs/monday/index.html',
    'runs/monday/profiles/p2p-w1.json',
    // A sweep: its page, tables and record, and each point's report and data.
    'runs/sweep-1/index.html',
    'runs/sweep-1/csv/sweep-prediction.csv',
    'runs/sweep-1/sweep.json',
    'runs/sweep-1/points/length-1_payload-1KB/index.html',
    'runs/sweep-1/points/length-1_payload-1KB/vendor/vega.min.js',
    'runs/sweep-1/points/length-1_payload-1KB/profiles/p2p-w1.json',
    'runs/sweep-1/points/length-1_payload-1KB/point.json',
  ])('serves %s', (file) => expect(served(file)).toBe(true));

  it.each(['notes.txt', '.ssh/id_ed25519', 'runs/monday/notes.txt', 'runs/sweep-1/sweep.lock', 'runs/sweep-1/points/a/b/index.html', 'runs/sweep-1/other/a/index.html'])(
    'refuses %s',
    (file) => expect(served(file)).toBe(false),
  );
});
