/**
 * Spans from different nodes are compared on one clock: each node's timestamps are moved by
 * that node's measured offset (node clock minus host clock) before hop gaps are computed.
 * Locally every node shares the host's clock and there is nothing to move.
 */
import type { Span } from '../dataflow/spans.ts';

export interface NodeOffset {
  node: string;
  offsetMs: number;
  /** ± ms the offset is right within (half the round trip of its best sample). */
  uncertaintyMs?: number;
}

export function alignSpans(spans: readonly Span[], offsets: readonly NodeOffset[]): Span[] {
  if (offsets.length === 0) return [...spans];
  const byNode = new Map(offsets.map((o) => [o.node, o.offsetMs]));
  return spans.map((s) => {
    const d = byNode.get(s.node);
    return d === undefined || d === 0 ? s : { ...s, start: s.start - d, fnStart: s.fnStart - d, fnEnd: s.fnEnd - d, end: s.end - d };
  });
}

/** The offsets a target recorded in its description, if any (kube: details.clockOffsets). */
export function offsetsOf(details: Record<string, unknown>): NodeOffset[] {
  const raw = details.clockOffsets;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((o): o is NodeOffset => typeof o?.node === 'string' && typeof o?.offsetMs === 'number')
    .map((o) => ({ node: o.node, offsetMs: o.offsetMs, ...(typeof o.uncertaintyMs === 'number' ? { uncertaintyMs: o.uncertaintyMs } : {}) }));
}
