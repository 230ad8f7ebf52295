/** Collects the NDJSON spans the services print, keeping only those of the current profile. */
import { isSpan, type Span } from '../dataflow/spans.ts';

export function createSpanSink() {
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
    /** Spans of requests that arrived inside the measured window. */
    take(fromMs: number, toMs: number): Span[] {
      const taken = spans.filter((s) => s.start >= fromMs && s.start <= toMs);
      spans = [];
      return taken;
    },
  };
}
