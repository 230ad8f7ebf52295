/** The span sink keeps the window's requests with all their spans (issue 14, audit item 10). */
import { describe, expect, it } from 'vitest';
import type { Span } from '../../harness/dataflow/spans.ts';
import { createSpanSink } from '../../harness/bench/span-sink.ts';
import { alignSpans, type NodeOffset } from '../../harness/metrics/clock-align.ts';
import { hopGaps } from '../../harness/metrics/hops.ts';

const span = (requestId: string, service: string, start: number, fnStart: number, fnEnd: number, end: number, node = 'n'): Span => ({
  requestId, service, node, start, fnStart, fnEnd, end, outcome: 'ok', ...(service === 'a' ? { next: 'b' } : {}),
});

const sinkWith = (spans: Span[], offsets: NodeOffset[] = []) => {
  const sink = createSpanSink({ offsets: () => offsets });
  sink.start();
  sink.push('not a span');
  for (const s of spans) sink.push(JSON.stringify(s));
  return sink;
};

describe('span sink', () => {
  // The audit's case: on b2bbc21 each span was filtered on its own start, so b's span (started
  // 0.4 ms after the window's end) was dropped while a's was kept: one missing span, no gap.
  it('keeps every span of a request that entered inside the window, also those starting after its end', () => {
    const spans = [span('r1', 'a', 990, 990.1, 999.6, 1001.5), span('r1', 'b', 1000.4, 1000.5, 1001, 1001.2)];
    const taken = sinkWith(spans).take(0, 1000);
    const [ab] = hopGaps(taken, ['a', 'b'], [], { endMs: 1000 });
    console.log('audit case a→b:', JSON.stringify({ requests: ab!.requests, count: ab!.count, missing: ab!.missing, cut: ab!.cut, gapMs: ab!.mean }));
    expect(ab).toMatchObject({ requests: 1, count: 1, missing: 0, cut: 0, failed: 0 });
    expect(ab!.mean).toBeCloseTo(0.9, 9);
    expect(taken).toEqual(spans);
  });

  it('leaves out every span of a request that entered before the window (warm-up), also those inside it', () => {
    const warm = [span('w', 'a', -5, -4.9, -1, 3), span('w', 'b', 0.5, 0.6, 1, 1.2)];
    const inside = [span('r', 'a', 10, 10.1, 12, 15), span('r', 'b', 12.5, 12.6, 13, 13.2)];
    expect(sinkWith([...warm, ...inside]).take(0, 1000)).toEqual(inside);
  });

  // On kube the window is on the host's clock and spans on their nodes' clocks: requests are
  // selected once aligned (b2bbc21 selected on the nodes' own clocks, before alignment).
  it('selects requests on the host clock when node offsets are known, and returns the spans as received', () => {
    const offsets: NodeOffset[] = [{ node: 'ahead', offsetMs: 3, uncertaintyMs: 0.2 }, { node: 'behind', offsetMs: -3, uncertaintyMs: 0.2 }];
    // Entered at 999 host time (1002 on a node 3 ms ahead): inside [0, 1000].
    const kept = [span('k', 'a', 1002, 1002.1, 1003, 1006, 'ahead'), span('k', 'b', 1000.2, 1000.3, 1001, 1002, 'behind')];
    // Entered at 1002 host time (999 on a node 3 ms behind): outside.
    const dropped = [span('d', 'a', 999, 999.1, 1000, 1003, 'behind'), span('d', 'b', 1005.5, 1005.6, 1006, 1007, 'ahead')];
    const taken = sinkWith([...kept, ...dropped], offsets).take(0, 1000);
    expect(taken).toEqual(kept);
    const [ab] = hopGaps(alignSpans(taken, offsets), ['a', 'b'], offsets, { endMs: 1000 });
    expect(ab).toMatchObject({ requests: 1, count: 1, missing: 0, cut: 0 });
  });
});
