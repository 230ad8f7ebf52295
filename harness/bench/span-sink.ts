/**
 * Collects the NDJSON spans the services print and keeps those of the current profile's
 * requests. Spans are kept by request, not one by one: a request belongs to the window when
 * its entry span (the first service the client reached) started inside it, and then all its
 * spans are kept, also those of later services that started after the window's end. Filtering
 * each span on its own start lost the later services' spans of every request crossing the
 * window's end, and counted them as missing (issue 14, audit item 10), while keeping the later
 * spans of requests that entered during the warm-up.
 */
import { isSpan, type Span } from '../dataflow/spans.ts';
import { alignSpans, type NodeOffset } from '../metrics/clock-align.ts';

export interface SpanSinkOptions {
  /**
   * The node clock offsets (kube), read when a window is taken: they are measured while the
   * first system is deployed, after the sink is made. The window is on the host's clock (the
   * load agent runs there), so spans are selected on aligned times; none: one clock.
   */
  offsets?: () => readonly NodeOffset[];
}

export function createSpanSink(options: SpanSinkOptions = {}) {
  let spans: Span[] = [];
  return {
    /** Called with every stdout line of every unit. */
    push(line: string): void {
      if (!line.startsWith('{')) return;
      try {
        const value: unknown = JSON.parse(line);
        if (isSpan(value)) spans.push(value);
      } catch {
        // not a span: services may print other lines
      }
    },
    start(): void {
      spans = [];
    },
    /** All spans of the requests that entered the system inside the measured window, as received. */
    take(fromMs: number, toMs: number): Span[] {
      const taken = spansOfWindow(spans, fromMs, toMs, options.offsets?.() ?? []);
      spans = [];
      return taken;
    },
  };
}

/**
 * The spans (unchanged, on their nodes' clocks) of the requests whose entry span started in
 * [fromMs, toMs] once aligned to the host's clock. A request's entry span is its earliest: the
 * one the client's request reached first (the first service in p2p and openfaas-chain, the
 * orchestrator in openfaas), which encloses all the others. A request whose entry span has not
 * arrived is placed by its earliest span that has.
 */
export function spansOfWindow(spans: readonly Span[], fromMs: number, toMs: number, offsets: readonly NodeOffset[] = []): Span[] {
  const aligned = alignSpans(spans, offsets);
  const entry = new Map<string, number>();
  for (const s of aligned) {
    const earliest = entry.get(s.requestId);
    if (earliest === undefined || s.start < earliest) entry.set(s.requestId, s.start);
  }
  return spans.filter((_, i) => {
    const t = entry.get(aligned[i]!.requestId)!;
    return t >= fromMs && t <= toMs;
  });
}
