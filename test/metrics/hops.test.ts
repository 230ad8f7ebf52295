import { describe, expect, it } from 'vitest';
import type { Span } from '../../harness/dataflow/spans.ts';
import { hopGaps } from '../../harness/metrics/hops.ts';

const span = (requestId: string, service: string, start: number, fnEnd: number, outcome: Span['outcome'] = 'ok'): Span => ({
  requestId, service, node: 'n', start, fnStart: start, fnEnd, end: fnEnd + 100, outcome,
});

describe('hopGaps', () => {
  it('measures from one service ending its function to the next one receiving the request', () => {
    const spans = [
      span('r1', 'a', 0, 10), span('r1', 'b', 12, 20), span('r1', 'c', 25, 30),
      span('r2', 'a', 100, 110), span('r2', 'b', 114, 120), span('r2', 'c', 121, 130),
    ];
    const [ab, bc] = hopGaps(spans, ['a', 'b', 'c']);
    expect(ab).toMatchObject({ from: 'a', to: 'b', count: 2, min: 2, max: 4, mean: 3, p50: 3 });
    expect(bc).toMatchObject({ from: 'b', to: 'c', count: 2, min: 1, max: 5 });
  });

  it('leaves out hops after a failed function, whose next service got an envelope instead', () => {
    const spans = [span('r1', 'a', 0, 10, 'function-error'), span('r1', 'b', 12, 12, 'forwarded-error')];
    expect(hopGaps(spans, ['a', 'b'])[0]!.count).toBe(0);
  });
});
