import { describe, expect, it } from 'vitest';
import type { Span } from '../../harness/dataflow/spans.ts';
import { alignSpans, offsetsOf } from '../../harness/metrics/clock-align.ts';
import { hopGaps } from '../../harness/metrics/hops.ts';

const span = (service: string, node: string, start: number, fnEnd: number): Span => ({
  requestId: 'r', service, node, start, fnStart: start, fnEnd, end: fnEnd + 1, outcome: 'ok',
});

describe('clock alignment of spans', () => {
  it('moves each node to the host clock before hop gaps are measured', () => {
    // b's node runs 250 ms ahead: unaligned, the gap would read 252 ms instead of 2 ms.
    const spans = [span('a', 'n1', 0, 10), span('b', 'n2', 262, 270)];
    expect(hopGaps(spans, ['a', 'b'])[0]!.mean).toBe(252);
    const aligned = alignSpans(spans, offsetsOf({ clockOffsets: [{ node: 'n2', offsetMs: 250, uncertaintyMs: 0.4, samples: 5 }] }));
    expect(hopGaps(aligned, ['a', 'b'])[0]!.mean).toBe(2);
  });

  it('leaves spans alone when no offsets were recorded', () => {
    const spans = [span('a', 'n1', 0, 10)];
    expect(alignSpans(spans, offsetsOf({}))).toEqual(spans);
  });
});
